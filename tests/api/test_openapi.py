"""The OpenAPI description covers every route the API serves."""
import json
import re

HTTP_METHODS = {'get', 'post', 'put', 'patch', 'delete'}


def openapi_path(rule):
    """'/api/v1/files/<int:file_id>' → '/files/{file_id}'."""
    path = rule[len('/api/v1'):]
    return re.sub(r'<(?:[^:<>]+:)?([^<>]+)>', r'{\1}', path)


def test_served_without_login_as_valid_json(client):
    response = client.get('/api/v1/openapi.json')
    assert response.status_code == 200
    document = json.loads(response.get_data(as_text=True))
    assert document['openapi'].startswith('3.')
    assert document['info']['title'] and document['info']['version'] == '1'
    assert document['paths']
    assert document['components']['securitySchemes']['bearer'] == {
        **document['components']['securitySchemes']['bearer'], 'type': 'http', 'scheme': 'bearer'}
    assert document['servers'] == [{'url': '/api/v1'}]


def test_every_registered_route_is_described(app, client):
    document = client.get('/api/v1/openapi.json').get_json()
    routes = [(openapi_path(rule.rule), method.lower())
              for rule in app.url_map.iter_rules() if rule.rule.startswith('/api/v1/')
              for method in rule.methods if method.lower() in HTTP_METHODS]
    assert len(routes) > 25
    undocumented = [(path, method) for path, method in routes if method not in document['paths'].get(path, {})]
    assert undocumented == []
    described = {(path, method) for path, item in document['paths'].items() for method in item}
    assert described - set(routes) == set()  # and nothing is described that does not exist


def test_every_operation_documents_its_responses_and_parameters(client):
    document = client.get('/api/v1/openapi.json').get_json()
    for path, item in document['paths'].items():
        path_params = set(re.findall(r'{([^}]+)}', path))
        for method, operation in item.items():
            assert operation['summary'] and operation['responses'], (path, method)
            declared = {p['name'] for p in operation.get('parameters', []) if p['in'] == 'path'}
            assert declared == path_params, (path, method)
            if operation.get('security') != []:
                assert '401' in operation['responses'], (path, method)
            if method in ('post', 'patch') and path not in ('/files/{file_id}/start',):
                assert 'requestBody' in operation, (path, method)


def test_references_resolve_and_the_error_schema_matches_the_contract(client):
    document = client.get('/api/v1/openapi.json').get_json()
    text = json.dumps(document)
    for ref in set(re.findall(r'"\$ref": "#/components/(\w+)/(\w+)"', text)):
        assert ref[1] in document['components'][ref[0]], ref
    error = document['components']['schemas']['Error']
    assert error['required'] == ['error']
    assert error['properties']['error']['required'] == ['code', 'message']
    file_fields = set(document['components']['schemas']['FileSummary']['required']) | set(
        document['components']['schemas']['File']['allOf'][1]['required'])
    assert file_fields >= {'id', 'title', 'doc_type', 'number', 'status', 'holder_unit_id', 'holder_user_id',
                           'deadline', 'overdue', 'fully_electronic', 'documents', 'timeline', 'deliveries'}


def test_the_file_json_has_exactly_the_documented_contract_fields(api, org):
    """What GET /files/{id} returns carries every field CONTRACT.md names."""
    created = api.create_file(org.spec)
    body = api.file(org.spec, created['id'])
    assert {'id', 'title', 'doc_type', 'number', 'status', 'holder_unit_id', 'holder_user_id', 'deadline',
            'overdue', 'fully_electronic', 'documents', 'timeline', 'deliveries'} <= set(body)
    assert {'id', 'filename', 'sha256', 'signatures'} <= set(body['documents'][0])
    assert {'at', 'actor_id', 'action', 'from_unit_id', 'to_unit_id', 'note'} <= set(body['timeline'][0])
