"""The permission matrix through the API: every action × every kind of actor.

404 when the file is invisible to the actor (its existence is not revealed), 403 when visible but
the actor may not do this, success for the one who may.
"""
import pytest

from tests.builders import pdf
from tests.support.api import delivery_for, issued_file

ACTORS = ('holder', 'specialist', 'leader', 'clerk', 'dept_clerk', 'commune_clerk', 'admin')


# ---------------------------------------------------------------- scenarios: (file_id, holder, home unit people)

def _outgoing_people(org):
    return {'specialist': org.spec2, 'leader': org.tckh_leader, 'clerk': org.tckh_clerk}


def _incoming_people(commune):
    return {'specialist': commune.spec2, 'leader': commune.leader, 'clerk': commune.clerk}


def draft(api, org):
    created = api.create_file(org.spec)
    return created['id'], org.spec, _outgoing_people(org)


def being_handled(api, org):
    created = api.create_file(org.spec2)
    api.act(org.spec2, created['id'], 'forward', {'to_user_id': org.spec.id, 'purpose': 'handle'})
    return created['id'], org.spec, _outgoing_people(org)


def ready_to_issue(api, org):
    created = api.create_file(org.spec)
    api.act(org.spec, created['id'], 'forward', {'to_user_id': org.tckh_clerk.id, 'purpose': 'handle'})
    return created['id'], org.tckh_clerk, _outgoing_people(org)


def arrived(api, org):
    commune = org.communes[0]
    issued = issued_file(api, org, [commune])
    return delivery_for(issued, commune.unit)['file_id'], commune.clerk, _incoming_people(commune)


def with_leader(api, org):
    file_id, clerk, people = arrived(api, org)
    api.act(clerk, file_id, 'register')
    api.act(clerk, file_id, 'forward', {'to_user_id': people['leader'].id, 'purpose': 'handle'})
    return file_id, people['leader'], people


def assigned(api, org):
    file_id, leader, people = with_leader(api, org)
    lead = org.communes[0].spec
    api.act(leader, file_id, 'assign', {'lead_user_id': lead.id})
    return file_id, lead, people


# ---------------------------------------------------------------- actions: (scenario, request)

def view(api, org, user, file_id):
    return api.get(user, f'/files/{file_id}')


def forward(api, org, user, file_id):
    return api.post(user, f'/files/{file_id}/forward', {'to_user_id': org.tckh_leader.id, 'purpose': 'sign'})


def return_(api, org, user, file_id):
    return api.post(user, f'/files/{file_id}/return', {'note': 'Chưa đạt'})


def issue(api, org, user, file_id):
    return api.post(user, f'/files/{file_id}/issue', {'recipient_unit_ids': [org.communes[2].unit.id]})


def register(api, org, user, file_id):
    return api.post(user, f'/files/{file_id}/register')


def refuse(api, org, user, file_id):
    return api.post(user, f'/files/{file_id}/refuse', {'note': 'Gửi nhầm'})


def assign(api, org, user, file_id):
    return api.post(user, f'/files/{file_id}/assign', {'lead_user_id': org.communes[0].spec.id})


def complete(api, org, user, file_id):
    return api.post(user, f'/files/{file_id}/complete', {'note': 'Đã xong'})


def add_document(api, org, user, file_id):
    return api.upload(user, f'/files/{file_id}/documents', kind='attachment', data=pdf('phu-luc-chi-tieu.pdf'))


OK, FORBIDDEN, HIDDEN = 200, 403, 404


def codes(**by_actor):
    assert set(by_actor) == set(ACTORS)
    return by_actor


MATRIX = {
    # action: (scenario, request, {actor: expected status})
    'view': (draft, view, codes(holder=OK, specialist=OK, leader=OK, clerk=OK, dept_clerk=HIDDEN,
                               commune_clerk=HIDDEN, admin=OK)),
    'forward': (draft, forward, codes(holder=OK, specialist=FORBIDDEN, leader=FORBIDDEN, clerk=FORBIDDEN,
                                     dept_clerk=HIDDEN, commune_clerk=HIDDEN, admin=FORBIDDEN)),
    'return': (being_handled, return_, codes(holder=OK, specialist=FORBIDDEN, leader=FORBIDDEN, clerk=FORBIDDEN,
                                            dept_clerk=HIDDEN, commune_clerk=HIDDEN, admin=FORBIDDEN)),
    'issue': (ready_to_issue, issue, codes(holder=OK, specialist=FORBIDDEN, leader=FORBIDDEN, clerk=OK,
                                          dept_clerk=HIDDEN, commune_clerk=HIDDEN, admin=FORBIDDEN)),
    'register': (arrived, register, codes(holder=OK, specialist=FORBIDDEN, leader=FORBIDDEN, clerk=OK,
                                         dept_clerk=HIDDEN, commune_clerk=HIDDEN, admin=FORBIDDEN)),
    'refuse': (arrived, refuse, codes(holder=OK, specialist=FORBIDDEN, leader=FORBIDDEN, clerk=OK,
                                     dept_clerk=HIDDEN, commune_clerk=HIDDEN, admin=FORBIDDEN)),
    'assign': (with_leader, assign, codes(holder=OK, specialist=FORBIDDEN, leader=OK, clerk=FORBIDDEN,
                                         dept_clerk=HIDDEN, commune_clerk=HIDDEN, admin=FORBIDDEN)),
    'complete': (assigned, complete, codes(holder=OK, specialist=FORBIDDEN, leader=FORBIDDEN, clerk=FORBIDDEN,
                                          dept_clerk=HIDDEN, commune_clerk=HIDDEN, admin=FORBIDDEN)),
    'add_document': (draft, add_document, codes(holder=201, specialist=FORBIDDEN, leader=FORBIDDEN,
                                               clerk=FORBIDDEN, dept_clerk=HIDDEN, commune_clerk=HIDDEN,
                                               admin=FORBIDDEN)),
}
CELLS = [(action, actor) for action in MATRIX for actor in ACTORS]


@pytest.mark.parametrize(('action', 'actor'), CELLS, ids=[f'{a}-{b}' for a, b in CELLS])
def test_permission_matrix(api, org, action, actor):
    scenario, request, expected = MATRIX[action]
    file_id, holder, people = scenario(api, org)
    user = {'holder': holder, 'dept_clerk': org.vp_clerk, 'commune_clerk': org.communes[1].clerk,
            'admin': org.admin, **people}[actor]
    before = api.file(org.admin, file_id)

    response = request(api, org, user, file_id)

    assert response.status_code == expected[actor], response.get_json()
    after = api.file(org.admin, file_id)
    if response.status_code >= 400:
        error = response.get_json()['error']
        assert error['code'] == {403: 'forbidden', 404: 'file_not_found'}[response.status_code]
        assert (after['status'], after['holder_user_id'], len(after['timeline']), len(after['documents'])) == (
            before['status'], before['holder_user_id'], len(before['timeline']), len(before['documents']))
    elif action != 'view':
        assert len(after['timeline']) > len(before['timeline'])


def test_invisible_and_missing_files_answer_the_same(api, org):
    file_id, _holder, _people = draft(api, org)
    hidden = api.get(org.vp_clerk, f'/files/{file_id}')
    missing = api.get(org.vp_clerk, '/files/999999')
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == missing.get_json()


@pytest.mark.parametrize('scenario, request_, user_of', [
    (draft, return_, lambda org, holder: holder),                       # nothing to return on a draft
    (arrived, assign, lambda org, holder: org.communes[0].leader),      # not registered yet
    (assigned, register, lambda org, holder: org.communes[0].clerk),    # registered already
    (ready_to_issue, register, lambda org, holder: holder),             # outgoing files are not registered
])
def test_actions_out_of_order_are_409(api, org, scenario, request_, user_of):
    file_id, holder, _people = scenario(api, org)
    response = request_(api, org, user_of(org, holder), file_id)
    assert response.status_code == 409, response.get_json()
    assert response.get_json()['error']['code'] == 'invalid_transition'


def test_issued_file_cannot_be_issued_again(api, org):
    commune = org.communes[0]
    issued = issued_file(api, org, [commune])
    again = api.post(org.ubnd_clerk, f'/files/{issued["id"]}/issue', {'recipient_unit_ids': [commune.unit.id]})
    assert again.status_code == 409
    assert api.file(org.ubnd_clerk, issued['id'])['number'] == '01/QĐ-UBND'
    assert len(api.file(org.ubnd_clerk, issued['id'])['deliveries']) == 1


def test_sign_purpose_needs_a_leader(api, org):
    file_id, holder, _people = draft(api, org)
    response = api.post(holder, f'/files/{file_id}/forward', {'to_user_id': org.spec2.id, 'purpose': 'sign'})
    assert response.status_code == 400
    assert response.get_json()['error']['code'] == 'signer_not_leader'
