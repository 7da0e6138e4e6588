"""The OpenAPI document is written by flask-smorest from the schemas that read the requests."""
from workflow.api import bodies
from workflow.api.openapi import document_of


def test_the_same_document_every_time(app, client):
    first = client.get('/api/v1/openapi.json').get_json()
    assert client.get('/api/v1/openapi.json').get_json() == first
    with app.app_context():
        assert document_of(app) == first


def test_a_body_is_documented_by_the_schema_that_reads_it(client):
    document = client.get('/api/v1/openapi.json').get_json()
    forward = document['paths']['/files/{file_id}/forward']['post']['requestBody']
    assert forward['content']['application/json']['schema'] == {'$ref': '#/components/schemas/Forward'}
    schema = document['components']['schemas']['Forward']
    read = {field.data_key or name for name, field in bodies.Forward().fields.items()}
    assert set(schema['properties']) == read and schema['required'] == ['purpose']
    assert schema['properties']['purpose']['enum'] == ['sign', 'handle', 'info']
    upload = document['paths']['/files']['post']['requestBody']['content']['multipart/form-data']['schema']
    new_file = document['components']['schemas'][upload['$ref'].rsplit('/', 1)[-1]]
    assert new_file['required'] == ['file'] and new_file['properties']['file']['format'] == 'binary'


def test_query_parameters_come_from_their_schema_and_are_never_null(client):
    document = client.get('/api/v1/openapi.json').get_json()
    parameters = {p['name']: p for p in document['paths']['/files']['get']['parameters']}
    assert set(parameters) == {'box', 'status', 'direction', 'page', 'q'}
    assert parameters['box']['schema'] == {'type': 'string', 'enum': ['inbox', 'sent', 'all'], 'default': 'all'}
    queries = [p for item in document['paths'].values() for op in item.values()
               for p in op.get('parameters', []) if p['in'] == 'query']
    assert queries and all(p['schema'].get('type') != 'null' and 'null' not in p['schema'].get('type', [])
                           for p in queries)


def test_errors_are_documented_in_the_envelope(client):
    document = client.get('/api/v1/openapi.json').get_json()
    responses = document['components']['responses']
    for name in ('BAD_REQUEST', 'NOT_FOUND', 'DEFAULT_ERROR'):
        assert responses[name]['content']['application/json']['schema'] == {'$ref': '#/components/schemas/Error'}
    for item in document['paths'].values():
        for operation in item.values():
            assert operation['responses']['default'] == {'$ref': '#/components/responses/DEFAULT_ERROR'}


def test_a_file_extends_its_summary(client):
    schemas = client.get('/api/v1/openapi.json').get_json()['components']['schemas']
    assert schemas['File']['allOf'][0] == {'$ref': '#/components/schemas/FileSummary'}
    assert schemas['SignedFile']['allOf'][0] == {'$ref': '#/components/schemas/File'}
    assert set(schemas['SignedFile']['allOf'][1]['properties']) == {'signature'}


def test_flask_smorest_serves_nothing_of_its_own(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert not any(endpoint.startswith('api-docs') for endpoint in endpoints)
    assert {'api.openapi_document', 'api.metrics_paperless', 'pki.crl', 'pki.root_certificate'} <= endpoints
    assert not any(endpoint.startswith('metrics_api.') for endpoint in endpoints)
