"""Handling an incoming document: assigning it, taking it up, completing it, reopening it."""
from flask_babel import gettext as _

from ... import audit
from ...errors import BadInput
from ...extensions import db
from ...timeutil import now
from ...vocabulary import ASSIGNMENT_ROLES
from .. import rules, transitions
from ..models import Assignment
from .steps import apply, check_choice, event, grant, hand_to


def assign_file(file, actor, *, lead, cooperate=(), inform=(), deadline=None, note=''):
    """A leader gives the file a lead handler, co-handlers and people to inform, with a deadline."""
    if lead is None:
        raise BadInput(_('Hãy chọn người chủ trì xử lý.'), code='lead_required')
    note = rules.text(note, 'note')
    rules.deadline(deadline)
    row = transitions.require(file, 'assign', actor)
    people = [('lead', lead)] + [('cooperate', u) for u in cooperate] + [('inform', u) for u in inform]
    for role, user in people:
        check_choice(role, ASSIGNMENT_ROLES, 'role')
        if not user.active:
            raise BadInput(_('Tài khoản %(name)s đã bị khóa.', name=user.full_name))
    for assignment in file.assignments:
        if assignment.done_at is None and assignment.role == 'lead':
            assignment.done_at = now()  # a new assignment replaces the previous lead
    for role, user in people:
        file.assignments.append(Assignment(user_id=user.id, role=role, deadline=deadline,
                                           assigned_by_id=actor.id, assigned_at=now()))
        grant(file, user.unit_id)
    if deadline is not None:
        file.deadline = deadline
    event(file, actor, 'assign', to_unit=lead.unit, to_user=lead, purpose='handle', note=note)
    hand_to(file, unit=lead.unit, user=lead)
    apply(file, row)
    db.session.flush()
    audit.record(actor, 'assign', file, lead=lead.id, cooperate=[u.id for u in cooperate],
                 inform=[u.id for u in inform])
    return file


def start_handling(file, actor):
    """The lead handler takes the work up."""
    row = transitions.require(file, 'start', actor)
    event(file, actor, 'start')
    apply(file, row)
    db.session.flush()
    audit.record(actor, 'start', file)
    return file


def complete_file(file, actor, *, note='', reply_file=None):
    """Done: the file counts as closed for the metrics."""
    note = rules.text(note, 'result')
    row = transitions.require(file, 'complete', actor)
    if reply_file is not None and reply_file.id == file.id:
        raise BadInput(_('Hồ sơ trả lời phải là một hồ sơ khác.'))
    at = now()
    file.result_note = note or ''
    file.reply_file_id = reply_file.id if reply_file else None
    for assignment in file.assignments:
        if assignment.done_at is None:
            assignment.done_at = at
    event(file, actor, 'complete', note=note)
    apply(file, row)
    file.closed_at = at
    db.session.flush()
    audit.record(actor, 'complete', file, reply_file_id=file.reply_file_id)
    return file


def reopen_file(file, actor, *, note):
    """Take a completed file up again; it no longer counts as closed."""
    if not (note or '').strip():
        raise BadInput(_('Hãy ghi lý do mở lại hồ sơ.'), code='note_required')
    note = rules.text(note, 'note')
    row = transitions.require(file, 'reopen', actor)
    event(file, actor, 'reopen', note=note)
    apply(file, row)
    file.closed_at = None
    db.session.flush()
    audit.record(actor, 'reopen', file, note=note)
    return file
