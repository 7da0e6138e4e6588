"""The inbox page reads only what workflow/inbox/rows.py declares, and the versions follow that declaration.

The first test renders the inbox with every file (and everything reached from it) and the signed-in
person standing behind a recording proxy; any attribute of a model that the page reads and that
rows.py does not declare fails it. A column added to the list without being declared would let kept
pages go stale without anyone noticing: this is where that is caught.
"""
import inspect as pyinspect
import types
from datetime import timedelta

import pytest
from flask import render_template
from flask_login import login_user
from sqlalchemy import inspect, select

from workflow.directory.models import Unit, User
from workflow.extensions import db
from workflow.files.models import Assignment, PaperMark, WorkFile
from workflow.files.operations import forward_file
from workflow.files.views.lists import list_page
from workflow.inbox import rows
from workflow.inbox.models import InboxVersion
from workflow.inbox.versions import REACH
from workflow.timeutil import now


class Recording:
    """Stands for a model instance: hands out what the instance holds and notes each mapped attribute
    (column or relationship) read through it. Properties and methods run with the proxy as `self`,
    so the columns they read are noted too; related instances come back behind proxies of their own."""

    def __init__(self, target, seen):
        object.__setattr__(self, '_target', target)
        object.__setattr__(self, '_seen', seen)

    def __getattr__(self, name):
        target, seen = self._target, self._seen
        if name in inspect(type(target)).attrs:
            seen.add((type(target), name))
            return recording(getattr(target, name), seen)
        found = pyinspect.getattr_static(type(target), name, None)
        if isinstance(found, property):
            return recording(found.fget(self), seen)
        if isinstance(found, types.FunctionType):
            return types.MethodType(found, self)
        return getattr(target, name)

    def __bool__(self):
        return True


def recording(value, seen):
    if isinstance(value, db.Model):
        return Recording(value, seen)
    if isinstance(value, list):
        return [recording(item, seen) for item in value]
    return value


def pairs(table):
    return {(model, name) for model, names in table.items() for name in names}


@pytest.fixture
def clerks_inbox(small_district_org):
    """The district clerk's inbox with every kind of row: a file they hold themselves (numbered, urgent,
    due next week), one held by their unit (registered on arrival, from paper, overdue) and one the
    chairman holds and assigned to them."""
    org = small_district_org
    own = org.draft(org.clerk, title='Tờ trình của văn thư', urgency='urgent', deadline=now() + timedelta(days=7))
    own.number = '12/UBND-VP'
    arrived = org.draft(org.specialist, title='Công văn đến từ xã')
    forward_file(arrived, org.specialist, purpose='handle', to_unit=org.district)
    arrived.incoming_number, arrived.deadline = 7, now() - timedelta(days=2)
    arrived.paper_marks.append(PaperMark(reason='paper_origin', detail='', at=now()))
    assigned = org.draft(org.chairman, title='Kế hoạch được giao phối hợp')
    db.session.add(Assignment(file=assigned, user_id=org.clerk.id, role='cooperate', assigned_by_id=org.chairman.id))
    db.session.flush()
    return org


def test_the_inbox_page_reads_nothing_that_rows_py_does_not_declare(app, clerks_inbox):
    org = clerks_inbox
    row_reads, viewer_reads = set(), set()
    with app.test_request_context('/'):
        login_user(Recording(db.session.get(User, org.clerk.id), viewer_reads))
        viewer_reads.clear()  # signing in (get_id: the id and session epoch) is not the page
        context = list_page('inbox')
        assert context['total'] == 3
        context['files'] = recording(context['files'], row_reads)
        html = render_template('files/list.html', **context)

    for title in ('Tờ trình của văn thư', 'Công văn đến từ xã', 'Kế hoạch được giao phối hợp', '12/UBND-VP',
                  org.chairman.full_name, 'UBND huyện Cờ Đỏ'):
        assert title in html
    undeclared_in_rows = row_reads - pairs(rows.declared())
    undeclared_of_viewer = viewer_reads - {(User, name) for name in rows.VIEWER}
    assert undeclared_in_rows == set(), 'declare these in workflow/inbox/rows.py (ROW)'
    assert undeclared_of_viewer == set(), 'declare these in workflow/inbox/rows.py (VIEWER)'
    # a guard for the guard: the proxy saw the rows and the person it stood for
    assert {(WorkFile, 'title'), (WorkFile, 'paper_marks'), (WorkFile, 'deadline'), (User, 'full_name'),
            (Unit, 'name')} <= row_reads
    assert {(User, 'full_name'), (User, 'is_clerk'), (User, 'unit_id')} <= viewer_reads


@pytest.mark.nodb
def test_every_declared_model_has_a_reach_and_every_name_is_an_attribute():
    watched = rows.watched_attributes()
    assert set(watched) <= set(REACH)
    assert watched[PaperMark] == {'file_id'}  # WorkFile.paper_marks: the rows it gathers
    assert {'holder_user', 'holder_user_id', 'title', 'status'} <= watched[WorkFile]
    assert 'summary' not in watched[WorkFile] and 'version' not in watched[WorkFile]
    for name in rows.VIEWER:
        assert name in inspect(User).attrs


def version_of(user):
    return db.session.scalar(select(InboxVersion.version).where(InboxVersion.user_id == user.id)) or 0


def test_a_change_the_page_does_not_show_leaves_the_versions_alone(small_district_org):
    org = small_district_org
    file = org.draft(org.specialist, title='Kế hoạch ứng dụng CNTT')
    db.session.commit()
    before = version_of(org.specialist)

    file.summary = 'Tóm tắt mới, không hiện trong danh sách'
    db.session.commit()
    assert version_of(org.specialist) == before

    file.title = 'Kế hoạch ứng dụng CNTT năm 2027'
    db.session.commit()
    assert version_of(org.specialist) == before + 1


def test_a_paper_mark_reaches_the_holder_through_the_declared_collection(small_district_org):
    org = small_district_org
    file = org.draft(org.specialist)
    db.session.commit()
    before = version_of(org.specialist)
    file.paper_marks.append(PaperMark(reason='paper_step', detail='Ký tay', at=now()))
    db.session.commit()
    assert version_of(org.specialist) == before + 1
