"""Signing in: safe redirects after login, secure cookie settings, the login page rate-limited
(guessing slowed down without locking anyone out: test_throttling.py)."""
from urllib.parse import urlsplit

import pytest

from tests.builders import PASSWORD
from tests.support.pages import login
from workflow import create_app
from workflow.extensions import db, limiter


@pytest.fixture
def specialist(make_unit, make_user):
    return make_user(make_unit('UBND huyện Cờ Đỏ'), ('specialist',), username='cv.an')


@pytest.mark.parametrize('target,expected', [
    ('/files', '/files'),
    ('/registers/incoming?year=2026', '/registers/incoming?year=2026'),
    ('https://evil.example/phish', '/'),
    ('//evil.example/phish', '/'),
    ('/\\evil.example', '/'),
    ('javascript:alert(1)', '/'),
])
def test_after_login_only_same_site_paths_are_followed(client, specialist, target, expected):
    response = client.post('/login', data={'username': 'cv.an', 'password': PASSWORD, 'next': target})
    assert response.status_code == 302
    location = urlsplit(response.headers['Location'])
    assert location.netloc in ('', 'localhost')
    assert location.path + (f'?{location.query}' if location.query else '') == expected


def test_session_cookie_is_http_only_and_same_site(client, specialist):
    response = client.post('/login', data={'username': 'cv.an', 'password': PASSWORD})
    cookie = response.headers['Set-Cookie']
    assert 'HttpOnly' in cookie and 'SameSite=Lax' in cookie


def test_the_login_page_is_rate_limited_per_address(app, monkeypatch, specialist):
    for attribute in ('enabled', 'initialized'):
        monkeypatch.setattr(limiter, attribute, getattr(limiter, attribute))
    limited = create_app({**{k: app.config[k] for k in ('SQLALCHEMY_DATABASE_URI', 'STORAGE_URL', 'KEYS_DIR',
                                                          'SECRET_KEY', 'PUBLIC_BASE_URL')},
                          'TESTING': True, 'WTF_CSRF_ENABLED': False, 'RATELIMIT_ENABLED': True,
                          'LOGIN_RATE_LIMIT': '3 per minute', 'RATELIMIT_STORAGE_URI': 'memory://'})
    client = limited.test_client()
    codes = [client.post('/login', data={'username': 'cv.an', 'password': 'sai'}).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_signed_in_user_is_sent_to_the_inbox(client, specialist):
    login(client, specialist)
    assert client.get('/login').headers['Location'].endswith('/')


def test_nul_characters_in_a_form_are_refused_clearly(client, specialist):
    response = client.post('/login', data={'username': 'cv.an\x00', 'password': PASSWORD})
    assert response.status_code == 400 and 'ký tự không hợp lệ' in response.get_data(as_text=True)
