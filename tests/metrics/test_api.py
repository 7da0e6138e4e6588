"""GET /api/v1/metrics/paperless and friends: shapes, permissions, bad parameters."""
import pytest

from tests.builders import vn_time
from tests.support.api import api_token
from tests.support.pages import login
from workflow.metrics.operations import seed_default_targets
from workflow.vocabulary import REASON_PAPER_ORIGIN, REASON_PAPER_STEP

MARCH = {'from': '2024-03-01', 'to': '2024-03-31'}


def march_files(cd):
    seed_default_targets()
    at = vn_time(2024, 3, 12, 10, 0)
    cd.closed_file(cd.vp, at)
    cd.closed_file(cd.vp, at, reasons=[REASON_PAPER_ORIGIN])
    cd.closed_file(cd.dong_hiep, at)
    cd.closed_file(cd.dong_hiep_section, at, reasons=[REASON_PAPER_STEP])
    cd.closed_file(cd.communes['Trung An'], at)


@pytest.fixture
def data(district):
    return district(march_files)


def test_paperless_shape_exactly_as_the_contract(client, data):
    headers = api_token(client, data.admin)
    body = client.get('/api/v1/metrics/paperless', query_string=MARCH, headers=headers).get_json()
    assert set(body) >= {'levels', 'units', 'not_electronic'}
    assert set(body['levels']) == {'district', 'commune'}
    for entry in body['levels'].values():
        assert set(entry) >= {'closed', 'fully_electronic', 'rate', 'target'}
    assert body['levels']['district'] == {**body['levels']['district'], 'closed': 2, 'fully_electronic': 1,
                                          'rate': 0.5, 'target': 0.8}
    assert body['levels']['commune']['closed'] == 3
    assert body['levels']['commune']['rate'] == pytest.approx(2 / 3)
    assert body['levels']['commune']['target'] == 0.6
    unit = next(u for u in body['units'] if u['unit_id'] == data.vp.id)
    assert {k: unit[k] for k in ('unit_id', 'closed', 'fully_electronic', 'rate', 'target')} == \
        {'unit_id': data.vp.id, 'closed': 2, 'fully_electronic': 1, 'rate': 0.5, 'target': 0.8}
    reasons = sorted(item['reasons'] for item in body['not_electronic'])
    assert reasons == [['paper_origin'], ['paper_step']]
    assert all(isinstance(item['file_id'], int) for item in body['not_electronic'])
    detail = body['not_electronic'][0]['reason_details'][0]
    assert detail['label'] and detail['label'] != detail['code']


def test_leader_sees_own_unit_and_below_only(client, data):
    headers = api_token(client, data.dh_leader)
    body = client.get('/api/v1/metrics/paperless', query_string=MARCH, headers=headers).get_json()
    assert {u['unit_id'] for u in body['units']} == {data.dong_hiep.id, data.dong_hiep_section.id}
    assert list(body['levels']) == ['commune']
    assert body['levels']['commune']['closed'] == 2  # Trung An is not theirs
    refused = client.get('/api/v1/metrics/paperless', query_string={**MARCH, 'unit_id': data.vp.id}, headers=headers)
    assert refused.status_code == 403
    assert refused.get_json()['error']['code'] == 'forbidden'
    district_leader = api_token(client, data.chairman)
    whole = client.get('/api/v1/metrics/paperless', query_string=MARCH, headers=district_leader).get_json()
    assert whole['levels']['commune']['closed'] == 3 and whole['levels']['district']['closed'] == 2


@pytest.mark.parametrize('who', ['specialist', 'clerk'])
def test_other_roles_are_refused(client, data, who):
    headers = api_token(client, getattr(data, who))
    for path in ('/api/v1/metrics/paperless', '/api/v1/metrics/dossiers', '/api/v1/metrics/indicators',
                 '/api/v1/metrics/dashboard'):
        response = client.get(path, query_string=MARCH, headers=headers)
        assert response.status_code == 403, path


def test_no_token_is_401(client, data):
    response = client.get('/api/v1/metrics/paperless')
    assert response.status_code == 401
    assert response.get_json()['error']['code'] == 'unauthorized'


@pytest.mark.parametrize('args, code', [
    ({'from': '2024-02-30'}, 'invalid_date'),
    ({'from': '2024-03-31', 'to': '2024-03-01'}, 'invalid_period'),
    ({'level': 'galaxy'}, 'invalid_level'),
    ({'unit_id': 'abc'}, 'invalid_field'),
    ({'unit_id': '999999'}, 'unknown_unit'),
    ({'period': 'decade'}, 'invalid_period'),
    ({'period': 'month', 'number': '13'}, 'invalid_period'),
])
def test_bad_parameters_are_400_in_vietnamese_and_english(client, data, args, code):
    headers = api_token(client, data.admin)
    vi = client.get('/api/v1/metrics/paperless', query_string=args, headers=headers)
    en = client.get('/api/v1/metrics/paperless', query_string=args, headers={**headers, 'Accept-Language': 'en'})
    assert vi.status_code == en.status_code == 400
    assert vi.get_json()['error']['code'] == en.get_json()['error']['code'] == code
    assert vi.get_json()['error']['message'] != en.get_json()['error']['message']
    assert en.get_json()['error']['message'].isascii()


def test_period_shortcuts_match_explicit_dates(client, data):
    headers = api_token(client, data.admin)
    by_dates = client.get('/api/v1/metrics/paperless', query_string=MARCH, headers=headers).get_json()
    by_month = client.get('/api/v1/metrics/paperless', query_string={'period': 'month', 'year': 2024, 'number': 3},
                          headers=headers).get_json()
    by_quarter = client.get('/api/v1/metrics/paperless', query_string={'period': 'quarter', 'year': 2024, 'number': 1},
                            headers=headers).get_json()
    assert by_dates['levels'] == by_month['levels'] == by_quarter['levels']


def test_drill_down_lists_files_with_vietnamese_reasons(client, data):
    headers = api_token(client, data.admin)
    body = client.get('/api/v1/metrics/files', query_string={**MARCH, 'which': 'not_electronic'},
                      headers=headers).get_json()
    assert body['total'] == 2
    labels = {r['label'] for f in body['files'] for r in f['reasons']}
    assert labels == {'Có văn bản gốc giấy (scan từ bản giấy)', 'Có bước xử lý thực hiện trên giấy'}
    en = client.get('/api/v1/metrics/files', query_string={**MARCH, 'which': 'not_electronic'},
                    headers={**headers, 'Accept-Language': 'en'}).get_json()
    assert {r['label'] for f in en['files'] for r in f['reasons']} == {
        'Contains a paper-origin document (scanned from paper)', 'A step was done on paper'}
    electronic = client.get('/api/v1/metrics/files', query_string={**MARCH, 'which': 'electronic'},
                            headers=headers).get_json()
    assert electronic['total'] == 3 and all(f['fully_electronic'] for f in electronic['files'])


def test_dashboard_json_has_chart_series(client, data):
    headers = api_token(client, data.admin)
    body = client.get('/api/v1/metrics/dashboard', query_string=MARCH, headers=headers).get_json()
    charts = body['charts']
    assert len(charts['trend']['months']) == 12 and charts['trend']['months'][-1] == '03/2024'
    assert charts['trend']['levels']['district']['rates'][-1] == 50.0
    assert charts['trend']['levels']['district']['targets'][-1] == 80.0
    assert charts['levels']['commune'] == {'rate': 66.66, 'target': 60.0, 'closed': 3}
    assert [u['rate'] for u in charts['units']] == sorted((u['rate'] for u in charts['units']), reverse=True)
    # The dashboard now carries the median handling time too, read from the histogram: every file here
    # took 3 days (the fixture's default), so it lies within that bucket, [72 h, 96 h).
    district = body['indicators']['levels']['district']
    assert district['median_handling_approx'] is True
    assert 72 * 3600 <= district['median_handling_seconds'] < 96 * 3600


def test_indicators_median_is_marked_approximate(client, data):
    headers = api_token(client, data.admin)
    body = client.get('/api/v1/metrics/indicators', query_string=MARCH, headers=headers).get_json()
    for entry in [*body['levels'].values(), *body['units']]:
        assert entry['median_handling_approx'] is True
        if entry['closed']:
            assert 72 * 3600 <= entry['median_handling_seconds'] < 96 * 3600
            assert entry['median_handling_days'] == pytest.approx(entry['median_handling_seconds'] / 86400)
        else:
            assert entry['median_handling_seconds'] is None


def test_targets_api_admin_edits_leader_reads(client, data):
    admin = api_token(client, data.admin)
    listed = client.get('/api/v1/metrics/targets', headers=admin).get_json()['targets']
    assert {(t['level'], t['year'], t['indicator'], t['value']) for t in listed} >= {
        ('district', 2025, 'paperless', 0.8), ('commune', 2030, 'paperless', 0.8),
        ('district', 2025, 'tthc_online', 0.5), ('commune', 2030, 'tthc_online', 0.8),
        ('district', 2025, 'digital_signature', 1.0)}
    put = client.put('/api/v1/metrics/targets', json={'level': 'district', 'year': 2024, 'indicator': 'paperless',
                                                     'value': 0.7}, headers=admin)
    assert put.status_code == 200 and put.get_json()['value'] == 0.7
    body = client.get('/api/v1/metrics/paperless', query_string=MARCH, headers=admin).get_json()
    assert body['levels']['district']['target'] == 0.7  # 2024 now has its own step
    bad = client.put('/api/v1/metrics/targets', json={'level': 'district', 'year': 2024, 'indicator': 'paperless',
                                                     'value': 1.5}, headers=admin)
    assert bad.status_code == 400
    leader = api_token(client, data.chairman)
    assert client.get('/api/v1/metrics/targets', headers=leader).status_code == 200
    assert client.put('/api/v1/metrics/targets', json={'level': 'district', 'year': 2024, 'indicator': 'paperless',
                                                      'value': 0.1}, headers=leader).status_code == 403
    target_id = put.get_json()['id']
    assert client.delete(f'/api/v1/metrics/targets/{target_id}', headers=admin).status_code == 204
    body = client.get('/api/v1/metrics/paperless', query_string=MARCH, headers=admin).get_json()
    assert body['levels']['district']['target'] == 0.8


def test_the_drill_down_shows_titles_only_of_files_the_leader_may_open(client, data):
    """The district chairman's figures count the communes' files, but the district never held those:
    their rows keep number, unit, dates and reasons, without the title."""
    headers = api_token(client, data.chairman)
    body = client.get('/api/v1/metrics/files', query_string={**MARCH, 'which': 'all'}, headers=headers).get_json()
    rows = {f['file_id']: f for f in body['files']}
    assert body['total'] == 5 and len(rows) == 5
    hidden = [f for f in rows.values() if not f['visible']]
    shown = [f for f in rows.values() if f['visible']]
    assert {f['unit_id'] for f in hidden} >= {data.communes['Trung An'].id}
    assert all(f['title'] is None and all(r['detail'] == '' for r in f['reasons']) for f in hidden)
    assert all(f['title'] for f in shown)
    page = login(client.application.test_client(), data.chairman).get(
        '/metrics/files', query_string={**MARCH, 'which': 'all'}).get_data(as_text=True)
    assert page.count('class="text-muted fst-italic not-visible"') == len(hidden)  # the page says so, untitled
    admin = api_token(client, data.admin)
    everything = client.get('/api/v1/metrics/files', query_string={**MARCH, 'which': 'all'}, headers=admin).get_json()
    assert all(f['visible'] and f['title'] for f in everything['files'])  # admins see all files
