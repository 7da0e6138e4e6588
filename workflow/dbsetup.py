"""Engine-level settings that depend on the database in use."""
import logging
import select
import time
from pathlib import Path

from sqlalchemy import event, inspect
from sqlalchemy.exc import DisconnectionError

from .dbsession import reading_request
from .extensions import db
from .privatefiles import open_private, private_dir, tighten

log = logging.getLogger(__name__)


def configure_engine(app):
    """SQLite (the embedded mode): WAL journal, foreign keys on, and every transaction that may write
    taking the write lock up front (BEGIN IMMEDIATE), so that concurrent writers queue instead of
    deadlocking; read-only requests begin a plain (deferred) transaction and run side by side."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == 'postgresql':
            check_connections_at_checkout(engine)
        if engine.dialect.name != 'sqlite':
            return
        make_sqlite_file_private(engine.url.database)

        @event.listens_for(engine, 'connect')
        def on_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # let the 'begin' hook below emit BEGIN
            cursor = dbapi_connection.cursor()
            cursor.execute('PRAGMA journal_mode=WAL')
            cursor.execute('PRAGMA foreign_keys=ON')
            cursor.execute('PRAGMA busy_timeout=30000')
            cursor.close()

        @event.listens_for(engine, 'begin')
        def on_begin(connection):
            # Readers share the database (WAL); a request that may write queues for the lock at once.
            connection.exec_driver_sql('BEGIN' if reading_request() else 'BEGIN IMMEDIATE')


def make_sqlite_file_private(path):
    """The database file is created 0600 before SQLite opens it (SQLite gives its -wal and -shm files
    the database file's mode); one left readable by an earlier version is tightened, with a warning."""
    if not path or path == ':memory:' or path.startswith('file:'):
        return
    private_dir(Path(path).parent)
    try:
        open_private(path).close()  # an empty file is an empty SQLite database
        return
    except FileExistsError:
        pass
    for name in (path, path + '-wal', path + '-shm'):
        if tighten(name):
            log.warning('%s was readable by other accounts: now 0600', name)


def schema_present(connection):
    """Whether `init-db` (or `restore`) has made the schema: the migrations' version table exists."""
    return inspect(connection).has_table('alembic_version')


QUIET_SECONDS = 30.0


def check_connections_at_checkout(engine):
    """A pooled PostgreSQL connection is checked before each use, without a round trip when it
    was in use moments ago (PgBouncer's `server_check_delay`, 30 s here):

    - a server that restarted or ended the session has closed the socket (after its "terminating
      connection" message), so a socket with something to read between requests is dead: a
      non-blocking poll, no round trip;
    - a connection quiet for more than 30 s is pinged (a firewall may have dropped it silently).

    A dead connection raises DisconnectionError here, and the pool replaces it with a fresh one
    (SQLAlchemy's documented pessimistic check), so the request after a database restart succeeds.
    This replaces `pool_pre_ping`, which pays a round trip on every checkout."""
    def note_idle_from_now(_dbapi_connection, record):
        record.info['returned_at'] = time.monotonic()

    event.listen(engine, 'connect', note_idle_from_now)  # a new connection counts as just used
    event.listen(engine, 'checkin', note_idle_from_now)

    @event.listens_for(engine, 'checkout')
    def on_checkout(dbapi_connection, record, _proxy):
        quiet = time.monotonic() - record.info.get('returned_at', 0.0)
        if _hung_up(dbapi_connection) or (quiet > QUIET_SECONDS and not _answers(dbapi_connection)):
            raise DisconnectionError('the database closed this connection')


def _hung_up(dbapi_connection):
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    try:
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    except Exception:  # noqa: BLE001 - no usable socket: not a usable connection
        return True
    return bool(readable)  # between requests the server has nothing to say, unless it is leaving


def _answers(dbapi_connection):
    try:
        dbapi_connection.execute(';')
        dbapi_connection.rollback()
        return True
    except Exception:  # noqa: BLE001 - any failure means the connection cannot be used
        return False
