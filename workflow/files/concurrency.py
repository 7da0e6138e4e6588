"""Two people acting on the same file at the same moment: one wins, the other gets a clear 409.

A file loaded by a request that changes things is locked for the rest of the transaction
(SELECT … FOR UPDATE on PostgreSQL; SQLite already serialises writers with BEGIN IMMEDIATE), so
concurrent actions queue instead of interleaving. Once the lock is held, a step recorded on the file
after this request arrived means someone else acted while the request was in flight — a double
click on "sign", two clerks forwarding at once — and the request stops with Conflict rather than
acting a second time on a state its sender never saw.
"""
from flask import g, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..dbsession import READ_METHODS
from ..errors import Conflict
from ..extensions import db
from ..timeutil import now
from .models import FileEvent, WorkFile


def mark_request_start():
    """Called before each request: the instant against which concurrent changes are judged."""
    g.request_started_at = now()
    g.files_locked = set()


def acting_request():
    return has_request_context() and request.method not in READ_METHODS


def lock_for_action(file):
    """Take the file's row lock and refuse if another request changed it since this one arrived."""
    checked = g.setdefault('files_locked', set())
    if file.id in checked:
        return file  # already ours: this request's own steps are not someone else's
    checked.add(file.id)
    if db.engine.dialect.name == 'postgresql':
        db.session.execute(select(WorkFile.id).where(WorkFile.id == file.id).with_for_update())
        db.session.refresh(file)
    started = g.get('request_started_at')
    if started is None:
        return file
    changed = db.session.scalar(select(FileEvent.id).where(FileEvent.file_id == file.id, FileEvent.at > started)
                                .limit(1))
    if changed is not None:
        raise Conflict(_('Hồ sơ vừa được người khác xử lý trong lúc bạn thao tác (có thể do bấm hai lần); '
                         'thao tác của bạn chưa được thực hiện. Hãy tải lại trang để xem trạng thái mới.'),
                       code='concurrent_change')
    return file
