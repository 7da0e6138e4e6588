"""The check every test gets for free (tests/conftest.py): each answer from /api/v1 fits the OpenAPI
document. Here: it sees the answers, lets a good one pass, and names what is wrong with a bad one."""
import json

import pytest

from tests.builders import PASSWORD
from tests.support.contract import CONTRACT, RECORDER, Answer

FILE_RULE = '/api/v1/files/<int:file_id>'


def answer(app, body, *, rule=FILE_RULE, path='/api/v1/files/1', status=200, method='GET',
           mimetype='application/json'):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Answer(app, method, rule, path, status, mimetype, data)


@pytest.fixture
def file_body(api, org):
    return api.file(org.spec, api.create_file(org.spec)['id'])


def test_every_answer_of_a_test_is_noted(client, api, org, file_body):
    client.post('/api/v1/tokens', json={'username': org.spec.username, 'password': PASSWORD})
    seen = {(a.method, a.rule, a.status) for a in RECORDER.seen()}
    assert {('POST', '/api/v1/tokens', 201), ('POST', '/api/v1/files', 201), ('GET', FILE_RULE, 200)} <= seen
    assert CONTRACT.problems(RECORDER.seen()) == []


def test_a_body_that_fits_passes(app, file_body):
    assert CONTRACT.problem(answer(app, file_body)) is None


def test_a_missing_field_a_wrong_type_and_an_unknown_code_are_named(app, file_body):
    broken = {key: value for key, value in file_body.items() if key != 'title'}
    broken.update(status='lost', overdue='no', deadline='31/12/2026')
    problem = CONTRACT.problem(answer(app, broken))
    assert problem.startswith('GET /api/v1/files/1 → 200: the body does not fit GET /files/{file_id} 200')
    assert "'title' is a required property" in problem
    assert "'lost' is not one of" in problem and "'no' is not of type 'boolean'" in problem
    assert "'31/12/2026' is not a 'date-time'" in problem


def test_a_nested_mistake_is_found_where_it_is(app, file_body):
    file_body['documents'][0]['sha256'] = 'not a digest'
    problem = CONTRACT.problem(answer(app, file_body))
    assert "at $.documents[0].sha256: 'not a digest' does not match" in problem


def test_a_time_without_its_offset_is_refused(app, file_body):
    file_body['created_at'] = '2026-03-31T17:00:00'
    assert "'2026-03-31T17:00:00' is not a 'date-time'" in CONTRACT.problem(answer(app, file_body))


def test_an_error_outside_the_envelope_is_refused(app):
    problem = CONTRACT.problem(answer(app, {'error': {'code': 'file_not_found'}}, status=404))
    assert "'message' is a required property" in problem
    unrouted = answer(app, {'message': 'Not Found'}, rule=None, path='/api/v1/nowhere', status=404)
    assert "'error' is a required property" in CONTRACT.problem(unrouted)


def test_an_undeclared_status_or_content_type_is_refused(app, file_body):
    assert 'does not fit GET /files/{file_id} default' in CONTRACT.problem(answer(app, file_body, status=201))
    html = answer(app, b'<html></html>', mimetype='text/html')
    assert 'answered text/html, GET /files/{file_id} 200 declares' in CONTRACT.problem(html)
    undescribed = answer(app, {}, rule='/api/v1/files/<int:file_id>', method='PUT')
    assert 'the document does not describe PUT /files/{file_id}' in CONTRACT.problem(undescribed)


def test_binary_answers_are_checked_for_their_content_type(app):
    crl = answer(app, b'0\x82', rule='/api/v1/pki/crl', path='/api/v1/pki/crl', mimetype='application/pkix-crl')
    assert CONTRACT.problem(crl) is None
    assert 'declares' in CONTRACT.problem(answer(app, b'0\x82', rule='/api/v1/pki/crl', path='/api/v1/pki/crl',
                                                 mimetype='application/octet-stream'))
