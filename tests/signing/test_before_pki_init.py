"""A deployment that has not run `pki init` yet still verifies documents (trusting nothing of its own)."""
from tests.builders import pdf
from workflow.signing import trust, verification


def test_verification_works_before_the_local_pki_exists(app, client, tmp_path, make_unit, make_user):
    original = app.config['KEYS_DIR']
    app.config['KEYS_DIR'] = str(tmp_path / 'no-pki-yet')
    try:
        with app.test_request_context():
            assert trust.trust_roots() == [] and trust.current_crl() is None
            report = verification.verify_bytes(pdf())
        assert report['valid'] is False and report['signatures'] == []
        assert client.get('/api/v1/pki/crl').status_code == 503
    finally:
        app.config['KEYS_DIR'] = original
