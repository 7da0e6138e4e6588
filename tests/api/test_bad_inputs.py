"""Bad uploads and bad form fields: a 4xx JSON error in the caller's language, and nothing lost.

Each case is tried both as a new file (nothing is created) and as a document added to an existing
file (its documents stay exactly as they were).
"""
import io

import pytest
from pypdf import PdfReader, PdfWriter

from tests.builders import pdf


def encrypted_pdf():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf())))
    writer.encrypt('mat-khau')
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def oversized_pdf():
    return pdf() + b'\n%' + b'0' * (1024 * 1024 + 10) + b'\n%%EOF\n'


BAD_UPLOADS = {
    # name: (bytes, status, code, Vietnamese message, its parameters)
    'not_pdf': (lambda: 'Đây là một tệp văn bản, không phải PDF'.encode(), 415, 'not_pdf',
                'Tệp không phải là tài liệu PDF.', {}),
    'empty': (lambda: b'', 400, 'empty_file', 'Tệp rỗng, không có nội dung.', {}),
    'encrypted': (encrypted_pdf, 422, 'encrypted_pdf',
                  'Tệp PDF được đặt mật khẩu (mã hóa); hãy tải lên bản không mã hóa.', {}),
    'broken': (lambda: b'%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> garbage', 422, 'broken_pdf',
               'Tệp PDF bị hỏng, không đọc được.', {}),
    'oversized': (oversized_pdf, 413, 'file_too_large', 'Tệp quá lớn: tối đa %(mb)d MB.', {'mb': 1}),
}


def expected_message(lang, english, vietnamese, params):
    return english(vietnamese, **params) if lang == 'en' else (vietnamese % params if params else vietnamese)


@pytest.fixture
def one_mb_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, 'MAX_UPLOAD_MB', 1)


@pytest.mark.parametrize('lang', ['vi', 'en', None])
@pytest.mark.parametrize('case', BAD_UPLOADS)
def test_bad_upload_as_a_new_file_creates_nothing(api, org, one_mb_limit, english, case, lang):
    make, status, code, vietnamese, params = BAD_UPLOADS[case]
    response = api.upload(org.spec, '/files', data=make(), title='Kế hoạch', doc_type='KH', lang=lang)
    assert response.status_code == status
    assert response.get_json()['error'] == {'code': code,
                                            'message': expected_message(lang, english, vietnamese, params)}
    assert api.get(org.spec, '/files').get_json()['total'] == 0


@pytest.mark.parametrize('lang', ['vi', 'en'])
@pytest.mark.parametrize('case', BAD_UPLOADS)
def test_bad_upload_to_an_existing_file_keeps_its_documents(api, org, one_mb_limit, english, case, lang):
    make, status, code, vietnamese, params = BAD_UPLOADS[case]
    created = api.create_file(org.spec)
    before = api.file(org.spec, created['id'])
    response = api.upload(org.spec, f'/files/{created["id"]}/documents', data=make(), kind='main', lang=lang)
    assert response.status_code == status
    assert response.get_json()['error'] == {'code': code,
                                            'message': expected_message(lang, english, vietnamese, params)}
    after = api.file(org.spec, created['id'])
    assert after['documents'] == before['documents']
    assert after['timeline'] == before['timeline']
    assert api.get(org.spec, f'/documents/{before["documents"][0]["id"]}/pdf').data == pdf()


def test_a_request_over_the_body_limit_is_413_json(api, org, app, monkeypatch, english):
    monkeypatch.setitem(app.config, 'MAX_CONTENT_LENGTH', 256 * 1024)
    monkeypatch.setitem(app.config, 'MAX_UPLOAD_MB', 1)
    response = api.upload(org.spec, '/files', data=oversized_pdf(), title='Kế hoạch', doc_type='KH', lang='en')
    assert response.status_code == 413
    assert response.get_json()['error']['message'] == english('Tệp quá lớn: tối đa %(mb)d MB.', mb=1)
    assert api.get(org.spec, '/files').get_json()['total'] == 0


ISO_DATE = 'Trường "%(field)s" phải là ngày ISO 8601 (YYYY-MM-DD hoặc ngày giờ có múi giờ).'
BAD_FIELDS = {
    # name: (form fields, status, code, Vietnamese message, its parameters)
    'unknown doc_type': ({'title': 'Kế hoạch', 'doc_type': 'XYZ'}, 400, 'invalid', 'Loại văn bản không hợp lệ.', {}),
    'unknown urgency': ({'title': 'Kế hoạch', 'doc_type': 'KH', 'urgency': 'asap'}, 400, 'invalid',
                        'Độ khẩn không hợp lệ.', {}),
    'missing title': ({'doc_type': 'KH'}, 400, 'title_required', 'Vui lòng nhập trích yếu (tiêu đề) của văn bản.', {}),
    'blank title': ({'title': '   ', 'doc_type': 'KH'}, 400, 'title_required',
                    'Vui lòng nhập trích yếu (tiêu đề) của văn bản.', {}),
    'bad deadline': ({'title': 'Kế hoạch', 'doc_type': 'KH', 'deadline': '31/12/2026'}, 400, 'invalid_field',
                     ISO_DATE, {'field': 'deadline'}),
    'bad working days': ({'title': 'Kế hoạch', 'doc_type': 'KH', 'deadline_working_days': 'năm'}, 400,
                         'invalid_field', 'Trường "%(field)s" phải là số nguyên.', {'field': 'deadline_working_days'}),
    'bad paper_origin': ({'title': 'Kế hoạch', 'doc_type': 'KH', 'paper_origin': 'có lẽ'}, 400, 'invalid_field',
                         'Trường "%(field)s" phải là true hoặc false.', {'field': 'paper_origin'}),
}


@pytest.mark.parametrize('lang', ['vi', 'en'])
@pytest.mark.parametrize('case', BAD_FIELDS)
def test_bad_fields_on_a_new_file(api, org, english, case, lang):
    fields, status, code, vietnamese, params = BAD_FIELDS[case]
    response = api.upload(org.spec, '/files', lang=lang, **fields)
    assert response.status_code == status
    assert response.get_json()['error'] == {'code': code,
                                            'message': expected_message(lang, english, vietnamese, params)}
    assert api.get(org.spec, '/files').get_json()['total'] == 0


def test_new_file_without_a_pdf(api, org, english):
    response = api.client.post('/api/v1/files', headers=api.headers(org.spec, 'en'),
                               data={'title': 'Kế hoạch', 'doc_type': 'KH'}, content_type='multipart/form-data')
    assert response.status_code == 400
    assert response.get_json()['error'] == {
        'code': 'file_required', 'message': english('Thiếu tệp tải lên (trường "%(field)s").', field='file')}


def test_unknown_document_kind(api, org, english):
    created = api.create_file(org.spec)
    response = api.upload(org.spec, f'/files/{created["id"]}/documents', kind='cover', lang='en')
    assert response.status_code == 400
    assert response.get_json()['error']['message'] == english('Loại tài liệu phải là "main" hoặc "attachment".')
    assert len(api.file(org.spec, created['id'])['documents']) == 1


def test_a_clerk_only_account_can_still_create(api, org):
    """Creating is for specialists, leaders and clerks; an admin-only account is refused."""
    response = api.upload(org.admin, '/files', title='Kế hoạch', doc_type='KH')
    assert response.status_code == 403
    assert api.upload(org.tckh_clerk, '/files', title='Kế hoạch', doc_type='KH').status_code == 201
