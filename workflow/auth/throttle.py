"""Slowing password guessing down without ever locking the rightful person out.

Failed sign-ins are counted under keys, each with its own growing delay once a few tries are spent:
- the source address: after SOURCE_FREE failures it must wait 2, 4, 8 … seconds (at most SOURCE_CAP)
  before its next try, for whatever username;
- the username typed, known or not (so the answer never tells which exist): after ACCOUNT_FREE
  failures from anywhere, a softer delay of at most ACCOUNT_CAP seconds;
- a known device: a browser in which this person signed in before carries a signed cookie
  (DEVICE_COOKIE) naming them. Its tries count under the device alone, so guessing from elsewhere —
  which throttles the address and the username — never stops the person at their own device.
A try refused for waiting is not counted and checks no password. A success clears the username's and
the device's counts (never the address's: an attacker's own account would clear it). Counts older
than FORGET_AFTER start again from zero. Nothing here ever refuses the right password for good.
"""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..timeutil import aware, now
from .models import LoginThrottle

SOURCE_FREE, SOURCE_CAP = 10, 15 * 60
ACCOUNT_FREE, ACCOUNT_CAP = 5, 60
DEVICE_FREE, DEVICE_CAP = 5, 60
FORGET_AFTER = timedelta(hours=24)
DEVICE_COOKIE = 'known_device'
DEVICE_DAYS = 180


@dataclass(frozen=True)
class Key:
    name: str
    free: int
    cap: int


def source_key(address):
    return Key(f'source:{address or "?"}', SOURCE_FREE, SOURCE_CAP)


def account_key(username):
    digest = hashlib.sha256((username or '').strip().lower().encode()).hexdigest()[:40]
    return Key(f'account:{digest}', ACCOUNT_FREE, ACCOUNT_CAP)


def device_key(device):
    return Key(f'device:{device}', DEVICE_FREE, DEVICE_CAP)


def delay_after(failures, key):
    """Seconds to wait after `failures` failures under `key`: none for the first few, then doubling."""
    if failures < key.free:
        return 0
    return min(key.cap, 2 ** (failures - key.free + 1))


def seconds_to_wait(keys):
    """How long until a try is allowed under every one of `keys` (0: now)."""
    rows = db.session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_([k.name for k in keys]))).all()
    moment = now()
    waits = [(aware(row.wait_until) - moment).total_seconds() for row in rows
             if row.wait_until is not None and aware(row.last_failure_at) > moment - FORGET_AFTER]
    return max([0, *waits])


def count_failure(key):
    """One more failure under `key`, and the wait it brings. Concurrent failures each count: the row
    is created if missing and then read locked for the update (on PostgreSQL)."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == 'postgresql' else sqlite_insert
    db.session.execute(insert(LoginThrottle.__table__)
                       .values(key=key.name, failures=0, last_failure_at=now())
                       .on_conflict_do_nothing(index_elements=['key']))
    row = db.session.scalars(select(LoginThrottle).where(LoginThrottle.key == key.name)
                             .with_for_update().execution_options(populate_existing=True)).one()
    moment = now()
    if aware(row.last_failure_at) <= moment - FORGET_AFTER:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = moment
    wait = delay_after(row.failures, key)
    row.wait_until = moment + timedelta(seconds=wait) if wait else None
    db.session.flush()


def forget(keys):
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_([k.name for k in keys])))


# ---------------------------------------------------------------- known devices

def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt='known-device')


def known_device(cookie, user):
    """The device id a known-device cookie holds for `user`, or None (absent, forged, old, or another's)."""
    if not cookie or user is None:
        return None
    try:
        held = _serializer().loads(cookie, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(held, dict) or held.get('u') != user.id or not isinstance(held.get('d'), str):
        return None
    return held['d']


def device_cookie_for(user, device=None):
    """A known-device cookie's value for `user` (keeping the device id when there is one)."""
    return _serializer().dumps({'u': user.id, 'd': device or secrets.token_urlsafe(12)})


def set_device_cookie(response, value):
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_DAYS * 86400, httponly=True, samesite='Lax',
                        secure=current_app.config.get('SESSION_COOKIE_SECURE', False))
