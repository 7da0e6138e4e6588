"""Bearer tokens: sign in, use, expire, lock."""
import re
from datetime import timedelta

from sqlalchemy import update

from tests.builders import PASSWORD
from workflow.auth.models import ApiToken
from workflow.extensions import db
from workflow.timeutil import now

ISO_WITH_OFFSET = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$')


def test_good_credentials_give_a_token_that_identifies_the_caller(client, org):
    response = client.post('/api/v1/tokens', json={'username': org.spec.username, 'password': PASSWORD})
    assert response.status_code == 201
    body = response.get_json()
    assert ISO_WITH_OFFSET.match(body['expires_at'])
    me = client.get('/api/v1/me', headers={'Authorization': f'Bearer {body["token"]}'})
    assert me.status_code == 200
    assert me.get_json() == {**me.get_json(), 'id': org.spec.id, 'username': org.spec.username,
                             'full_name': org.spec.full_name, 'title': org.spec.title,
                             'unit_id': org.tckh.id, 'roles': ['specialist']}


def test_username_is_case_insensitive(client, org):
    response = client.post('/api/v1/tokens', json={'username': org.spec.username.upper(), 'password': PASSWORD})
    assert response.status_code == 201


def test_bad_password_is_401_with_a_json_error(client, org):
    response = client.post('/api/v1/tokens', json={'username': org.spec.username, 'password': 'sai-mat-khau'})
    assert response.status_code == 401
    assert response.get_json()['error']['code'] == 'invalid_credentials'
    assert 'không đúng' in response.get_json()['error']['message']


def test_unknown_user_is_401_too(client, org, english):
    response = client.post('/api/v1/tokens', json={'username': 'khong-ton-tai', 'password': PASSWORD},
                           headers={'Accept-Language': 'en'})
    assert response.status_code == 401
    assert response.get_json()['error']['message'] == english('Tên đăng nhập hoặc mật khẩu không đúng.')


def test_missing_password_is_400(client, org):
    response = client.post('/api/v1/tokens', json={'username': org.spec.username})
    assert response.status_code == 400
    assert response.get_json()['error']['code'] == 'missing_field'


def test_repeated_failures_make_the_username_wait_with_429_and_retry_after(client, org):
    for _ in range(5):
        response = client.post('/api/v1/tokens', json={'username': org.spec.username, 'password': 'sai'})
        assert response.status_code == 401
    response = client.post('/api/v1/tokens', json={'username': org.spec.username, 'password': PASSWORD})
    assert response.status_code == 429
    assert response.get_json()['error']['code'] == 'login_throttled'
    assert 1 <= int(response.headers['Retry-After']) <= 60  # a delay, not a lock


def test_expired_token_is_401(app, client, api, org):
    headers = api.headers(org.spec)
    assert client.get('/api/v1/me', headers=headers).status_code == 200
    with app.app_context():
        db.session.execute(update(ApiToken).values(expires_at=now() - timedelta(minutes=1)))
        db.session.commit()
    response = client.get('/api/v1/me', headers=headers)
    assert response.status_code == 401
    assert response.get_json()['error']['code'] == 'invalid_token'
    assert response.headers['WWW-Authenticate'].startswith('Bearer')


def test_missing_or_garbage_token_is_401(client, org, english):
    assert client.get('/api/v1/me').status_code == 401
    assert client.get('/api/v1/files', headers={'Authorization': 'Bearer nonsense'}).status_code == 401
    response = client.get('/api/v1/me', headers={'Authorization': 'Basic dXNlcjpwYXNz', 'Accept-Language': 'en'})
    assert response.status_code == 401
    assert response.get_json()['error']['code'] == 'unauthorized'
    assert response.get_json()['error']['message'] == english(
        'Thiếu mã truy cập: gửi tiêu đề "Authorization: Bearer <token>".')


def test_a_deactivated_user_loses_api_access(api, org):
    assert api.get(org.spec, '/me').status_code == 200
    assert api.patch(org.admin, f'/users/{org.spec.id}', {'active': False}).status_code == 200
    assert api.get(org.spec, '/me').status_code == 401


def test_token_requests_are_rate_limited_like_the_login_page(app, monkeypatch, org):
    """A second app on the same database with the limiter switched on (the suite's app has it off)."""
    from workflow import create_app
    from workflow.extensions import limiter

    for attribute in ('enabled', 'initialized'):
        monkeypatch.setattr(limiter, attribute, getattr(limiter, attribute))
    limited = create_app({**{k: app.config[k] for k in ('SQLALCHEMY_DATABASE_URI', 'STORAGE_URL', 'KEYS_DIR',
                                                          'SECRET_KEY', 'PUBLIC_BASE_URL')},
                          'TESTING': True, 'RATELIMIT_ENABLED': True, 'LOGIN_RATE_LIMIT': '3 per minute',
                          'RATELIMIT_STORAGE_URI': 'memory://'})
    client = limited.test_client()
    codes = [client.post('/api/v1/tokens', json={'username': org.spec.username, 'password': PASSWORD}).status_code
             for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    blocked = client.post('/api/v1/tokens', json={'username': org.spec.username, 'password': PASSWORD})
    assert blocked.get_json()['error']['code'] == 'too_many_requests'
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()
