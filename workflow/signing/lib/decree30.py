"""The three signatures of Decree 30/2020/NĐ-CP, as the app's service layer calls them.

1. :func:`sign_as_signer` — the competent person signs the draft; the same
   revision prepares the blanks for the number and date and an empty field for
   the organisation's seal.  The signer's own field is created first in that
   revision, so its widget precedes the seal's in the page's /Annots and
   viewers paint the seal over the left third of the handwritten image.  The
   signature locks every form field except the blanks and the seal's field
   (FieldMDP), so that only issuance may fill them.
2. :func:`issue_document` — at issuance the clerk fills number and date and
   signs with the organisation's certificate behind the seal image, locking
   every field and any further change (FieldMDP ``/All``, ``/P`` 1).  The
   validation data of the earlier signatures goes into that same revision,
   made after their time stamps; then a document time stamp adds, in its own
   signed revision, the validation data of the seal's signature made after the
   seal's time stamp (B-LTA: every signature has revocation data issued after
   it, and the last signature covers the whole file).
3. :func:`sign_attachment` — the clerk signs each attachment file: no image,
   number and signing time at the top right of page 1, locking everything,
   with its validation data made afterwards in the same way (B-LTA).
"""

import datetime as dt
from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.timestamps import TimeStamper

from . import acroform
from . import appearance as stamps
from .errors import FieldNotFound
from .pades import (
    LOCK_EVERYTHING,
    FieldLock,
    FieldToAdd,
    ValidationData,
    archive_timestamp,
    context_for,
    open_for_update,
    sign_pdf,
)
from .placement import (
    Placement,
    attachment_placement,
    automatic_signer_placement,
    issuance_field_boxes,
    read_pdf,
    seal_placement,
)

SIGNER_FIELD = 'signer'
ORGANISATION_FIELD = 'organisation'
ATTACHMENT_FIELD = 'attachment'
ISSUANCE_BLANKS = ('issue_number', 'issue_day', 'issue_month', 'issue_year')
# The leader's signature locks every field but what issuance fills.
SIGNER_LOCK = FieldLock(spared=(*ISSUANCE_BLANKS, ORGANISATION_FIELD))


def sign_as_signer(pdf_bytes: bytes, signer: signers.Signer, *, title: str, full_name: str,
                   signature_png: bytes, timestamper: TimeStamper,
                   placement: Placement | None = None, field_name: str = SIGNER_FIELD,
                   validation_context: ValidationData | None = None,
                   embed_validation_info: bool = False) -> bytes:
    """The signer's visible signature (B-T), under the printed ``title``.

    ``placement`` overrides automatic placement (which finds a place on any
    PDF: :func:`.placement.automatic_signer_placement`; a placement on a new
    page adds a blank page first).  If the document has no organisation field
    yet, the number/date fields and the organisation's signature field are
    created in this same signed revision, after the signer's own field.
    """
    image_size = stamps.png_image(signature_png).size
    placement = placement or automatic_signer_placement(pdf_bytes, [title], image_size=image_size,
                                                        full_name=full_name)
    if placement.new_page:
        pdf_bytes = with_blank_page(pdf_bytes)
    look = stamps.signer_appearance(signature_png, full_name=full_name, signed_at=_now(),
                                    placement=placement)
    return sign_pdf(pdf_bytes, signer, field_name=field_name, box=placement.box,
                    page=placement.page, appearance=look, timestamper=timestamper,
                    validation_context=context_for(validation_context, pdf_bytes),
                    embed_validation_info=embed_validation_info,
                    add_fields=_issuance_fields(pdf_bytes, field_name, placement, image_size),
                    lock=SIGNER_LOCK)


def issue_document(pdf_bytes: bytes, organisation_signer: signers.Signer, *, seal_png: bytes,
                   number_notation: str, issued_on: dt.date, timestamper: TimeStamper,
                   validation_context: ValidationData | None,
                   placement: Placement | None = None,
                   field_name: str = ORGANISATION_FIELD) -> bytes:
    """Fill number and date, then sign the organisation's field with the seal, locking everything.

    Uses the field prepared at the first signing; ``placement`` is only needed
    for a document that was signed elsewhere and has no such field.  With
    ``validation_context`` (best a function of the bytes, see
    :data:`.pades.ValidationData`): the validation data of every earlier
    signature (the leader's certificate and its timestamp authority) goes into
    the seal's revision, and that of the seal's own signature into a document
    time stamp right after it (see the module docstring).
    """
    values = _issuance_values(pdf_bytes, number_notation, issued_on)
    if field_name not in _signature_fields(pdf_bytes) and placement is None:
        raise FieldNotFound(f'no signature field {field_name!r} and no placement given')
    sealed = sign_pdf(pdf_bytes, organisation_signer, field_name=field_name,
                      box=placement.box if placement else None,
                      page=placement.page if placement else 0,
                      appearance=stamps.seal_appearance(seal_png), timestamper=timestamper,
                      validation_context=context_for(validation_context, pdf_bytes),
                      embed_validation_info=validation_context is not None,
                      fill_fields=values, lock=LOCK_EVERYTHING)
    return _with_later_validation_data(sealed, timestamper, validation_context)


def sign_attachment(pdf_bytes: bytes, clerk_signer: signers.Signer, *, number_notation: str,
                    timestamper: TimeStamper, validation_context: ValidationData | None,
                    field_name: str = ATTACHMENT_FIELD) -> bytes:
    """The clerk's signature on an attachment: text only, top right of page 1, locking everything."""
    placement = attachment_placement(pdf_bytes)
    look = stamps.attachment_appearance(number_notation, _now())
    signed = sign_pdf(pdf_bytes, clerk_signer, field_name=field_name, box=placement.box,
                      page=placement.page, appearance=look, timestamper=timestamper,
                      validation_context=context_for(validation_context, pdf_bytes),
                      embed_validation_info=validation_context is not None,
                      lock=LOCK_EVERYTHING)
    return _with_later_validation_data(signed, timestamper, validation_context)


def _with_later_validation_data(signed: bytes, timestamper, validation_context) -> bytes:
    """The validation data of the signature just made, issued after its time stamp, in a document
    time stamp's revision (nothing without validation data)."""
    if validation_context is None:
        return signed
    return archive_timestamp(signed, timestamper, validation_context)


def number_and_date_values(number_notation: str, issued_on: dt.date) -> dict[str, str]:
    """What goes in the blanks: the number before "/", day and month per Decree 30.

    Days below 10 and the months January and February take a leading zero.
    """
    number = number_notation.split('/', 1)[0]
    month = f'{issued_on.month:02d}' if issued_on.month <= 2 else str(issued_on.month)
    return {'issue_number': number, 'issue_day': f'{issued_on.day:02d}',
            'issue_month': month, 'issue_year': str(issued_on.year)}


def _issuance_values(pdf_bytes, number_notation, issued_on) -> dict[str, str]:
    present = set(acroform.text_field_names(open_for_update(pdf_bytes)))
    values = number_and_date_values(number_notation, issued_on)
    return {name: value for name, value in values.items() if name in present}


def _issuance_fields(pdf_bytes, field_name, placement, image_size) -> tuple[FieldToAdd, ...]:
    """The signer's own field, the blanks for number and date, then the seal's field.

    Widgets are painted in /Annots order: the signer's field made here (pyHanko
    then signs into it) comes before the seal's, so the seal covers the image.
    """
    existing = _signature_fields(pdf_bytes)
    if ORGANISATION_FIELD in existing:
        return ()
    # the signer's own field is locked by sign_pdf (``lock``), as a field it made itself would be
    own = () if field_name in existing else (FieldToAdd(field_name, placement, 'signature'),)
    seal = FieldToAdd(ORGANISATION_FIELD, seal_placement(placement, image_size), 'signature',
                      lock=LOCK_EVERYTHING)
    blanks = [FieldToAdd(name, slot, 'text', size)
              for name, (slot, size) in issuance_field_boxes(pdf_bytes).items()]
    return (*own, *blanks, seal)


def with_blank_page(pdf_bytes: bytes) -> bytes:
    """``pdf_bytes`` and, in an incremental update, a blank page the size of its last one.

    Only for a document nobody has signed yet (a new page would break a signature).
    """
    box = read_pdf(pdf_bytes).pages[-1].mediabox  # inherited boxes resolved
    writer = open_for_update(pdf_bytes)
    writer.insert_page(generic.DictionaryObject({
        pdf_name('/Type'): pdf_name('/Page'),
        pdf_name('/MediaBox'): generic.ArrayObject(
            generic.FloatObject(float(v)) for v in (box.left, box.bottom, box.right, box.top)),
        pdf_name('/Resources'): generic.DictionaryObject(),
        pdf_name('/Contents'): writer.add_object(generic.StreamObject(stream_data=b'')),
    }))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _signature_fields(pdf_bytes) -> set[str]:
    writer: IncrementalPdfFileWriter = open_for_update(pdf_bytes)
    return {name for name, _, _ in enumerate_sig_fields(writer)}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
