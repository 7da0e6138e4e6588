"""Verification reports in the user's language: the library's findings, named for people."""
from flask_babel import lazy_gettext as _l

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

LEVELS = {'B-B': 'PAdES B-B', 'B-T': 'PAdES B-T', 'B-LT': 'PAdES B-LT', 'B-LTA': 'PAdES B-LTA'}


def translate_problem(text):
    for prefix, message in PROBLEMS:
        if text.startswith(prefix):
            return str(message)
    return str(_l('Chữ ký không hợp lệ.'))


def present(report):
    """The report as the API and pages show it: same fields, plus problems in the user's language."""
    signatures = []
    for entry in report['signatures']:
        shown = {key: entry.get(key) for key in (
            'field', 'type', 'signer', 'issuer', 'signed_at', 'timestamp_at', 'timestamp_authority', 'intact',
            'trusted', 'revoked', 'revoked_at', 'covers_whole_file', 'modified_after_signing',
            'modification_level', 'changes', 'level')}
        shown['valid'] = not entry['errors']
        shown['problems'] = [translate_problem(e) for e in entry['errors']]
        signatures.append(shown)
    return {'valid': report['valid'], 'signatures': signatures,
            'problems': [translate_problem(e) for e in report.get('errors', [])]}
