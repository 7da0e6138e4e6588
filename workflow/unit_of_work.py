"""The one place a transaction ends: web pages, API requests, command-line commands and background jobs.

Handlers, operations and tasks never commit or roll back; they flush. What ends the transaction is
the outcome of the unit of work around them (Indico's request handler, `indico/web/rh.py`):

- it finished: commit;
- a DomainError reached it: commit if the error keeps its bookkeeping (`keep_changes`: a wrong-PIN
  count, a "signing failed" state), otherwise roll back;
- anything else reached it (an HTTP error, a bug, the database gone): roll back.

A page that shows a refusal itself — the form again, with the message — runs the operation inside
`attempt()`: a savepoint that undoes what the refused operation flushed (unless it keeps its
bookkeeping), so that the page shows the file as it still is and the request ends normally.

Work that must not happen for a transaction that does not commit — queueing a background job,
sending an e-mail — is handed to `after_commit(callback)` and runs once the commit succeeded; a
rolled-back transaction drops it.
"""
import logging
from contextlib import contextmanager

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .errors import Conflict, DomainError
from .extensions import db

log = logging.getLogger(__name__)
AFTER_COMMIT = 'workflow_after_commit'


# ---------------------------------------------------------------- after the commit

def after_commit(callback):
    """Run `callback()` once the current transaction has committed; never if it rolls back."""
    db.session.info.setdefault(AFTER_COMMIT, []).append(callback)


def _run_after_commit(session):
    if session.in_nested_transaction():
        return  # a savepoint was released: the transaction itself is still open
    for callback in session.info.pop(AFTER_COMMIT, []):
        callback()


def _forget_after_rollback(session, previous_transaction):
    if previous_transaction.parent is None:
        session.info.pop(AFTER_COMMIT, None)


def install(session_class):
    """The after-commit hook on every session of `session_class` (idempotent)."""
    if not event.contains(session_class, 'after_commit', _run_after_commit):
        event.listen(session_class, 'after_commit', _run_after_commit)
        event.listen(session_class, 'after_soft_rollback', _forget_after_rollback)


# ---------------------------------------------------------------- ending a transaction

def _roll_back():
    db.session.info.pop(AFTER_COMMIT, None)  # also when nothing was written: no rollback event then
    db.session.rollback()


def _commit():
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError):
        _roll_back()
        log.warning('commit conflict', exc_info=True)
        raise Conflict(_('Dữ liệu vừa được người khác thay đổi; vui lòng tải lại trang và thử lại.')) from None


@contextmanager
def transaction():
    """One unit of work: commit when the block finishes, end on an error as the module says."""
    try:
        yield
    except DomainError as exc:
        if exc.keep_changes:
            _commit()
        else:
            _roll_back()
        raise
    except BaseException:
        _roll_back()
        raise
    _commit()


@contextmanager
def attempt():
    """A savepoint for an operation whose refusal the handler shows itself (see the module's docstring)."""
    savepoint = db.session.begin_nested()
    try:
        yield
    except DomainError as exc:
        if savepoint.is_active:
            savepoint.commit() if exc.keep_changes else savepoint.rollback()
        raise
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    savepoint.commit()


@contextmanager
def snapshot():
    """A transaction of its own that only reads, every statement seeing the database as at its first
    (PostgreSQL REPEATABLE READ; SQLite's one writer gives the same): for a consistent backup."""
    _roll_back()
    if db.engine.dialect.name == 'postgresql':
        db.session.connection(execution_options={'isolation_level': 'REPEATABLE READ'})
    try:
        yield
    finally:
        _roll_back()


class TransactionPerRequest(Flask):
    """The app whose every view runs in one unit of work: the request's transaction ends as soon as
    the view has produced its answer (the page is rendered), before the response goes out."""

    def dispatch_request(self):
        with transaction():
            return super().dispatch_request()
