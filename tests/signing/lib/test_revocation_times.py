"""Times at one-second resolution (CRLs, OCSP) against times with fractions (time stamps): rounded up,
never back, so that nothing made before a revocation reads as made after it, and no CRL or OCSP answer
is dated before what it reports."""

import datetime as dt
import time
from io import BytesIO

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp as ocsp_api
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.signing.lib.conftest import fixture_bytes
from workflow.signing.lib import decree30, keystore, revocation
from workflow.signing.lib.validation import _timestamp_time, verify_pdf


def test_rounding_is_up_to_the_second_and_whole_seconds_stay():
    moment = dt.datetime(2026, 1, 5, 9, 0, 0, 1, tzinfo=dt.timezone.utc)
    assert revocation.to_the_second(moment) == dt.datetime(2026, 1, 5, 9, 0, 1, tzinfo=dt.timezone.utc)
    whole = dt.datetime(2026, 1, 5, 9, 0, 0, tzinfo=dt.timezone.utc)
    assert revocation.to_the_second(whole) == whole


def test_a_revocation_in_the_same_second_as_a_signature_does_not_void_it(local_pki):
    credential = local_pki.person(full_name='Lê Thị Cùng Giây', pin='2580')
    signer = keystore.load_pkcs12_signer(credential.pkcs12, '2580')
    while dt.datetime.now(dt.timezone.utc).microsecond > 300_000:  # start early in a second
        time.sleep(0.01)
    signed = decree30.sign_as_signer(
        fixture_bytes('quyet-dinh-ke-hoach-cds-2026.pdf'), signer, title='CHỦ TỊCH',
        full_name='Lê Thị Cùng Giây', signature_png=fixture_bytes('chu-ky-nguyen-van-men.png'),
        timestamper=local_pki.timestamper)
    local_pki.revoke(credential.serial, reason='key_compromise')  # right after, most often the same second
    stamped_at = _timestamp_time(PdfFileReader(BytesIO(signed)).embedded_signatures[0])
    revoked_at = local_pki.records.revoked[credential.serial][0]
    assert revoked_at > stamped_at and revoked_at.microsecond == 0
    crl_der = local_pki.crl()
    report = verify_pdf(signed, [local_pki.root], crls=[crl_der])
    [entry] = report['signatures']
    assert report['valid'] and not entry['revoked'], report
    # the CRL that lists the revocation is not dated before it
    crl = asn1_crl.CertificateList.load(crl_der)['tbs_cert_list']
    [listed] = [r for r in crl['revoked_certificates'] if r['user_certificate'].native == credential.serial]
    assert crl['this_update'].native >= listed['revocation_date'].native == revoked_at


def test_ocsp_answers_are_dated_when_made_not_a_minute_before(local_pki):
    credential = local_pki.person(full_name='Phan Văn Đúng Giờ', pin='1470')
    before = dt.datetime.now(dt.timezone.utc)
    answer = revocation.ocsp_response_for(local_pki.keys_dir, credential.certificate, local_pki.records.status)
    after = dt.datetime.now(dt.timezone.utc)
    data = asn1_ocsp.OCSPResponse.load(answer).basic_ocsp_response['tbs_response_data']
    [single] = data['responses']
    assert data['produced_at'].native == single['this_update'].native
    assert before < single['this_update'].native <= revocation.to_the_second(after)
    assert single['cert_status'].name == 'good'
    # and cryptography reads it as a well-formed, signed answer from our responder
    parsed = ocsp_api.load_der_ocsp_response(answer)
    responder = x509.load_pem_x509_certificate((local_pki.keys_dir / 'ocsp.pem').read_bytes())
    responder.public_key().verify(parsed.signature, parsed.tbs_response_bytes, ec.ECDSA(hashes.SHA256()))
    assert parsed.serial_number == credential.serial
