"""Routing: handing a file on (to sign, to handle, for information) and back to whoever sent it."""
from flask_babel import gettext as _

from ... import audit, policy
from ...errors import BadInput, NotAllowed
from ...extensions import db
from ...timeutil import now
from ...vocabulary import PURPOSES, REASON_PAPER_STEP
from .. import rules, transitions
from ..models import Assignment
from .steps import apply, check_choice, event, grant, hand_to, mark_not_electronic


def forward_file(file, actor, *, purpose, to_user=None, to_unit=None, note='', deadline=None,
                 on_paper=False):
    """Hand the file to a person or a unit, to sign, to handle, or for information."""
    check_choice(purpose, PURPOSES, _('Mục đích chuyển không hợp lệ.'))
    if to_user is None and to_unit is None:
        raise BadInput(_('Hãy chọn người hoặc đơn vị nhận.'), code='recipient_required')
    if to_user is not None and not to_user.active:
        raise BadInput(_('Người nhận đã bị khóa tài khoản.'))
    if purpose == 'sign' and (to_user is None or not policy.may_sign(to_user)):
        raise BadInput(policy.may_sign.refusal, code='signer_not_leader')
    note = rules.text(note, 'note')
    rules.deadline(deadline)
    row = transitions.require(file, 'forward_' + purpose, actor)
    unit = to_user.unit if to_user is not None else to_unit
    event(file, actor, 'forward', to_unit=unit, to_user=to_user, purpose=purpose, note=note,
           on_paper=on_paper)
    if on_paper:
        mark_not_electronic(file, REASON_PAPER_STEP, _('Chuyển trên giấy'))
    if purpose == 'info':
        _inform(file, actor, to_user=to_user, to_unit=unit)
    else:
        hand_to(file, unit=unit, user=to_user)
        if deadline is not None:
            file.deadline = deadline
    apply(file, row)
    db.session.flush()
    audit.record(actor, 'forward', file, purpose=purpose, to_unit_id=unit.id,
                 to_user_id=to_user.id if to_user else None, on_paper=on_paper)
    return file


def _inform(file, actor, *, to_user, to_unit):
    grant(file, to_unit.id)
    if to_user is not None:
        db.session.add(Assignment(file=file, user_id=to_user.id, role='inform', assigned_by_id=actor.id,
                                  assigned_at=now()))


def return_file(file, actor, *, note):
    """Back to whoever handed it over, with the reason."""
    if not (note or '').strip():
        raise BadInput(_('Hãy ghi lý do trả lại.'), code='note_required')
    note = rules.text(note, 'note')
    row = transitions.require(file, 'return', actor)
    sender = _last_sender(file)
    if sender is None:
        raise NotAllowed(_('Không tìm thấy người đã chuyển hồ sơ này.'), code='no_sender', status=409)
    event(file, actor, 'return', to_unit=sender.unit, to_user=sender, note=note)
    hand_to(file, unit=sender.unit, user=sender)
    apply(file, row)
    db.session.flush()
    audit.record(actor, 'return', file, to_user_id=sender.id, note=note)
    return sender


def _last_sender(file):
    for step in reversed(file.events):
        handed_to_holder = step.to_user_id == file.holder_user_id or (
            file.holder_user_id is None and step.to_unit_id == file.holder_unit_id)
        if step.action in ('forward', 'return', 'register', 'assign') and step.purpose != 'info' \
                and handed_to_holder and step.actor is not None and step.actor_id != file.holder_user_id:
            return step.actor
    return None
