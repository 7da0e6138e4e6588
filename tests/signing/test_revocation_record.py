"""Revocation has one source of truth: the credential's row. The CRL and the OCSP answers are built from
the database, so a revocation rolled back never reaches a validator, and a second app host with a copy
of the keys directory (taken before the revocation) answers exactly as the first."""
import hashlib
import shutil

import pytest
from cryptography import x509

from tests.builders import enrol
from workflow import create_app
from workflow.errors import BadInput
from workflow.extensions import db
from workflow.signing import credentials, trust
from workflow.unit_of_work import transaction


def _revoked_serials(crl_der):
    return {entry.serial_number for entry in x509.load_der_x509_crl(crl_der)}


def _chairman_serial(sorg):
    return int(credentials.active_credential(user=sorg.chairman).serial, 16)


def test_a_revocation_that_is_rolled_back_never_reaches_the_crl_or_ocsp(sorg):
    db.session.commit()  # the district and its keys exist before the request that revokes
    serial = _chairman_serial(sorg)
    with pytest.raises(BadInput), transaction():
        credentials.revoke_user_certificate(sorg.admin, sorg.chairman)
        assert serial in _revoked_serials(trust.current_crl())  # inside its transaction it is revoked
        raise BadInput('the admin changed their mind before the end of the request')
    assert serial not in _revoked_serials(trust.current_crl())
    assert trust.certificate_status(serial) == ('good', None, None)

    with transaction():
        credentials.revoke_user_certificate(sorg.admin, sorg.chairman, reason='keyCompromise')
    assert serial in _revoked_serials(trust.current_crl())
    status, revoked_at, reason = trust.certificate_status(serial)
    assert (status, reason) == ('revoked', 'key_compromise') and revoked_at is not None


def test_an_unknown_revocation_reason_is_refused(sorg):
    with pytest.raises(BadInput) as refused:
        credentials.revoke_user_certificate(sorg.admin, sorg.chairman, reason='boredom')
    assert refused.value.code == 'invalid_reason'
    assert _chairman_serial(sorg) not in _revoked_serials(trust.current_crl())


def _contents(directory):
    return {path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(directory.rglob('*')) if path.is_file()}


def test_issuing_and_revoking_write_nothing_in_the_keys_directory(app, sorg):
    keys = trust.keys_dir()
    before = _contents(keys)
    enrol(sorg.admin, sorg.commune_leader, '444444')
    credentials.revoke_user_certificate(sorg.admin, sorg.chairman)
    assert _contents(keys) == before


def test_a_second_host_with_a_copy_of_the_keys_answers_the_same(app, sorg, tmp_path):
    copy = tmp_path / 'keys-on-host-2'
    shutil.copytree(trust.keys_dir(), copy)  # deployed to the second host before the revocation
    serial = _chairman_serial(sorg)
    credentials.revoke_user_certificate(sorg.admin, sorg.chairman)
    second = create_app({key: app.config[key] for key in ('SQLALCHEMY_DATABASE_URI', 'STORAGE_URL', 'SECRET_KEY',
                                                          'PUBLIC_BASE_URL', 'TESTING', 'RATELIMIT_ENABLED')}
                        | {'KEYS_DIR': str(copy)})
    with second.app_context():
        assert serial in _revoked_serials(trust.current_crl())
        assert trust.certificate_status(serial)[0] == 'revoked'
