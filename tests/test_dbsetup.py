"""Pooled PostgreSQL connections are checked at checkout: one whose server session ended is replaced
before a request uses it, without a round trip for connections that are in use."""
import time

import psycopg
import pytest
from sqlalchemy import text

from tests.support.services import PG_ADMIN, throwaway_postgres
from workflow import create_app
from workflow.dbsetup import QUIET_SECONDS, _hung_up
from workflow.extensions import db

pytestmark = pytest.mark.committing  # other connections (threads, processes, the fast path) must see the data


def backend_pid(app):
    with app.test_request_context('/'):
        pid = db.session.scalar(text('SELECT pg_backend_pid()'))
        db.session.remove()  # back to the pool
        return pid


def test_a_connection_whose_session_was_ended_is_replaced_before_use(tmp_path):
    with throwaway_postgres() as url:
        app = create_app({'SQLALCHEMY_DATABASE_URI': url, 'TESTING': True, 'KEYS_DIR': str(tmp_path / 'keys'),
                          'STORAGE_URL': f'file://{tmp_path}/storage', 'SECRET_KEY': 'x' * 32,
                          'PUBLIC_BASE_URL': 'http://127.0.0.1:5000'})
        first = backend_pid(app)
        assert backend_pid(app) == first  # a hot connection is reused as it is
        with app.app_context():
            pooled = db.engine.pool._pool.queue[0].dbapi_connection
        assert not _hung_up(pooled)

        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:  # as a restart or an idle timeout would
            assert admin.execute('SELECT pg_terminate_backend(%s)', (first,)).fetchone()[0]
        deadline = time.monotonic() + 5
        while not _hung_up(pooled) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _hung_up(pooled)  # the socket says so, without asking the server

        second = backend_pid(app)  # the request gets a new, working connection
        assert second != first
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def last_statement(pid):
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        return admin.execute('SELECT query FROM pg_stat_activity WHERE pid = %s', (pid,)).fetchone()[0]


def test_only_a_connection_quiet_for_thirty_seconds_is_pinged_at_checkout(tmp_path):
    with throwaway_postgres() as url:
        app = create_app({'SQLALCHEMY_DATABASE_URI': url, 'TESTING': True, 'KEYS_DIR': str(tmp_path / 'keys'),
                          'STORAGE_URL': f'file://{tmp_path}/storage', 'SECRET_KEY': 'x' * 32,
                          'PUBLIC_BASE_URL': 'http://127.0.0.1:5000'})
        pid = backend_pid(app)
        with app.app_context():
            engine = db.engine
            with engine.connect():
                pass  # checked out and back: in use moments ago, so no ping
            assert last_statement(pid) == 'SELECT pg_backend_pid()'
            record = engine.pool._pool.queue[0]
            record.info['returned_at'] -= QUIET_SECONDS + 1
            with engine.connect():
                pass
            assert last_statement(pid) in (';', 'ROLLBACK')  # quiet for longer: pinged (and its transaction ended)
            engine.dispose()
