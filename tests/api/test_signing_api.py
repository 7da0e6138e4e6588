"""Signing through the API: keys and images set up by the admin, the leader signs, the clerk issues with the
seal, the recipient verifies — checked by pyHanko and independently by poppler's pdfsig."""
import io

import pytest

from tests.builders import FIXTURES
from tests.support.api import BASE
from tests.support.pdfsig import nss_database, pdfsig
from workflow.signing import trust

SIGNATURE_PNG = (FIXTURES / 'chu-ky-nguyen-van-men.png').read_bytes()
SEAL_PNG = (FIXTURES / 'con-dau-ubnd-huyen-co-do.png').read_bytes()


def _png_upload(api, user, path, data, **fields):
    form = {key: str(value) for key, value in fields.items()}
    form['file'] = (io.BytesIO(data), 'image.png')
    return api.client.post(BASE + path, headers=api.headers(user), data=form, content_type='multipart/form-data')


def _enrolled(api, admin, holder, pin):
    """The admin starts the enrolment (201 with a one-time code); the holder sends it with the PIN they choose."""
    started = api.post(admin, f'/users/{holder.id}/certificate', {})
    assert started.status_code == 201, started.get_json()
    return api.post(holder, '/users/me/certificate', {'enrolment_code': started.get_json()['enrolment_code'],
                                                      'pin': pin})


@pytest.fixture
def keys(api, org):
    """The admin gives the chairman a certificate and signature image, and the UBND a seal."""
    issued = _enrolled(api, org.admin, org.chairman, '246813')
    assert issued.status_code == 201 and 'Chủ Tịch' in issued.get_json()['subject']
    assert _png_upload(api, org.admin, f'/users/{org.chairman.id}/signature-image', SIGNATURE_PNG).status_code == 201
    sealed = _png_upload(api, org.admin, f'/units/{org.ubnd.id}/seal', SEAL_PNG, pin='135792')
    assert sealed.status_code == 201
    return org


def _awaiting_signature(api, org):
    created = api.create_file(org.vp_spec)
    api.act(org.vp_spec, created['id'], 'forward', {'to_user_id': org.chairman.id, 'purpose': 'sign'})
    return created['id']


@pytest.fixture(scope='module')
def nss_dir(app, tmp_path_factory):
    with app.app_context():
        root = trust.ensure_pki().read_bytes()
    return nss_database(tmp_path_factory.mktemp('nss-api'), root)


def test_full_signed_journey(api, keys, live_server, nss_dir, tmp_path):
    org = keys
    file_id = _awaiting_signature(api, org)
    signed = api.act(org.chairman, file_id, 'sign', {'pin': '246813'}, expect=201)
    assert signed['status'] == 'signed' and signed['signature']['field'] == 'signer'
    api.act(org.chairman, file_id, 'forward', {'to_user_id': org.ubnd_clerk.id, 'purpose': 'handle'})
    issued = api.act(org.ubnd_clerk, file_id, 'issue',
                     {'recipient_unit_ids': [org.communes[0].unit.id], 'pin': '135792'})
    assert issued['number'] == '01/QĐ-UBND' and issued['fully_electronic'] is True
    document = issued['documents'][0]
    assert [s['field'] for s in document['signatures']] == ['signer', 'organisation']
    report = api.get(org.ubnd_clerk, f"/documents/{document['id']}/verification").get_json()
    assert report['valid'] and all(s['trusted'] and s['intact'] and not s['revoked'] for s in report['signatures'])
    pdf_bytes = api.get(org.ubnd_clerk, f"/documents/{document['id']}/pdf").data
    checks = [c for c in pdfsig(pdf_bytes, nss_dir, tmp_path) if not c['timestamp']]
    assert len(checks) == 2 and all(c['valid'] and c['trusted'] for c in checks), checks
    # the commune clerk sees a valid arrival, checks it again and registers it
    commune = org.communes[0]
    incoming_id = issued['deliveries'][0]['file_id']
    incoming = api.file(commune.clerk, incoming_id)
    arrived_report = api.get(commune.clerk, f"/documents/{incoming['documents'][0]['id']}/verification").get_json()
    assert arrived_report['valid']
    assert api.act(commune.clerk, incoming_id, 'register')['incoming_number'] == 1
    # anyone, without a token, can check the PDF too
    public = api.client.post(BASE + '/verify', data={'file': (io.BytesIO(pdf_bytes), 'qd.pdf')},
                             content_type='multipart/form-data')
    assert public.status_code == 200 and public.get_json()['valid'] is True


def test_wrong_pin_counts_survive_the_refusal_and_five_lock_the_key(api, keys):
    org = keys
    file_id = _awaiting_signature(api, org)
    for left in (4, 3, 2, 1):
        refused = api.post(org.chairman, f'/files/{file_id}/sign', {'pin': '0000'})
        assert refused.status_code == 422 and refused.get_json()['error']['code'] == 'wrong_pin'
        assert f'còn {left} lần' in refused.get_json()['error']['message']
    locked = api.post(org.chairman, f'/files/{file_id}/sign', {'pin': '0000'})
    assert locked.status_code == 423 and locked.get_json()['error']['code'] == 'pin_locked'
    still_locked = api.post(org.chairman, f'/files/{file_id}/sign', {'pin': '246813'})
    assert still_locked.status_code == 423
    english = api.post(org.chairman, f'/files/{file_id}/sign', {'pin': '246813'}, lang='en')
    assert 'locked' in english.get_json()['error']['message'].lower()
    assert api.file(org.chairman, file_id)['status'] == 'awaiting_signature'


def test_revocation_is_published_and_refuses_later_signing(api, keys):
    from cryptography import x509
    org = keys
    serial = api.get(org.admin, f'/users/{org.chairman.id}/certificate').get_json()['serial']
    assert api.client.delete(BASE + f'/users/{org.chairman.id}/certificate', headers=api.headers(org.admin),
                             json={}).status_code == 200
    crl = x509.load_der_x509_crl(api.client.get(BASE + '/pki/crl').data)
    assert serial in {format(r.serial_number, 'x') for r in crl}
    file_id = _awaiting_signature(api, org)
    refused = api.post(org.chairman, f'/files/{file_id}/sign', {'pin': '246813'})
    assert refused.status_code == 403 and refused.get_json()['error']['code'] == 'certificate_revoked'
    assert 'thu hồi' in refused.get_json()['error']['message']


def test_only_admins_issue_certificates_and_seals(api, keys):
    org = keys
    assert api.post(org.vp_spec, f'/users/{org.vp_spec.id}/certificate', {}).status_code == 403
    assert _png_upload(api, org.vp_spec, f'/units/{org.ubnd.id}/seal', SEAL_PNG, pin='1').status_code == 403
    # a user may upload their own signature image, not someone else's
    assert _png_upload(api, org.vp_spec, f'/users/{org.vp_spec.id}/signature-image', SIGNATURE_PNG).status_code == 201
    assert _png_upload(api, org.vp_spec, f'/users/{org.chairman.id}/signature-image',
                       SIGNATURE_PNG).status_code == 403


def test_bad_images_and_pins_are_refused_clearly(api, keys):
    org = keys
    jpeg_like = _png_upload(api, org.admin, f'/users/{org.chairman.id}/signature-image', b'\xff\xd8\xff\xe0 not png')
    assert jpeg_like.status_code == 400 and 'PNG' in jpeg_like.get_json()['error']['message']
    short_pin = _enrolled(api, org.admin, org.chairman, '12')
    assert short_pin.status_code == 400 and short_pin.get_json()['error']['code'] == 'invalid_pin'
    chosen_by_admin = api.post(org.admin, f'/users/{org.chairman.id}/certificate', {'pin': '246813'})
    assert chosen_by_admin.status_code == 400
    assert chosen_by_admin.get_json()['error']['code'] == 'pin_chosen_by_holder'


def test_a_file_can_be_signed_at_a_chosen_place(api, keys):
    org = keys
    file_id = _awaiting_signature(api, org)
    signed = api.act(org.chairman, file_id, 'sign', {'pin': '246813', 'page': 0, 'box': [350, 100, 550, 180]},
                     expect=201)
    assert signed['status'] == 'signed'
    bad_box = api.post(org.chairman, f'/files/{file_id}/sign', {'pin': '246813', 'box': [1, 2]})
    assert bad_box.status_code == 400


def _deputy(api, org):
    """A deputy chairman with a certificate and a signature image, created through the API."""
    from types import SimpleNamespace
    created = api.post(org.admin, '/users', {'username': 'pct.nhung', 'password': 'MatKhau@2026',
                                             'full_name': 'Lê Thị Hồng Nhung', 'title': 'Phó Chủ tịch UBND huyện',
                                             'unit_id': org.ubnd.id, 'roles': ['leader']})
    assert created.status_code == 201, created.get_json()
    deputy = SimpleNamespace(id=created.get_json()['id'])
    assert _enrolled(api, org.admin, deputy, '246813').status_code == 201
    assert _png_upload(api, org.admin, f'/users/{deputy.id}/signature-image', SIGNATURE_PNG).status_code == 201
    return deputy


def _signer_rect(pdf_bytes):
    from pypdf import PdfReader
    for number, page in enumerate(PdfReader(io.BytesIO(pdf_bytes)).pages):
        for annotation in page.get('/Annots') or []:
            widget = annotation.get_object()
            if widget.get('/T') == 'signer':
                return number, [float(v) for v in widget['/Rect']]
    return None


@pytest.mark.parametrize('kind', ['untitled', 'deputy'])
def test_without_page_or_box_any_pdf_is_signed_at_an_automatic_place(api, keys, live_server, nss_dir, tmp_path,
                                                                     kind):
    """No title printed (the right column under the last line), or a deputy's 'KT. CHỦ TỊCH' / 'PHÓ CHỦ TỊCH'
    written word by word (under the last line of that block): 201, never placement_not_found; the signature
    holds for pyHanko and for poppler (which asks the live OCSP responder)."""
    from tests.support import pdfs
    org = keys
    signer, data = (org.chairman, pdfs.untitled_letter()) if kind == 'untitled' else (_deputy(api, org),
                                                                                     pdfs.deputy_letter())
    file_id = api.create_file(org.vp_spec, data=data)['id']
    api.act(org.vp_spec, file_id, 'forward', {'to_user_id': signer.id, 'purpose': 'sign'})
    signed = api.act(signer, file_id, 'sign', {'pin': '246813'}, expect=201)
    assert signed['status'] == 'signed' and signed['signature']['field'] == 'signer'
    document_id = signed['documents'][0]['id']
    pdf_bytes = api.get(signer, f'/documents/{document_id}/pdf').data
    page, (x1, y1, x2, y2) = _signer_rect(pdf_bytes)
    assert page == 0 and x1 > 595.28 / 2 and x2 <= 595.28 - 15 * 72 / 25.4 + 0.5  # the right column
    if kind == 'deputy':
        assert 440 < y1 < y2 < 526  # between "PHÓ CHỦ TỊCH" and the name
    else:
        assert y2 < 570 - 13 * 0.25  # under the letter's last line (baseline 570)
    report = api.get(signer, f'/documents/{document_id}/verification').get_json()
    assert report['valid'] and [s['field'] for s in report['signatures']] == ['signer'], report
    [check] = [c for c in pdfsig(pdf_bytes, nss_dir, tmp_path) if c['field'] == 'signer']
    assert check['valid'] and check['trusted'], check['text']
