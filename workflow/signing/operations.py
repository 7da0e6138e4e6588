"""Signing as the service layer offers it: PDF bytes in, signed bytes out, and the record of it.

These know nothing of work files: who holds a file, its status, its timeline and its deliveries
are the files room's (files/operations/signatures.py and issuing.py call these and record the
outcome there). What is decided here: which key signs (the person's, or the unit's seal under its
PIN), where the signature goes, the Decree 30 appearance, the timestamp, and the refusals.
"""
import io
import logging
from contextlib import contextmanager
from dataclasses import dataclass

from flask_babel import gettext as _
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.general import SigningError as PyHankoSigningError

from ..errors import BadInput, DomainError
from ..extensions import db
from ..storage import blobs
from ..timeutil import now
from . import trust
from .credentials import active_credential, unlocked_key
from .lib import decree30, pades
from .lib.errors import FieldNotFound, NotAPdf, SigningError, TimestampUnavailable
from .lib.placement import Placement, attachment_placement, automatic_signer_placement
from .models import SignatureRecord
from .stamps import stamp_image

log = logging.getLogger(__name__)


class SignatureNotMade(DomainError):
    """The key was fine, but the signature could not be made (timestamp authority down, token error):
    nothing was signed; the caller records the failure where people will see it."""
    status = 422
    keep_changes = True

    def __init__(self, cause):
        unavailable = isinstance(cause, TimestampUnavailable)
        super().__init__(_('Không kết nối được máy chủ cấp dấu thời gian; chưa ký. Vui lòng thử lại.') if unavailable
                         else _('Ký số không thành công: %(r)s', r=cause.code),
                         code=cause.code, status=503 if unavailable else 422)


@dataclass
class Signed:
    """Signed bytes, the credential that signed them and the signature field used."""
    data: bytes
    credential: object
    field: str


# ---------------------------------------------------------------- a person's signature

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


DEFAULT_IMAGE_SIZE = (480, 200)  # the proportions of a signature image, before one is uploaded


def proposed_placement(person, pdf_bytes, image=None):
    """Where `person`'s signature goes on `pdf_bytes` when they choose nothing: under their printed title,
    else under the last line of a TM./KT. block, else in the right column under the last text, else on a
    page added at the end (lib/placement.py). Never refuses a readable PDF; raises NotAPdf otherwise."""
    image = image if image is not None else stamp_image(user=person)
    size = (image.width, image.height) if image is not None else DEFAULT_IMAGE_SIZE
    return automatic_signer_placement(pdf_bytes, _title_candidates(person.title), image_size=size,
                                      full_name=person.full_name or '')


def _proposed_or_refused(person, pdf_bytes, image):
    try:
        return proposed_placement(person, pdf_bytes, image)
    except NotAPdf:
        raise BadInput(_('Không thể ký số tệp PDF này (cấu trúc tệp không hỗ trợ). Hãy tải lên bản PDF khác.'),
                       code='unsignable_pdf', status=422) from None


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


def sign_as_person(person, pin, pdf_bytes, *, page=None, box=None):
    """`person` signs `pdf_bytes` with their own key under `pin`, in the Decree 30 form (their
    signature image between their printed title and name, where `proposed_placement` puts it
    unless `box` on `page` is given). Returns Signed; raises a DomainError when nothing was signed
    (SignatureNotMade when the key was fine but the signature could not be made)."""
    image = stamp_image(user=person)
    if image is None:
        raise BadInput(_('Bạn chưa có ảnh chữ ký; hãy tải ảnh chữ ký (PNG nền trong suốt) lên trước.'),
                       code='no_signature_image')
    field = _free_signer_field(pdf_bytes)
    placement = _placement(page, box) or _proposed_or_refused(person, pdf_bytes, image)
    credential = active_credential(user=person)
    with unlocked_key(credential, pin) as signer:
        try:
            signed = decree30.sign_as_signer(
                pdf_bytes, signer, title=(person.title or '').upper(), full_name=person.full_name,
                signature_png=blobs().get(image.sha256), timestamper=trust.timestamper(), placement=placement,
                field_name=field, validation_context=trust.validation_context,
                # our own certificates carry their validation data (B-LT); an imported one, whose CA's
                # revocation data this server does not fetch, signs B-T and is vouched for at issuance
                embed_validation_info=credential.kind in trust.LOCAL_KINDS)
        except SigningError as exc:
            raise SignatureNotMade(exc) from None
        except (PdfError, PyHankoSigningError, ValueError) as exc:
            # a PDF pyHanko cannot add a signature to (damaged structure, an odd form): say so, change nothing
            log.warning('signing failed: %s', exc)
            raise BadInput(_('Không thể ký số tệp PDF này (cấu trúc tệp không hỗ trợ). Hãy tải lên bản PDF khác.'),
                           code='unsignable_pdf', status=422) from None
    return Signed(signed, credential, field)


# ---------------------------------------------------------------- the organisation's seal

class Sealer:
    """The unit's seal key, opened: seals the main document of an issuance and signs its attachments."""

    def __init__(self, signer, credential, seal_png):
        self.signer, self.credential, self.seal_png = signer, credential, seal_png

    def seal(self, pdf_bytes, *, number, issued_on):
        """The seal over the leader's signature, the organisation's signature (B-LT), number and date
        filled into the blanks the leader's signature prepared (or, on a document without them, a
        stamp at the top right)."""
        options = dict(seal_png=self.seal_png, number_notation=number, issued_on=issued_on,
                       timestamper=trust.timestamper(), validation_context=trust.validation_context)
        try:
            try:
                data = decree30.issue_document(pdf_bytes, self.signer, **options)
            except FieldNotFound:
                data = decree30.issue_document(pdf_bytes, self.signer, placement=attachment_placement(pdf_bytes),
                                               **options)
        except SigningError as exc:
            raise _issuance_failed(exc) from None
        return Signed(data, self.credential, decree30.ORGANISATION_FIELD)

    def sign_attachment(self, pdf_bytes, *, number):
        """The organisation's text signature at the top right of an attachment."""
        try:
            data = decree30.sign_attachment(pdf_bytes, self.signer, number_notation=number,
                                            timestamper=trust.timestamper(),
                                            validation_context=trust.validation_context)
        except SigningError as exc:
            raise _issuance_failed(exc) from None
        return Signed(data, self.credential, decree30.ATTACHMENT_FIELD)


def _issuance_failed(exc):
    # Nothing of the issuance may be kept (its number is given back): a plain error, rolled back.
    return DomainError(_('Không ký được văn bản phát hành: %(r)s. Chưa có gì thay đổi.', r=exc.code),
                       code=exc.code, status=503 if isinstance(exc, TimestampUnavailable) else 422)


@contextmanager
def organisation_seal(unit, pin):
    """The unit's Sealer, opened with the unit's PIN (a wrong one counts towards the seal key's lock),
    or None when the unit has no seal certificate. PKCS#11 sessions close when the block ends."""
    credential = active_credential(unit=unit)
    if credential is None:
        yield None
        return
    seal = stamp_image(unit=unit)
    if seal is None:
        raise BadInput(_('Đơn vị chưa có ảnh con dấu; liên hệ quản trị.'), code='no_seal_image')
    with unlocked_key(credential, pin) as signer:
        yield Sealer(signer, credential, blobs().get(seal.sha256))


# ---------------------------------------------------------------- archiving, and the record of a signature

def archive_stamp(pdf_bytes):
    """The document with an archive timestamp added (PAdES B-LTA)."""
    return pades.archive_timestamp(pdf_bytes, trust.timestamper(), trust.validation_context)


def note_signature(document_id, *, user, credential, role, field, before, after):
    """Record that this system applied a signature to a document: which key, which field, the bytes
    before and after (what `signatures_of` follows back). Returns the SignatureRecord."""
    record = SignatureRecord(document_id=document_id, credential_id=credential.id if credential else None,
                             user_id=user.id if user else None, role=role, field=field, signed_at=now(),
                             sha256_before=before, sha256_after=after)
    db.session.add(record)
    return record
