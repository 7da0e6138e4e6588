from tests.support.pages import login


def test_login_then_inbox_lists_own_draft(client, make_unit, make_user, make_file):
    unit = make_unit('UBND huyện Cờ Đỏ')
    user = make_user(unit, ('specialist',))
    make_file(user, title='Kế hoạch chuyển đổi số')
    login(client, user)
    page = client.get('/').get_data(as_text=True)
    assert 'Kế hoạch chuyển đổi số' in page
