"""Signing as operations of the service layer: certificates, stamp images, signing, issuance, checks.

Each function works inside the request's transaction. The signed PDF is written to the blob store
(content-addressed, so a rolled-back request leaves at most an unreferenced blob) before the
document row points at it.
"""
import hashlib
import io
import logging
import re
from contextlib import contextmanager
from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.general import SigningError as PyHankoSigningError

from .. import audit
from ..errors import BadInput, Conflict, DomainError, NotAllowed
from ..extensions import db
from ..files import transitions
from ..files.models import Document, FileEvent
from ..files.operations import issue_file, mark_not_electronic
from ..storage import blobs
from ..timeutil import aware, now, vn
from ..vocabulary import REASON_UNSIGNED_ISSUANCE
from . import decree30, keystore, pki, trust
from .errors import (
    FieldNotFound,
    InvalidCredential,
    PlacementNotFound,
    SigningError,
    TimestampUnavailable,
    TokenError,
    WrongPin,
)
from .models import MAX_PIN_FAILURES, PIN_LOCK_MINUTES, Credential, SignatureRecord, StampImage, TrustAnchor
from .placement import Placement, signer_placement
from .validation import verify_pdf

log = logging.getLogger(__name__)
MAX_IMAGE_BYTES = 2 * 1024 * 1024


class SigningRefused(DomainError):
    """Signing did not happen; what led to it (a wrong-PIN count, a failed state) is kept."""
    status = 422
    keep_changes = True


# ---------------------------------------------------------------- certificates

def _credential_from_certificate(certificate, **fields):
    return Credential(serial=format(certificate.serial_number, 'x'), subject=certificate.subject.rfc4514_string(),
                      issuer=certificate.issuer.rfc4514_string(), not_before=certificate.not_valid_before_utc,
                      not_after=certificate.not_valid_after_utc,
                      certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(), **fields)


def _check_new_pin(pin):
    if not pin or len(pin) < 4 or len(pin) > 64:
        raise BadInput(_('Mã PIN phải có từ 4 đến 64 ký tự.'), code='invalid_pin')


def _retire(credentials, reason='superseded'):
    for credential in credentials:
        if credential.active:
            credential.active = False
            if not credential.revoked and credential.kind in ('person', 'organisation'):
                _revoke_in_pki(credential, reason)


def _reason_flag(reason):
    """RFC 5280 names (cessationOfOperation) to the PKI's (cessation_of_operation)."""
    return re.sub(r'(?<!^)(?=[A-Z])', '_', reason).lower()


def _revoke_in_pki(credential, reason):
    pki.revoke_certificate(trust.keys_dir(), int(credential.serial, 16), reason=_reason_flag(reason))
    credential.revoked_at, credential.revocation_reason = now(), reason


def issue_user_certificate(actor, user, pin):
    """A personal certificate from the local CA; the key is kept as a PKCS#12 under `pin`."""
    _check_new_pin(pin)
    trust.ensure_pki()
    issued = pki.issue_person_certificate(trust.keys_dir(), full_name=user.full_name, title=user.title or '',
                                          unit_name=user.unit.name, pin=pin, base_url=trust.base_url(),
                                          holder_ref=f'user:{user.id}')
    _retire(user_credentials(user), 'superseded')
    credential = _credential_from_certificate(issued.certificate, kind='person', user_id=user.id,
                                              pkcs12=issued.pkcs12)
    db.session.add(credential)
    db.session.flush()
    audit.record(actor, 'issue_certificate', user, serial=credential.serial)
    return credential


def issue_unit_seal(actor, unit, *, png, pin):
    """The organisation's seal image and a fresh organisation certificate under the unit's PIN."""
    _check_new_pin(pin)
    image = _store_png(png, kind='seal', unit_id=unit.id)
    trust.ensure_pki()
    issued = pki.issue_organisation_certificate(trust.keys_dir(), org_name=unit.name, pin=pin,
                                                base_url=trust.base_url(), holder_ref=f'unit:{unit.id}')
    _retire(unit_credentials(unit), 'superseded')
    credential = _credential_from_certificate(issued.certificate, kind='organisation', unit_id=unit.id,
                                              pkcs12=issued.pkcs12)
    db.session.add(credential)
    db.session.flush()
    audit.record(actor, 'issue_seal', unit, serial=credential.serial, image=image.sha256)
    return credential


def revoke_user_certificate(actor, user, reason='cessationOfOperation'):
    credentials = [c for c in user_credentials(user) if not c.revoked and c.kind in ('person', 'organisation')]
    if not credentials:
        raise Conflict(_('Người dùng này không có chứng thư số đang hiệu lực.'), code='no_certificate')
    for credential in credentials:
        _revoke_in_pki(credential, reason)  # stays the user's current credential, so signing says "revoked"
    keystore.forget_cached_keys()
    db.session.flush()
    audit.record(actor, 'revoke_certificate', user, serials=[c.serial for c in credentials], reason=reason)
    return credentials


def import_pkcs12_credential(actor, user, *, pkcs12, password):
    """A certificate issued elsewhere; its chain becomes a trust anchor once an admin approves it."""
    try:
        imported = keystore.import_pkcs12(pkcs12, password)
    except WrongPin:
        raise BadInput(_('Mật khẩu của tệp PKCS#12 không đúng.'), code='wrong_pin') from None
    except (InvalidCredential, ValueError):
        raise BadInput(_('Tệp không phải là PKCS#12 hợp lệ có khóa bí mật và chứng thư.'),
                       code='invalid_credential') from None
    for ca in imported.chain:
        _propose_anchor(ca)
    _retire(user_credentials(user), 'superseded')
    credential = _credential_from_certificate(imported.certificate, kind='imported', user_id=user.id,
                                              pkcs12=pkcs12)
    db.session.add(credential)
    db.session.flush()
    audit.record(actor, 'import_certificate', user, serial=credential.serial, issuer=credential.issuer)
    return credential


def _propose_anchor(certificate):
    fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
    if db.session.query(TrustAnchor).filter_by(fingerprint=fingerprint).first() is None:
        db.session.add(TrustAnchor(subject=certificate.subject.rfc4514_string(), fingerprint=fingerprint,
                                   certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode()))


def approve_anchor(actor, anchor):
    anchor.approved_by_id, anchor.approved_at = actor.id, now()
    db.session.flush()
    audit.record(actor, 'approve_trust_anchor', anchor, subject=anchor.subject)


def register_token_credential(actor, user, *, certificate_pem, token_label, key_label):
    """A key that lives on a PKCS#11 token or HSM; the app keeps only its certificate and labels."""
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode() if isinstance(certificate_pem, str)
                                                     else certificate_pem)
    except ValueError:
        raise BadInput(_('Chứng thư số không hợp lệ (cần định dạng PEM).'), code='invalid_certificate') from None
    _retire(user_credentials(user), 'superseded')
    credential = _credential_from_certificate(certificate, kind='pkcs11', user_id=user.id,
                                              token_label=token_label, key_label=key_label)
    db.session.add(credential)
    db.session.flush()
    audit.record(actor, 'register_token', user, serial=credential.serial, token=token_label)
    return credential


def user_credentials(user):
    return db.session.query(Credential).filter_by(user_id=user.id).order_by(Credential.id).all()


def unit_credentials(unit):
    return db.session.query(Credential).filter_by(unit_id=unit.id).order_by(Credential.id).all()


def active_credential(*, user=None, unit=None):
    query = db.session.query(Credential).filter_by(active=True)
    query = query.filter_by(user_id=user.id) if user is not None else query.filter_by(unit_id=unit.id)
    return query.order_by(Credential.id.desc()).first()


# ---------------------------------------------------------------- stamp images

def _store_png(data, *, kind, user_id=None, unit_id=None):
    if not data or len(data) > MAX_IMAGE_BYTES:
        raise BadInput(_('Ảnh phải là tệp PNG, tối đa 2 MB.'), code='invalid_image')
    try:
        image = Image.open(io.BytesIO(data))
        image.verify()
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise BadInput(_('Ảnh phải là tệp PNG hợp lệ.'), code='invalid_image') from None
    if image.format != 'PNG':
        raise BadInput(_('Ảnh phải là tệp PNG (nền trong suốt).'), code='invalid_image')
    if 'A' not in image.getbands() and 'transparency' not in image.info:
        raise BadInput(_('Ảnh chữ ký/con dấu phải có nền trong suốt.'), code='image_not_transparent')
    digest = blobs().put(data)
    stamp = StampImage(kind=kind, user_id=user_id, unit_id=unit_id, sha256=digest, width=image.width,
                       height=image.height, created_at=now())
    db.session.add(stamp)
    db.session.flush()
    return stamp


def set_signature_image(actor, user, png):
    stamp = _store_png(png, kind='signature', user_id=user.id)
    audit.record(actor, 'signature_image', user, sha256=stamp.sha256)
    return stamp


def stamp_image(*, user=None, unit=None):
    query = db.session.query(StampImage)
    query = (query.filter_by(user_id=user.id, kind='signature') if user is not None
             else query.filter_by(unit_id=unit.id, kind='seal'))
    return query.order_by(StampImage.id.desc()).first()


# ---------------------------------------------------------------- unlocking a key

def _refuse(message, code, status=422):
    return SigningRefused(message, code=code, status=status)


def _usable(credential):
    if credential is None:
        raise NotAllowed(_('Bạn chưa có chứng thư số để ký. Liên hệ quản trị để được cấp.'), code='no_certificate')
    if credential.pin_locked:
        raise _refuse(_('Khóa ký đang tạm khóa do nhập sai PIN nhiều lần; thử lại sau %(t)s.',
                        t=vn(credential.locked_until).strftime('%H:%M %d/%m/%Y')), 'pin_locked', 423)
    if credential.revoked or pki.certificate_status(trust.keys_dir(), int(credential.serial, 16))[0] == 'revoked':
        raise _refuse(_('Chứng thư số đã bị thu hồi; không thể ký.'), 'certificate_revoked', 403)
    if credential.expired:
        raise _refuse(_('Chứng thư số đã hết hạn; không thể ký.'), 'certificate_expired', 403)


def _wrong_pin(credential):
    credential.failed_pins += 1
    left = MAX_PIN_FAILURES - credential.failed_pins
    if left <= 0:
        credential.failed_pins, credential.locked_until = 0, now() + timedelta(minutes=PIN_LOCK_MINUTES)
        db.session.flush()
        return _refuse(_('Sai mã PIN 5 lần: khóa ký bị tạm khóa 15 phút.'), 'pin_locked', 423)
    db.session.flush()
    return _refuse(_('Mã PIN không đúng (còn %(n)d lần thử).', n=left), 'wrong_pin', 422)


def unlocked_key(credential, pin):
    """`with unlocked_key(credential, pin) as signer:` the credential's key, opened with its holder's PIN.

    Refuses a missing, locked, revoked or expired credential; a wrong PIN counts towards the lock
    (kept even though the signing does not happen); PKCS#11 sessions are closed when the block ends."""
    return _Unlocked(credential, pin)


def check_pin(user, pin):
    """Open the person's key once with `pin`, as any signing would (a wrong PIN counts)."""
    with unlocked_key(active_credential(user=user), pin):
        pass


class _Unlocked:
    """A signer opened with the holder's PIN; PKCS#11 sessions are closed on exit."""

    def __init__(self, credential, pin):
        self.credential, self.pin, self._context = credential, pin or '', None

    def __enter__(self):
        _usable(self.credential)
        try:
            if self.credential.kind == 'pkcs11':
                from flask import current_app
                self._context = keystore.pkcs11_signer(
                    self.pin, token_label=self.credential.token_label, key_label=self.credential.key_label,
                    module_path=current_app.config.get('PKCS11_MODULE', '/usr/lib/softhsm/libsofthsm2.so'))
                signer = self._context.__enter__()
            else:
                signer = keystore.load_pkcs12_signer(self.credential.pkcs12, self.pin)
        except WrongPin:
            raise _wrong_pin(self.credential) from None
        except (TokenError, InvalidCredential) as exc:
            log.warning('credential %s unusable: %s', self.credential.id, exc.code)
            raise _refuse(_('Không dùng được khóa ký (thiết bị ký số hoặc tệp khóa có lỗi).'), 'token_error',
                          503) from None
        self.credential.failed_pins = 0
        return signer

    def __exit__(self, *exc):
        if self._context is not None:
            self._context.__exit__(*exc)
        return False


# ---------------------------------------------------------------- signing

def _signing_failed(file, actor, exc):
    """Record the failure visibly on the file; the document itself is untouched."""
    row = transitions.find(file, 'sign_failed')
    message = (_('Không kết nối được máy chủ cấp dấu thời gian; chưa ký. Vui lòng thử lại.')
               if isinstance(exc, TimestampUnavailable) else _('Ký số không thành công: %(r)s', r=exc.code))
    if row is not None:
        file.status = row.target
    file.sign_error = message
    db.session.add(FileEvent(file=file, at=now(), actor_id=actor.id, action='sign_failed',
                             from_unit_id=file.holder_unit_id, note=message))
    db.session.flush()
    audit.record(actor, 'sign_failed', file, reason=exc.code)
    return _refuse(message, exc.code, 503 if isinstance(exc, TimestampUnavailable) else 422)


def _replace_blob(document, data, *, actor, credential, role, field):
    before = document.sha256
    digest = blobs().put(data)
    document.sha256, document.size = digest, len(data)
    record = SignatureRecord(document_id=document.id, credential_id=credential.id if credential else None,
                             user_id=actor.id, role=role, field=field, signed_at=now(),
                             sha256_before=before, sha256_after=digest)
    db.session.add(record)
    return record


def _placement(page, box):
    if box is None:
        return None
    try:
        x1, y1, x2, y2 = (float(v) for v in box)
    except (TypeError, ValueError):
        raise BadInput(_('Vị trí chữ ký không hợp lệ.'), code='invalid_box') from None
    if not (x2 - x1 >= 40 and y2 - y1 >= 20):
        raise BadInput(_('Vùng đặt chữ ký quá nhỏ.'), code='invalid_box')
    return Placement(page=int(page or 0), box=(x1, y1, x2, y2))


def _title_candidates(title):
    """'Chủ tịch UBND huyện' is printed as 'CHỦ TỊCH': try the whole title, then ever shorter heads."""
    words = (title or '').upper().split()
    return [' '.join(words[:n]) for n in range(len(words), 1, -1)] or [' '.join(words)]


def _automatic_placement(pdf_bytes, actor):
    for candidate in _title_candidates(actor.title):
        try:
            return signer_placement(pdf_bytes, candidate)
        except PlacementNotFound:
            continue
    raise BadInput(_('Không tìm thấy chức danh "%(t)s" trên trang cuối; hãy bấm chọn vị trí ký trên văn bản.',
                     t=actor.title), code='placement_not_found')


def _free_signer_field(pdf_bytes):
    """'signer' for the first signature; 'signer-2', 'signer-3' … when others have signed already."""
    try:
        taken = {name for name, _value, _ref in enumerate_sig_fields(PdfFileReader(io.BytesIO(pdf_bytes),
                                                                                   strict=False))}
    except (PdfError, ValueError):
        taken = set()
    field, n = decree30.SIGNER_FIELD, 1
    while field in taken:
        n += 1
        field = f'{decree30.SIGNER_FIELD}-{n}'
    return field


def sign_document(file, actor, *, document, pin, page=None, box=None):
    """The leader holding the file signs `document` with their own key; returns the SignatureRecord."""
    row = transitions.require(file, 'sign', actor)
    if document.file_id != file.id or document.kind != 'main':
        raise BadInput(_('Chỉ ký được văn bản chính của hồ sơ này.'), code='invalid_document')
    image = stamp_image(user=actor)
    if image is None:
        raise BadInput(_('Bạn chưa có ảnh chữ ký; hãy tải ảnh chữ ký (PNG nền trong suốt) lên trước.'),
                       code='no_signature_image')
    original = blobs().get(document.sha256)
    field = _free_signer_field(original)
    placement = _placement(page, box) or _automatic_placement(original, actor)
    credential = active_credential(user=actor)
    with unlocked_key(credential, pin) as signer:
        try:
            signed = decree30.sign_as_signer(
                original, signer, title=(actor.title or '').upper(), full_name=actor.full_name,
                signature_png=blobs().get(image.sha256), timestamper=trust.timestamper(), placement=placement,
                field_name=field)
        except PlacementNotFound:
            raise BadInput(_('Không tìm thấy chức danh "%(t)s" trên trang cuối; hãy bấm chọn vị trí ký trên văn bản.',
                             t=actor.title), code='placement_not_found') from None
        except SigningError as exc:
            raise _signing_failed(file, actor, exc) from None
        except (PdfError, PyHankoSigningError, ValueError) as exc:
            # a PDF pyHanko cannot add a signature to (damaged structure, an odd form): say so, change nothing
            log.warning('signing file %s failed: %s', file.id, exc)
            raise BadInput(_('Không thể ký số tệp PDF này (cấu trúc tệp không hỗ trợ). Hãy tải lên bản PDF khác.'),
                           code='unsignable_pdf', status=422) from None
    record = _replace_blob(document, signed, actor=actor, credential=credential, role='signer', field=field)
    file.status, file.sign_error, file.signer_id = row.target, None, actor.id
    db.session.add(FileEvent(file=file, at=now(), actor_id=actor.id, action='sign', from_unit_id=actor.unit_id,
                             note=document.filename))
    db.session.flush()
    audit.record(actor, 'sign', file, document_id=document.id, sha256=document.sha256, serial=credential.serial)
    return record


@contextmanager
def organisation_seal(actor, pin, *, file):
    """The organisation's signer, opened with the unit's PIN once the actor is known to be allowed to
    issue `file` (a wrong PIN from someone who may not issue never counts against the seal key).

    Yields the hook `issue_file` calls — seal + organisation signature (B-LT) on the main document
    and a text signature on each attachment — or None when the unit has no seal certificate.
    PKCS#11 sessions close when the block ends, whatever happened inside it.
    """
    transitions.require(file, 'issue', actor)
    credential = active_credential(unit=actor.unit)
    if credential is None:
        yield None
        return
    seal = stamp_image(unit=actor.unit)
    if seal is None:
        raise BadInput(_('Đơn vị chưa có ảnh con dấu; liên hệ quản trị.'), code='no_seal_image')
    with unlocked_key(credential, pin) as signer:
        yield lambda issued, number, issued_at: _seal_documents(issued, actor, signer, credential, seal,
                                                                number, issued_at)


def issue_with_seal(file, actor, *, recipient_units, pin, on_paper=False):
    """Issue the file — number, organisation signature when the unit has one, delivery — in one step.

    A wrong seal PIN is refused before anything is numbered and its count is kept; any failure after
    that rolls the whole issuance back. Returns (deliveries, sealed)."""
    with organisation_seal(actor, pin, file=file) as hook:
        try:
            deliveries = issue_file(file, actor, recipient_units=recipient_units, organisation_signature=hook,
                                    on_paper=on_paper)
        except DomainError as exc:
            exc.keep_changes = False
            raise
        return deliveries, hook is not None


def _seal_documents(file, actor, signer, credential, seal, number, issued_at):
    main = file.main_document
    context = trust.validation_context()
    try:
        data = blobs().get(main.sha256)
        try:
            sealed = decree30.issue_document(data, signer, seal_png=blobs().get(seal.sha256), number_notation=number,
                                             issued_on=vn(issued_at).date(), timestamper=trust.timestamper(),
                                             validation_context=context)
        except FieldNotFound:
            from .placement import attachment_placement
            sealed = decree30.issue_document(data, signer, seal_png=blobs().get(seal.sha256), number_notation=number,
                                             issued_on=vn(issued_at).date(), timestamper=trust.timestamper(),
                                             validation_context=context, placement=attachment_placement(data))
        _replace_blob(main, sealed, actor=actor, credential=credential, role='organisation',
                      field=decree30.ORGANISATION_FIELD)
        for attachment in file.attachments:
            signed = decree30.sign_attachment(blobs().get(attachment.sha256), signer, number_notation=number,
                                              timestamper=trust.timestamper(), validation_context=context)
            _replace_blob(attachment, signed, actor=actor, credential=credential, role='attachment',
                          field=decree30.ATTACHMENT_FIELD)
    except SigningError as exc:
        # Nothing of the issuance may be kept (its number is given back): a plain error, rolled back.
        raise DomainError(_('Không ký được văn bản phát hành: %(r)s. Chưa có gì thay đổi.', r=exc.code),
                          code=exc.code, status=503 if isinstance(exc, TimestampUnavailable) else 422) from None
    return _judge_issued(file)


def _judge_issued(file):
    """Fully signed = every issued document verifies, and the main one carries signer and organisation."""
    problems = []
    for document in file.issued_documents:
        report = verify_bytes(blobs().get(document.sha256))
        needed = 2 if document.kind == 'main' else 1
        if not report['valid'] or len(report['signatures']) < needed:
            problems.append(document.filename)
    file.signature_check = 'valid' if not problems else 'invalid'
    if problems:
        mark_not_electronic(file, REASON_UNSIGNED_ISSUANCE,
                            _('Thiếu chữ ký số hợp lệ: %(f)s', f=', '.join(problems)))
    return not problems


# ---------------------------------------------------------------- verification

def verify_bytes(data):
    """The verification report for any PDF, against this deployment's trust anchors and CRL."""
    crl = trust.current_crl()
    return verify_pdf(data, trust.trust_roots(), crls=[crl] if crl else [])


def document_report(document):
    return verify_bytes(blobs().get(document.sha256))


def signature_check_of(data):
    """'valid', 'invalid' or 'unsigned': what a clerk sees when a document arrives."""
    report = verify_bytes(data)
    if not report['signatures'] and report['errors'] == ['the document has no signatures']:
        return 'unsigned'
    return 'valid' if report['valid'] else 'invalid'


def archive_timestamp_issued(limit=None):
    """Add an archive timestamp (B-LTA) to issued documents that lack one; returns how many."""
    from ..files.models import WorkFile
    from .signer import archive_timestamp

    done = 0
    query = (db.session.query(Document).join(WorkFile, Document.file_id == WorkFile.id)
             .filter(WorkFile.direction == 'outgoing', WorkFile.issued_at.isnot(None)))
    for document in query.order_by(Document.id):
        if db.session.query(SignatureRecord).filter_by(document_id=document.id, role='archive').first():
            continue
        stamped = archive_timestamp(blobs().get(document.sha256), trust.timestamper(), trust.validation_context())
        before = document.sha256
        document.sha256 = blobs().put(stamped)
        document.size = len(stamped)
        db.session.add(SignatureRecord(document_id=document.id, role='archive', field='archive', signed_at=now(),
                                       sha256_before=before, sha256_after=document.sha256))
        _propagate_to_copies(before, document.sha256)
        done += 1
        if limit and done >= limit:
            break
    db.session.flush()
    audit.record(None, 'archive_timestamp', None, documents=done)
    return done


def _propagate_to_copies(before, after):
    """Recipients' copies of an issued document follow it to its archived version."""
    for copy in db.session.query(Document).filter_by(sha256=before).all():
        copy.sha256 = after


def certificate_summary(credential):
    if credential is None:
        return None
    return {'serial': credential.serial, 'subject': credential.subject, 'issuer': credential.issuer,
            'not_after': aware(credential.not_after), 'kind': credential.kind, 'revoked': credential.revoked,
            'revoked_at': aware(credential.revoked_at), 'fingerprint': hashlib.sha256(
                credential.certificate_pem.encode()).hexdigest()[:16]}
