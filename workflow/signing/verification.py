"""Verifying signatures against this deployment's trust anchors and revocation data, and the report
in the reader's language (the library's findings, named for people)."""
import hashlib
from datetime import datetime

from cachelib import RedisCache, SimpleCache
from cryptography.hazmat.primitives import serialization
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_

from ..errors import BadInput
from ..extensions import db
from ..pdfcheck import check_pdf_envelope
from ..storage import blobs
from ..timeutil import vn
from . import trust
from .lib import budget
from .lib.changes import ALLOWED, ALLOWED_WHEN_LOCKED
from .models import SignatureRecord

SIGNED_MARK = b'/ByteRange'
UNTRUSTED, CHANGED, TAMPERED = ('the certificate does not chain', 'the document was changed after signing',
                                'the signed bytes were changed')
DAMAGED = 'the signature could not be checked'
# The validator's findings (English, stable prefixes) in the reader's language, the most serious
# first: a changed document is the headline even when other findings follow from it.
PROBLEMS = (
    (budget.TOO_MANY + ' pages', _l('Không kiểm tra: tài liệu có quá nhiều trang.')),
    (budget.TOO_MANY + ' signatures', _l('Không kiểm tra: tài liệu có quá nhiều chữ ký.')),
    (budget.TOO_MANY + ' revisions', _l('Không kiểm tra: tài liệu có quá nhiều lần sửa đổi (phiên bản).')),
    (budget.OUT_OF_TIME, _l('Quá thời gian kiểm tra: tài liệu quá phức tạp để kiểm tra chữ ký.')),
    (budget.CRASHED, _l('Việc kiểm tra bị dừng giữa chừng: tài liệu quá phức tạp để kiểm tra chữ ký.')),
    (budget.BUSY, _l('Hệ thống đang bận kiểm tra các tài liệu khác; vui lòng thử lại sau ít phút.')),
    ('not a readable PDF', _l('Tệp không đọc được như một tài liệu PDF.')),
    ('the document has no signatures', _l('Tài liệu không có chữ ký số nào.')),
    (TAMPERED, _l('Nội dung đã bị thay đổi sau khi ký (chữ ký không còn nguyên vẹn).')),
    (DAMAGED, _l('Chữ ký bị hỏng, không kiểm tra được.')),
    (CHANGED, _l('Tài liệu bị sửa đổi trái phép sau khi ký (thêm trang, chú thích hoặc nội dung).')),
    ('the signature does not cover', _l('Chữ ký không bao phủ toàn bộ phiên bản tài liệu.')),
    ('the certificate was revoked', _l('Chứng thư số đã bị thu hồi trước thời điểm ký.')),
    (UNTRUSTED, _l('Chứng thư số không thuộc tổ chức chứng thực được tin cậy.')),
    ('the timestamp is not valid', _l('Dấu thời gian không hợp lệ hoặc không tin cậy.')),
    ('the signature has no timestamp', _l('Chữ ký không có dấu thời gian tin cậy.')),
)
UNKNOWN_PROBLEM = _l('Chữ ký không hợp lệ.')
# What `changes_after` (lib/changes.py) says happened after a signature, in people's words: the changes
# that void it, ranked as the validator's finding they stand for, and those it allows, as information.
CHANGE_PROBLEMS = {
    'number_or_date': (CHANGED, _l('Số và ngày văn bản bị điền lại sau khi ban hành')),
    'form_field': (CHANGED, _l('Nội dung trường biểu mẫu bị thay đổi sau khi ký')),
    'annotation': (CHANGED, _l('Chú thích bị thêm hoặc sửa sau khi ký')),
    'page': (CHANGED, _l('Trang bị thêm hoặc bị xóa sau khi ký')),
    'content': (CHANGED, _l('Nội dung trang hoặc đối tượng khác bị thay thế sau khi ký')),
    'signed_bytes': (TAMPERED, dict(PROBLEMS)[TAMPERED]),
    'signature_damaged': (DAMAGED, dict(PROBLEMS)[DAMAGED]),
    # allowed after other signatures, not after one that locks everything (the seal's)
    'later_signature': (CHANGED, _l('Một chữ ký số khác được thêm vào sau chữ ký khóa toàn bộ văn bản')),
    'issuance': (CHANGED, _l('Số, ngày văn bản được điền sau chữ ký khóa toàn bộ văn bản')),
}
ALONE = ('signed_bytes', 'signature_damaged')  # said without the fields they concern
CHANGE_NOTES = {
    'later_signature': _l('Sau chữ ký này: một chữ ký số khác được thêm vào (được phép).'),
    'validation_data': _l('Sau chữ ký này: bổ sung dữ liệu xác thực lâu dài '
                          '(tình trạng chứng thư, dấu thời gian lưu trữ) (được phép).'),
    'issuance': _l('Sau chữ ký này: văn thư điền số, ngày và đóng dấu khi ban hành.'),
}
UNKNOWN_CHANGE = (CHANGED, _l('Tài liệu bị thay đổi sau khi ký'))
TIMES = ('signed_at', 'timestamp_at', 'revoked_at')
SHOWN = ('field', 'type', 'signer', 'issuer', 'signed_at', 'timestamp_at', 'timestamp_authority', 'intact',
         'trusted', 'revoked', 'revoked_at', 'covers_whole_file', 'modified_after_signing', 'modification_level',
         'changes', 'level', 'signer_name', 'signer_title', 'signer_organisation', 'signer_serial', 'issuer_name',
         'timestamp_authority_name', 'locks')


CACHE_SECONDS = 3600  # a report also depends on the time (certificates expire): kept an hour at most


def verify_bytes(data):
    """The verification report for any PDF, against this deployment's trust anchors and CRL.

    Bounded (lib/budget.py): too many pages, signatures or revisions give a refusal as the report,
    and the work runs in a child process killed after VERIFY_TIMEOUT_SECONDS. Reports are kept by
    the bytes' digest and the trust state (anchors, CRL), so a file page shown again, or the same
    file sent again to /verify, costs a lookup."""
    roots = [root.public_bytes(serialization.Encoding.DER) for root in trust.trust_roots()]
    limits = verification_limits()
    # The CRL is signed anew on every call (its time and number change): the key names what it lists.
    key = _cache_key(data, roots, repr(sorted(trust.revocations())).encode(), limits)
    report = _cache().get(key)
    if report is None:
        crl = trust.current_crl()
        report = budget.verify_within(data, roots, [crl] if crl else [], limits)
        if not report.get('busy'):  # a refusal for want of a free slot says nothing about the file
            _cache().set(key, report, timeout=CACHE_SECONDS)
    return report


def verification_limits():
    config = current_app.config
    return budget.Limits(pages=config['VERIFY_MAX_PAGES'], signatures=config['VERIFY_MAX_SIGNATURES'],
                         revisions=config['VERIFY_MAX_REVISIONS'], seconds=config['VERIFY_TIMEOUT_SECONDS'],
                         at_once=config['VERIFY_AT_ONCE'])


def _cache_key(data, roots, revoked, limits):
    digest = hashlib.sha256()
    for part in (data, *roots, revoked, repr(limits).encode()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _cache():
    """The reports' store: Redis when REDIS_URL is set (shared by every worker), else this process's."""
    store = current_app.extensions.get('verification_cache')
    if store is None:
        url = current_app.config.get('REDIS_URL')
        if url:
            import redis
            store = RedisCache(host=redis.Redis.from_url(url), key_prefix=_redis_prefix(),
                               default_timeout=CACHE_SECONDS)
        else:
            store = SimpleCache(threshold=500, default_timeout=CACHE_SECONDS)
        store = current_app.extensions.setdefault('verification_cache', store)
    return store


def _redis_prefix():
    # Deployments may share a Redis: the prefix names this one's database.
    database = hashlib.blake2b(current_app.config['SQLALCHEMY_DATABASE_URI'].encode(), digest_size=6).hexdigest()
    return f'workflow:verification:{database}:'


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
    """One of the validator's findings in the reader's language."""
    rank = _rank(text)
    return str(PROBLEMS[rank][1] if rank < len(PROBLEMS) else UNKNOWN_PROBLEM)


def _rank(text):
    """How serious a finding is: its place in PROBLEMS (unknown ones last)."""
    return next((i for i, (prefix, _message) in enumerate(PROBLEMS) if text.startswith(prefix)), len(PROBLEMS))


def present(report):
    """The report as the API and pages show it: the validator's fields (times with the Vietnam offset),
    the signer as people name them, problems and allowed changes in the reader's language, the most
    serious problem of the whole document as its `headline`."""
    ranked = [(_rank(e), translate_problem(e)) for e in report.get('errors', [])]
    signatures = []
    for entry in report['signatures']:
        shown, problems = _present_signature(entry)
        ranked += problems
        signatures.append(shown)
    return {'valid': report['valid'], 'signatures': signatures,
            'problems': [translate_problem(e) for e in report.get('errors', [])],
            'headline': _most_serious(ranked) if not report['valid'] else None}


def _by_rank(problem):
    return problem[0]


def _most_serious(ranked):
    """The text of the most serious (rank, text) problem, the first of equals; None if there is none."""
    return min(ranked, key=_by_rank)[1] if ranked else None


def _present_signature(entry):
    shown = {key: entry.get(key) for key in SHOWN}
    shown.update({key: vn_iso(entry.get(key)) for key in TIMES})
    changes_after = [_change(c) for c in entry.get('changes_after') or ()]
    problems = sorted(_ranked_problems(entry, changes_after), key=_by_rank)
    shown.update(
        valid=not entry['errors'], trust_checked=bool(entry.get('intact')), changes_after=changes_after,
        problems=[text for _rank_, text in problems], notes=_notes(entry, changes_after),
        errors=list(entry['errors']), who=_who(entry),
        signed_at_text=moment_text(entry.get('signed_at')), timestamp_at_text=moment_text(entry.get('timestamp_at')),
        revoked_at_text=moment_text(entry.get('revoked_at')))
    # what the page lists under "changed after signing": the changes that void it, then those allowed
    shown['changes_told'] = list(dict.fromkeys(
        [text for _rank_, text in _disallowed(entry, changes_after)] + shown['notes']))
    return shown, problems


def _allowed(entry):
    """The kinds of change this signature allows after it (lib/changes.py)."""
    return ALLOWED_WHEN_LOCKED if entry.get('locks') == 'everything' else ALLOWED


def _ranked_problems(entry, changes_after):
    """(rank, text) for each problem, once. Validation stops at a broken signature before the certificate
    is checked, so a changed document is never blamed on its certificate; specific changes replace
    the generic 'changed after signing'."""
    described = _disallowed(entry, changes_after)
    errors = [e for e in entry['errors']
              if not (e.startswith(UNTRUSTED) and not entry.get('intact'))
              and not (e.startswith(CHANGED) and described)]
    found = {}
    for rank, text in [(_rank(e), translate_problem(e)) for e in errors] + described:
        found.setdefault(text, rank)
    return [(rank, text) for text, rank in found.items()]


def _disallowed(entry, changes_after):
    """(rank, text) of each change after the signature that it does not allow."""
    allowed = _allowed(entry)
    return [_described(change) for change in changes_after if change['kind'] not in allowed]


def _change(change):
    return {'kind': change.get('kind'), 'fields': list(change.get('fields') or ()),
            'revision': change.get('revision'), 'by': change.get('by')}


def _described(change):
    finding, sentence = CHANGE_PROBLEMS.get(change['kind'], UNKNOWN_CHANGE)
    text = str(sentence)
    if change['fields'] and change['kind'] not in ALONE:
        text = _('%(change)s (trường: %(fields)s).', change=text, fields=', '.join(change['fields']))
    elif not text.endswith('.'):
        text += '.'
    return _rank(finding), text


def _notes(entry, changes_after):
    """The changes this signature allows after it, as information, each once."""
    allowed = _allowed(entry)
    return list(dict.fromkeys(str(CHANGE_NOTES[c['kind']]) for c in changes_after
                              if c['kind'] in allowed and c['kind'] in CHANGE_NOTES))


def _who(entry):
    """Name, title, organisation — each once (a seal's certificate names the organisation twice)."""
    parts = [entry.get('signer_name'), entry.get('signer_title'), entry.get('signer_organisation')]
    return ', '.join(dict.fromkeys(p for p in parts if p)) or entry.get('signer')


def vn_iso(text):
    """An ISO 8601 time from the validator, with the Vietnam offset (+07:00)."""
    moment = _moment(text)
    return vn(moment).isoformat() if moment else text


def moment_text(text):
    """An ISO 8601 time as Vietnamese people write it, on the Vietnamese clock: '09:15:02 ngày 05/01/2026'."""
    moment = _moment(text)
    if moment is None:
        return None
    local = vn(moment)
    return _('%(time)s ngày %(date)s', time=local.strftime('%H:%M:%S'), date=local.strftime('%d/%m/%Y'))


def _moment(text):
    try:
        return datetime.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None


def report_for_upload(upload):
    """An uploaded file checked as any upload is (a readable PDF within the size limit), then verified."""
    if upload is None or not upload.filename:
        raise BadInput(_('Hãy chọn một tệp PDF để kiểm tra.'), code='file_required')
    data = upload.read()
    # Only what is seen without parsing: a full parse (pypdf walks every page) is the child's work.
    check_pdf_envelope(data, current_app.config['MAX_UPLOAD_MB'] * 1024 * 1024)
    return present(verify_bytes(data))
