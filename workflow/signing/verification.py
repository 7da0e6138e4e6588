"""Verifying signatures against this deployment's trust anchors and revocation data, and the report
in the reader's language (the library's findings, named for people)."""
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_

from ..errors import BadInput
from ..extensions import db
from ..pdfcheck import inspect_pdf
from ..storage import blobs
from . import trust
from .lib.validation import verify_pdf
from .models import SignatureRecord

SIGNED_MARK = b'/ByteRange'
PROBLEMS = (
    ('not a readable PDF', _l('Tệp không đọc được như một tài liệu PDF.')),
    ('the document has no signatures', _l('Tài liệu không có chữ ký số nào.')),
    ('the signature could not be checked', _l('Chữ ký bị hỏng, không kiểm tra được.')),
    ('the signature has no timestamp', _l('Chữ ký không có dấu thời gian tin cậy.')),
    ('the timestamp is not valid', _l('Dấu thời gian không hợp lệ hoặc không tin cậy.')),
    ('the signed bytes were changed', _l('Nội dung đã bị thay đổi sau khi ký (chữ ký không còn nguyên vẹn).')),
    ('the certificate was revoked', _l('Chứng thư số đã bị thu hồi trước thời điểm ký.')),
    ('the certificate does not chain', _l('Chứng thư số không thuộc tổ chức chứng thực được tin cậy.')),
    ('the signature does not cover', _l('Chữ ký không bao phủ toàn bộ phiên bản tài liệu.')),
    ('the document was changed after signing',
     _l('Tài liệu bị sửa đổi trái phép sau khi ký (thêm trang, chú thích hoặc nội dung).')),
)
SHOWN = ('field', 'type', 'signer', 'issuer', 'signed_at', 'timestamp_at', 'timestamp_authority', 'intact',
         'trusted', 'revoked', 'revoked_at', 'covers_whole_file', 'modified_after_signing', 'modification_level',
         'changes', 'level')


def verify_bytes(data):
    """The verification report for any PDF, against this deployment's trust anchors and CRL."""
    crl = trust.current_crl()
    return verify_pdf(data, trust.trust_roots(), crls=[crl] if crl else [])


def document_report(document):
    """The report for a stored document's current bytes (anything with a `sha256`)."""
    return verify_bytes(blobs().get(document.sha256))


def signature_check_of(data):
    """'valid', 'invalid' or 'unsigned': what a clerk sees when a document arrives."""
    report = verify_bytes(data)
    if not report['signatures'] and report['errors'] == ['the document has no signatures']:
        return 'unsigned'
    return 'valid' if report['valid'] else 'invalid'


def fully_signed(data, *, signatures_needed):
    """Whether the document verifies and carries at least that many signatures (document time stamps,
    which carry validation data, do not count)."""
    report = verify_bytes(data)
    signatures = [s for s in report['signatures'] if s.get('type') == 'signature']
    return report['valid'] and len(signatures) >= signatures_needed


def carries_signatures(documents, *, judged=False):
    """The documents that carry signatures: signed here (by record, also for copies that share the
    signed bytes), judged on arrival (`judged`), or signed elsewhere before they were uploaded.
    Reports are built only for these, since verifying costs real time."""
    if not documents:
        return []
    rows = db.session.query(SignatureRecord.document_id, SignatureRecord.sha256_after).filter(or_(
        SignatureRecord.document_id.in_([d.id for d in documents]),
        SignatureRecord.sha256_after.in_([d.sha256 for d in documents]))).all()
    recorded_ids, recorded_digests = {r[0] for r in rows}, {r[1] for r in rows}
    return [d for d in documents if d.id in recorded_ids or d.sha256 in recorded_digests or judged
            or SIGNED_MARK in blobs().get(d.sha256)]


# ---------------------------------------------------------------- the report for people

def translate_problem(text):
    for prefix, message in PROBLEMS:
        if text.startswith(prefix):
            return str(message)
    return str(_l('Chữ ký không hợp lệ.'))


def present(report):
    """The report as the API and pages show it: same fields, plus problems in the reader's language."""
    signatures = []
    for entry in report['signatures']:
        shown = {key: entry.get(key) for key in SHOWN}
        shown['valid'] = not entry['errors']
        shown['problems'] = [translate_problem(e) for e in entry['errors']]
        signatures.append(shown)
    return {'valid': report['valid'], 'signatures': signatures,
            'problems': [translate_problem(e) for e in report.get('errors', [])]}


def report_for_upload(upload):
    """An uploaded file checked as any upload is (a readable PDF within the size limit), then verified."""
    if upload is None or not upload.filename:
        raise BadInput(_('Hãy chọn một tệp PDF để kiểm tra.'), code='file_required')
    data = upload.read()
    inspect_pdf(data, current_app.config['MAX_UPLOAD_MB'] * 1024 * 1024)
    return present(verify_bytes(data))
