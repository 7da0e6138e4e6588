"""Sessions end on the server: logout, a password change and deactivation end every session,
remember-me cookie and (for the last two) API token of the person. Committed for real: on PostgreSQL
the signed-in person is read on a pooled connection of its own (auth/sessions.py)."""
import pytest
from sqlalchemy import select

from tests.builders import PASSWORD
from tests.support.api import api_token
from workflow.audit import AuditEntry
from workflow.extensions import db

pytestmark = pytest.mark.committing
NEW_PASSWORD = 'Ca phao sen nở 2026'
REMEMBER = 'remember_token'


@pytest.fixture
def unit(make_unit):
    return make_unit('UBND huyện Cờ Đỏ')


@pytest.fixture
def specialist(unit, make_user):
    return make_user(unit, ('specialist',), username='cv.an')


@pytest.fixture
def admin(unit, make_user):
    return make_user(unit, ('admin',), username='qt.vien')


def _signed_in(app, username=None, password=PASSWORD, remember=False):
    client = app.test_client()
    answer = client.post('/login', data={'username': username, 'password': password,
                                         **({'remember': 'y'} if remember else {})})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    return client


def _with_cookies(app, **cookies):
    """A fresh browser holding only the given cookies (copied from another: a stolen or kept cookie)."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def _is_signed_in(client):
    return client.get('/account').status_code == 200


def test_logout_ends_the_session_cookie_and_the_remember_me_cookie(app, specialist):
    client = _signed_in(app, 'cv.an', remember=True)
    session, remember = client.get_cookie('session').value, client.get_cookie(REMEMBER).value
    assert _is_signed_in(_with_cookies(app, session=session))
    assert _is_signed_in(_with_cookies(app, **{REMEMBER: remember}))

    assert client.post('/logout').status_code == 302
    assert not _is_signed_in(_with_cookies(app, session=session))  # the old session cookie, replayed
    assert not _is_signed_in(_with_cookies(app, **{REMEMBER: remember}))  # the old remember-me cookie
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.object_id == specialist.id)
                                 .order_by(AuditEntry.id.desc()).limit(1)) == 'logout'


def test_a_new_login_gets_a_new_remember_me_cookie(app, specialist):
    first = _signed_in(app, 'cv.an', remember=True).get_cookie(REMEMBER).value
    other = _signed_in(app, 'cv.an', remember=True)
    other.post('/logout')
    again = _signed_in(app, 'cv.an', remember=True).get_cookie(REMEMBER).value
    assert again != first  # not fixed per user: it changes with every logout or password change


def test_the_remember_me_cookie_lasts_thirty_days_not_a_year(app, specialist):
    client = app.test_client()
    answer = client.post('/login', data={'username': 'cv.an', 'password': PASSWORD, 'remember': 'y'})
    cookie = next(c for c in answer.headers.getlist('Set-Cookie') if c.startswith(REMEMBER))
    assert 'Max-Age=2592000' in cookie or 'Expires' in cookie
    assert app.config['REMEMBER_COOKIE_DURATION'].days == 30


def test_changing_ones_password_ends_every_other_session_cookie_and_token(app, specialist):
    here = _signed_in(app, 'cv.an')
    elsewhere = _signed_in(app, 'cv.an', remember=True)
    remember = elsewhere.get_cookie(REMEMBER).value
    token = api_token(app.test_client(), specialist)
    assert app.test_client().get('/api/v1/me', headers=token).status_code == 200

    answer = here.post('/account/password', data={'current': PASSWORD, 'password': NEW_PASSWORD,
                                                  'confirm': NEW_PASSWORD})
    assert answer.status_code == 302
    assert _is_signed_in(here)  # the browser it was changed from stays signed in
    assert not _is_signed_in(elsewhere)
    assert not _is_signed_in(_with_cookies(app, **{REMEMBER: remember}))
    assert app.test_client().get('/api/v1/me', headers=token).status_code == 401
    assert _is_signed_in(_signed_in(app, 'cv.an', NEW_PASSWORD))


def test_changing_ones_password_needs_the_current_one_and_a_good_new_one(app, specialist):
    client = _signed_in(app, 'cv.an')
    wrong = client.post('/account/password', data={'current': 'sai', 'password': NEW_PASSWORD,
                                                   'confirm': NEW_PASSWORD})
    assert wrong.status_code == 400 and 'Mật khẩu hiện tại không đúng' in wrong.get_data(as_text=True)
    weak = client.post('/account/password', data={'current': PASSWORD, 'password': '1234567890',
                                                  'confirm': '1234567890'})
    assert weak.status_code == 400 and 'quá phổ biến' in weak.get_data(as_text=True)
    assert _is_signed_in(client)  # nothing changed: still signed in with the old password
    assert _is_signed_in(_signed_in(app, 'cv.an'))


def test_an_admins_password_reset_ends_the_persons_sessions_and_tokens(app, specialist, admin):
    victim = _signed_in(app, 'cv.an', remember=True)
    remember = victim.get_cookie(REMEMBER).value
    token = api_token(app.test_client(), specialist)
    admin_token = api_token(app.test_client(), admin)
    answer = app.test_client().post(f'/api/v1/users/{specialist.id}/password', json={'password': NEW_PASSWORD},
                                    headers=admin_token)
    assert answer.status_code == 204
    assert not _is_signed_in(victim)
    assert not _is_signed_in(_with_cookies(app, **{REMEMBER: remember}))
    assert app.test_client().get('/api/v1/me', headers=token).status_code == 401


def test_deactivation_ends_sessions_and_revokes_tokens_for_good(app, specialist, admin):
    victim = _signed_in(app, 'cv.an', remember=True)
    session, remember = victim.get_cookie('session').value, victim.get_cookie(REMEMBER).value
    token = api_token(app.test_client(), specialist)
    admin_token = api_token(app.test_client(), admin)
    client = app.test_client()
    assert client.patch(f'/api/v1/users/{specialist.id}', json={'active': False},
                        headers=admin_token).status_code == 200
    assert client.patch(f'/api/v1/users/{specialist.id}', json={'active': True},
                        headers=admin_token).status_code == 200
    # reactivated: the cookies and the token from before stay dead
    assert not _is_signed_in(_with_cookies(app, session=session))
    assert not _is_signed_in(_with_cookies(app, **{REMEMBER: remember}))
    assert app.test_client().get('/api/v1/me', headers=token).status_code == 401
