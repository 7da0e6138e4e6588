"""The request's database session: requests that only read run without a transaction on PostgreSQL.

A GET (or HEAD, OPTIONS) changes nothing, and under PostgreSQL's READ COMMITTED every statement
sees the latest committed data whether or not a transaction is open, so its BEGIN and COMMIT are
two round trips to the server buying nothing. Such requests get the engine with DBAPI
autocommit (SQLAlchemy resets the connection's mode when it goes back to the pool). Every other
request keeps its one transaction (STYLE: load, check, act, commit once).
"""
from flask import has_request_context, request
from flask_sqlalchemy.session import Session

READ_METHODS = ('GET', 'HEAD', 'OPTIONS')


def reading_request():
    return has_request_context() and request.method in READ_METHODS


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
