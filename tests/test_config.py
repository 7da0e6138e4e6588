"""Start-up settings: PUBLIC_BASE_URL and the policy identifiers, from the environment, failing fast."""
import pytest

from workflow import create_app
from workflow.config import ConfigError, from_environment, settle_public_base_url

pytestmark = pytest.mark.nodb

POSTGRES = 'postgresql+psycopg://office@db.example:5432/office'


@pytest.fixture
def environment(monkeypatch, tmp_path):
    for name in ('PUBLIC_BASE_URL', 'DATABASE_URL', 'PORT', 'CERTIFICATE_POLICY_OID', 'TSA_POLICY_OID'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('SECRET_KEY', 'config-test')
    monkeypatch.setenv('KEYS_DIR', str(tmp_path / 'keys'))
    return monkeypatch


def test_a_postgresql_deployment_without_public_base_url_refuses_to_start_and_says_why(environment):
    environment.setenv('DATABASE_URL', POSTGRES)
    with pytest.raises(ConfigError) as refused:
        create_app()
    message = str(refused.value)
    assert 'PUBLIC_BASE_URL is required' in message
    assert 'OCSP' in message and 'CRL' in message and 'SQLite' in message


def test_an_override_of_the_database_counts_as_much_as_the_environment(environment):
    with pytest.raises(ConfigError, match='PUBLIC_BASE_URL is required'):
        create_app({'SQLALCHEMY_DATABASE_URI': POSTGRES})


def test_a_postgresql_deployment_with_public_base_url_starts_with_it(environment):
    environment.setenv('DATABASE_URL', POSTGRES)
    environment.setenv('PUBLIC_BASE_URL', 'https://vanphong.codo.example/')
    app = create_app()
    assert app.config['PUBLIC_BASE_URL'] == 'https://vanphong.codo.example'


def test_the_embedded_mode_defaults_to_the_local_port(environment, tmp_path):
    environment.setenv('PORT', '5123')
    app = create_app({'SQLALCHEMY_DATABASE_URI': f'sqlite:///{tmp_path}/embedded.db'})
    assert app.config['PUBLIC_BASE_URL'] == 'http://127.0.0.1:5123'


def test_the_embedded_mode_without_any_database_setting_needs_nothing(environment):
    config = from_environment()
    settle_public_base_url(config)
    assert config['SQLALCHEMY_DATABASE_URI'].startswith('sqlite:')
    assert config['PUBLIC_BASE_URL'] == 'http://127.0.0.1:5000'


@pytest.mark.parametrize('url, words', [
    ('ftp://vanphong.example', 'http:// or https://'),
    ('vanphong.example', 'http:// or https://'),
    ('https://', 'http:// or https://'),
    ('https://vanphong.example/?a=1', 'query or a fragment'),
    ('https://vanphong.example/#top', 'query or a fragment'),
    ('https://vanphong.example:port', 'invalid port'),
])
def test_a_public_base_url_that_is_no_plain_address_is_refused(environment, url, words):
    environment.setenv('PUBLIC_BASE_URL', url)
    with pytest.raises(ConfigError, match=words):
        create_app({'SQLALCHEMY_DATABASE_URI': POSTGRES})


def test_policy_identifiers_have_defaults_and_can_be_set(environment):
    config = from_environment()
    assert config['CERTIFICATE_POLICY_OID'] == '1.3.6.1.4.1.59350.1.2'
    assert config['TSA_POLICY_OID'] == '1.3.6.1.4.1.59350.1.1'
    environment.setenv('CERTIFICATE_POLICY_OID', '2.16.704.1.99.1')
    environment.setenv('TSA_POLICY_OID', '2.16.704.1.99.2')
    config = from_environment()
    assert (config['CERTIFICATE_POLICY_OID'], config['TSA_POLICY_OID']) == ('2.16.704.1.99.1', '2.16.704.1.99.2')


def test_a_policy_identifier_that_is_no_oid_is_refused(environment):
    environment.setenv('TSA_POLICY_OID', 'district-tsa')
    with pytest.raises(ConfigError, match='TSA_POLICY_OID must be a dotted object identifier'):
        from_environment()
