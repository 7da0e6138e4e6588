"""The workflow as a table: which action may move a file from which status to which, and who may do it.

A row is (direction, action, from-statuses, target, who). A target of None keeps the status.
`who` names one of the file rules of policy.py; every rule takes (actor, file).
"""
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from ..errors import Conflict, NotAllowed
from ..policy import FILE_RULES, handles_unit_mail
from ..timeutil import aware, now
from ..vocabulary import STATUS_LABELS

OPEN_OUTGOING = ('draft', 'returned', 'in_progress', 'awaiting_signature', 'signed', 'sign_failed')
OPEN_INCOMING = ('registered', 'assigned', 'in_progress')
CLOSED = ('issued', 'completed', 'refused')

WHO = FILE_RULES  # who may take a step: the file rules of policy.py, by name


@dataclass(frozen=True)
class Transition:
    direction: str
    action: str
    sources: tuple
    target: str | None
    who: str


TRANSITIONS = (
    Transition('outgoing', 'forward_sign', OPEN_OUTGOING, 'awaiting_signature', 'holder'),
    Transition('outgoing', 'forward_handle', OPEN_OUTGOING, 'in_progress', 'holder'),
    Transition('outgoing', 'forward_info', OPEN_OUTGOING, None, 'holder'),
    Transition('outgoing', 'return', ('awaiting_signature', 'in_progress', 'signed', 'sign_failed'),
               'returned', 'holder'),
    Transition('outgoing', 'add_document', OPEN_OUTGOING, None, 'holder'),
    Transition('outgoing', 'sign', ('awaiting_signature', 'sign_failed', 'signed'), 'signed', 'holder_leader'),
    Transition('outgoing', 'sign_failed', ('awaiting_signature', 'sign_failed', 'signed'), 'sign_failed',
               'holder_leader'),
    Transition('outgoing', 'issue', ('draft', 'in_progress', 'signed', 'returned'), 'issued', 'holder_clerk'),
    # Nothing leads out of `issued`: an issued document, its number and its signatures are final
    # (a change is a new document that replaces it). See `is_issued`.
    Transition('outgoing', 'complete', ('draft', 'in_progress', 'returned', 'signed'), 'completed', 'holder'),
    Transition('outgoing', 'reopen', ('completed',), 'in_progress', 'holder'),
    Transition('incoming', 'register', ('delivered',), 'registered', 'receiving_clerk'),
    Transition('incoming', 'refuse', ('delivered',), 'refused', 'receiving_clerk'),
    Transition('incoming', 'forward_handle', OPEN_INCOMING, None, 'holder'),
    Transition('incoming', 'forward_info', OPEN_INCOMING, None, 'holder'),
    Transition('incoming', 'return', ('registered', 'assigned', 'in_progress'), None, 'holder'),
    Transition('incoming', 'add_document', OPEN_INCOMING, None, 'lead'),
    Transition('incoming', 'assign', ('registered', 'assigned', 'in_progress'), 'assigned', 'holder_leader'),
    Transition('incoming', 'start', ('assigned',), 'in_progress', 'lead'),
    Transition('incoming', 'complete', ('registered', 'assigned', 'in_progress'), 'completed', 'completer'),
    Transition('incoming', 'reopen', ('completed',), 'in_progress', 'holder'),
)

_INDEX = {}
for _row in TRANSITIONS:
    for _source in _row.sources:
        _INDEX[(_row.direction, _row.action, _source)] = _row


def is_issued(file):
    """An outgoing file that has been numbered and issued: whatever its status (even one left by an older
    version that allowed completing and reopening it), no action may change it any more."""
    return file.direction == 'outgoing' and (file.issued_at is not None or file.issue_seq is not None)


def find(file, action):
    """The row allowing `action` on the file in its current status, or None."""
    if is_issued(file):
        return None
    return _INDEX.get((file.direction, action, file.status))


def allowed(file, action, actor):
    row = find(file, action)
    return row is not None and WHO[row.who](actor, file)


def require(file, action, actor):
    """The row for `action`, or NotAllowed with a message saying why."""
    if is_issued(file):
        raise NotAllowed(_l('Văn bản đã ban hành (số %(number)s) không thể thay đổi, mở lại hay ban hành lại; '
                            'nếu cần sửa, hãy soạn văn bản mới thay thế.', number=file.number or ''),
                         code='issued_is_final', status=409)
    row = find(file, action)
    if row is None:
        raise NotAllowed(_l('Không thể thực hiện thao tác này khi hồ sơ đang ở trạng thái "%(status)s".',
                            status=STATUS_LABELS.get(file.status, file.status)), code='invalid_transition',
                         status=409)
    if not WHO[row.who](actor, file):
        if _just_taken_from(file, actor):
            raise Conflict(_l('Hồ sơ vừa được người khác xử lý trong lúc bạn thao tác (có thể do bấm hai lần); '
                              'thao tác của bạn chưa được thực hiện. Hãy tải lại trang để xem trạng thái mới.'),
                           code='concurrent_change')
        raise NotAllowed(_l('Bạn không có quyền thực hiện thao tác này với hồ sơ.'))
    return row


JUST_NOW = timedelta(minutes=2)


def _just_taken_from(file, actor):
    """Someone else moved the file moments ago from a place where `actor` could act on it (their own
    hands, or their unit's clerks): the actor lost a race, which is a conflict, not a lack of rights."""
    last = file.events[-1] if file.events else None
    if last is None or last.actor_id == actor.id or now() - aware(last.at) > JUST_NOW:
        return False
    if last.from_user_id is not None:
        return last.from_user_id == actor.id
    return last.from_unit_id == actor.unit_id and handles_unit_mail(actor)


def available_actions(file, actor):
    """Actions the actor may take now: drives which buttons a page shows (never the check itself)."""
    names = {row.action for row in TRANSITIONS if row.direction == file.direction}
    return {name for name in names if allowed(file, name, actor)}
