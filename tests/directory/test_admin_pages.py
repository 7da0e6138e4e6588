"""Admin pages: units and users, password resets; nobody else gets in."""
import pytest
from sqlalchemy import select

from tests.support.pages import page
from workflow.directory.models import Unit, User
from workflow.extensions import db


@pytest.fixture
def org(communes_org):
    """The district UBND and two communes, someone in every role (tests/builders.py)."""
    return communes_org


def test_admin_creates_a_unit_in_the_tree(app, org, as_user):
    admin = as_user(org.admin)
    assert 'UBND huyện Cờ Đỏ' in page(admin, '/admin/units')
    bad = admin.post('/admin/units/new', data={'code': 'xa-moi', 'name': 'UBND xã Mới', 'abbreviation': 'UBND',
                                               'level': 'commune', 'parent': org.district.id})
    assert bad.status_code == 400
    assert 'Mã định danh đơn vị không đúng định dạng (ví dụ: H17.07.03).' in bad.get_data(as_text=True)
    response = admin.post('/admin/units/new', data={'code': 'H17.09', 'name': 'UBND xã Trung An',
                                                    'abbreviation': 'UBND', 'level': 'commune',
                                                    'parent': org.district.id})
    assert response.status_code == 302
    text = page(admin, '/admin/units')
    assert 'UBND xã Trung An' in text and 'H17.09' in text
    duplicate = admin.post('/admin/units/new', data={'code': 'H17.09', 'name': 'Trùng', 'abbreviation': 'X',
                                                     'level': 'commune', 'parent': 0})
    assert duplicate.status_code == 409 and 'Mã đơn vị H17.09 đã tồn tại.' in duplicate.get_data(as_text=True)
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == 'H17.09'))
        assert unit.parent_id == org.district.id and unit.level_code == 'commune'


def test_admin_edits_a_unit_and_cannot_make_a_loop(app, org, as_user):
    admin = as_user(org.admin)
    assert 'value="H17.01"' in page(admin, f'/admin/units/{org.commune.id}/edit')
    loop = admin.post(f'/admin/units/{org.district.id}/edit', data={
        'name': 'UBND huyện Cờ Đỏ', 'abbreviation': 'UBND', 'level': 'district', 'parent': org.commune.id,
        'active': 'y'})
    assert loop.status_code == 400 and 'tạo vòng lặp' in loop.get_data(as_text=True)
    ok = admin.post(f'/admin/units/{org.commune.id}/edit', data={
        'name': 'UBND xã Đông Hiệp (mới)', 'abbreviation': 'UBND', 'level': 'commune',
        'parent': org.district.id, 'active': 'y'})
    assert ok.status_code == 302
    assert 'UBND xã Đông Hiệp (mới)' in page(admin, '/admin/units')


def test_admin_creates_a_user_who_can_then_sign_in(app, org, as_user):
    admin = as_user(org.admin)
    response = admin.post('/admin/users/new', data={
        'username': 'phochutich', 'password': 'MatKhau@2026', 'full_name': 'Nguyễn Phó Chủ Tịch',
        'title': 'Phó Chủ tịch', 'unit': org.district.id, 'roles': ['leader', 'specialist']})
    assert response.status_code == 302
    text = page(admin, f'/admin/users?unit={org.district.id}')
    assert 'Nguyễn Phó Chủ Tịch' in text and 'phochutich' in text and 'Lãnh đạo' in text
    assert 'Ngô Văn Thư Xã' not in text  # filtered to the district's people
    new = app.test_client()
    assert new.post('/login', data={'username': 'phochutich', 'password': 'MatKhau@2026'}).status_code == 302
    weak = admin.post('/admin/users/new', data={
        'username': 'yeu', 'password': '123', 'full_name': 'Mật Khẩu Yếu', 'unit': org.district.id,
        'roles': ['specialist']})
    assert weak.status_code == 400 and 'Mật khẩu phải có ít nhất 10 ký tự.' in weak.get_data(as_text=True)
    assert 'value="Mật Khẩu Yếu"' in weak.get_data(as_text=True)


def test_admin_edits_roles_and_locks_an_account(app, org, as_user):
    admin = as_user(org.admin)
    response = admin.post(f'/admin/users/{org.handler.id}/edit', data={
        'full_name': 'Đỗ Xử Lý', 'title': 'Công chức văn phòng', 'unit': org.commune.id,
        'roles': ['specialist', 'clerk']})  # no 'active': the account is locked
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, org.handler.id)
        assert user.roles == ['specialist', 'clerk'] and not user.active and user.title == 'Công chức văn phòng'
    assert app.test_client().post('/login', data={'username': 'cv.dh', 'password': 'Matkhau@123'}).status_code == 401


def test_admin_resets_a_password(app, org, as_user):
    admin = as_user(org.admin)
    mismatch = admin.post(f'/admin/users/{org.specialist.id}/password',
                          data={'password': 'MatKhauMoi@1', 'confirm': 'khac'})
    assert mismatch.status_code == 400 and 'Hai mật khẩu không khớp.' in mismatch.get_data(as_text=True)
    response = admin.post(f'/admin/users/{org.specialist.id}/password',
                          data={'password': 'MatKhauMoi@1', 'confirm': 'MatKhauMoi@1'})
    assert response.status_code == 302
    client = app.test_client()
    assert client.post('/login', data={'username': 'chuyenvien', 'password': 'Matkhau@123'}).status_code == 401
    assert client.post('/login', data={'username': 'chuyenvien', 'password': 'MatKhauMoi@1'}).status_code == 302


def test_admin_pages_are_for_admins_only(app, org, as_user, client):
    for user in (org.specialist, org.leader, org.clerk):
        browser = as_user(user)
        assert browser.get('/admin/units').status_code == 403
        assert browser.get('/admin/users').status_code == 403
        assert browser.post('/admin/units/new', data={'code': 'H99'}).status_code == 403
    assert client.get('/admin/users').status_code == 302
    assert as_user(org.admin).get('/admin/users/999999/edit').status_code == 404
