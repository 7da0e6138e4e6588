"""Password guessing is slowed down per source address, per username and per known device, and can
never be turned into a lock-out of the rightful person; unknown and known usernames answer alike."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.builders import PASSWORD
from workflow.audit import AuditEntry
from workflow.auth.models import LoginThrottle
from workflow.auth.throttle import ACCOUNT_FREE, DEVICE_COOKIE, SOURCE_FREE
from workflow.directory.models import User
from workflow.extensions import db
from workflow.timeutil import now

ATTACKER, OFFICE = '203.0.113.66', '198.51.100.20'  # documentation addresses: WSGI environ only


@pytest.fixture
def unit(make_unit):
    return make_unit('UBND huyện Cờ Đỏ')


@pytest.fixture
def specialist(unit, make_user):
    return make_user(unit, ('specialist',), username='cv.an')


def _client(app, address):
    client = app.test_client()
    client.environ_base['REMOTE_ADDR'] = address
    return client


def _try(client, username, password):
    return client.post('/login', data={'username': username, 'password': password})


def _write(app, statement):
    with app.app_context():
        db.session.execute(statement)
        db.session.commit()


def _time_passes(app):
    """Every wait so far is over (the counts stay): what an attacker who waits each delay out gets."""
    _write(app, update(LoginThrottle).values(wait_until=None))


def test_guessing_from_one_source_never_keeps_the_person_out_of_their_known_device(app, specialist):
    device = _client(app, OFFICE)
    assert _try(device, 'cv.an', PASSWORD).status_code == 302  # signed in here before: a known device
    assert device.get_cookie(DEVICE_COOKIE) is not None
    device.post('/logout')

    attacker = _client(app, ATTACKER)
    for _ in range(20):  # the attacker waits every delay out and keeps guessing
        assert _try(attacker, 'cv.an', 'doan-mo').status_code == 401
        _time_passes(app)
    assert _try(attacker, 'cv.an', 'doan-mo').status_code == 401
    # the account's and the attacker's counts are now deep into their delays
    assert _try(attacker, 'cv.an', PASSWORD).status_code == 429
    assert _try(_client(app, OFFICE), 'cv.an', PASSWORD).status_code == 429  # elsewhere, unknown browser: waits

    # the rightful person at their own browser: in, at once, with the right password
    assert _try(device, 'cv.an', PASSWORD).status_code == 302
    assert device.get('/').status_code == 200
    # even behind the attacker's own address (a shared office NAT)
    device.post('/logout')
    device.environ_base['REMOTE_ADDR'] = ATTACKER
    assert _try(device, 'cv.an', PASSWORD).status_code == 302


def test_the_known_device_cookie_does_not_work_for_guessing_another_account(app, unit, specialist, make_user):
    other = make_user(unit, ('specialist',), username='cv.binh')
    device = _client(app, OFFICE)
    assert _try(device, 'cv.an', PASSWORD).status_code == 302
    device.post('/logout')
    for _ in range(ACCOUNT_FREE):
        assert _try(device, other.username, 'sai').status_code == 401
    assert _try(device, other.username, PASSWORD).status_code == 429  # cv.an's cookie does not help here


def test_a_forged_device_cookie_is_ignored(app, specialist):
    attacker = _client(app, ATTACKER)
    attacker.set_cookie(DEVICE_COOKIE, 'eyJ1IjoxLCJkIjoieCJ9.forged.signature')
    for _ in range(ACCOUNT_FREE):
        assert _try(attacker, 'cv.an', 'sai').status_code == 401
    assert _try(attacker, 'cv.an', PASSWORD).status_code == 429


def test_a_source_that_sprays_many_usernames_must_wait(app, specialist):
    attacker = _client(app, ATTACKER)
    for number in range(SOURCE_FREE):
        assert _try(attacker, f'nguoi{number}', 'sai').status_code == 401
    answer = _try(attacker, 'cv.an', PASSWORD)
    assert answer.status_code == 429 and 'thử lại sau' in answer.get_data(as_text=True)
    assert 1 <= int(answer.headers['Retry-After']) <= 15 * 60
    # another source is not concerned: the account itself had no failure
    assert _try(_client(app, OFFICE), 'cv.an', PASSWORD).status_code == 302


def test_the_delay_grows_and_the_right_password_works_once_it_is_over(app, specialist):
    client = _client(app, OFFICE)
    waits = []
    for _ in range(ACCOUNT_FREE + 3):
        _try(client, 'cv.an', 'sai')
        answer = _try(client, 'cv.an', 'sai')
        if answer.status_code == 429:
            waits.append(int(answer.headers['Retry-After']))
        _time_passes(app)
    assert waits == sorted(waits) and waits[-1] > waits[0] and max(waits) <= 60
    assert _try(client, 'cv.an', PASSWORD).status_code == 302  # a delay, never a lock


def _scrubbed(response, username):
    text = response.get_data(as_text=True).replace(username, 'USERNAME')
    return re.sub(r'name="csrf_token"[^>]*', '', text)


def test_unknown_and_known_usernames_get_the_same_answers(app, specialist):
    known, unknown = _client(app, OFFICE), _client(app, ATTACKER)
    for _ in range(ACCOUNT_FREE):
        a, b = _try(known, 'cv.an', 'sai'), _try(unknown, 'khong.co.ai', 'sai')
        assert a.status_code == b.status_code == 401
        assert _scrubbed(a, 'cv.an') == _scrubbed(b, 'khong.co.ai')
    a, b = _try(known, 'cv.an', PASSWORD), _try(unknown, 'khong.co.ai', PASSWORD)
    assert a.status_code == b.status_code == 429
    assert a.headers['Retry-After'] == b.headers['Retry-After']
    assert _scrubbed(a, 'cv.an') == _scrubbed(b, 'khong.co.ai')


def test_unknown_and_known_usernames_get_the_same_api_answers(app, specialist):
    known, unknown = _client(app, OFFICE), _client(app, ATTACKER)

    def token(client, username, password):
        return client.post('/api/v1/tokens', json={'username': username, 'password': password})
    for _ in range(ACCOUNT_FREE):
        a, b = token(known, 'cv.an', 'sai'), token(unknown, 'khong.co.ai', 'sai')
        assert (a.status_code, a.get_json()) == (b.status_code, b.get_json()) == (401, a.get_json())
    a, b = token(known, 'cv.an', PASSWORD), token(unknown, 'khong.co.ai', PASSWORD)
    assert (a.status_code, a.get_json()) == (b.status_code, b.get_json())
    assert a.status_code == 429 and a.get_json()['error']['code'] == 'login_throttled'


def test_an_inactive_account_answers_as_a_wrong_password(app, specialist):
    _write(app, update(User).where(User.id == specialist.id).values(active=False))
    answer = _try(_client(app, OFFICE), 'cv.an', PASSWORD)
    assert answer.status_code == 401 and 'không đúng' in answer.get_data(as_text=True)


def test_failed_logins_are_audited_with_their_source(app, specialist):
    _try(_client(app, ATTACKER), 'cv.an', 'sai')
    _try(_client(app, ATTACKER), 'khong.co.ai', 'sai')
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == 'login_failed')
                                     .order_by(AuditEntry.id)).all()
        assert [e.object_id for e in entries] == [specialist.id, None]
        assert all(ATTACKER in e.details for e in entries)
        assert 'khong.co.ai' in entries[1].details


def test_failures_older_than_a_day_are_forgotten(app, specialist):
    client = _client(app, OFFICE)
    for _ in range(ACCOUNT_FREE):
        _try(client, 'cv.an', 'sai')
    _write(app, update(LoginThrottle).values(last_failure_at=now() - timedelta(hours=25)))
    assert _try(client, 'cv.an', PASSWORD).status_code == 302
