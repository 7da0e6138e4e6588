"""Issuing and receiving: the number in the outgoing register, the organisation's seal and signature,
delivery to every recipient unit, and at each recipient the incoming register or a refusal."""
import secrets

from flask_babel import gettext as _

from ... import audit, policy
from ...errors import BadInput, Conflict, DomainError
from ...extensions import db
from ...registers.numbering import format_number, next_number
from ...signing import operations as signing
from ...signing import verification
from ...storage import blobs
from ...timeutil import now, vn
from ...vocabulary import REASON_PAPER_ORIGIN, REASON_PAPER_STEP, REASON_UNSIGNED_ISSUANCE
from .. import rules, transitions
from ..models import Delivery, Document, FileEvent, WorkFile
from ..search import search_text_of
from .drafting import create_file
from .signatures import replace_bytes
from .steps import apply, event, grant, hand_to, mark_not_electronic


def issue_file(file, actor, *, recipient_units, pin='', on_paper=False):
    """Give the document its number in the issuing unit's outgoing register, seal and sign it for the
    organisation when the unit has a seal certificate (opened with `pin`), and deliver it to every
    recipient unit; returns the deliveries.

    A wrong seal PIN is refused before anything is numbered, and its count is kept; any failure after
    that undoes the whole issuance (the number is given back). A unit without a seal certificate
    issues unsigned, and the file says so (not fully electronic)."""
    row = transitions.require(file, 'issue', actor)  # before the PIN: a refusal here costs no attempt
    with signing.organisation_seal(actor.unit, pin) as sealer:
        try:
            return _issue(file, actor, row, _distinct_units(recipient_units), sealer, on_paper)
        except DomainError as exc:
            exc.keep_changes = False
            raise


def _issue(file, actor, row, recipients, sealer, on_paper):
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
    if sealer is not None:
        _seal_documents(file, actor, sealer, issued_at)
    else:
        file.signature_check = 'unsigned'
        mark_not_electronic(file, REASON_UNSIGNED_ISSUANCE, _('Phát hành không có chữ ký số của cơ quan'))
    if on_paper:
        mark_not_electronic(file, REASON_PAPER_STEP, _('Phát hành bản giấy'))
    file.search_text = search_text_of(file)
    event(file, actor, 'issue', note=file.number, on_paper=on_paper)
    apply(file, row)
    file.closed_at = issued_at
    db.session.flush()
    deliveries = [_deliver(file, unit, actor, issued_at) for unit in recipients]
    db.session.flush()
    audit.record(actor, 'issue', file, number=file.number, recipients=[u.id for u in recipients])
    return deliveries


def _seal_documents(file, actor, sealer, issued_at):
    """The seal and the organisation's signature on the main document, its text signature on each
    attachment; then whether every issued document came out fully signed."""
    main = file.main_document
    sealed = sealer.seal(blobs().get(main.sha256), number=file.number, issued_on=vn(issued_at).date())
    replace_bytes(main, sealed, actor=actor, role='organisation')
    for attachment in file.attachments:
        signed = sealer.sign_attachment(blobs().get(attachment.sha256), number=file.number)
        replace_bytes(attachment, signed, actor=actor, role='attachment')
    _judge_issued(file)


def _judge_issued(file):
    """Fully signed = every issued document verifies, and the main one carries signer and organisation."""
    problems = [document.filename for document in file.issued_documents
                if not verification.fully_signed(blobs().get(document.sha256),
                                                 signatures_needed=2 if document.kind == 'main' else 1)]
    file.signature_check = 'valid' if not problems else 'invalid'
    if problems:
        mark_not_electronic(file, REASON_UNSIGNED_ISSUANCE, _('Thiếu chữ ký số hợp lệ: %(f)s', f=', '.join(problems)))


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
        event(file, actor, 'override_signature_check', note=override_reason.strip())
    at = now()
    file.incoming_year = vn(at).year
    file.incoming_number = next_number(file.owner_unit_id, 'incoming', file.incoming_year)
    file.registered_at = at
    if received_on_paper:
        mark_not_electronic(file, REASON_PAPER_STEP, _('Nhận bản giấy'))
    event(file, actor, 'register', to_unit=actor.unit, to_user=actor,
           note=note or _('Số đến: %(n)s', n=file.incoming_number))
    hand_to(file, unit=actor.unit, user=actor)
    apply(file, row)
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
    event(file, actor, 'refuse', to_unit=source.issuing_unit if source else None, note=note)
    apply(file, row)
    file.closed_at = now()
    if source is not None:
        db.session.add(FileEvent(file=source, at=now(), actor_id=actor.id, action='refused_by_recipient',
                                 from_unit_id=actor.unit_id, to_unit_id=source.issuing_unit_id, note=note))
        delivery = db.session.query(Delivery).filter_by(file_id=file.id).one()
        delivery.note = note
    db.session.flush()
    audit.record(actor, 'refuse', file, note=note)
    return file
