"""The verification report in the reader's words: who signed (name, title, organisation), when (on the
Vietnamese clock), whether the signature holds and what changed after it; the validator's own terms
only behind "Chi tiết kỹ thuật". A changed document is never blamed on its certificate."""
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.builders import signed_and_issued
from tests.signing.conftest import html
from tests.signing.lib.test_tampering import refilled_number_and_date
from workflow.signing.verification import present, verify_bytes
from workflow.storage import blobs

VN_TIME = re.compile(r'\d\d:\d\d:\d\d ngày \d\d/\d\d/\d{4}')
ISO_TIME = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d')
TAMPERED = 'Nội dung đã bị thay đổi sau khi ký (chữ ký không còn nguyên vẹn).'
UNTRUSTED = 'Chứng thư số không thuộc tổ chức chứng thực được tin cậy.'
SUBJECT = 'Common Name: Nguyễn Văn Mến, Title: Chủ tịch, Organization: UBND huyện Cờ Đỏ, Country: VN'


def _entry(**changes):
    """A signature entry as lib/validation.py builds it: the chairman's, intact and trusted."""
    entry = {'field': 'signer', 'type': 'signature', 'signer': SUBJECT,
             'issuer': 'Common Name: UBND huyện Cờ Đỏ Root CA, Organization: UBND huyện Cờ Đỏ, Country: VN',
             'signed_at': '2026-01-05T02:15:02+00:00', 'timestamp_at': '2026-01-05T02:15:03.250000+00:00',
             'timestamp_authority': 'Common Name: UBND huyện Cờ Đỏ Timestamp Authority, Country: VN',
             'intact': True, 'trusted': True, 'revoked': False, 'revoked_at': None, 'covers_whole_file': False,
             'modified_after_signing': True, 'modification_level': 'FORM_FILLING',
             'changes': 'form fields filled or signed later: issue_day, issue_number', 'level': 'B-LT',
             'signer_name': 'Nguyễn Văn Mến', 'signer_title': 'Chủ tịch', 'signer_organisation': 'UBND huyện Cờ Đỏ',
             'signer_serial': '3f2a', 'issuer_name': 'UBND huyện Cờ Đỏ Root CA',
             'timestamp_authority_name': 'UBND huyện Cờ Đỏ Timestamp Authority', 'errors': []}
    return {**entry, **changes}


def _presented(*entries, locale='vi', errors=()):
    report = {'valid': all(not e['errors'] for e in entries) and bool(entries), 'signatures': list(entries),
              'errors': list(errors)}
    with force_locale(locale):
        return present(report)


@pytest.fixture
def request_ctx(app):
    with app.test_request_context('/'):
        yield


# ---------------------------------------------------------------- the presenter, on hand-built entries

@pytest.mark.nodb
def test_the_signer_is_named_as_people_name_them_on_the_vietnamese_clock(request_ctx):
    shown = _presented(_entry())['signatures'][0]
    assert shown['who'] == 'Nguyễn Văn Mến, Chủ tịch, UBND huyện Cờ Đỏ'
    assert shown['signed_at_text'] == '09:15:02 ngày 05/01/2026'
    assert shown['timestamp_at_text'] == '09:15:03 ngày 05/01/2026'
    assert shown['signed_at'] == '2026-01-05T09:15:02+07:00'  # the same instant, with the Vietnam offset
    assert shown['timestamp_at'] == '2026-01-05T09:15:03.250000+07:00'
    assert shown['valid'] and shown['problems'] == [] and shown['trust_checked']
    english = _presented(_entry(), locale='en')['signatures'][0]
    assert english['signed_at_text'] == '09:15:02 on 05/01/2026'


@pytest.mark.nodb
def test_a_revoked_certificate_says_when(request_ctx):
    revoked = _entry(revoked=True, revoked_at='2026-01-04T17:30:00+00:00',
                     errors=['the certificate was revoked before signing'])
    shown = _presented(revoked)['signatures'][0]
    assert shown['revoked_at_text'] == '00:30:00 ngày 05/01/2026' and shown['revoked_at'] == '2026-01-05T00:30:00+07:00'
    assert shown['problems'] == ['Chứng thư số đã bị thu hồi trước thời điểm ký.']


@pytest.mark.nodb
def test_a_seal_names_its_organisation_once(request_ctx):
    seal = _entry(signer_name='UBND huyện Cờ Đỏ', signer_title=None, signer_organisation='UBND huyện Cờ Đỏ')
    assert _presented(seal)['signatures'][0]['who'] == 'UBND huyện Cờ Đỏ'


@pytest.mark.nodb
def test_changes_after_a_signature_are_told_in_plain_sentences(request_ctx):
    refilled = _entry(
        changes_after=[{'kind': 'number_or_date', 'fields': ['issue_number', 'issue_day'], 'revision': 4},
                       {'kind': 'annotation', 'fields': [], 'revision': 4}],
        errors=['the document was changed after signing (There are unexplained xrefs in revision 4)'])
    report = _presented(refilled)
    shown = report['signatures'][0]
    assert shown['problems'] == [
        'Số và ngày văn bản bị điền lại sau khi ban hành (trường: issue_number, issue_day).',
        'Chú thích bị thêm hoặc sửa sau khi ký.']  # the specific sentences replace the generic one
    assert report['headline'] == shown['problems'][0] and not shown['valid']
    assert shown['changes_after'][0] == {'kind': 'number_or_date', 'fields': ['issue_number', 'issue_day'],
                                         'revision': 4, 'by': None}
    assert shown['errors'] == refilled['errors']  # pyHanko's words stay for the technical details
    english = _presented(refilled, locale='en')['signatures'][0]['problems']
    assert english[0] == ("The document's number and date were filled in again after issuance "
                          '(fields: issue_number, issue_day).')


@pytest.mark.nodb
def test_allowed_changes_are_information_not_problems(request_ctx):
    issued = _entry(changes_after=[
        {'kind': 'issuance', 'fields': ['issue_number', 'issue_day', 'organisation'], 'revision': 2},
        {'kind': 'later_signature', 'fields': ['organisation'], 'revision': 2},
        {'kind': 'validation_data', 'fields': [], 'revision': 3}])
    report = _presented(issued)
    shown = report['signatures'][0]
    assert shown['problems'] == [] and report['headline'] is None and report['valid']
    assert shown['notes'] == [
        'Sau chữ ký này: văn thư điền số, ngày và đóng dấu khi ban hành.',
        'Sau chữ ký này: một chữ ký số khác được thêm vào (được phép).',
        'Sau chữ ký này: bổ sung dữ liệu xác thực lâu dài (tình trạng chứng thư, dấu thời gian lưu trữ) (được phép).']
    untouched = _presented(_entry(changes_after=[], modified_after_signing=False))['signatures'][0]
    assert untouched['notes'] == [] and untouched['problems'] == []


@pytest.mark.nodb
def test_after_a_signature_that_locks_everything_only_validation_data_is_allowed(request_ctx):
    seal = _entry(field='organisation', locks='everything', errors=['the document was changed after signing (x)'],
                  changes_after=[{'kind': 'validation_data', 'fields': [], 'revision': 3, 'by': 'doc-timestamp-1'},
                                 {'kind': 'later_signature', 'fields': ['extra'], 'revision': 4, 'by': 'extra'}])
    shown = _presented(seal)['signatures'][0]
    assert shown['problems'] == ['Một chữ ký số khác được thêm vào sau chữ ký khóa toàn bộ văn bản (trường: extra).']
    assert shown['notes'] == [
        'Sau chữ ký này: bổ sung dữ liệu xác thực lâu dài (tình trạng chứng thư, dấu thời gian lưu trữ) (được phép).']
    assert shown['changes_after'][1]['by'] == 'extra'


@pytest.mark.nodb
def test_a_damaged_signature_is_said_once(request_ctx):
    damaged = _entry(intact=False, trusted=False, errors=['the signature could not be checked: bad CMS'],
                     changes_after=[{'kind': 'signature_damaged', 'fields': ['organisation'], 'revision': None}])
    assert _presented(damaged)['signatures'][0]['problems'] == ['Chữ ký bị hỏng, không kiểm tra được.']


@pytest.mark.nodb
def test_a_broken_signature_is_not_blamed_on_its_certificate(request_ctx):
    # pyHanko stops before the certificate when the digest does not match: trusted=False means "not checked"
    broken = _entry(intact=False, trusted=False, errors=[
        'the signed bytes were changed or the signature is broken', 'the certificate does not chain to a trusted root'])
    report = _presented(broken)
    shown = report['signatures'][0]
    assert shown['problems'] == [TAMPERED] and report['headline'] == TAMPERED
    assert not shown['trust_checked'] and shown['trusted'] is False  # the contract's field keeps its value
    foreign = _presented(_entry(trusted=False, errors=['the certificate does not chain to a trusted root']))
    assert foreign['signatures'][0]['problems'] == [UNTRUSTED] and foreign['signatures'][0]['trust_checked']


@pytest.mark.nodb
def test_the_headline_is_the_most_serious_problem_of_the_document(request_ctx):
    late = _entry(field='organisation', errors=['the signature has no timestamp'])
    broken = _entry(intact=False, trusted=False, errors=['the signed bytes were changed or the signature is broken'])
    assert _presented(late, broken)['headline'] == TAMPERED
    assert _presented(errors=['the document has no signatures'])['headline'] == 'Tài liệu không có chữ ký số nào.'


# ---------------------------------------------------------------- the public page, on a really signed document

def _issued_pdf(sorg):
    file = signed_and_issued(sorg)
    return blobs().get(file.main_document.sha256)


def _tampered(data):
    """One bit flipped in the first page's content stream: inside every signature's signed range."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    number = reader.root['/Pages']['/Kids'][0].raw_get('/Contents').idnum
    start = re.search(rb'(?<![0-9])%d 0 obj' % number, data).end()
    position = data.index(b'stream', start) + 12
    assert all(not (sig.byte_range[1] <= position < sig.byte_range[2]) for sig in reader.embedded_signatures)
    return data[:position] + bytes([data[position] ^ 1]) + data[position + 1:]


def _verify_page(app, client, data):
    # in an application context of its own, as each real request has: the one the test holds for
    # `sorg` would keep the language of the first request made in it
    with app.app_context():
        return html(client.post('/verify', data={'file': (io.BytesIO(data), 'qd.pdf')},
                                content_type='multipart/form-data'))


def _outside_details(text):
    return re.sub(r'<details class="technical">.*?</details>', '', text)


def _vn_clock(iso, words='ngày'):
    return datetime.fromisoformat(iso).astimezone(ZoneInfo('Asia/Ho_Chi_Minh')).strftime(f'%H:%M:%S {words} %d/%m/%Y')


def test_the_public_page_says_who_signed_and_when_in_vietnamese(app, sorg, client):
    issued = _issued_pdf(sorg)
    raw = verify_bytes(issued)['signatures']
    text = _verify_page(app, client, issued)
    people = _outside_details(text)
    assert 'data-valid="true"' in text
    assert '<dd class="signer-name">Nguyễn Văn Mến</dd>' in people
    assert '<dd class="signer-title">Chủ tịch</dd>' in people
    assert '<dd class="signer-organisation">UBND huyện Cờ Đỏ</dd>' in people
    assert f'<dd class="signed-at">{_vn_clock(raw[0]["signed_at"])}</dd>' in people
    assert 'UBND huyện Cờ Đỏ Timestamp Authority xác nhận lúc' in people
    assert 'Sau chữ ký này: văn thư điền số, ngày và đóng dấu khi ban hành.' in people  # after the chairman's
    assert 'Common Name' not in people and not ISO_TIME.search(people) and '+00:00' not in people
    assert 'ct.huyen' not in people and 'H17' not in people  # identifiers in the subject, not names
    assert 'form fields filled' not in people and 'FORM_FILLING' not in people and 'issuance' not in people
    # the technical terms are there, behind the toggle
    technical = ''.join(re.findall(r'<details class="technical">.*?</details>', text))
    assert text.count('<summary>Chi tiết kỹ thuật</summary>') == len(raw)  # the signer, the seal, the archive stamp
    assert 'Common Name: Nguyễn Văn Mến' in technical and 'B-LT' in technical
    assert 'form fields filled or signed later' in technical and 'ct.huyen' in technical
    assert 'issuance: issue_day, issue_month, issue_number, organisation (bởi organisation)' in technical
    assert re.search(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00', technical)


def test_the_public_page_speaks_english_when_chosen(app, sorg, client, english):
    issued = _issued_pdf(sorg)
    raw = verify_bytes(issued)['signatures']
    client.post('/locale/en', data={'next': '/verify'})
    people = _outside_details(_verify_page(app, client, issued))
    assert english('Tất cả chữ ký số hợp lệ') in people
    assert '<dd class="signer-name">Nguyễn Văn Mến</dd>' in people
    assert f'<dd class="signed-at">{_vn_clock(raw[0]["signed_at"], "on")}</dd>' in people
    assert 'Technical details' in _verify_page(app, client, issued) and 'Chi tiết kỹ thuật' not in people
    assert 'Người ký' not in people and 'ngày' not in people and 'Common Name' not in people


def test_a_tampered_copy_is_reported_as_changed_not_as_untrusted(app, sorg, client, english):
    tampered = _tampered(_issued_pdf(sorg))
    text = _verify_page(app, client, tampered)
    people = _outside_details(text)
    assert 'data-valid="false"' in text
    assert f'<p class="headline problem"><strong>{TAMPERED}</strong></p>' in people
    assert UNTRUSTED not in text and 'không thuộc tổ chức chứng thực' not in text
    assert 'không xác định được vì chữ ký không còn nguyên vẹn' in people
    client.post('/locale/en', data={'next': '/verify'})
    in_english = _verify_page(app, client, tampered)
    assert english(TAMPERED) in in_english and english(UNTRUSTED) not in in_english
    with app.app_context():
        answer = client.post('/api/v1/verify', data={'file': (io.BytesIO(tampered), 'qd.pdf')},
                             content_type='multipart/form-data').get_json()
    assert answer['valid'] is False and answer['headline'] == TAMPERED  # Vietnamese: no Accept-Language
    assert all(not s['intact'] and not s['trust_checked'] and s['problems'] == [TAMPERED] for s in answer['signatures'])


def test_a_refilled_number_is_told_in_words_with_pyhankos_message_behind_the_toggle(app, sorg, client):
    text = _verify_page(app, client, refilled_number_and_date(_issued_pdf(sorg)))
    people = _outside_details(text)
    refilled = 'Số và ngày văn bản bị điền lại sau khi ban hành (trường: issue_day, issue_number).'
    assert 'data-valid="false"' in text and f'<strong>{refilled}</strong>' in people
    assert 'Update of Reference' not in people and 'xref' not in people and 'number_or_date' not in people
    assert 'Update of Reference' in text and 'number_or_date: issue_day, issue_number' in text  # technical details
    assert UNTRUSTED not in text
