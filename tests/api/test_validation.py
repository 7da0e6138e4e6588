"""JSON bodies that are malformed, mistyped, incomplete or point at nothing: 400 (or 404), never 500,
with the message in the request's language."""
import pytest

from tests.support.api import delivery_for, issued_file


@pytest.fixture
def draft_id(api, org):
    return api.create_file(org.spec)['id']


def error_of(response):
    return response.status_code, response.get_json()['error']['code']


def test_malformed_json(api, org, draft_id, english):
    response = api.client.post(f'/api/v1/files/{draft_id}/forward', data='{"purpose": "sign",',
                               headers={**api.headers(org.spec), 'Content-Type': 'application/json'})
    assert error_of(response) == (400, 'malformed_json')
    assert response.get_json()['error']['message'] == 'Nội dung yêu cầu không phải JSON hợp lệ.'
    in_english = api.client.post(f'/api/v1/files/{draft_id}/forward', data='[1, 2]',
                              headers={**api.headers(org.spec, 'en'), 'Content-Type': 'application/json'})
    assert in_english.get_json()['error'] == {
        'code': 'malformed_json', 'message': english('Nội dung yêu cầu phải là một đối tượng JSON.')}


INTEGER = 'Trường "%(field)s" phải là số nguyên.'
STRING = 'Trường "%(field)s" phải là chuỗi ký tự.'
BAD_FORWARDS = [
    # (body, code, Vietnamese message, its parameters); to_unit_id 1 stands for a real unit
    ({'to_user_id': 'abc', 'purpose': 'sign'}, 'invalid_field', INTEGER, {'field': 'to_user_id'}),
    ({'to_user_id': True, 'purpose': 'sign'}, 'invalid_field', INTEGER, {'field': 'to_user_id'}),
    ({'to_user_id': 999999, 'purpose': 'sign'}, 'unknown_user',
     'Không có người dùng với mã %(id)s (trường "%(field)s").', {'id': 999999, 'field': 'to_user_id'}),
    ({'to_unit_id': 999999, 'purpose': 'handle'}, 'unknown_unit',
     'Không có đơn vị với mã %(id)s (trường "%(field)s").', {'id': 999999, 'field': 'to_unit_id'}),
    ({'to_unit_id': 1}, 'missing_field', 'Thiếu trường bắt buộc "%(field)s".', {'field': 'purpose'}),
    ({'to_unit_id': 1, 'purpose': 5}, 'invalid_field', STRING, {'field': 'purpose'}),
    ({'to_unit_id': 1, 'purpose': 'approve'}, 'invalid', 'Mục đích chuyển không hợp lệ.', {}),
    ({'purpose': 'handle'}, 'recipient_required', 'Hãy chọn người hoặc đơn vị nhận.', {}),
    ({'to_unit_id': 1, 'purpose': 'handle', 'on_paper': 'maybe'}, 'invalid_field',
     'Trường "%(field)s" phải là true hoặc false.', {'field': 'on_paper'}),
    ({'to_unit_id': 1, 'purpose': 'handle', 'deadline': 'tomorrow'}, 'invalid_field',
     'Trường "%(field)s" phải là ngày ISO 8601 (YYYY-MM-DD hoặc ngày giờ có múi giờ).', {'field': 'deadline'}),
    ({'to_unit_id': 1, 'purpose': 'handle', 'deadline': '2030-01-01', 'deadline_working_days': 3},
     'invalid_field', 'Chỉ nhập một trong hai: "%(a)s" hoặc "%(b)s".',
     {'a': 'deadline', 'b': 'deadline_working_days'}),
    ({'to_unit_id': 1, 'purpose': 'handle', 'deadline_working_days': 0}, 'invalid_field',
     'Trường "%(field)s" phải lớn hơn hoặc bằng %(n)d.', {'field': 'deadline_working_days', 'n': 1}),
    ({'to_unit_id': 1, 'purpose': 'handle', 'note': ['a']}, 'invalid_field', STRING, {'field': 'note'}),
]


@pytest.mark.parametrize('body, code, vietnamese, params', BAD_FORWARDS,
                         ids=[f'{c}-{i}' for i, (_b, c, _v, _p) in enumerate(BAD_FORWARDS)])
def test_bad_forward_bodies(api, org, draft_id, english, body, code, vietnamese, params):
    body = {k: (org.ubnd.id if k == 'to_unit_id' and v == 1 else v) for k, v in body.items()}
    response = api.post(org.spec, f'/files/{draft_id}/forward', body, lang='en')
    assert error_of(response) == (400, code)
    assert response.get_json()['error']['message'] == english(vietnamese, **params)
    in_vietnamese = api.post(org.spec, f'/files/{draft_id}/forward', body)
    assert in_vietnamese.get_json()['error']['message'] == (vietnamese % params if params else vietnamese)
    file = api.file(org.spec, draft_id)
    assert (file['status'], file['holder_user_id'], len(file['timeline'])) == ('draft', org.spec.id, 1)


def test_bad_issue_bodies(api, org):
    created = api.create_file(org.spec)
    api.act(org.spec, created['id'], 'forward', {'to_user_id': org.tckh_clerk.id, 'purpose': 'handle'})
    url = f'/files/{created["id"]}/issue'
    cases = [({}, 'missing_field'), ({'recipient_unit_ids': org.ubnd.id}, 'invalid_field'),
             ({'recipient_unit_ids': ['1']}, 'invalid_field'), ({'recipient_unit_ids': [999999]}, 'unknown_unit'),
             ({'recipient_unit_ids': []}, 'recipients_required'),
             ({'recipient_unit_ids': [org.tckh.id]}, 'self_recipient'),
             ({'recipient_unit_ids': [org.ubnd.id], 'pin': 1234}, 'invalid_field')]
    for body, code in cases:
        assert error_of(api.post(org.tckh_clerk, url, body)) == (400, code), body
    file = api.file(org.tckh_clerk, created['id'])
    assert (file['status'], file['number'], file['deliveries']) == ('in_progress', None, [])
    # and the number was not used up by the failed attempts
    done = api.act(org.tckh_clerk, created['id'], 'issue', {'recipient_unit_ids': [org.ubnd.id]})
    assert done['number'] == '01/QĐ-TCKH'


def test_bad_assign_bodies(api, org):
    commune = org.communes[0]
    issued = issued_file(api, org, [commune])
    file_id = delivery_for(issued, commune.unit)['file_id']
    api.act(commune.clerk, file_id, 'register')
    api.act(commune.clerk, file_id, 'forward', {'to_user_id': commune.leader.id, 'purpose': 'handle'})
    url = f'/files/{file_id}/assign'
    cases = [({}, 'lead_required'), ({'lead_user_id': 999999}, 'unknown_user'),
             ({'lead_user_id': commune.spec.id, 'cooperate_user_ids': [999999]}, 'unknown_user'),
             ({'lead_user_id': commune.spec.id, 'inform_user_ids': 'all'}, 'invalid_field')]
    for body, code in cases:
        assert error_of(api.post(commune.leader, url, body)) == (400, code), body
    assert api.file(commune.leader, file_id)['assignments'] == []


def test_complete_with_an_unknown_or_invisible_reply_file(api, org, draft_id, english):
    elsewhere = api.create_file(org.vp_spec)['id']
    for reply_id in (999999, elsewhere):
        response = api.post(org.spec, f'/files/{draft_id}/complete', {'reply_file_id': reply_id}, lang='en')
        assert error_of(response) == (400, 'unknown_file')
        assert response.get_json()['error']['message'] == english(
            'Không có hồ sơ với mã %(id)s (trường "%(field)s").', id=reply_id, field='reply_file_id')
    assert api.file(org.spec, draft_id)['status'] == 'draft'


def test_return_needs_a_note(api, org, english):
    created = api.create_file(org.spec)
    api.act(org.spec, created['id'], 'forward', {'to_user_id': org.tckh_leader.id, 'purpose': 'sign'})
    response = api.post(org.tckh_leader, f'/files/{created["id"]}/return', {}, lang='en')
    assert error_of(response) == (400, 'note_required')
    assert response.get_json()['error']['message'] == english('Hãy ghi lý do trả lại.')


def test_bad_list_parameters(api, org, draft_id):
    assert error_of(api.get(org.spec, '/files?box=outbox')) == (400, 'invalid_field')
    assert error_of(api.get(org.spec, '/files?page=abc')) == (400, 'invalid_field')
    assert error_of(api.get(org.spec, '/files?page=0')) == (400, 'invalid_field')
    assert error_of(api.get(org.spec, '/files?status=lost')) == (400, 'invalid_field')
    assert error_of(api.get(org.spec, '/files?direction=sideways')) == (400, 'invalid_field')
    assert api.get(org.spec, '/files?direction=incoming').get_json()['total'] == 0
    assert api.get(org.spec, '/files?direction=outgoing').get_json()['total'] == 1


def test_unknown_things_are_404_json(api, org):
    assert error_of(api.get(org.spec, '/files/999999')) == (404, 'file_not_found')
    assert error_of(api.get(org.spec, '/units/999999')) == (404, 'unit_not_found')
    assert error_of(api.get(org.spec, '/users/999999')) == (404, 'user_not_found')
    assert error_of(api.post(org.spec, '/files/999999/forward', {'purpose': 'sign'})) == (404, 'file_not_found')
    response = api.get(org.spec, '/no-such-endpoint', lang='en')
    assert response.status_code == 404 and response.is_json
    assert api.client.delete('/api/v1/files/1', headers=api.headers(org.spec)).status_code == 405


def test_english_and_vietnamese_for_a_forbidden_action(api, org, draft_id, english):
    vi = api.post(org.spec2, f'/files/{draft_id}/forward', {'to_unit_id': org.ubnd.id, 'purpose': 'handle'})
    en = api.post(org.spec2, f'/files/{draft_id}/forward', {'to_unit_id': org.ubnd.id, 'purpose': 'handle'},
                  lang='en')
    assert vi.status_code == en.status_code == 403
    assert vi.get_json()['error']['message'] == 'Bạn không có quyền thực hiện thao tác này với hồ sơ.'
    assert en.get_json()['error']['message'] == english('Bạn không có quyền thực hiện thao tác này với hồ sơ.')


def _forward_page(as_user, user, file_id, **fields):
    from tests.support.pages import act
    return act(as_user(user), file_id, 'forward', purpose='handle', to_user=0, **fields)


@pytest.mark.parametrize('case', ['note of 2 001 characters', 'deadline yesterday'])
def test_both_doors_refuse_the_same_things_with_the_same_words(api, org, as_user, draft_id, case):
    """The invariants live in the operations; the page's form says the same before sending anything."""
    from datetime import timedelta

    from workflow.timeutil import vn_today
    yesterday = (vn_today() - timedelta(days=1)).isoformat()
    body, fields, message = {
        'note of 2 001 characters': ({'note': 'x' * 2001}, {'note': 'x' * 2001},
                                     'Ý kiến, ghi chú dài quá 2000 ký tự.'),
        'deadline yesterday': ({'deadline': yesterday}, {'deadline': yesterday},
                               'Hạn xử lý không được ở trong quá khứ.'),
    }[case]
    through_the_api = api.post(org.spec, f'/files/{draft_id}/forward',
                               {'to_unit_id': org.tckh.id, 'purpose': 'handle', **body})
    assert through_the_api.status_code == 400
    assert through_the_api.get_json()['error']['message'] == message
    through_the_page = _forward_page(as_user, org.spec, draft_id, to_unit=org.tckh.id, **fields)
    assert through_the_page.status_code == 400
    assert message in through_the_page.get_data(as_text=True)
    file = api.file(org.spec, draft_id)
    assert (file['status'], file['holder_user_id'], len(file['timeline'])) == ('draft', org.spec.id, 1)
