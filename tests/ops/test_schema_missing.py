"""A server started before `init-db` answers 503 saying to run it, instead of 500 to everything."""
import pytest

from tests.support.services import fresh_database
from workflow import create_app
from workflow.extensions import db

pytestmark = pytest.mark.nodb  # its own database, not the suite's


@pytest.fixture
def schemaless_app(app, tmp_path):
    with fresh_database(tmp_path) as url:
        other = create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': url, 'SECRET_KEY': 'schemaless',
                            'STORAGE_URL': f'file://{tmp_path}/storage', 'KEYS_DIR': str(tmp_path / 'keys'),
                            'RATELIMIT_ENABLED': False, 'WTF_CSRF_ENABLED': False,
                            'PUBLIC_BASE_URL': app.config['PUBLIC_BASE_URL']})
        yield other
        with other.app_context():
            db.engine.dispose()


def test_without_a_schema_every_page_and_api_call_answers_503_with_init_db(schemaless_app):
    client = schemaless_app.test_client()
    for path in ('/login', '/', '/verify', '/readyz'):
        page = client.get(path)
        assert page.status_code == 503, (path, page.status_code)
        assert 'flask --app wsgi init-db' in page.get_data(as_text=True)
    login = client.post('/login', data={'username': 'admin', 'password': 'x'})
    assert login.status_code == 503
    api = client.get('/api/v1/files', headers={'Accept-Language': 'en'})
    assert api.status_code == 503
    assert api.json['error']['code'] == 'schema_missing' and 'init-db' in api.json['error']['message']
    assert client.get('/healthz').status_code == 200  # the process itself is alive

    with schemaless_app.app_context():
        result = schemaless_app.test_cli_runner().invoke(args=['init-db'])
    assert result.exit_code == 0, result.output
    assert client.get('/login').status_code == 200
