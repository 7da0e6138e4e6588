"""One way to end a transaction: the unit of work commits, rolls back, keeps a refusal's bookkeeping, and
runs what must wait for the commit (queueing a job, sending mail) only once the commit has happened."""
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from workflow.directory.models import Level
from workflow.errors import BadInput, DomainError
from workflow.extensions import db
from workflow.unit_of_work import after_commit, attempt, transaction

WORKFLOW = Path(__file__).resolve().parents[1] / 'workflow'


def _levels():
    return db.session.scalar(select(func.count()).select_from(Level))


def _add_level(code):
    db.session.add(Level(code=code, name=code, rank=9))
    db.session.flush()


@pytest.mark.nodb
def test_only_the_unit_of_work_ends_a_transaction():
    ending = re.compile(r'session\.commit\(|session\.rollback\(|g\.rollback')
    found = sorted(str(path.relative_to(WORKFLOW)) for path in WORKFLOW.rglob('*.py')
                   if ending.search(path.read_text()))
    assert found == ['unit_of_work.py']


def test_after_commit_runs_once_committed_and_never_after_a_rollback(ctx):
    calls = []
    with transaction():
        after_commit(lambda: calls.append('first'))
        assert calls == []  # not before the commit
    assert calls == ['first']
    with pytest.raises(BadInput), transaction():
        after_commit(lambda: calls.append('second'))
        raise BadInput('refused')
    with transaction():
        pass  # a later commit does not run what a rolled-back transaction had queued
    assert calls == ['first']


def test_a_savepoint_does_not_count_as_the_commit(ctx):
    calls = []
    with transaction():
        after_commit(lambda: calls.append('queued'))
        with attempt():
            _add_level('thon')
        assert calls == []
    assert calls == ['queued']


def test_a_refusal_undoes_what_it_flushed_unless_it_keeps_its_bookkeeping(ctx):
    before = _levels()
    with pytest.raises(BadInput), attempt():
        _add_level('ap')
        raise BadInput('refused')
    assert _levels() == before
    with pytest.raises(DomainError), attempt():
        _add_level('to')
        raise DomainError('refused, but the count is kept', keep_changes=True)
    assert _levels() == before + 1


def test_a_transaction_ends_by_its_outcome(ctx):
    before = _levels()
    with pytest.raises(BadInput), transaction():
        _add_level('khom')
        raise BadInput('no')
    assert _levels() == before
    with pytest.raises(DomainError), transaction():
        _add_level('phum')
        raise DomainError('kept', keep_changes=True)
    with pytest.raises(ZeroDivisionError), transaction():
        _add_level('soc')
        raise ZeroDivisionError
    assert {code for (code,) in db.session.execute(select(Level.code))} >= {'phum'}
    assert _levels() == before + 1
