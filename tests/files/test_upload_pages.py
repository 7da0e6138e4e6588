"""Bad uploads through the form: a clear Vietnamese message, a 4xx, the user's input kept, nothing stored."""
import io
import re

import pytest
from pypdf import PdfReader, PdfWriter

from tests.builders import pdf
from tests.support.pages import counts, file_id_from, page, upload_file


@pytest.fixture
def org(communes_org):
    """The district UBND and two communes, someone in every role (tests/builders.py)."""
    return communes_org


def _encrypted_pdf():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf())))
    writer.encrypt('matkhau')
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


BAD_UPLOADS = {
    'not_pdf': (b'PK\x03\x04 this is a zip, renamed .pdf', 415, 'Tệp không phải là tài liệu PDF.'),
    'empty': (b'', 400, 'Tệp rỗng, không có nội dung.'),
    'encrypted': (None, 422, 'Tệp PDF được đặt mật khẩu (mã hóa); hãy tải lên bản không mã hóa.'),
    'broken': (b'%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 9 0 R>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF',
               422, 'Tệp PDF bị hỏng, không đọc được.'),
}


@pytest.mark.parametrize('case', sorted(BAD_UPLOADS))
def test_bad_upload_is_refused_with_a_message_and_nothing_is_stored(app, org, as_user, case):
    data, status, message = BAD_UPLOADS[case]
    data = _encrypted_pdf() if data is None else data
    specialist = as_user(org.specialist)
    response = upload_file(specialist, title='Trích yếu phải được giữ lại', data=data, filename='van-ban.pdf')
    body = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in body
    assert 'value="Trích yếu phải được giữ lại"' in body
    assert counts(app) == (0, 0)


def test_upload_above_max_upload_mb_is_refused(app, org, as_user, monkeypatch):
    monkeypatch.setitem(app.config, 'MAX_UPLOAD_MB', 1)
    big = pdf() + b'%' * (1024 * 1024 + 1)
    response = upload_file(as_user(org.specialist), data=big)
    assert response.status_code == 413
    assert 'Tệp quá lớn: tối đa 1 MB.' in response.get_data(as_text=True)
    assert counts(app) == (0, 0)


def test_request_above_the_server_limit_is_refused_before_reading(app, org, as_user, monkeypatch):
    monkeypatch.setitem(app.config, 'MAX_UPLOAD_MB', 1)
    monkeypatch.setitem(app.config, 'MAX_CONTENT_LENGTH', 2 * 1024 * 1024)
    response = upload_file(as_user(org.specialist), data=pdf() + b'%' * (3 * 1024 * 1024))
    assert response.status_code == 413
    assert 'Tệp quá lớn: tối đa 1 MB.' in response.get_data(as_text=True)
    assert counts(app) == (0, 0)


def test_missing_file_and_title_are_form_errors(app, org, as_user):
    specialist = as_user(org.specialist)
    response = specialist.post('/files/new', data={'title': '', 'doc_type': 'QĐ', 'urgency': 'normal'},
                               content_type='multipart/form-data')
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'Vui lòng chọn tệp PDF.' in body and 'Vui lòng nhập trích yếu (tiêu đề) của văn bản.' in body
    assert counts(app) == (0, 0)


def test_bad_attachment_on_the_file_page_keeps_the_file_as_it_was(app, org, as_user):
    specialist = as_user(org.specialist)
    file_id = file_id_from(upload_file(specialist))
    response = specialist.post(f'/files/{file_id}/documents', content_type='multipart/form-data', data={
        'add_document-kind': 'attachment',
        'add_document-upload': (io.BytesIO(_encrypted_pdf()), 'phu-luc.pdf')})
    assert response.status_code == 422
    assert 'Tệp PDF được đặt mật khẩu' in response.get_data(as_text=True)
    assert counts(app) == (1, 1)
    assert 'phu-luc.pdf' not in page(specialist, f'/files/{file_id}')


def test_the_pdf_is_served_to_who_may_see_the_file(app, org, as_user):
    specialist = as_user(org.specialist)
    file_id = file_id_from(upload_file(specialist, filename='Dự thảo quyết định.pdf'))
    text = page(specialist, f'/files/{file_id}')
    document_id = int(re.search(r'/documents/(\d+)/pdf', text).group(1))
    assert '<iframe class="pdf-view' in text
    # Inline only inside the page's viewer (its frame, or pdf.js fetching the bytes): see test_pdf_sandbox.py.
    inline = specialist.get(f'/documents/{document_id}/pdf', headers={'Sec-Fetch-Dest': 'iframe'})
    assert inline.status_code == 200 and inline.mimetype == 'application/pdf'
    assert inline.data == pdf()
    assert 'inline' in inline.headers['Content-Disposition']
    download = specialist.get(f'/documents/{document_id}/pdf?download=1')
    assert 'attachment' in download.headers['Content-Disposition']
    assert as_user(org.commune_clerk).get(f'/documents/{document_id}/pdf').status_code == 404
    assert specialist.get('/documents/999999/pdf').status_code == 404
