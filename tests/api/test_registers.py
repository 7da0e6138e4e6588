"""The Decree 30 registers through the API, as JSON and CSV."""
from tests.support.api import delivery_for, issued_file
from workflow.timeutil import vn_today


def test_outgoing_register_lists_issued_numbers_in_order(api, org):
    commune = org.communes[0]
    issued_file(api, org, [commune])
    issued_file(api, org, [commune, org.communes[1]], title='Về việc báo cáo', doc_type='CV')
    response = api.get(org.ubnd_clerk, '/registers/outgoing')
    assert response.status_code == 200
    body = response.get_json()
    assert (body['register'], body['unit_id'], body['year']) == ('outgoing', org.ubnd.id, vn_today().year)
    assert [r['number'] for r in body['rows']] == ['01/QĐ-UBND', '02/UBND-VP']
    assert body['rows'][1]['copies'] == 2
    assert 'UBND xã Thới Xuân' in body['rows'][1]['recipients']
    assert {c['key'] for c in body['columns']} >= {'number', 'date', 'doc_type', 'signer', 'recipients'}


def test_incoming_register_as_csv(api, org):
    commune = org.communes[0]
    for _ in range(2):
        issued = issued_file(api, org, [commune])
        api.act(commune.clerk, delivery_for(issued, commune.unit)['file_id'], 'register')
    response = api.get(commune.leader, '/registers/incoming?format=csv')
    assert response.status_code == 200
    assert response.mimetype == 'text/csv'
    assert 'attachment' in response.headers['Content-Disposition']
    text = response.get_data(as_text=True)
    lines = text.lstrip('\ufeff').strip().splitlines()
    assert lines[0].startswith('Ngày đến,Số đến,Tác giả,"Số, ký hiệu văn bản"')
    assert len(lines) == 3
    assert '01/QĐ-UBND' in lines[1] and '02/QĐ-UBND' in lines[2]
    assert ',1,' in lines[1] and ',2,' in lines[2]
    json_rows = api.get(commune.clerk, '/registers/incoming').get_json()['rows']
    assert [r['incoming_number'] for r in json_rows] == [1, 2]


def test_register_year_filter(api, org):
    issued_file(api, org, [org.communes[0]])
    last_year = vn_today().year - 1
    assert api.get(org.ubnd_clerk, f'/registers/outgoing?year={last_year}').get_json()['rows'] == []


def test_register_access(api, org):
    assert api.get(org.spec, '/registers/outgoing').status_code == 403
    other_unit = api.get(org.communes[0].clerk, f'/registers/outgoing?unit_id={org.ubnd.id}')
    assert other_unit.status_code == 403
    assert api.get(org.admin, f'/registers/incoming?unit_id={org.communes[0].unit.id}').status_code == 200
    assert api.get(org.admin, '/registers/incoming?unit_id=999999').status_code == 404
    assert api.get(org.ubnd_clerk, '/registers/outgoing?format=pdf').status_code == 400
    assert api.get(org.ubnd_clerk, '/registers/outgoing?year=abc').status_code == 400
    assert api.get(org.ubnd_clerk, '/registers/sideways').status_code == 404
