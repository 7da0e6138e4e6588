"""How a test gets its database: a transaction rolled back afterwards, or real commits wiped afterwards.

By default a test runs inside a transaction on one connection that is rolled back when the test ends
(warehouse's `db_session` fixture): every session the app opens during the test joins that
connection, and the app's commits become savepoints of it. Nothing the test wrote survives it, and
nothing needs deleting.

A test whose work must be seen by another connection commits for real instead, and every table is
emptied afterwards: one that serves the app over HTTP to a browser or to pdfsig (`live_server`),
starts threads or processes that open their own connections, or reads through a connection of its
own. Those carry `@pytest.mark.committing` (the `live_server` fixture implies it).

A module can share expensive data between its tests (`shared_rollback`, e.g. the seeded demo): the
data goes into an outer transaction kept for the module, each test runs in a nested one.
"""
from contextlib import contextmanager

from workflow.directory.operations import ensure_levels
from workflow.extensions import db
from workflow.inbox.pages import forget_everything

_SHARED = []  # the outer connection of a module sharing its data, innermost last


def _join(connection):
    db.session.session_factory.configure(bind=connection, join_transaction_mode='create_savepoint')


def _leave():
    db.session.session_factory.configure(bind=None, join_transaction_mode='conditional_savepoint')


@contextmanager
def rolled_back(app):
    """The test's work in a transaction (nested in a module's shared one, if any), undone at the end."""
    with app.app_context():
        if _SHARED:
            connection, transaction = _SHARED[-1], _SHARED[-1].begin_nested()
        else:
            connection = db.engine.connect()
            transaction = connection.begin()
    _join(connection)
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
            forget_everything()
        transaction.rollback()
        if _SHARED:
            _join(_SHARED[-1])
        else:
            _leave()
            connection.close()


@contextmanager
def shared_rollback(app):
    """An outer transaction for a whole module: what the module builds in it is seen by its tests."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
    _SHARED.append(connection)
    _join(connection)
    try:
        yield
    finally:
        _SHARED.pop()
        with app.app_context():
            db.session.remove()
            forget_everything()
        transaction.rollback()
        connection.close()
        if _SHARED:
            _join(_SHARED[-1])
        else:
            _leave()


@contextmanager
def committed(app):
    """Real commits, seen by every connection; every table emptied afterwards."""
    try:
        yield
    finally:
        with app.app_context():
            db.session.rollback()
            wipe()


def wipe():
    """Empty every table (DELETE beats TRUNCATE on the few rows a test leaves), then the levels again."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    ensure_levels()
    db.session.commit()
    forget_everything()
