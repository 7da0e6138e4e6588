"""The password policy applies wherever a person sets a password: the admin's user form and reset, the
API, the create-admin command and the person's own change (tests/auth/test_revocation.py)."""
import pytest

from workflow.directory.passwords import check_password_policy
from workflow.errors import BadInput

COMMON = ('password', '12345678', 'password1234', '1234567890', 'Matkhau@123', 'qwertyuiop', 'aaaaaaaaaaaa',
          'abcabcabcabc')


@pytest.fixture
def org(communes_org):
    return communes_org


@pytest.mark.nodb
@pytest.mark.parametrize('password', COMMON + ('ngan', 'Ngan@12'))
def test_short_common_and_repeated_passwords_are_refused(password):
    with pytest.raises(BadInput) as refused:
        check_password_policy(password)
    assert refused.value.code == 'weak_password'


@pytest.mark.nodb
def test_the_username_is_not_a_password():
    with pytest.raises(BadInput):
        check_password_policy('nguyenvanan', username='NguyenVanAn')


@pytest.mark.nodb
@pytest.mark.parametrize('password', ('Ca phao sen nở 2026', 'MatKhau@2026', 'tram-bien-xanh-9'))
def test_long_uncommon_passwords_pass(password):
    check_password_policy(password, username='cv.an')


def test_the_api_refuses_weak_passwords_in_vietnamese(api, org):
    body = {'username': 'nvan', 'full_name': 'Nguyễn Văn An', 'unit_id': org.district.id, 'roles': ['specialist']}
    short = api.post(org.admin, '/users', {**body, 'password': '12345678'})
    assert short.status_code == 400 and short.get_json()['error'] == {
        'code': 'weak_password', 'message': 'Mật khẩu phải có ít nhất 10 ký tự.'}
    common = api.post(org.admin, '/users', {**body, 'password': 'password1234'})
    assert common.status_code == 400 and common.get_json()['error'] == {
        'code': 'weak_password', 'message': 'Mật khẩu này quá phổ biến và dễ bị đoán; hãy chọn mật khẩu khác.'}
    reset = api.post(org.admin, f'/users/{org.specialist.id}/password', {'password': '1234567890'})
    assert reset.status_code == 400 and reset.get_json()['error']['code'] == 'weak_password'


def test_the_admin_pages_refuse_weak_passwords(org, as_user):
    admin = as_user(org.admin)
    reset = admin.post(f'/admin/users/{org.specialist.id}/password',
                       data={'password': 'password', 'confirm': 'password'})
    assert reset.status_code == 400 and 'Mật khẩu phải có ít nhất 10 ký tự.' in reset.get_data(as_text=True)
    created = admin.post('/admin/users/new', data={
        'username': 'yeu2', 'password': '1234567890', 'full_name': 'Mật Khẩu Yếu', 'unit': org.district.id,
        'roles': ['specialist']})
    assert created.status_code == 400 and 'quá phổ biến' in created.get_data(as_text=True)


def test_create_admin_refuses_a_weak_password(app):
    runner = app.test_cli_runner()
    with app.app_context():
        result = runner.invoke(args=['create-admin', 'quantri', '--password', 'password', '--unit-code', 'H17'])
        assert result.exit_code != 0 and 'ít nhất 10 ký tự' in result.output
        result = runner.invoke(args=['create-admin', 'quantri', '--password', 'Quan tri Co Do 2026',
                                     '--unit-code', 'H17'])
        assert result.exit_code == 0, result.output
