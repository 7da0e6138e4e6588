"""Issue 11's low findings on the public surface: huge integers give 400 (not 500), HSTS over HTTPS,
no-store on pages and API answers with personal data, PDFs sandboxed and attachments outside the
page's viewer, and the TSA for this deployment's own people only."""
import hashlib
import re

import pytest
from asn1crypto import algos, tsp

from tests.support.api import bearer
from tests.support.pages import file_id_from, page, upload_file

HUGE = '99999999999999999999'


@pytest.fixture
def org(communes_org):
    return communes_org


@pytest.mark.parametrize('path', ['/files', '/metrics/files', '/registers', '/users'])
def test_a_huge_page_number_is_a_bad_request(org, as_user, path):
    answer = as_user(org.admin).get(f'{path}?page={HUGE}&year={HUGE}')
    assert answer.status_code == 400 and 'Số trong địa chỉ quá lớn' in answer.get_data(as_text=True)


def test_a_huge_page_number_in_the_api(org, client):
    answer = client.get(f'/api/v1/files?page={HUGE}', headers=bearer(client.application, org.specialist))
    assert answer.status_code == 400 and answer.get_json()['error']['code'] == 'number_too_large'
    assert client.get('/api/v1/files?page=2', headers=bearer(client.application, org.specialist)).status_code == 200


def test_a_huge_id_in_a_path_is_no_record(org, as_user, client):
    assert as_user(org.specialist).get(f'/files/{HUGE}').status_code == 404
    answer = client.get(f'/api/v1/files/{HUGE}', headers=bearer(client.application, org.specialist))
    assert answer.status_code == 404


def test_hsts_only_over_https(org, app, client):
    secure = app.test_client()
    assert 'max-age=' in secure.get('/login', base_url='https://localhost').headers['Strict-Transport-Security']
    assert 'Strict-Transport-Security' not in client.get('/login').headers


def test_a_file_page_and_an_api_answer_are_not_stored(org, as_user, client):
    specialist = as_user(org.specialist)
    file_id = file_id_from(upload_file(specialist))
    assert 'no-store' in specialist.get(f'/files/{file_id}').headers['Cache-Control']
    assert 'no-store' in specialist.get('/').headers['Cache-Control']  # the inbox, from its own cache
    answer = client.get(f'/api/v1/files/{file_id}', headers=bearer(client.application, org.specialist))
    assert answer.status_code == 200 and 'no-store' in answer.headers['Cache-Control']
    assert 'no-store' not in (client.get('/static/js/app.js').headers.get('Cache-Control') or '')


def test_pdfs_are_sandboxed_and_downloaded_outside_the_viewer(org, as_user, client):
    specialist = as_user(org.specialist)
    file_id = file_id_from(upload_file(specialist))
    document_id = int(re.search(r'/documents/(\d+)/pdf', page(specialist, f'/files/{file_id}')).group(1))
    url = f'/documents/{document_id}/pdf'
    opened = specialist.get(url, headers={'Sec-Fetch-Dest': 'document'})  # "Mở" in a new tab
    fetched = specialist.get(url, headers={'Sec-Fetch-Dest': 'empty'})  # pdf.js
    framed = specialist.get(url, headers={'Sec-Fetch-Dest': 'iframe'})  # the page's frame
    unknown = specialist.get(url)
    api = client.get(f'/api/v1/documents/{document_id}/pdf', headers=bearer(client.application, org.specialist))
    for answer in (opened, fetched, framed, unknown, api):
        assert answer.status_code == 200
        assert answer.headers['Content-Security-Policy'].startswith('sandbox')
    for answer in (opened, unknown, api):
        assert answer.headers['Content-Disposition'].startswith('attachment')
    for answer in (fetched, framed):
        assert answer.headers['Content-Disposition'].startswith('inline')


def _timestamp_query():
    return tsp.TimeStampReq({'version': 1, 'message_imprint': tsp.MessageImprint({
        'hash_algorithm': algos.DigestAlgorithm({'algorithm': 'sha256'}),
        'hashed_message': hashlib.sha256(b'anything').digest()}), 'cert_req': True}).dump()


def _granted(answer):
    return answer.status_code == 200 and tsp.TimeStampResp.load(answer.data)['status']['status'].native == 'granted'


def test_the_tsa_refuses_anonymous_requests(org, app, client, as_user, monkeypatch):
    from workflow.signing import trust
    with app.app_context():
        trust.ensure_pki()
    query = {'data': _timestamp_query(), 'content_type': 'application/timestamp-query'}
    refused = client.post('/api/v1/pki/tsa', **query)
    assert refused.status_code == 401 and refused.get_json()['error']['code'] == 'unauthorized'
    assert _granted(client.post('/api/v1/pki/tsa', headers=bearer(app, org.specialist), **query))
    assert _granted(as_user(org.specialist).post('/api/v1/pki/tsa', **query))
    monkeypatch.setitem(app.config, 'TSA_PUBLIC', True)
    assert _granted(app.test_client().post('/api/v1/pki/tsa', **query))
