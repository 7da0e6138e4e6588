"""Engine-level settings that depend on the database in use."""
from sqlalchemy import event

from .dbsession import reading_request
from .extensions import db


def configure_engine(app):
    """SQLite (the embedded mode): WAL journal, foreign keys on, and every transaction that may write
    taking the write lock up front (BEGIN IMMEDIATE), so that concurrent writers queue instead of
    deadlocking; read-only requests begin a plain (deferred) transaction and run side by side."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != 'sqlite':
            return

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
