"""Is this upload a real, readable, unencrypted PDF? Checked by parsing, never by name.

And can it be signed? Readers (pypdf, pdf.js) quietly repair small structural faults -- a wrong
`startxref`, a broken cross-reference table -- that pyHanko, which must append an incremental update
to the exact bytes, refuses. Such a file is found at upload, not at signing: an unsigned one is
repaired by qpdf (pikepdf) into a copy that is then the one to sign, the upload kept beside it; a
signed one cannot be repaired without destroying its signatures and is refused.
"""
import io
import logging
from dataclasses import dataclass

import pikepdf
from flask_babel import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from .errors import BadInput

log = logging.getLogger(__name__)


@dataclass
class PdfInfo:
    pages: int
    signed: bool


def _has_signature_fields(reader):
    try:
        fields = reader.get_fields() or {}
    except Exception:  # damaged AcroForm: the signature report will say so later
        return False
    return any(f.get('/FT') == '/Sig' for f in fields.values())


def check_pdf_envelope(data, max_bytes):
    """What is seen without parsing: not empty, not too large, a PDF header; BadInput otherwise."""
    if not data:
        raise BadInput(_('Tệp rỗng, không có nội dung.'), code='empty_file')
    if len(data) > max_bytes:
        raise BadInput(_('Tệp quá lớn: tối đa %(mb)d MB.', mb=max_bytes // (1024 * 1024)),
                       code='file_too_large', status=413)
    if not data.lstrip()[:5] == b'%PDF-':
        raise BadInput(_('Tệp không phải là tài liệu PDF.'), code='not_pdf', status=415)


def inspect_pdf(data, max_bytes):
    """Parse `data`; raise BadInput with a message for the user if it is not an acceptable PDF."""
    check_pdf_envelope(data, max_bytes)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise BadInput(_('Tệp PDF được đặt mật khẩu (mã hóa); hãy tải lên bản không mã hóa.'),
                           code='encrypted_pdf', status=422)
        pages = len(reader.pages)
        if pages == 0:
            raise BadInput(_('Tệp PDF không có trang nào.'), code='broken_pdf', status=422)
        if reader.pages[0].mediabox is None:  # reading the first page makes a broken page tree fail here
            raise ValueError("no media box")
    except BadInput:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError) as exc:
        log.info('rejected broken PDF: %s', exc)
        raise BadInput(_('Tệp PDF bị hỏng, không đọc được.'), code='broken_pdf', status=422) from None
    return PdfInfo(pages=pages, signed=_has_signature_fields(reader))


def copy_to_sign(data, info):
    """None when `data` can be signed as it is; else a repaired copy that can; BadInput if neither."""
    if _opens_for_signing(data):
        return None
    if info.signed:
        raise BadInput(_('Tệp PDF đã ký số nhưng có lỗi cấu trúc: không kiểm tra hay ký thêm được. '
                         'Hãy đề nghị nơi gửi cung cấp lại bản gốc.'), code='broken_pdf', status=422)
    repaired = _repaired(data)
    if repaired is None or not _opens_for_signing(repaired):
        raise BadInput(_('Tệp PDF có lỗi cấu trúc không sửa được nên không thể ký số. '
                         'Hãy xuất lại tệp PDF từ phần mềm soạn thảo rồi tải lên.'), code='broken_pdf', status=422)
    log.info('repaired an uploaded PDF for signing (%d -> %d bytes)', len(data), len(repaired))
    return repaired


def _opens_for_signing(data):
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        return writer.security_handler is None and writer.root is not None
    except Exception:  # noqa: BLE001 -- whatever pyHanko refuses, signing would refuse
        return False


def _repaired(data):
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            out = io.BytesIO()
            pdf.save(out, fix_metadata_version=False)
            return out.getvalue()
    except Exception as error:  # noqa: BLE001 -- qpdf could not make sense of it either
        log.info('uploaded PDF could not be repaired: %s', error)
        return None
