"""The signed-in person of a request, as Flask-Login's user_loader asks for them on every request.

Every page starts here, and a kept inbox page (inbox/pages.py) costs little more than this, so it is
one lean statement: the person's columns and their inbox version, read as a row rather than through
an ORM query (whose machinery for one row cost about as much as all the rest of a kept page: the
inbox alone reached 27 % of the load test's ceiling with it, see docs/performance.md). The row
becomes an ordinary persistent User of the request's session, exactly as a query would have given
it: every column loaded, no pending change, relationships loaded lazily when asked for.

On PostgreSQL the statement goes straight to the pooled psycopg connection, without a transaction
(GET requests have none anyway, dbsession.py); SQLAlchemy's Connection around it measured ~0.12 ms
more per kept page. Any failure there falls back to the request's own connection, which reports
a database that is down as every other statement does.

What a session or remember-me cookie keeps is `id:epoch` (User.get_id): the person's session epoch
when they signed in. Logout, a password change and deactivation raise the epoch (User.end_sessions),
so every session and remember-me cookie signed before then names an old epoch and signs nobody in.
The epoch is one more column of the same row: no extra statement.
"""
from sqlalchemy import Engine, bindparam, inspect, select
from sqlalchemy.orm import make_transient_to_detached

from ..directory.models import User
from ..extensions import db
from ..inbox.models import InboxVersion

# (attribute, column of the row) for every column of the person
PERSON_COLUMNS = tuple((inspect(User).get_property_by_column(column).key, column.key)
                       for column in User.__table__.columns)
PERSON = (select(*User.__table__.columns, InboxVersion.version.label('inbox_version'))
          .outerjoin(InboxVersion, InboxVersion.user_id == User.id)
          .where(User.id == bindparam('user_id')))
_UNREAD = object()


def signed_in_person(session_id):
    """The active person a session's `id:epoch` names, with their inbox version; None if there is none
    or the epoch is no longer theirs (signed out, password changed, deactivated since)."""
    user_id, _sep, epoch = str(session_id or '').partition(':')
    try:
        user_id, epoch = int(user_id), int(epoch)
    except (TypeError, ValueError):
        return None
    row = person_row(user_id)
    if row is None or not row['active'] or row['session_epoch'] != epoch:
        return None
    person = _persistent(row)
    person.inbox_version = row['inbox_version'] or 0
    return person


def person_row(user_id):
    """The person's columns and inbox version as a mapping (column → value), or None."""
    bind = db.session.get_bind()  # an Engine, or the one Connection a test joins the session to
    if isinstance(bind, Engine) and bind.dialect.name == 'postgresql':
        row = _row_on_the_pooled_connection(bind, user_id)
        if row is not _UNREAD:
            return row
    row = db.session.connection().execute(PERSON, {'user_id': user_id}).first()
    return None if row is None else row._mapping


def _persistent(row):
    """The User the row describes, in the request's session (the one already there, if any)."""
    session = db.session()
    known = session.identity_map.get(session.identity_key(User, (row['id'],)))
    if known is not None:
        return known
    person = User()
    # The instance's state as a load fills it: committed values, no history (set_committed_value
    # one attribute at a time costs a tenth of a kept page).
    inspect(person).dict.update({attribute: row[column] for attribute, column in PERSON_COLUMNS})
    make_transient_to_detached(person)
    session.add(person)
    return person


class _Compiled:
    """PERSON compiled once for an engine's dialect, with the columns' result processors (which the
    raw connection does not apply: UtcDateTime's reading as UTC, for instance)."""

    def __init__(self, engine):
        self.sql = str(PERSON.compile(dialect=engine.dialect))
        self.columns = [(column.key, column.type.result_processor(engine.dialect, None))
                        for column in PERSON.selected_columns]

    def mapping(self, values):
        return {name: process(value) if process else value
                for (name, process), value in zip(self.columns, values, strict=True)}


def _row_on_the_pooled_connection(engine, user_id):
    compiled = getattr(engine, '_workflow_person', None)
    if compiled is None:
        compiled = engine._workflow_person = _Compiled(engine)
    try:
        pooled = engine.raw_connection()  # the pool's checkout check runs as usual
    except Exception:  # noqa: BLE001 - the request's own connection will report it
        return _UNREAD
    try:
        driver = pooled.driver_connection
        driver.autocommit = True
        try:
            cursor = driver.execute(compiled.sql, {'user_id': user_id})
            values = cursor.fetchone()
        finally:
            driver.autocommit = False  # back to the pool in its ordinary mode
    except Exception:  # noqa: BLE001 - a broken connection is dropped; the request's own reports it
        pooled.invalidate()
        return _UNREAD
    finally:
        pooled.close()
    return None if values is None else compiled.mapping(values)
