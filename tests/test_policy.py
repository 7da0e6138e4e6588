"""The permission matrix, walked through both front doors: every rule of policy.py, asked of the people
who should pass it and of those who should not, through the HTML pages and through the JSON API.

For each rule the table below says who passes; the test checks that the policy agrees, and that
each door answers accordingly: success for the one who may, 403 when the thing is visible but the
actor may not act, 404 when it is not theirs to see (its existence is not revealed). A refused
request changes nothing. Every rule of the policy must appear here, and every file rule the
workflow table names.
"""
import io
from dataclasses import dataclass, field

import pytest

from tests.builders import FIXTURES, pdf
from tests.support.api import delivery_for, issued_file
from tests.support.pages import act as post_action
from tests.support.pages import upload_file
from workflow import policy
from workflow.files.transitions import TRANSITIONS

OK, FORBIDDEN, HIDDEN = 'ok', 403, 404


@pytest.fixture
def org(api_org):
    """Cờ Đỏ in miniature: the district UBND, two departments, five communes (tests/builders.py)."""
    return api_org
SIGNATURE_PNG = (FIXTURES / 'chu-ky-nguyen-van-men.png').read_bytes()

# ================================================================ the work files: actions × actors

ACTORS = ('holder', 'specialist', 'leader', 'clerk', 'dept_clerk', 'commune_clerk', 'admin')


def _outgoing_people(org):
    return {'specialist': org.spec2, 'leader': org.tckh_leader, 'clerk': org.tckh_clerk}


def _incoming_people(commune):
    return {'specialist': commune.spec2, 'leader': commune.leader, 'clerk': commune.clerk}


# ---------------------------------------------------------------- scenarios: (file_id, holder, home unit people)

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


# ---------------------------------------------------------------- each action through each door

@dataclass
class Action:
    scenario: object
    api: object  # (api, org, user, file_id) -> response
    page: object  # (client, org, file_id) -> response
    expected: dict
    success: int = 200
    rule: str = ''  # the file rule of policy.py that decides (via the workflow table)


def _view_page(client, org, file_id):
    return client.get(f'/files/{file_id}')


def _form(action, **fields):
    """Post the file page's `action` form; each field's value is computed from the organisation."""
    return lambda client, org, file_id: post_action(client, file_id, action,
                                                    **{name: value(org) for name, value in fields.items()})


def _attachment_page(client, org, file_id):
    return client.post(f'/files/{file_id}/documents', content_type='multipart/form-data', data={
        'add_document-upload': (io.BytesIO(pdf('phu-luc-chi-tieu.pdf')), 'phu-luc.pdf'),
        'add_document-kind': 'attachment'})


def codes(**by_actor):
    assert set(by_actor) == set(ACTORS)
    return by_actor


ACTIONS = {
    'view': Action(draft, lambda api, org, user, f: api.get(user, f'/files/{f}'), _view_page,
                   codes(holder=OK, specialist=OK, leader=OK, clerk=OK, dept_clerk=HIDDEN, commune_clerk=HIDDEN,
                         admin=OK)),
    'forward': Action(draft, lambda api, org, user, f: api.post(user, f'/files/{f}/forward', {
        'to_user_id': org.tckh_leader.id, 'purpose': 'sign'}),
        _form('forward', purpose=lambda o: 'sign', to_user=lambda o: o.tckh_leader.id, to_unit=lambda o: 0),
        codes(holder=OK, specialist=FORBIDDEN, leader=FORBIDDEN, clerk=FORBIDDEN, dept_clerk=HIDDEN,
              commune_clerk=HIDDEN, admin=FORBIDDEN), rule='holder'),
    'return': Action(being_handled,
                     lambda api, org, user, f: api.post(user, f'/files/{f}/return', {'note': 'Chưa đạt'}),
                     _form('return', note=lambda o: 'Chưa đạt'),
                     codes(holder=OK, specialist=FORBIDDEN, leader=FORBIDDEN, clerk=FORBIDDEN, dept_clerk=HIDDEN,
                           commune_clerk=HIDDEN, admin=FORBIDDEN), rule='holder'),
    'issue': Action(ready_to_issue, lambda api, org, user, f: api.post(user, f'/files/{f}/issue', {
        'recipient_unit_ids': [org.communes[2].unit.id]}),
        _form('issue', recipients=lambda o: o.communes[2].unit.id),
        codes(holder=OK, specialist=FORBIDDEN, leader=FORBIDDEN, clerk=OK, dept_clerk=HIDDEN, commune_clerk=HIDDEN,
              admin=FORBIDDEN), rule='holder_clerk'),
    'register': Action(arrived, lambda api, org, user, f: api.post(user, f'/files/{f}/register'),
                       _form('register', note=lambda o: ''),
                       codes(holder=OK, specialist=FORBIDDEN, leader=FORBIDDEN, clerk=OK, dept_clerk=HIDDEN,
                             commune_clerk=HIDDEN, admin=FORBIDDEN), rule='receiving_clerk'),
    'refuse': Action(arrived, lambda api, org, user, f: api.post(user, f'/files/{f}/refuse', {'note': 'Gửi nhầm'}),
                     _form('refuse', note=lambda o: 'Gửi nhầm'),
                     codes(holder=OK, specialist=FORBIDDEN, leader=FORBIDDEN, clerk=OK, dept_clerk=HIDDEN,
                           commune_clerk=HIDDEN, admin=FORBIDDEN), rule='receiving_clerk'),
    'assign': Action(with_leader, lambda api, org, user, f: api.post(user, f'/files/{f}/assign', {
        'lead_user_id': org.communes[0].spec.id}),
        _form('assign', lead=lambda o: o.communes[0].spec.id),
        codes(holder=OK, specialist=FORBIDDEN, leader=OK, clerk=FORBIDDEN, dept_clerk=HIDDEN, commune_clerk=HIDDEN,
              admin=FORBIDDEN), rule='holder_leader'),
    'start': Action(assigned, lambda api, org, user, f: api.post(user, f'/files/{f}/start'), _form('start'),
                    codes(holder=OK, specialist=FORBIDDEN, leader=FORBIDDEN, clerk=FORBIDDEN, dept_clerk=HIDDEN,
                          commune_clerk=HIDDEN, admin=FORBIDDEN), rule='lead'),
    'complete': Action(assigned, lambda api, org, user, f: api.post(user, f'/files/{f}/complete', {'note': 'Đã xong'}),
                       _form('complete', note=lambda o: 'Đã xong'),
                       codes(holder=OK, specialist=FORBIDDEN, leader=FORBIDDEN, clerk=FORBIDDEN, dept_clerk=HIDDEN,
                             commune_clerk=HIDDEN, admin=FORBIDDEN), rule='completer'),
    'add_document': Action(draft, lambda api, org, user, f: api.upload(user, f'/files/{f}/documents', kind='attachment',
                                                                       data=pdf('phu-luc-chi-tieu.pdf')),
                           _attachment_page,
                           codes(holder=OK, specialist=FORBIDDEN, leader=FORBIDDEN, clerk=FORBIDDEN, dept_clerk=HIDDEN,
                                 commune_clerk=HIDDEN, admin=FORBIDDEN), success=201, rule='holder'),
}
CELLS = [(action, actor, door) for action in ACTIONS for actor in ACTORS for door in ('api', 'html')]


def _actor(org, actor, holder, people):
    return {'holder': holder, 'dept_clerk': org.vp_clerk, 'commune_clerk': org.communes[1].clerk,
            'admin': org.admin, **people}[actor]


def _answered(response, door, expected, success):
    if expected == OK:
        return response.status_code == ({'api': success, 'html': 200} if response.request.method == 'GET'
                                        else {'api': success, 'html': 302})[door]
    return response.status_code == expected


@pytest.mark.parametrize(('action', 'actor', 'door'), CELLS, ids=[f'{a}-{b}-{c}' for a, b, c in CELLS])
def test_permission_matrix(api, org, as_user, action, actor, door):
    spec = ACTIONS[action]
    file_id, holder, people = spec.scenario(api, org)
    user = _actor(org, actor, holder, people)
    before = api.file(org.admin, file_id)

    if door == 'api':
        response = spec.api(api, org, user, file_id)
    else:
        response = spec.page(as_user(user), org, file_id)

    expected = spec.expected[actor]
    assert _answered(response, door, expected, spec.success), (response.status_code,
                                                               response.get_data(as_text=True)[:300])
    after = api.file(org.admin, file_id)
    if expected != OK:
        if door == 'api':
            error = response.get_json()['error']
            assert error['code'] == {403: 'forbidden', 404: 'file_not_found'}[response.status_code]
        assert (after['status'], after['holder_user_id'], len(after['timeline']), len(after['documents'])) == (
            before['status'], before['holder_user_id'], len(before['timeline']), len(before['documents']))
    elif action != 'view':
        assert len(after['timeline']) > len(before['timeline'])


# ================================================================ the other rules: who passes, through both doors

@dataclass
class Rule:
    passing: tuple  # names of org people who pass
    failing: tuple  # and who do not
    page: object = None  # (client, org, target) -> response, or None where no page asks this rule
    api: object = None  # (api, org, user, target) -> response, or None where the API does not
    target: object = None  # (api, org) -> what the rule is about, built once (a person, a unit …)
    args: object = None  # (org, target) -> the rule's arguments after the actor
    refused: int = FORBIDDEN
    success_page: object = 200  # a status, or the statuses that all mean "allowed"
    success_api: object = 200
    why_one_door: str = ''
    extra: dict = field(default_factory=dict)


def _png(name='chu-ky.png'):
    return {'file': (io.BytesIO(SIGNATURE_PNG), name)}


def _new_unit(api, org, user):
    return api.post(user, '/units', {'code': 'H77', 'name': 'UBND xã Mới', 'abbreviation': 'UBND', 'level': 'commune'})


def _paper_page(client, org, target):
    return client.post('/files/paper', content_type='multipart/form-data', data={
        'title': 'Công văn của Sở', 'doc_type': 'CV', 'urgency': 'normal', 'summary': '', 'sender_name': 'Sở Nội vụ',
        'number': '12/SNV', 'upload': (io.BytesIO(pdf()), 'scan.pdf')})


def _paper_api(api, org, user, target):
    return api.upload(user, '/files/paper-arrivals', title='Công văn của Sở', doc_type='CV', sender_name='Sở Nội vụ')


def _signature_png_page(client, org, person):
    return client.get(f'/users/{person.id}/signature.png')


def _signature_png_api(api, org, user, person):
    return api.client.post(f'/api/v1/users/{person.id}/signature-image', headers=api.headers(user), data=_png(),
                           content_type='multipart/form-data')


def _a_job(api, org):
    """A background job the chairman started (the archive-timestamp job needs no key): its run."""
    from workflow.extensions import db
    from workflow.jobs.models import JobRun
    with api.client.application.app_context():
        run = JobRun(kind='archive_timestamps', user_id=org.chairman.id, total=0, state='finished')
        db.session.add(run)
        db.session.commit()
        db.session.refresh(run)
        db.session.expunge(run)
        return run


RULES = {
    'may_administer': Rule(('admin',), ('chairman', 'ubnd_clerk', 'spec'),
                           page=lambda c, o, t: c.get('/admin/units'), api=lambda a, o, u, t: _new_unit(a, o, u),
                           success_api=201),
    'may_manage_keys': Rule(('admin',), ('chairman', 'ubnd_clerk'),
                            page=lambda c, o, t: c.get('/admin/trust-anchors'),
                            api=lambda a, o, u, t: a.get(u, '/trust-anchors')),
    'may_manage_own_stamp': Rule(('admin', 'chairman'), ('tckh_leader', 'ubnd_clerk'),
                                 target=lambda a, o: o.chairman, args=lambda o, t: (t,),
                                 page=_signature_png_page, api=_signature_png_api,
                                 success_page=(200, 404), success_api=201),  # allowed: the image, or none yet
    'may_see_certificate': Rule(('admin', 'chairman'), ('tckh_leader', 'ubnd_clerk'),
                                target=lambda a, o: o.chairman, args=lambda o, t: (t,),
                                api=lambda a, o, u, t: a.get(u, f'/users/{t.id}/certificate'), success_api=404,
                                why_one_door='a page shows only one\'s own certificate, or an admin\'s key page '
                                             '(may_manage_keys)'),
    'may_see_seal': Rule(('admin', 'ubnd_clerk', 'chairman'), ('vp_clerk', 'spec'),
                         target=lambda a, o: o.ubnd, args=lambda o, t: (t,),
                         page=lambda c, o, t: c.get(f'/units/{t.id}/seal.png'), success_page=404,
                         why_one_door='the API gives no seal image (the seal is applied, not shown)'),
    'may_create_files': Rule(('spec', 'chairman', 'ubnd_clerk'), ('admin',),
                             page=lambda c, o, t: upload_file(c), success_page=302,
                             api=lambda a, o, u, t: a.upload(u, '/files', title='Kế hoạch', doc_type='KH'),
                             success_api=201),
    'may_register_paper_arrivals': Rule(('ubnd_clerk', 'tckh_clerk'), ('spec', 'chairman'), page=_paper_page,
                                        api=_paper_api, success_page=302, success_api=201),
    'may_bulk_sign': Rule(('chairman', 'tckh_leader'), ('spec', 'ubnd_clerk', 'admin'),
                          page=lambda c, o, t: c.get('/jobs/bulk-sign'),
                          why_one_door='bulk signing is a page of the background jobs; the API signs one by one'),
    'may_read_registers': Rule(('ubnd_clerk', 'chairman', 'admin'), ('spec', 'vp_spec'),
                               page=lambda c, o, t: c.get('/registers/outgoing'),
                               api=lambda a, o, u, t: a.get(u, '/registers/outgoing')),
    'may_read_register_of': Rule(('admin',), ('ubnd_clerk', 'chairman'),
                                 target=lambda a, o: o.communes[0].unit, args=lambda o, t: (t,),
                                 page=lambda c, o, t: c.get(f'/registers/outgoing?unit_id={t.id}'),
                                 api=lambda a, o, u, t: a.get(u, f'/registers/outgoing?unit_id={t.id}')),
    'may_manage_tokens_of': Rule(('spec', 'admin'), ('spec2', 'chairman', 'ubnd_clerk'),
                                 target=lambda a, o: o.spec, args=lambda o, t: (t,),
                                 api=lambda a, o, u, t: a.get(u, f'/tokens?user_id={t.id}'),
                                 why_one_door="the account page lists only one's own tokens"),
    'may_see_metrics': Rule(('admin', 'chairman'), ('spec', 'ubnd_clerk'), page=lambda c, o, t: c.get('/metrics/'),
                            api=lambda a, o, u, t: a.get(u, '/metrics/paperless')),
    'may_follow_job': Rule(('chairman', 'admin'), ('tckh_leader', 'spec'), target=_a_job, args=lambda o, t: (t,),
                           page=lambda c, o, t: c.get(f'/jobs/{t.id}'), refused=HIDDEN,
                           why_one_door='job progress is a page the browser polls; the API starts no job'),
    'may_view_file': Rule(('spec', 'spec2', 'admin'), ('vp_clerk',), refused=HIDDEN,
                          target=lambda a, o: a.create_file(o.spec), args=lambda o, t: (_File(t['id']),),
                          page=lambda c, o, t: c.get(f'/files/{t["id"]}'),
                          api=lambda a, o, u, t: a.get(u, f'/files/{t["id"]}')),
}
# may_sign concerns the recipient of a file sent "to sign", not the actor: checked on its own below.


class _File:
    def __init__(self, file_id):
        self.id = file_id


def _codes(success):
    return set(success) if isinstance(success, tuple) else {success}


def _person(org, name):
    return getattr(org, name)


def _rule_holds(app, rule_name, actor, args):
    from workflow.extensions import db
    with app.test_request_context('/'):
        live = db.session.get(type(actor), actor.id)
        live_args = [db.session.get(type(a), a.id) if hasattr(a, '_sa_instance_state') else a for a in args]
        if rule_name == 'may_view_file':
            from workflow.files.models import WorkFile
            live_args = [db.session.get(WorkFile, args[0].id)]
        return policy.RULES[rule_name](live, *live_args)


@pytest.mark.parametrize('rule_name', sorted(RULES))
def test_each_rule_through_both_doors(app, api, org, as_user, rule_name):
    rule = RULES[rule_name]
    target = rule.target(api, org) if rule.target else None
    args = rule.args(org, target) if rule.args else ()
    for name in rule.passing + rule.failing:
        person = _person(org, name)
        passes = name in rule.passing
        assert _rule_holds(app, rule_name, person, args) is passes, (rule_name, name)
        if rule.page is not None:
            response = rule.page(as_user(person), org, target)
            assert response.status_code in (_codes(rule.success_page) if passes else {rule.refused}), (
                rule_name, name, 'page', response.status_code)
        if rule.api is not None:
            response = rule.api(api, org, person, target)
            assert response.status_code in (_codes(rule.success_api) if passes else {rule.refused}), (
                rule_name, name, 'api', response.status_code, response.get_json())
    assert (rule.page is not None and rule.api is not None) or rule.why_one_door, rule_name


@pytest.mark.parametrize('door', ['api', 'html'])
def test_a_file_is_sent_to_sign_only_to_a_leader(api, org, as_user, door):
    file_id, holder, _people = draft(api, org)
    assert policy.may_sign(org.tckh_leader) and not policy.may_sign(org.spec2)
    if door == 'api':
        refused = api.post(holder, f'/files/{file_id}/forward', {'to_user_id': org.spec2.id, 'purpose': 'sign'})
        assert refused.status_code == 400 and refused.get_json()['error']['code'] == 'signer_not_leader'
        assert api.post(holder, f'/files/{file_id}/forward',
                        {'to_user_id': org.tckh_leader.id, 'purpose': 'sign'}).status_code == 200
    else:
        client = as_user(holder)
        refused = post_action(client, file_id, 'forward', purpose='sign', to_user=org.spec2.id, to_unit=0)
        assert refused.status_code == 400 and str(policy.may_sign.refusal) in refused.get_data(as_text=True)
        assert post_action(client, file_id, 'forward', purpose='sign', to_user=org.tckh_leader.id,
                           to_unit=0).status_code == 302


@pytest.mark.nodb
def test_every_rule_of_the_policy_is_walked_here():
    assert set(policy.RULES) == set(RULES) | {'may_sign'}
    named_by_the_table = {row.who for row in TRANSITIONS}
    assert named_by_the_table <= set(policy.FILE_RULES)
    walked = {spec.rule for spec in ACTIONS.values() if spec.rule}
    assert walked == named_by_the_table  # every file rule the workflow table uses is walked by an action


# ================================================================ what the matrix does not cover by itself

def test_invisible_and_missing_files_answer_the_same(api, org):
    file_id, _holder, _people = draft(api, org)
    hidden = api.get(org.vp_clerk, f'/files/{file_id}')
    missing = api.get(org.vp_clerk, '/files/999999')
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == missing.get_json()


@pytest.mark.parametrize('scenario, request_, user_of', [
    (draft, ACTIONS['return'].api, lambda org, holder: holder),                       # nothing to return on a draft
    (arrived, ACTIONS['assign'].api, lambda org, holder: org.communes[0].leader),      # not registered yet
    (assigned, ACTIONS['register'].api, lambda org, holder: org.communes[0].clerk),    # registered already
    (ready_to_issue, ACTIONS['register'].api, lambda org, holder: holder),             # outgoing: not registered
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
