"""The certificate profile: the deployment's policy, who the subject is (serialNumber, organizationIdentifier),
and time-stamp tokens that name their TSA by SHA-256 and state their accuracy."""

import hashlib
import secrets
import urllib.request
from io import BytesIO

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.signing.lib.conftest import ORG, POLICY_OID, UNIT_CODE
from tests.signing.lib.pki_server import CertificateRecords, start_pki_server
from workflow.signing.lib import authority, keystore, timestamps
from workflow.signing.lib.validation import verify_pdf


def _der(certificate):
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _policies(certificate):
    policies = certificate.extensions.get_extension_for_class(x509.CertificatePolicies)
    return [p.policy_identifier.dotted_string for p in policies.value], policies.critical


def _time_stamp(url, data=b'cong van so 12'):
    request = tsp.TimeStampReq({
        'version': 'v1', 'cert_req': True, 'nonce': secrets.randbits(63),
        'message_imprint': {'hash_algorithm': {'algorithm': 'sha256'},
                            'hashed_message': hashlib.sha256(data).digest()}})
    posted = urllib.request.Request(url, data=request.dump(),
                                    headers={'Content-Type': 'application/timestamp-query'})
    with urllib.request.urlopen(posted, timeout=30) as answer:
        assert answer.headers['Content-Type'] == 'application/timestamp-reply'
        return tsp.TimeStampResp.load(answer.read())


def _token_parts(token: cms.ContentInfo):
    signed_data = token['content']
    tst_info = signed_data['encap_content_info']['content'].parsed
    [signer_info] = signed_data['signer_infos']
    attributes = {a['type'].native: a['values'][0] for a in signer_info['signed_attrs']}
    return tst_info, attributes


def test_a_person_certificate_names_the_person_by_a_stable_identifier(local_pki):
    certificate = local_pki.person(full_name='Lý Thị Hoa', title='Phó Chủ tịch', serial_number='hoa.ly').certificate
    assert certificate.subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)[0].value == 'hoa.ly'
    assert certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == 'Lý Thị Hoa'
    # X.520 has serialNumber as a PrintableString; a validator that insists must not stumble on it
    names = {a['type'].native: a['value'] for rdn in _der(certificate).subject.chosen for a in rdn}
    assert names['serial_number'].dump()[0] == 0x13  # the PrintableString tag


def test_a_person_certificate_carries_the_deployments_policy(leader):
    assert _policies(leader[0].certificate) == ([POLICY_OID], False)


def test_a_seal_certificate_carries_the_unit_code_as_organization_identifier(organisation):
    certificate = organisation[0].certificate
    identifier = certificate.subject.get_attributes_for_oid(x509.ObjectIdentifier('2.5.4.97'))
    assert [a.value for a in identifier] == [UNIT_CODE]
    assert certificate.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)[0].value == ORG
    assert _policies(certificate) == ([POLICY_OID], False)


def test_without_an_identifier_no_empty_attribute_is_written(local_pki):
    certificate = local_pki.person(full_name='Đỗ Văn Bình', serial_number=None).certificate
    assert certificate.subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER) == []


def test_the_tsa_certificate_carries_the_policy_and_its_pointers(local_pki):
    certificate = authority.tsa_certificate(local_pki.keys_dir)
    assert _policies(certificate) == ([POLICY_OID], False)
    assert authority.revocation_pointers(certificate) == (local_pki.base_url + authority.OCSP_PATH,
                                                          local_pki.base_url + authority.CRL_PATH)


def test_a_time_stamp_names_its_tsa_by_sha256_and_states_policy_and_accuracy(local_pki):
    response = _time_stamp(local_pki.base_url + authority.TSA_PATH)
    assert response['status']['status'].native == 'granted'
    tst_info, attributes = _token_parts(response['time_stamp_token'])
    assert tst_info['policy'].dotted == timestamps.DEFAULT_POLICY
    assert tst_info['accuracy'].native == {'seconds': 1, 'millis': None, 'micros': None}
    assert 'signing_certificate' not in attributes  # ESS v1 names the certificate by SHA-1
    [cert_id] = attributes['signing_certificate_v2']['certs']
    tsa_der = authority.tsa_certificate(local_pki.keys_dir).public_bytes(serialization.Encoding.DER)
    assert cert_id['hash_algorithm']['algorithm'].native == 'sha256'
    assert cert_id['cert_hash'].native == hashlib.sha256(tsa_der).digest()


def test_the_tsa_policy_is_the_deployments_choice(local_pki):
    request = tsp.TimeStampReq({'version': 'v1', 'message_imprint': {
        'hash_algorithm': {'algorithm': 'sha256'}, 'hashed_message': hashlib.sha256(b'x').digest()}})
    response = tsp.TimeStampResp.load(timestamps.tsa_response(local_pki.keys_dir, request.dump(),
                                                              policy='2.16.704.1.99.8'))
    tst_info, _attributes = _token_parts(response['time_stamp_token'])
    assert tst_info['policy'].dotted == '2.16.704.1.99.8'


def test_signatures_with_the_profile_validate_in_pyhanko_and_poppler(local_pki, issued, pdfsig):
    report = verify_pdf(issued, [local_pki.root])
    assert report['valid'] and [s['level'] for s in report['signatures']] == ['B-LTA'] * 3, report
    blocks, _out = pdfsig(issued)
    assert len(blocks) == 3  # leader, seal, and the document time stamp poppler does not verify
    for block in blocks[:2]:
        assert 'Signature is Valid' in block and 'Certificate is Trusted' in block
    for embedded in PdfFileReader(BytesIO(issued)).embedded_regular_signatures:
        token = embedded.signer_info['unsigned_attrs'][0]['values'][0]
        _tst_info, attributes = _token_parts(token)
        assert 'signing_certificate_v2' in attributes and 'signing_certificate' not in attributes


def test_reissuing_the_tsa_keeps_root_and_key_and_points_at_the_new_address(tmp_path):
    keys_dir, records = tmp_path / 'keys', None
    records = CertificateRecords(keys_dir)
    old_server, new_server = start_pki_server(keys_dir, records), start_pki_server(keys_dir, records)
    try:
        authority.init_pki(keys_dir, ORG, base_url=old_server.base_url)
        root, old = (keys_dir / 'root.pem').read_bytes(), authority.tsa_certificate(keys_dir)
        assert authority.reissue_tsa(keys_dir, base_url=old_server.base_url) is None  # nothing to do

        renewed = authority.reissue_tsa(keys_dir, base_url=new_server.base_url, policy_oid=POLICY_OID)

        assert (keys_dir / 'root.pem').read_bytes() == root
        assert authority.tsa_certificate(keys_dir) == renewed != old
        assert renewed.public_key() == old.public_key() and renewed.subject == old.subject
        assert authority.revocation_pointers(renewed)[0] == new_server.base_url + authority.OCSP_PATH
        assert authority.points_at(renewed, new_server.base_url) and not authority.points_at(old,
                                                                                             new_server.base_url)
        # the old certificate is kept and stays "good" for the time stamps it made
        assert [p.name for p in authority.retired_service_paths(keys_dir)] == [f'tsa.{old.serial_number:x}.pem']
        assert records.status(old.serial_number)[0] == records.status(renewed.serial_number)[0] == 'good'
        response = _time_stamp(new_server.base_url + authority.TSA_PATH)
        [cert_id] = _token_parts(response['time_stamp_token'])[1]['signing_certificate_v2']['certs']
        assert cert_id['cert_hash'].native == hashlib.sha256(
            renewed.public_bytes(serialization.Encoding.DER)).digest()
    finally:
        old_server.shutdown()
        new_server.shutdown()


def test_a_holder_certificate_is_recertified_for_the_same_key(local_pki):
    credential = local_pki.person(full_name='Vũ Văn Hải', pin='2468', serial_number='hai.vu')
    renewed = authority.recertify(local_pki.keys_dir, credential.certificate, base_url='https://vanphong.example',
                                  policy_oid=POLICY_OID)
    assert renewed.public_key() == credential.certificate.public_key()
    assert renewed.subject == credential.certificate.subject
    assert renewed.serial_number != credential.serial
    assert authority.revocation_pointers(renewed) == ('https://vanphong.example' + authority.OCSP_PATH,
                                                      'https://vanphong.example' + authority.CRL_PATH)
    assert abs((renewed.not_valid_after_utc - credential.certificate.not_valid_after_utc).days) <= 1
    signer = keystore.load_pkcs12_signer(credential.pkcs12, '2468')
    assert keystore.with_certificate(signer, renewed).signing_cert.dump() == _der(renewed).dump()
