"""Rendered inbox pages and navigation counts, kept per person and inbox version.

The inbox is the page people reload most. Rendering it costs ~20 queries' worth of time and
a Jinja pass over 25 rows; serving it again costs a dictionary lookup, as long as nothing on it
changed. What the page depends on is the key: what it reads of the person (rows.VIEWER), their
inbox version (raised by versions.py with every change to what rows.py declares the page shows),
the language and the query string. Two things are not in the key:
- the CSRF token of the session, written into the page's forms: stored as a slot and filled in
  on every answer;
- time: a row turns "overdue" when its deadline passes, so an entry lives only until the next
  deadline among the rows it shows (and an hour at most).
A page carrying flashed messages is neither stored nor served from the store.

Backends (PAGE_CACHE): `memory` (default; per process, at most PAGE_CACHE_ENTRIES entries),
`redis` (shared by every worker, on REDIS_URL), `off`.
"""
import hashlib
import math

from cachelib import NullCache, RedisCache, SimpleCache
from flask import current_app, make_response, request, session
from flask_wtf.csrf import generate_csrf

from ..extensions import db
from ..i18n import page_locale
from ..timeutil import aware, now
from .rows import VIEWER
from .versions import has_pending_changes, inbox_version

CSRF_SLOT = '__csrf_slot_5f1c__'
# Pages are kept encoded: a kept str would be decoded from the store's pickle and encoded for the
# response again on every hit (~45 µs of a ~1 ms page, for Vietnamese text).
CSRF_SLOT_BYTES = CSRF_SLOT.encode()
LONGEST_SECONDS = 3600
HEADER = 'X-Page-Cache'


def init_page_cache(app):
    kind = app.config.get('PAGE_CACHE', 'memory')
    if kind == 'redis':
        import redis
        # Deployments may share a Redis: the prefix names this one's database.
        database = hashlib.blake2b(app.config['SQLALCHEMY_DATABASE_URI'].encode(), digest_size=6).hexdigest()
        store = RedisCache(host=redis.Redis.from_url(app.config['REDIS_URL']), key_prefix=f'workflow:page:{database}:',
                           default_timeout=LONGEST_SECONDS)
    elif kind == 'off':
        store = NullCache()
    else:
        store = SimpleCache(threshold=app.config.get('PAGE_CACHE_ENTRIES', 2000), default_timeout=LONGEST_SECONDS)
    app.extensions['page_cache'] = store


def store():
    return current_app.extensions['page_cache']


def person_key(kind, user, *parts):
    """A key naming the person exactly (ids are reused after a restore into an empty database)."""
    created = aware(user.created_at).timestamp() if user.created_at else 0
    ident = '\x1f'.join(str(p) for p in (user.id, created, inbox_version(user), *parts))
    return f'{kind}:{user.id}:' + hashlib.blake2b(ident.encode(), digest_size=16).hexdigest()


def seconds_fresh(files):
    """How long a page listing `files` stays true: until the next deadline among them passes."""
    moment, seconds = now(), LONGEST_SECONDS
    for file in files:
        if file.deadline is not None and file.closed_at is None:
            left = (aware(file.deadline) - moment).total_seconds()
            if left > 0:
                seconds = min(seconds, left)
    return max(1, math.ceil(seconds))


def serve_page(key, render):
    """The stored page under `key`, or `render()` -> (html, seconds fresh), stored for next time."""
    if '_flashes' in session:
        html, _seconds = render()
        return _answer(html, 'bypass')
    kept = store().get(key)
    if kept is not None:
        return _answer(kept.replace(CSRF_SLOT_BYTES, session_csrf_token().encode()), 'hit')
    html, seconds = render()
    store().set(key, html.replace(session_csrf_token(), CSRF_SLOT).encode(), timeout=seconds)
    return _answer(html, 'miss')


def session_csrf_token():
    """The session's CSRF token as the forms carry it. Flask-WTF signs the session's secret anew
    on every call; with no time limit set (WTF_CSRF_TIME_LIMIT = None) any signature of it stays
    valid, so one per session is kept (a few per cent of a served page's time)."""
    raw = session.get('csrf_token')
    if raw is None or current_app.config.get('WTF_CSRF_TIME_LIMIT') is not None:
        return generate_csrf()
    signed = current_app.extensions.setdefault('signed_csrf_tokens', {})
    token = signed.get(raw)
    if token is None:
        if len(signed) >= 10_000:
            signed.clear()
        token = signed[raw] = generate_csrf()
    return token


def _answer(html, outcome):
    response = make_response(html)
    response.headers[HEADER] = outcome
    response.headers['Cache-Control'] = 'private, no-store'
    return response


def inbox_key(person):
    """The signed-in person's inbox page for this request: what the page reads of them (rows.VIEWER),
    the page's language and the query string."""
    seen = [getattr(person, name) for name in VIEWER]
    return person_key('inbox', person, page_locale(person.locale), *seen, request.query_string.decode('latin-1'))


def badge_counts(user, count):
    """(open files in the inbox, unread notifications) for the navigation; `count()` on a miss."""
    if has_pending_changes(db.session):
        return count()  # the stored counts are from before this request's own changes
    key = person_key('badges', user)
    kept = store().get(key)
    if kept is None:
        kept = count()
        store().set(key, kept)
    return kept


def forget_everything():
    """Empty the store (tests, and a restore into a running deployment's store)."""
    store().clear()
