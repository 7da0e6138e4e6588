"""API tokens are listed and revoked by their owner and by admins, refused for anyone else, and
listed and revoked on the account page too."""
import re

from tests.builders import PASSWORD
from tests.support.api import api_token
from tests.support.pages import login


def _me(client, token):
    return client.get('/api/v1/me', headers=token).status_code


def test_the_owner_lists_and_revokes_their_tokens(client, org):
    first, second = api_token(client, org.spec), api_token(client, org.spec)
    listed = client.get('/api/v1/tokens', headers=first)
    assert listed.status_code == 200
    items = listed.get_json()['items']
    assert len(items) == 2 and all(item['user_id'] == org.spec.id for item in items)
    assert [item['current'] for item in items].count(True) == 1
    assert 'token' not in items[0]  # the value is shown once, when issued
    other = next(item for item in items if not item['current'])
    assert client.delete(f'/api/v1/tokens/{other["id"]}', headers=first).status_code == 204
    assert _me(client, second) == 401
    assert _me(client, first) == 200
    current = next(item for item in items if item['current'])
    assert client.delete(f'/api/v1/tokens/{current["id"]}', headers=first).status_code == 204
    assert _me(client, first) == 401


def test_an_admin_lists_and_revokes_anyones_tokens(client, org):
    victim = api_token(client, org.spec)
    admin = api_token(client, org.admin)
    listed = client.get(f'/api/v1/tokens?user_id={org.spec.id}', headers=admin)
    assert listed.status_code == 200
    (item,) = listed.get_json()['items']
    assert item['user_id'] == org.spec.id and item['current'] is False
    assert client.delete(f'/api/v1/tokens/{item["id"]}', headers=admin).status_code == 204
    assert _me(client, victim) == 401


def test_anyone_else_is_refused(client, org):
    victim = api_token(client, org.spec)
    colleague = api_token(client, org.spec2)
    leader = api_token(client, org.tckh_leader)
    assert client.get(f'/api/v1/tokens?user_id={org.spec.id}', headers=colleague).status_code == 403
    (item,) = client.get('/api/v1/tokens', headers=victim).get_json()['items']
    for other in (colleague, leader):
        answer = client.delete(f'/api/v1/tokens/{item["id"]}', headers=other)
        assert answer.status_code == 404 and answer.get_json()['error']['code'] == 'token_not_found'
    assert client.delete('/api/v1/tokens/999999', headers=colleague).status_code == 404
    assert _me(client, victim) == 200


def test_tokens_need_a_token(client, org):
    assert client.get('/api/v1/tokens').status_code == 401
    assert client.delete('/api/v1/tokens/1').status_code == 401


def test_the_account_page_lists_and_revokes_ones_tokens(app, client, org):
    token = api_token(client, org.spec)
    browser = login(app.test_client(), org.spec, PASSWORD)
    page = browser.get('/account').get_data(as_text=True)
    (path,) = re.findall(r'action="(/account/tokens/\d+/revoke)"', page)
    other = login(app.test_client(), org.spec2, PASSWORD)
    assert other.post(path).status_code == 404  # not theirs
    assert _me(client, token) == 200
    assert browser.post(path).status_code == 302
    assert _me(client, token) == 401
    assert 'Không có mã truy cập API nào đang hiệu lực' in browser.get('/account').get_data(as_text=True)
