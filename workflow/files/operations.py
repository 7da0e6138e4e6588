"""Every state change of a work file, one function each. Views and the API call these; they flush,
the request commits once."""
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from .. import audit, policy
from ..errors import BadInput, Conflict, NotAllowed
from ..extensions import db
from ..registers.numbering import format_number, next_number
from ..storage import blobs
from ..timeutil import now, vn
from ..vocabulary import (
    ASSIGNMENT_ROLES,
    DELIVERY_STATUSES,
    DOC_TYPE_NAMES,
    PURPOSES,
    REASON_PAPER_ORIGIN,
    REASON_PAPER_STEP,
    REASON_UNSIGNED_ISSUANCE,
    URGENCIES,
)
from . import rules, transitions
from .models import Assignment, Delivery, Document, FileAccess, FileEvent, PaperMark, WorkFile
from .pdfcheck import inspect_pdf
from .search import search_text_of


@dataclass
class Upload:
    filename: str
    data: bytes


@dataclass
class StoredDocument:
    document: Document
    duplicate_of: Document | None


# ---------------------------------------------------------------- small shared pieces

def _event(file, actor, action, *, to_unit=None, to_user=None, purpose=None, note='', on_paper=False):
    event = FileEvent(file=file, at=now(), actor_id=actor.id if actor else None, action=action,
                      from_unit_id=file.holder_unit_id, from_user_id=file.holder_user_id,
                      to_unit_id=to_unit.id if to_unit else None, to_user_id=to_user.id if to_user else None,
                      purpose=purpose, note=note or '', on_paper=on_paper)
    db.session.add(event)
    return event


def grant(file, unit_id):
    """Record that `unit_id` holds or received the file (idempotent): who may see it (policy.may_view_file)."""
    if unit_id is None:
        return
    if db.session.get(FileAccess, (file.id, unit_id)) is None:
        db.session.add(FileAccess(file_id=file.id, unit_id=unit_id))


def _hand_to(file, *, unit, user=None):
    file.holder_unit_id = unit.id
    file.holder_user_id = user.id if user else None
    file.held_since = now()
    grant(file, unit.id)


def mark_not_electronic(file, reason, detail=''):
    """Keep why the file falls out of the fully-electronic set (idempotent per reason and detail)."""
    if not any(m.reason == reason and m.detail == detail for m in file.paper_marks):
        file.paper_marks.append(PaperMark(reason=reason, detail=detail, at=now()))


def _sync_delivery(file):
    """A recipient's incoming file status is what the sender sees on its delivery."""
    if file.direction != 'incoming':
        return
    delivery = db.session.query(Delivery).filter_by(file_id=file.id).one_or_none()
    if delivery is not None:
        delivery.status = file.status if file.status in DELIVERY_STATUSES else 'in_progress'
        delivery.updated_at = now()


def _apply(file, row):
    if row.target is not None:
        file.status = row.target
    _sync_delivery(file)


def _check_choice(value, choices, message):
    if value not in choices:
        raise BadInput(message)


def _store_pdf(upload, actor, *, paper_origin):
    info = inspect_pdf(upload.data, current_app.config['MAX_UPLOAD_MB'] * 1024 * 1024)
    digest = blobs().put(upload.data)
    duplicate = (db.session.query(Document)
                 .filter(Document.sha256 == digest, Document.unit_id == actor.unit_id)
                 .order_by(Document.id).first())
    document = Document(filename=_safe_filename(upload.filename), sha256=digest, size=len(upload.data),
                        pages=info.pages, paper_origin=paper_origin, uploaded_by_id=actor.id,
                        unit_id=actor.unit_id, duplicate_of_id=duplicate.id if duplicate else None)
    return StoredDocument(document, duplicate)


def _safe_filename(name):
    name = (name or 'van-ban.pdf').replace('\\', '/').rsplit('/', 1)[-1].strip() or 'van-ban.pdf'
    return name[:200]


# ---------------------------------------------------------------- drafting

def create_file(actor, *, title, doc_type, upload, urgency='normal', summary='', deadline=None,
                paper_origin=False):
    """A new work file in the actor's unit holding one main document; status draft."""
    policy.require(policy.may_create_files, actor)
    title = (title or '').strip()
    if not title:
        raise BadInput(_('Vui lòng nhập trích yếu (tiêu đề) của văn bản.'), code='title_required')
    title, summary = rules.text(title, 'title'), rules.text(summary, 'summary')
    _check_choice(doc_type, DOC_TYPE_NAMES, _('Loại văn bản không hợp lệ.'))
    _check_choice(urgency, URGENCIES, _('Độ khẩn không hợp lệ.'))
    rules.deadline(deadline)
    stored = _store_pdf(upload, actor, paper_origin=paper_origin)
    file = WorkFile(title=title, summary=summary, doc_type=doc_type, urgency=urgency,
                    deadline=deadline, direction='outgoing', status='draft', owner_unit_id=actor.unit_id,
                    creator_id=actor.id, holder_unit_id=actor.unit_id, holder_user_id=actor.id,
                    held_since=now(), paper_origin=paper_origin, created_at=now())
    file.documents.append(stored.document)
    file.search_text = search_text_of(file)
    db.session.add(file)
    if paper_origin:
        mark_not_electronic(file, REASON_PAPER_ORIGIN, stored.document.filename)
    db.session.flush()
    grant(file, actor.unit_id)
    _event(file, actor, 'create', to_unit=actor.unit, to_user=actor, note=title)
    audit.record(actor, 'create_file', file, document_sha256=stored.document.sha256,
                 paper_origin=paper_origin)
    db.session.flush()
    return file, stored.duplicate_of


def add_document(file, actor, *, upload, kind='main', paper_origin=False):
    """Add an attachment or a new version of the main document."""
    transitions.require(file, 'add_document', actor)
    _check_choice(kind, ('main', 'attachment'), _('Loại tài liệu phải là "main" hoặc "attachment".'))
    stored = _store_pdf(upload, actor, paper_origin=paper_origin)
    stored.document.kind = kind
    file.documents.append(stored.document)
    if paper_origin:
        mark_not_electronic(file, REASON_PAPER_ORIGIN, stored.document.filename)
    _event(file, actor, 'add_document', note=stored.document.filename)
    db.session.flush()
    audit.record(actor, 'add_document', file, document_id=stored.document.id, kind=kind,
                 sha256=stored.document.sha256)
    return stored


# ---------------------------------------------------------------- routing

def forward_file(file, actor, *, purpose, to_user=None, to_unit=None, note='', deadline=None,
                 on_paper=False):
    """Hand the file to a person or a unit, to sign, to handle, or for information."""
    _check_choice(purpose, PURPOSES, _('Mục đích chuyển không hợp lệ.'))
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
    _event(file, actor, 'forward', to_unit=unit, to_user=to_user, purpose=purpose, note=note,
           on_paper=on_paper)
    if on_paper:
        mark_not_electronic(file, REASON_PAPER_STEP, _('Chuyển trên giấy'))
    if purpose == 'info':
        _inform(file, actor, to_user=to_user, to_unit=unit)
    else:
        _hand_to(file, unit=unit, user=to_user)
        if deadline is not None:
            file.deadline = deadline
    _apply(file, row)
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
    _event(file, actor, 'return', to_unit=sender.unit, to_user=sender, note=note)
    _hand_to(file, unit=sender.unit, user=sender)
    _apply(file, row)
    db.session.flush()
    audit.record(actor, 'return', file, to_user_id=sender.id, note=note)
    return sender


def _last_sender(file):
    for event in reversed(file.events):
        handed_to_holder = event.to_user_id == file.holder_user_id or (
            file.holder_user_id is None and event.to_unit_id == file.holder_unit_id)
        if event.action in ('forward', 'return', 'register', 'assign') and event.purpose != 'info' \
                and handed_to_holder and event.actor is not None and event.actor_id != file.holder_user_id:
            return event.actor
    return None


# ---------------------------------------------------------------- issuing and delivery

def issue_file(file, actor, *, recipient_units, organisation_signature=None, on_paper=False):
    """Give the document its number in the issuing unit's outgoing register, sign it for the
    organisation (when a signing hook is given) and deliver it to every recipient unit.

    `organisation_signature(file, number, issued_at)` signs the documents in place and records
    itself whether they came out fully signed; it is how the signing package slots in. Without it
    the issuance is recorded as not digitally signed.
    """
    row = transitions.require(file, 'issue', actor)
    recipients = _distinct_units(recipient_units)
    if not recipients:
        raise BadInput(_('Hãy chọn ít nhất một đơn vị nhận.'), code='recipients_required')
    if any(u.id == actor.unit_id for u in recipients):
        raise BadInput(_('Không thể gửi văn bản cho chính đơn vị ban hành.'), code='self_recipient')
    issuing_unit = actor.unit
    issued_at = now()
    seq = next_number(issuing_unit.id, 'outgoing', vn(issued_at).year)
    file.issuing_unit_id, file.issue_year, file.issue_seq = issuing_unit.id, vn(issued_at).year, seq
    file.number = format_number(seq, file.doc_type, issuing_unit.abbreviation, file.owner_unit.abbreviation)
    file.issued_at, file.issued_by_id = issued_at, actor.id
    file.verification_code = verification_code()
    if organisation_signature is not None:
        organisation_signature(file, file.number, issued_at)
    else:
        file.signature_check = 'unsigned'
        mark_not_electronic(file, REASON_UNSIGNED_ISSUANCE, _('Phát hành không có chữ ký số của cơ quan'))
    if on_paper:
        mark_not_electronic(file, REASON_PAPER_STEP, _('Phát hành bản giấy'))
    file.search_text = search_text_of(file)
    _event(file, actor, 'issue', note=file.number, on_paper=on_paper)
    _apply(file, row)
    file.closed_at = issued_at
    db.session.flush()
    deliveries = [_deliver(file, unit, actor, issued_at) for unit in recipients]
    db.session.flush()
    audit.record(actor, 'issue', file, number=file.number, recipients=[u.id for u in recipients])
    return deliveries


def verification_code():
    """A short, unguessable code for the public verification link of an issued document."""
    return secrets.token_urlsafe(9)


def _distinct_units(units):
    seen, result = set(), []
    for unit in units:
        if unit is not None and unit.id not in seen and unit.active:
            seen.add(unit.id)
            result.append(unit)
    return result


def _deliver(source, unit, actor, at):
    incoming = WorkFile(title=source.title, summary=source.summary, doc_type=source.doc_type,
                        urgency=source.urgency, direction='incoming', status='delivered', number=source.number,
                        owner_unit_id=unit.id, creator_id=actor.id, holder_unit_id=unit.id,
                        holder_user_id=None, held_since=at, source_file_id=source.id, received_at=at,
                        paper_origin=False, created_at=at, issued_at=source.issued_at,
                        issuing_unit_id=source.issuing_unit_id, signer_id=source.signer_id,
                        signature_check=source.signature_check)
    for document in source.issued_documents:
        incoming.documents.append(Document(kind=document.kind, filename=document.filename,
                                           sha256=document.sha256, size=document.size, pages=document.pages,
                                           paper_origin=document.paper_origin, uploaded_by_id=actor.id,
                                           unit_id=unit.id))
        if document.paper_origin:
            mark_not_electronic(incoming, REASON_PAPER_ORIGIN, document.filename)
    incoming.search_text = search_text_of(incoming)
    db.session.add(incoming)
    db.session.flush()
    grant(incoming, unit.id)
    db.session.add(FileEvent(file=incoming, at=at, actor_id=actor.id, action='deliver',
                             from_unit_id=actor.unit_id, to_unit_id=unit.id, note=source.number or ''))
    delivery = Delivery(source_file=source, unit_id=unit.id, file=incoming, status='delivered',
                        delivered_at=at, updated_at=at)
    db.session.add(delivery)
    return delivery


def register_file(file, actor, *, received_on_paper=False, note='', override_reason=None):
    """Enter an arrived document in the unit's incoming register; returns the incoming number.

    A document whose signatures failed the arrival check is registered only with the clerk's
    explicit reason (kept on the file); otherwise the clerk refuses it."""
    note, override_reason = rules.text(note, 'note'), override_reason and rules.text(override_reason, 'note')
    row = transitions.require(file, 'register', actor)
    if file.signature_check == 'invalid':
        if not (override_reason or '').strip():
            raise Conflict(_('Chữ ký số của văn bản không hợp lệ: hãy từ chối, hoặc ghi rõ lý do nếu vẫn vào sổ.'),
                           code='signature_invalid')
        file.signature_override = override_reason.strip()
        _event(file, actor, 'override_signature_check', note=override_reason.strip())
    at = now()
    file.incoming_year = vn(at).year
    file.incoming_number = next_number(file.owner_unit_id, 'incoming', file.incoming_year)
    file.registered_at = at
    if received_on_paper:
        mark_not_electronic(file, REASON_PAPER_STEP, _('Nhận bản giấy'))
    _event(file, actor, 'register', to_unit=actor.unit, to_user=actor,
           note=note or _('Số đến: %(n)s', n=file.incoming_number))
    _hand_to(file, unit=actor.unit, user=actor)
    _apply(file, row)
    db.session.flush()
    audit.record(actor, 'register', file, incoming_number=file.incoming_number)
    return file.incoming_number


def register_paper_document(actor, *, title, doc_type, upload, sender_name, number='', urgency='normal',
                            summary='', deadline=None):
    """A document that arrived on paper, registered from its scan; marked paper-origin."""
    policy.require(policy.may_register_paper_arrivals, actor)
    sender_name, number = rules.text(sender_name, 'sender'), rules.text(number, 'number')
    file, duplicate = create_file(actor, title=title, doc_type=doc_type, upload=upload, urgency=urgency,
                                  summary=summary or sender_name, deadline=deadline, paper_origin=True)
    file.direction, file.status, file.number = 'incoming', 'delivered', (number or None)
    file.received_at = now()
    file.search_text = search_text_of(file)
    register_file(file, actor, note=_('Văn bản giấy từ %(sender)s', sender=sender_name))
    return file, duplicate


def refuse_file(file, actor, *, note):
    """Send an invalid arrival back to its sender with the reason."""
    if not (note or '').strip():
        raise BadInput(_('Hãy ghi lý do từ chối.'), code='note_required')
    note = rules.text(note, 'note')
    row = transitions.require(file, 'refuse', actor)
    source = file.source_file
    _event(file, actor, 'refuse', to_unit=source.issuing_unit if source else None, note=note)
    _apply(file, row)
    file.closed_at = now()
    if source is not None:
        db.session.add(FileEvent(file=source, at=now(), actor_id=actor.id, action='refused_by_recipient',
                                 from_unit_id=actor.unit_id, to_unit_id=source.issuing_unit_id, note=note))
        delivery = db.session.query(Delivery).filter_by(file_id=file.id).one()
        delivery.note = note
    db.session.flush()
    audit.record(actor, 'refuse', file, note=note)
    return file


# ---------------------------------------------------------------- handling

def assign_file(file, actor, *, lead, cooperate=(), inform=(), deadline=None, note=''):
    """A leader gives the file a lead handler, co-handlers and people to inform, with a deadline."""
    if lead is None:
        raise BadInput(_('Hãy chọn người chủ trì xử lý.'), code='lead_required')
    note = rules.text(note, 'note')
    rules.deadline(deadline)
    row = transitions.require(file, 'assign', actor)
    people = [('lead', lead)] + [('cooperate', u) for u in cooperate] + [('inform', u) for u in inform]
    for role, user in people:
        _check_choice(role, ASSIGNMENT_ROLES, 'role')
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
    _event(file, actor, 'assign', to_unit=lead.unit, to_user=lead, purpose='handle', note=note)
    _hand_to(file, unit=lead.unit, user=lead)
    _apply(file, row)
    db.session.flush()
    audit.record(actor, 'assign', file, lead=lead.id, cooperate=[u.id for u in cooperate],
                 inform=[u.id for u in inform])
    return file


def start_handling(file, actor):
    """The lead handler takes the work up."""
    row = transitions.require(file, 'start', actor)
    _event(file, actor, 'start')
    _apply(file, row)
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
    _event(file, actor, 'complete', note=note)
    _apply(file, row)
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
    _event(file, actor, 'reopen', note=note)
    _apply(file, row)
    file.closed_at = None
    db.session.flush()
    audit.record(actor, 'reopen', file, note=note)
    return file
