"""The small pieces every state change of a work file is made of: a step on its timeline, handing it
over, who may see it, why it is not fully electronic, what the sender sees of a recipient's copy,
and a document stored from an upload."""
from dataclasses import dataclass

from flask import current_app

from ...errors import BadInput
from ...extensions import db
from ...pdfcheck import copy_to_sign, inspect_pdf
from ...storage import blobs
from ...timeutil import now
from ...vocabulary import DELIVERY_STATUSES
from ..models import Delivery, Document, FileAccess, FileEvent, PaperMark


@dataclass
class Upload:
    filename: str
    data: bytes


@dataclass
class StoredDocument:
    document: Document
    duplicate_of: Document | None


def event(file, actor, action, *, to_unit=None, to_user=None, purpose=None, note='', on_paper=False):
    """A step on the file's timeline, from where the file is now."""
    step = FileEvent(file=file, at=now(), actor_id=actor.id if actor else None, action=action,
                     from_unit_id=file.holder_unit_id, from_user_id=file.holder_user_id,
                     to_unit_id=to_unit.id if to_unit else None, to_user_id=to_user.id if to_user else None,
                     purpose=purpose, note=note or '', on_paper=on_paper)
    db.session.add(step)
    return step


def grant(file, unit_id):
    """Record that `unit_id` holds or received the file (idempotent): who may see it (policy.may_view_file)."""
    if unit_id is None:
        return
    if db.session.get(FileAccess, (file.id, unit_id)) is None:
        db.session.add(FileAccess(file_id=file.id, unit_id=unit_id))


def hand_to(file, *, unit, user=None):
    file.holder_unit_id = unit.id
    file.holder_user_id = user.id if user else None
    file.held_since = now()
    grant(file, unit.id)


def mark_not_electronic(file, reason, detail=''):
    """Keep why the file falls out of the fully-electronic set (idempotent per reason and detail)."""
    if not any(m.reason == reason and m.detail == detail for m in file.paper_marks):
        file.paper_marks.append(PaperMark(reason=reason, detail=detail, at=now()))


def sync_delivery(file):
    """A recipient's incoming file status is what the sender sees on its delivery."""
    if file.direction != 'incoming':
        return
    delivery = db.session.query(Delivery).filter_by(file_id=file.id).one_or_none()
    if delivery is not None:
        delivery.status = file.status if file.status in DELIVERY_STATUSES else 'in_progress'
        delivery.updated_at = now()


def apply(file, row):
    """Move the file to the workflow row's target status (if it names one)."""
    if row.target is not None:
        file.status = row.target
    sync_delivery(file)


def check_choice(value, choices, message):
    if value not in choices:
        raise BadInput(message)


def store_pdf(upload, actor, *, paper_origin):
    """The uploaded PDF checked, stored as a blob and described by a new Document (not yet added)."""
    info = inspect_pdf(upload.data, current_app.config['MAX_UPLOAD_MB'] * 1024 * 1024)
    repaired = copy_to_sign(upload.data, info)  # found now, never as a failure at signing
    original = blobs().put(upload.data) if repaired is not None else None
    data = upload.data if repaired is None else repaired
    digest = blobs().put(data)
    duplicate = (db.session.query(Document)
                 .filter(Document.sha256 == digest, Document.unit_id == actor.unit_id)
                 .order_by(Document.id).first())
    document = Document(filename=safe_filename(upload.filename), sha256=digest, size=len(data),
                        original_sha256=original,
                        pages=info.pages, paper_origin=paper_origin, uploaded_by_id=actor.id,
                        unit_id=actor.unit_id, duplicate_of_id=duplicate.id if duplicate else None)
    return StoredDocument(document, duplicate)


def safe_filename(name):
    name = (name or 'van-ban.pdf').replace('\\', '/').rsplit('/', 1)[-1].strip() or 'van-ban.pdf'
    return name[:200]
