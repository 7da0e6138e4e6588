"""The public verification page and an issued document's short link, without login."""
import hashlib
import io

from asn1crypto import algos, tsp
from cryptography import x509

from tests.builders import pdf, signed_and_issued
from workflow.signing import credentials
from workflow.storage import blobs


def _issued(sorg):
    file = signed_and_issued(sorg)
    return file.verification_code, blobs().get(file.main_document.sha256)


def test_anyone_can_verify_an_issued_pdf(sorg, client):
    _code, issued = _issued(sorg)
    page = client.post('/verify', data={'file': (io.BytesIO(issued), 'qd.pdf')}, content_type='multipart/form-data')
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-valid="true"' in html and 'Nguyễn Văn Mến' in html


def test_a_tampered_pdf_is_reported_invalid_with_the_reason(sorg, client):
    _code, issued = _issued(sorg)
    tampered = issued + b'\n1 0 obj\n<< /Type /Annot >>\nendobj\n'
    position = tampered.find(b'stream') + 30
    tampered = tampered[:position] + bytes([tampered[position] ^ 1]) + tampered[position + 1:]
    html = client.post('/verify', data={'file': (io.BytesIO(tampered), 'qd.pdf')},
                       content_type='multipart/form-data').get_data(as_text=True)
    assert 'data-valid="false"' in html and 'KHÔNG hợp lệ' in html


def test_unsigned_and_non_pdf_uploads(sorg, client):
    html = client.post('/verify', data={'file': (io.BytesIO(pdf()), 'a.pdf')},
                       content_type='multipart/form-data').get_data(as_text=True)
    assert 'không có chữ ký số nào' in html
    refused = client.post('/verify', data={'file': (io.BytesIO(b'GIF89a'), 'a.pdf')},
                          content_type='multipart/form-data')
    assert refused.status_code == 415 and 'không phải là tài liệu PDF' in refused.get_data(as_text=True)


def test_short_link_and_qr_code_of_an_issued_document(sorg, client):
    code, _ = _issued(sorg)
    page = client.get(f'/v/{code}')
    assert page.status_code == 200 and '01/QĐ-UBND' in page.get_data(as_text=True)
    qr = client.get(f'/v/{code}/qr.png')
    assert qr.status_code == 200 and qr.data[:8] == b'\x89PNG\r\n\x1a\n'
    assert client.get('/v/not-a-code').status_code == 404


def test_pki_endpoints_publish_root_crl_ocsp_and_tsa(sorg, client, as_user):
    assert b'BEGIN CERTIFICATE' in client.get('/api/v1/pki/ca').data
    credentials.revoke_user_certificate(sorg.admin, sorg.chairman)
    crl = x509.load_der_x509_crl(client.get('/api/v1/pki/crl').data)
    revoked = {format(r.serial_number, 'x') for r in crl}
    assert credentials.user_credentials(sorg.chairman)[0].serial in revoked
    req = tsp.TimeStampReq({'version': 1, 'message_imprint': tsp.MessageImprint({
        'hash_algorithm': algos.DigestAlgorithm({'algorithm': 'sha256'}),
        'hashed_message': hashlib.sha256(b'x').digest()}), 'cert_req': True})
    answer = as_user(sorg.chairman).post('/api/v1/pki/tsa', data=req.dump(),
                                         content_type='application/timestamp-query')
    assert tsp.TimeStampResp.load(answer.data)['status']['status'].native == 'granted'
    assert client.post('/api/v1/pki/ocsp', data=b'garbage').status_code == 200  # a malformedRequest answer
