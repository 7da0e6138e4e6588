"""Signing through a PKCS#11 token (SoftHSM2 initialised by the test itself)."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.signing.lib.conftest import fixture_bytes
from tests.support import softhsm
from workflow.signing.lib import decree30, keystore
from workflow.signing.lib.errors import WrongPin
from workflow.signing.lib.validation import verify_pdf


@pytest.fixture
def token(tmp_path, local_pki):
    softhsm.init_token('t', '1234')
    credential = local_pki.person(full_name='Võ Thị Sáu', pin='9999')
    key, cert, _ = pkcs12.load_key_and_certificates(credential.pkcs12, b'9999')
    key_file = tmp_path / 'key.pem'
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    softhsm.import_key(key_file, label='t', key_label='signer', pin='1234')
    key_file.unlink()
    _store_certificate(cert)
    return cert


def _store_certificate(cert):
    from pkcs11 import Attribute, CertificateType, ObjectClass
    lib = softhsm.refresh_library(keystore.SOFTHSM_MODULE)
    with lib.get_token(token_label='t').open(rw=True, user_pin='1234') as session:
        session.create_object({
            Attribute.CLASS: ObjectClass.CERTIFICATE,
            Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
            Attribute.TOKEN: True, Attribute.LABEL: 'signer', Attribute.ID: b'\x01',
            Attribute.SUBJECT: cert.subject.public_bytes(),
            Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER)})


def test_signing_through_a_token(token, local_pki):
    with keystore.pkcs11_signer('1234', token_label='t', key_label='signer') as signer:
        signed = decree30.sign_as_signer(
            fixture_bytes('cong-van-dong-hiep.pdf'), signer, title='PHÓ CHỦ TỊCH',
            full_name='Võ Thị Sáu', signature_png=fixture_bytes('chu-ky-nguyen-van-men.png'),
            timestamper=local_pki.timestamper)
    report = verify_pdf(signed, [local_pki.root])
    assert report['valid'], report
    assert 'Võ Thị Sáu' in report['signatures'][0]['signer']


def test_wrong_token_pin(token):
    with pytest.raises(WrongPin):
        with keystore.pkcs11_signer('0000', token_label='t', key_label='signer'):
            pass
