"""Keys the server does not hold as PKCS#12 under its own CA: a PKCS#11 token (SoftHSM2, initialised here)
and a certificate issued elsewhere; and documents signed elsewhere keep their signatures."""
import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pkcs11 import Attribute, CertificateType, ObjectClass

from tests.builders import LEADER_PIN
from tests.support import softhsm
from workflow.errors import BadInput, DomainError
from workflow.extensions import db
from workflow.files.operations import Upload, create_file, forward_file, sign_document
from workflow.signing import credentials, trust, verification
from workflow.signing.lib import authority, keystore
from workflow.signing.models import TrustAnchor
from workflow.storage import blobs

TOKEN_PIN = '4321'


@pytest.fixture
def softhsm_token(tmp_path, app, sorg):
    """A fresh SoftHSM2 token holding the chairman's key (issued by the local CA) and certificate."""
    softhsm.init_token('ct-huyen', TOKEN_PIN)
    issued = authority.issue_person_certificate(trust.keys_dir(), full_name=sorg.chairman.full_name, title='Chủ tịch',
                                          unit_name=sorg.district.name, pin='tmp-pin', base_url=trust.base_url())
    key, cert, _chain = pkcs12.load_key_and_certificates(issued.pkcs12, b'tmp-pin')
    key_file = tmp_path / 'key.pem'
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    softhsm.import_key(key_file, label='ct-huyen', key_label='chu-ky', pin=TOKEN_PIN)
    key_file.unlink()
    with softhsm.refresh_library(keystore.SOFTHSM_MODULE).get_token(token_label="ct-huyen").open(rw=True,
                                                                                     user_pin=TOKEN_PIN) as session:
        session.create_object({Attribute.CLASS: ObjectClass.CERTIFICATE,
                               Attribute.CERTIFICATE_TYPE: CertificateType.X_509, Attribute.TOKEN: True,
                               Attribute.LABEL: 'chu-ky', Attribute.ID: b'\x01',
                               Attribute.SUBJECT: cert.subject.public_bytes(),
                               Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER)})
    return cert


def test_a_leader_signs_with_a_key_on_a_pkcs11_token(sorg, softhsm_token):
    pem = softhsm_token.public_bytes(serialization.Encoding.PEM).decode()
    credentials.register_token_credential(sorg.admin, sorg.chairman, certificate_pem=pem, token_label='ct-huyen',
                                      key_label='chu-ky')
    file = sorg.draft()
    forward_file(file, sorg.specialist, purpose='sign', to_user=sorg.chairman)
    with pytest.raises(DomainError) as refused:
        sign_document(file, sorg.chairman, document=file.main_document, pin='0000')
    assert refused.value.code == 'wrong_pin'
    sign_document(file, sorg.chairman, document=file.main_document, pin=TOKEN_PIN)
    report = verification.verify_bytes(blobs().get(file.main_document.sha256))
    assert report['valid'] and format(softhsm_token.serial_number, 'x') in {
        credentials.active_credential(user=sorg.chairman).serial}


def _foreign_pkcs12(password):
    """A CA of another province and a person's key under it, as a real CA would hand them out."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'CA Chuyên dùng Chính phủ (thử nghiệm)')])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'Nguyễn Văn Mến')]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=700))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(ca_key, hashes.SHA256()))
    return pkcs12.serialize_key_and_certificates(b'men', key, cert, [ca],
                                                 serialization.BestAvailableEncryption(password.encode()))


def test_an_imported_certificate_is_trusted_only_after_the_admin_approves_its_ca(sorg):
    with pytest.raises(BadInput):
        credentials.import_pkcs12_credential(sorg.admin, sorg.chairman, pkcs12=_foreign_pkcs12('p12-pass'),
                                         password='wrong')
    credentials.import_pkcs12_credential(sorg.admin, sorg.chairman, pkcs12=_foreign_pkcs12('p12-pass'),
                                     password='p12-pass')
    # the PKCS#12's own password now opens the key for signing
    file = sorg.draft()
    forward_file(file, sorg.specialist, purpose='sign', to_user=sorg.chairman)
    sign_document(file, sorg.chairman, document=file.main_document, pin='p12-pass')
    signed = blobs().get(file.main_document.sha256)
    assert not verification.verify_bytes(signed)['signatures'][0]['trusted']
    untrusted = verification.present(verification.verify_bytes(signed))  # intact, so the chain was checked
    assert untrusted['headline'] == 'Chứng thư số không thuộc tổ chức chứng thực được tin cậy.'
    assert untrusted['signatures'][0]['trust_checked'] and untrusted['signatures'][0]['intact']
    anchor = db.session.query(TrustAnchor).one()
    assert anchor.approved_at is None and 'Chuyên dùng' in anchor.subject
    credentials.approve_anchor(sorg.admin, anchor)
    assert verification.verify_bytes(signed)['signatures'][0]['trusted']


def test_a_pdf_signed_elsewhere_keeps_its_signature_when_uploaded(sorg):
    file = sorg.draft()
    forward_file(file, sorg.specialist, purpose='sign', to_user=sorg.chairman)
    sign_document(file, sorg.chairman, document=file.main_document, pin=LEADER_PIN)
    signed_elsewhere = blobs().get(file.main_document.sha256)
    uploaded, _duplicate = create_file(sorg.finance_leader, title='Văn bản đã ký số từ nơi khác', doc_type='QĐ',
                                       upload=Upload('da-ky.pdf', signed_elsewhere))
    assert blobs().get(uploaded.main_document.sha256) == signed_elsewhere  # byte for byte, never rewritten
    assert verification.verify_bytes(signed_elsewhere)['valid']
