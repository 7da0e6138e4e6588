"""PAdES signing: every signature is ETSI.CAdES.detached with a trusted timestamp.

B-T always; B-LT when ``embed_validation_info`` (revocation data for the chain
goes into the document security store in a following revision); B-LTA by a
later :func:`archive_timestamp`.  Everything is written as incremental updates
that only add or fill form fields, so earlier signatures stay valid.

Speed: the container size is reserved up front (no dry-run signature), keys
come pre-parsed from the key store, stamps use the prepared font (embedded
whole, never re-subset), and an HTTP timestamper posts over a kept-alive
connection instead of building an aiohttp session per request (:mod:`.tsa`).
"""

import asyncio
from dataclasses import dataclass
from io import BytesIO

import aiohttp
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields as sig_fields
from pyhanko.sign import signers
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps import TimeStamper, TimestampRequestError
from pyhanko_certvalidator import ValidationContext

from . import forms
from .appearance import INVISIBLE, Appearance
from .errors import NotAPdf, TimestampUnavailable
from .placement import Box, Placement
from .tsa import keep_alive

CONTAINER_BASE_BYTES = 10_000
TIMESTAMP_BYTES_RESERVED = 8_000


@dataclass(frozen=True)
class FieldToAdd:
    """A form field to create inside the signed revision (see :mod:`.forms`)."""

    name: str
    placement: Placement
    kind: str = 'text'  # 'text' or 'signature'
    font_size: float = 13


def sign_pdf(pdf_bytes: bytes, signer: signers.Signer, *, field_name: str,
             box: Box | None = None, page: int = 0, appearance: Appearance = INVISIBLE,
             timestamper: TimeStamper | None,
             validation_context: ValidationContext | None = None,
             embed_validation_info: bool = False,
             add_fields: tuple[FieldToAdd, ...] = (), fill_fields: dict[str, str] | None = None,
             reason: str | None = None, location: str | None = None) -> bytes:
    """Sign ``pdf_bytes`` in field ``field_name`` and return the new PDF.

    The field is created at ``page``/``box`` unless it already exists (then it is
    filled).  ``add_fields`` are created and ``fill_fields`` filled in the same
    revision, before signing.  Raises TimestampUnavailable rather than sign
    without a timestamp.
    """
    if timestamper is None:
        raise TimestampUnavailable('no timestamp authority configured')
    writer = open_for_update(pdf_bytes)
    _prepare_fields(writer, add_fields, fill_fields)
    pdf_signer = signers.PdfSigner(
        _metadata(field_name, validation_context, embed_validation_info, reason, location),
        signer=signer, timestamper=keep_alive(timestamper), stamp_style=appearance.style,
        new_field_spec=_field_spec(writer, field_name, box, page),
    )
    with _timestamp_errors():
        output = pdf_signer.sign_pdf(writer, bytes_reserved=_reserved_bytes(signer),
                                     appearance_text_params=appearance.text_params or None)
    return output.getvalue()


def archive_timestamp(pdf_bytes: bytes, timestamper: TimeStamper | None,
                      validation_context: ValidationContext) -> bytes:
    """Add validation data and a document timestamp (PAdES B-LTA)."""
    if timestamper is None:
        raise TimestampUnavailable('no timestamp authority configured')
    writer = open_for_update(pdf_bytes)
    with _timestamp_errors():
        output = PdfTimeStamper(keep_alive(timestamper)).timestamp_pdf(
            writer, 'sha256', validation_context=validation_context,
            bytes_reserved=TIMESTAMP_BYTES_RESERVED)
    return output.getvalue()


def _metadata(field_name, validation_context, embed_validation_info, reason, location):
    return signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm='sha256',
        subfilter=sig_fields.SigSeedSubFilter.PADES,
        embed_validation_info=embed_validation_info, validation_context=validation_context,
        reason=reason, location=location,
    )


def _field_spec(writer, field_name, box, page):
    if box is None or field_name in _signature_field_names(writer):
        return None
    return sig_fields.SigFieldSpec(sig_field_name=field_name, on_page=page, box=tuple(box))


def _signature_field_names(writer) -> set[str]:
    return {name for name, _, _ in sig_fields.enumerate_sig_fields(writer)}


def _prepare_fields(writer, add_fields, fill_fields):
    for field in add_fields:
        if field.kind == 'signature':
            forms.add_signature_field(writer, field.name, field.placement)
        else:
            forms.add_text_field(writer, field.name, field.placement, field.font_size)
    if fill_fields:
        forms.fill_text_fields(writer, fill_fields)


def _reserved_bytes(signer: signers.Signer) -> int:
    """Room for the CMS container: chain + signature + timestamp token, with margin."""
    certificates = [signer.signing_cert, *signer.cert_registry]
    size = CONTAINER_BASE_BYTES + sum(len(c.dump()) for c in certificates)
    return size + size % 2  # pyHanko wants an even number


def open_for_update(pdf_bytes: bytes) -> IncrementalPdfFileWriter:
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
    except Exception as error:
        raise NotAPdf(str(error)) from error
    if writer.security_handler is not None:
        raise NotAPdf('the PDF is encrypted')
    return writer


class _timestamp_errors:
    """Turn a failed timestamp request (anywhere in the exception chain) into TimestampUnavailable."""

    UNREACHABLE = (TimestampRequestError, aiohttp.ClientError, ConnectionError,
                   asyncio.TimeoutError, TimeoutError)

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if error is None:
            return False
        cause = error
        while cause is not None:
            if isinstance(cause, self.UNREACHABLE):
                raise TimestampUnavailable(f'timestamp request failed: {cause}') from error
            cause = cause.__cause__ or cause.__context__
        return False
