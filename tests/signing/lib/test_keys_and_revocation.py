"""Keys open only with their PIN; revocation voids later signatures, not earlier B-LT ones."""

import socket
import time

import pytest
from cryptography import x509
from pyhanko.sign.timestamps import HTTPTimeStamper

from tests.signing.lib.conftest import fixture_bytes
from workflow.signing.lib import authority, decree30, keystore
from workflow.signing.lib.errors import InvalidCredential, TimestampUnavailable, WrongPin
from workflow.signing.lib.validation import verify_pdf

SIGNATURE = 'chu-ky-nguyen-van-men.png'


def _sign(local_pki, signer, **kwargs):
    return decree30.sign_as_signer(
        fixture_bytes('quyet-dinh-ke-hoach-cds-2026.pdf'), signer, title='CHỦ TỊCH',
        full_name='Trần Thị Ánh', signature_png=fixture_bytes(SIGNATURE),
        timestamper=local_pki.timestamper, **kwargs)


def test_wrong_pin_is_refused_with_its_own_code(local_pki):
    credential = local_pki.person(pin='2468')
    with pytest.raises(WrongPin) as error:
        keystore.load_pkcs12_signer(credential.pkcs12, '0000')
    assert error.value.code == 'wrong_pin'
    keystore.load_pkcs12_signer(credential.pkcs12, '2468')
    with pytest.raises(WrongPin):  # also once the right PIN has put the key in the cache
        keystore.load_pkcs12_signer(credential.pkcs12, '0000')


def test_garbage_is_not_a_key_file():
    with pytest.raises(InvalidCredential):
        keystore.load_pkcs12_signer(b'not a pkcs12', '1234')


def test_imported_pkcs12_yields_certificate_and_chain(local_pki):
    credential = local_pki.person(full_name='Lê Văn Tám', pin='1111')
    imported = keystore.import_pkcs12(credential.pkcs12, '1111')
    assert imported.certificate.serial_number == credential.serial
    assert imported.chain == [local_pki.root]


def test_person_certificate_carries_decree_fields_and_revocation_urls(local_pki):
    cert = local_pki.person(full_name='Phạm Hùng', title='Phó Chủ tịch').certificate
    subject = cert.subject
    assert subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == 'Phạm Hùng'
    assert subject.get_attributes_for_oid(x509.NameOID.TITLE)[0].value == 'Phó Chủ tịch'
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert aia[0].access_location.value == local_pki.base_url + authority.OCSP_PATH


def test_pki_files_are_private_and_init_is_idempotent(local_pki):
    before = (local_pki.keys_dir / 'root.pem').read_bytes()
    authority.init_pki(local_pki.keys_dir, 'Another name')
    assert (local_pki.keys_dir / 'root.pem').read_bytes() == before
    for name in ('.secret', 'root.key', 'tsa.key', 'ocsp.key'):
        assert (local_pki.keys_dir / name).stat().st_mode & 0o777 == 0o600
    assert b'ENCRYPTED' in (local_pki.keys_dir / 'root.key').read_bytes()


def test_revocation_voids_later_signatures_but_not_earlier_b_lt(local_pki):
    credential = local_pki.person(full_name='Trần Thị Ánh', pin='1357')
    signer = keystore.load_pkcs12_signer(credential.pkcs12, '1357')
    before = _sign(local_pki, signer, validation_context=local_pki.validation_context(),
                   embed_validation_info=True)
    time.sleep(1.2)
    local_pki.revoke(credential.serial, reason='key_compromise')
    assert local_pki.records.status(credential.serial)[0] == 'revoked'
    crl = x509.load_der_x509_crl(local_pki.crl())
    assert crl.get_revoked_certificate_by_serial_number(credential.serial) is not None
    time.sleep(1.2)
    after = _sign(local_pki, signer)

    early = verify_pdf(before, [local_pki.root], allow_fetching=True)
    late = verify_pdf(after, [local_pki.root], allow_fetching=True)

    assert early['valid'], early
    assert early['signatures'][0]['level'] == 'B-LT'
    assert not late['valid']
    assert late['signatures'][0]['revoked'] and late['signatures'][0]['revoked_at']


def test_unreachable_tsa_means_no_signature(leader):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    with pytest.raises(TimestampUnavailable) as error:
        decree30.sign_as_signer(
            fixture_bytes('quyet-dinh-ke-hoach-cds-2026.pdf'), leader[1], title='CHỦ TỊCH',
            full_name='Nguyễn Văn Mến', signature_png=fixture_bytes(SIGNATURE),
            timestamper=HTTPTimeStamper(f'http://127.0.0.1:{port}/tsa'))
    assert error.value.code == 'timestamp_unavailable'


def test_no_timestamper_means_no_signature(leader):
    with pytest.raises(TimestampUnavailable):
        _sign_without_tsa(leader[1])


def _sign_without_tsa(signer):
    return decree30.sign_as_signer(
        fixture_bytes('quyet-dinh-ke-hoach-cds-2026.pdf'), signer, title='CHỦ TỊCH',
        full_name='Nguyễn Văn Mến', signature_png=fixture_bytes(SIGNATURE), timestamper=None)
