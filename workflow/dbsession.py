"""The request's database session: requests that only read run without a transaction on PostgreSQL.

A GET (or HEAD, OPTIONS) changes nothing, and under PostgreSQL's READ COMMITTED every statement
sees the latest committed data whether or not a transaction is open, so its BEGIN and COMMIT are
two round trips to the server buying nothing. Such requests get the engine with DBAPI
autocommit (SQLAlchemy resets the connection's mode when it goes back to the pool). Every other
request keeps its one transaction (STYLE: load, check, act, commit once).
"""
from flask import current_app, has_request_context, request
from flask_sqlalchemy.session import Session

READ_METHODS = ('GET', 'HEAD', 'OPTIONS')


def reading_request():
    """A GET, HEAD or OPTIONS whose view does not write (see `writes_when_read`)."""
    if not has_request_context() or request.method not in READ_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return not getattr(view, 'writes_when_read', False)


def writes_when_read(view):
    """Mark a GET view that writes (an audit entry of who received a document or an export): it gets
    the one write transaction other methods get, not the read-only mode (functools.wraps carries the
    mark through the decorators above it)."""
    view.writes_when_read = True
    return view


class RequestSession(Session):
    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.bind is not None:
            # A session joined to one outer connection (the test suite isolates each test in a
            # transaction it rolls back; commits here become savepoints of it).
            return self.bind
        engine = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        if bind is None and engine.dialect.name == 'postgresql' and reading_request():
            return autocommit(engine)
        return engine


def autocommit(engine):
    """One option engine per engine (it shares the engine's pool), kept on the engine itself."""
    reader = getattr(engine, '_workflow_reader', None)
    if reader is None:
        reader = engine._workflow_reader = engine.execution_options(isolation_level='AUTOCOMMIT')
    return reader
