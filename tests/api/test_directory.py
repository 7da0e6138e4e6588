"""Units and users through the API."""
from tests.builders import PASSWORD


def test_any_user_lists_units_and_levels(api, org):
    units = api.get(org.spec, '/units').get_json()['items']
    assert {u['name'] for u in units} >= {'UBND huyện Cờ Đỏ', 'UBND xã Đông Hiệp'}
    communes = api.get(org.spec, '/units?level=commune').get_json()['items']
    assert len(communes) == 5 and all(u['level'] == 'commune' for u in communes)
    children = api.get(org.spec, f'/units?parent_id={org.ubnd.id}').get_json()['items']
    assert len(children) == 7
    levels = [lv['code'] for lv in api.get(org.spec, '/levels').get_json()['items']]
    assert levels == ['province', 'district', 'commune']


def test_admin_creates_a_unit_under_a_parent(api, org):
    response = api.post(org.admin, '/units', {'code': 'H17.07.99', 'name': 'Phòng Nội vụ', 'abbreviation': 'NV',
                                              'level': 'district', 'parent_id': org.ubnd.id})
    assert response.status_code == 201, response.get_json()
    unit = response.get_json()
    assert (unit['code'], unit['level'], unit['parent_id']) == ('H17.07.99', 'district', org.ubnd.id)
    assert api.get(org.spec, f'/units/{unit["id"]}').get_json() == unit


def test_a_province_level_unit_is_just_data(api, org):
    response = api.post(org.admin, '/units', {'code': 'T92', 'name': 'UBND thành phố Cần Thơ',
                                              'abbreviation': 'UBND', 'level': 'province'})
    assert response.status_code == 201
    assert response.get_json()['level'] == 'province'


def test_unit_creation_errors(api, org):
    good = {'code': 'H17.07.98', 'name': 'Phòng Y tế', 'abbreviation': 'YT', 'level': 'district'}
    assert api.post(org.spec, '/units', good).status_code == 403
    cases = [({'level': 'hamlet'}, 400, 'invalid_level'),
             ({'code': 'sai ma'}, 400, 'invalid_unit_code'),
             ({'parent_id': 999999}, 400, 'unknown_unit'),
             ({'parent_id': 'one'}, 400, 'invalid_field'),
             ({'code': org.ubnd.code}, 409, 'duplicate_unit_code')]
    for change, status, code in cases:
        response = api.post(org.admin, '/units', {**good, **change})
        assert (response.status_code, response.get_json()['error']['code']) == (status, code), change
    missing = api.post(org.admin, '/units', {'code': 'H17.07.97'})
    assert missing.status_code == 400 and missing.get_json()['error']['code'] == 'missing_field'


def test_admin_changes_a_unit(api, org):
    response = api.patch(org.admin, f'/units/{org.vp.id}', {'name': 'Văn phòng UBND huyện'})
    assert response.status_code == 200
    assert response.get_json()['name'] == 'Văn phòng UBND huyện'
    assert response.get_json()['abbreviation'] == 'VP'
    assert api.patch(org.admin, f'/units/{org.ubnd.id}', {'parent_id': org.vp.id}).status_code == 400  # a loop
    assert api.patch(org.spec, f'/units/{org.vp.id}', {'name': 'X'}).status_code == 403


def test_users_listed_by_unit(api, org):
    users = api.get(org.spec, f'/users?unit_id={org.tckh.id}').get_json()['items']
    assert {u['id'] for u in users} == {org.spec.id, org.spec2.id, org.tckh_leader.id, org.tckh_clerk.id}
    assert all('password_hash' not in u and 'password' not in u for u in users)
    leaders = api.get(org.spec, f'/users?unit_id={org.tckh.id}&role=leader').get_json()['items']
    assert [u['id'] for u in leaders] == [org.tckh_leader.id]
    assert api.get(org.spec, '/users?unit_id=abc').status_code == 400


def test_admin_creates_a_user_who_can_then_sign_in(api, client, org):
    body = {'username': 'ttbinh', 'password': 'MatKhau@2026', 'full_name': 'Trần Thanh Bình',
            'title': 'Phó Chủ tịch', 'unit_id': org.ubnd.id, 'roles': ['leader', 'clerk']}
    response = api.post(org.admin, '/users', body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()['roles'] == ['leader', 'clerk']
    token = client.post('/api/v1/tokens', json={'username': 'ttbinh', 'password': 'MatKhau@2026'})
    assert token.status_code == 201
    assert api.post(org.admin, '/users', body).get_json()['error']['code'] == 'duplicate_username'


def test_user_creation_errors(api, org):
    good = {'username': 'nvan', 'password': 'MatKhau@2026', 'full_name': 'Nguyễn Văn An', 'unit_id': org.tckh.id,
            'roles': ['specialist']}
    assert api.post(org.tckh_leader, '/users', good).status_code == 403
    cases = [({'roles': ['boss']}, 'invalid_roles'), ({'roles': 'specialist'}, 'invalid_field'),
             ({'unit_id': 999999}, 'unknown_unit'), ({'password': 'ngan'}, 'weak_password'),
             ({'password': '1234567890'}, 'weak_password'),
             ({'username': 'co dau cach'}, 'invalid_username')]
    for change, code in cases:
        response = api.post(org.admin, '/users', {**good, **change})
        assert (response.status_code, response.get_json()['error']['code']) == (400, code), change
    assert 'nvan' not in {u['username'] for u in api.get(org.admin, '/users').get_json()['items']}


def test_admin_changes_roles_and_resets_a_password(api, client, org):
    response = api.patch(org.admin, f'/users/{org.spec.id}', {'roles': ['specialist', 'leader'],
                                                               'title': 'Phó Trưởng phòng'})
    assert response.status_code == 200
    assert (response.get_json()['roles'], response.get_json()['title']) == (['specialist', 'leader'],
                                                                            'Phó Trưởng phòng')
    assert api.post(org.admin, f'/users/{org.spec.id}/password', {'password': 'MoiDoi@2026'}).status_code == 204
    old = client.post('/api/v1/tokens', json={'username': org.spec.username, 'password': PASSWORD})
    new = client.post('/api/v1/tokens', json={'username': org.spec.username, 'password': 'MoiDoi@2026'})
    assert (old.status_code, new.status_code) == (401, 201)
    assert api.post(org.spec2, f'/users/{org.spec.id}/password', {'password': 'KhongDuoc@1'}).status_code == 403
    assert api.post(org.admin, '/users/999999/password', {'password': 'MoiDoi@2026'}).status_code == 404


def test_password_reset_ends_the_usernames_wait(api, client, org):
    for _ in range(5):
        client.post('/api/v1/tokens', json={'username': org.spec.username, 'password': 'sai'})
    assert client.post('/api/v1/tokens', json={'username': org.spec.username,
                                               'password': PASSWORD}).status_code == 429
    assert api.post(org.admin, f'/users/{org.spec.id}/password', {'password': 'MoiDoi@2026'}).status_code == 204
    assert client.post('/api/v1/tokens', json={'username': org.spec.username,
                                               'password': 'MoiDoi@2026'}).status_code == 201
