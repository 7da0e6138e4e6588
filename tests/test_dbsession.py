"""Requests that only read: no transaction round trips on PostgreSQL, shared reading on SQLite."""
import pytest
from sqlalchemy import event

from tests.support.pages import login
from workflow.extensions import db

pytestmark = pytest.mark.committing  # other connections (threads, processes, the fast path) must see the data


def statements_during(app, request):
    """(statement, DBAPI autocommit) for each statement the request sends."""
    seen = []

    def record(conn, _cursor, statement, *_args):
        seen.append((statement.split()[0].upper(), getattr(conn.connection.dbapi_connection, 'autocommit', None),
                     statement))

    with app.app_context():
        engine = db.engine
    event.listen(engine, 'before_cursor_execute', record)
    try:
        response = request()
    finally:
        event.remove(engine, 'before_cursor_execute', record)
    return response, seen


def test_a_page_view_reads_without_a_transaction_and_a_change_keeps_its_own(app, client, make_unit, make_user):
    user = make_user(make_unit())
    login(client, user)
    response, reads = statements_during(app, lambda: client.get('/files'))
    assert response.status_code == 200 and reads
    response, writes = statements_during(app, lambda: client.post('/locale/en'))
    assert response.status_code == 302 and any(kind == 'UPDATE' for kind, _auto, _sql in writes)
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect == 'postgresql':
        assert all(auto is True for _kind, auto, _sql in reads)  # no BEGIN, no COMMIT round trips
        assert all(auto is False for _kind, auto, _sql in writes)  # one transaction for the change
    else:
        assert [sql for _kind, _auto, sql in reads if sql.startswith('BEGIN')] == ['BEGIN']  # deferred: shared
        assert [sql for _kind, _auto, sql in writes if sql.startswith('BEGIN')][0] == 'BEGIN IMMEDIATE'
