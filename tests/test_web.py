"""Language switch remembered per user; CSP and pages without inline script; other units see 404."""
import re

import pytest

from tests.support.pages import act, file_id_from, issued_through_pages, page, upload_file


@pytest.fixture
def org(communes_org):
    """The district UBND and two communes, someone in every role (tests/builders.py)."""
    return communes_org


def test_language_switch_shows_english_and_is_remembered_after_login(app, org, as_user):
    browser = as_user(org.specialist)
    assert 'Hộp đến' in page(browser, '/')
    response = browser.post('/locale/en', data={'next': '/files'})
    assert response.status_code == 302 and response.headers['Location'].endswith('/files')
    english = page(browser, '/')
    assert 'Inbox' in english and 'Hộp đến' not in english and '<html lang="en">' in english
    browser.post('/logout')
    again = as_user(org.specialist)
    assert 'Inbox' in page(again, '/')
    assert 'Hộp đến' in page(as_user(org.leader), '/')  # another person keeps Vietnamese


def test_account_page_sets_the_language(app, org, as_user):
    browser = as_user(org.clerk)
    assert 'Ngôn ngữ giao diện' in page(browser, '/account')
    response = browser.post('/account', data={'locale': 'en'})
    assert response.status_code == 302
    assert 'Inbox' in page(as_user(org.clerk), '/')
    browser.post('/account', data={'locale': 'vi'})
    assert 'Hộp đến' in page(as_user(org.clerk), '/')


def test_error_messages_follow_the_language(app, org, as_user):
    browser = as_user(org.specialist)
    browser.post('/locale/en')
    response = upload_file(browser, data=b'not a pdf at all')
    assert response.status_code == 415
    body = response.get_data(as_text=True)
    assert 'Tệp không phải là tài liệu PDF.' not in body and 'not a PDF' in body


def test_a_user_of_another_unit_gets_404_on_the_file(app, org, as_user):
    file_id = file_id_from(upload_file(as_user(org.specialist)))
    outsider = as_user(org.commune_clerk)
    assert outsider.get(f'/files/{file_id}').status_code == 404
    assert act(outsider, file_id, 'forward', purpose='handle', to_user=org.commune_leader.id,
               to_unit=0).status_code == 404
    assert outsider.get('/files/987654').status_code == 404
    assert 'Trích yếu' not in outsider.get(f'/files/{file_id}').get_data(as_text=True)


def test_a_visible_file_acted_on_by_a_non_holder_is_refused(app, org, as_user):
    file_id = file_id_from(upload_file(as_user(org.specialist)))
    colleague = as_user(org.clerk)  # same unit: may see, may not act
    assert 'id="form-issue"' not in page(colleague, f'/files/{file_id}')
    response = act(colleague, file_id, 'issue', recipients=[org.commune.id])
    assert response.status_code == 403
    assert 'Bạn không có quyền thực hiện thao tác này với hồ sơ.' in response.get_data(as_text=True)


INLINE_SCRIPT = re.compile(r'<script(?![^>]*\bsrc=)[^>]*>', re.IGNORECASE)
INLINE_HANDLER = re.compile(r'\son[a-z]+\s*=', re.IGNORECASE)
INLINE_STYLE = re.compile(r'\sstyle\s*=', re.IGNORECASE)


def test_pages_send_csp_and_carry_no_inline_script_or_style(app, org, as_user, client):
    source = issued_through_pages(app, org, as_user)
    urls = {org.specialist: ['/', '/sent', '/files', '/files/new', f'/files/{source}', '/account'],
            org.clerk: ['/registers/incoming', '/registers/outgoing', f'/files/{source}'],
            org.commune_clerk: ['/files/paper'],
            org.admin: ['/admin/units', '/admin/units/new', '/admin/users', '/admin/users/new',
                        f'/admin/users/{org.specialist.id}/edit']}
    pages = [('/login', client.get('/login'))]
    for user, paths in urls.items():
        browser = as_user(user)
        pages += [(path, browser.get(path)) for path in paths]
    for path, response in pages:
        assert response.status_code == 200, path
        csp = response.headers.get('Content-Security-Policy', '')
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, path
        html = response.get_data(as_text=True)
        assert '<script' in html, path  # the page does load its scripts, from files
        assert not INLINE_SCRIPT.search(html), path
        assert not INLINE_HANDLER.search(html), path
        assert not INLINE_STYLE.search(html), path
        assert 'name="csrf_token"' in html, path


def test_forms_carry_a_csrf_token_and_are_refused_without_it(app, org, make_user):
    app.config['WTF_CSRF_ENABLED'] = True
    try:
        browser = app.test_client()
        html = browser.get('/login').get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        refused = browser.post('/login', data={'username': org.specialist.username, 'password': 'Matkhau@123'})
        assert refused.status_code == 400
        accepted = browser.post('/login', data={'username': org.specialist.username, 'password': 'Matkhau@123',
                                                'csrf_token': token})
        assert accepted.status_code == 302
    finally:
        app.config['WTF_CSRF_ENABLED'] = False
