"""PUBLIC_BASE_URL is where certificates send PDF readers for OCSP and CRLs: the admin sees it and what the
certificates carry, is warned when they point elsewhere, and `pki reissue` points them at a new address
without touching the root or anyone's key, so that what is signed afterwards checks out online."""
import socket
import threading
from contextlib import contextmanager
from io import BytesIO

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from werkzeug.serving import make_server

from tests.builders import FIXTURES, LEADER_PIN, build_detached, pdf, signing_district
from tests.signing.conftest import html
from tests.support.pages import login
from tests.support.pdfsig import nss_database, pdfsig
from workflow import create_app
from workflow.directory.models import User
from workflow.extensions import db
from workflow.signing import credentials, trust, verification
from workflow.signing.lib import authority, decree30
from workflow.signing.models import Credential

SIGNATURE_PNG = (FIXTURES / 'chu-ky-nguyen-van-men.png').read_bytes()


def _pointers(url):
    return url + authority.OCSP_PATH, url + authority.CRL_PATH


def test_the_admin_pki_page_shows_the_public_address_and_the_addresses_certificates_carry(app, equipped, as_user):
    page = html(as_user(equipped.admin).get('/admin/trust-anchors'))
    base = app.config['PUBLIC_BASE_URL']
    assert 'Địa chỉ công khai (PUBLIC_BASE_URL)' in page and f'data-address="public">{base}<' in page
    for address in (*_pointers(base), base + authority.TSA_PATH):
        assert address in page
    assert 'Mọi chứng thư đang dùng đều trỏ tới địa chỉ công khai hiện tại.' in page
    assert 'pointers-elsewhere' not in page
    # the suite's address is 127.0.0.1: only this machine reaches it, and the page says so
    assert 'loopback-address' in page and 'chỉ máy chủ này truy cập được' in page


def test_the_admin_pki_page_warns_when_certificates_point_elsewhere(app, equipped, as_user, monkeypatch):
    old = app.config['PUBLIC_BASE_URL']
    monkeypatch.setitem(app.config, 'PUBLIC_BASE_URL', 'https://vanphong.codo.example')
    page = html(as_user(equipped.admin).get('/admin/trust-anchors'))
    assert 'https://vanphong.codo.example/api/v1/pki/ocsp' in page
    assert 'trỏ tới địa chỉ khác với địa chỉ công khai hiện tại' in page and 'flask --app wsgi pki reissue' in page
    assert 'data-service="tsa" class="elsewhere' in page and 'data-service="root" class="current' in page
    assert old + authority.OCSP_PATH in page  # what the TSA certificate still carries
    assert equipped.leader.full_name in page and equipped.district.name in page
    assert 'loopback-address' not in page  # a real address: no such warning


def test_reissuing_needs_an_admin(equipped, as_user):
    assert as_user(equipped.leader).post('/admin/pki/reissue').status_code == 403


def _free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def _deployment(app, keys_dir, url):
    """Another app on the suite's database, with its own keys directory and public address."""
    shared = ('SQLALCHEMY_DATABASE_URI', 'STORAGE_URL', 'SECRET_KEY', 'TESTING', 'RATELIMIT_ENABLED',
              'WTF_CSRF_ENABLED')
    return create_app({key: app.config[key] for key in shared} | {'KEYS_DIR': str(keys_dir), 'PUBLIC_BASE_URL': url})


@contextmanager
def _served(app, port):
    server = make_server('127.0.0.1', port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield
    finally:
        server.shutdown()


def _cli(deployment, args):
    """`flask --app wsgi …` as the command line runs it (flask's own group pushes the app context)."""
    with deployment.app_context():
        return deployment.test_cli_runner().invoke(args=args)


def _sign_as_chairman(deployment, chairman_id):
    with deployment.app_context():
        credential = credentials.active_credential(user=db.session.get(User, chairman_id))
        with credentials.unlocked_key(credential, LEADER_PIN) as signer:
            signed = decree30.sign_as_signer(pdf(), signer, title='CHỦ TỊCH', full_name='Nguyễn Văn Mến',
                                             signature_png=SIGNATURE_PNG, timestamper=trust.timestamper())
        db.session.commit()
        return signed


def _certificates_in(signed):
    """(the signer's certificate, the time stamp's TSA certificate) of the PDF's one signature."""
    embedded = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
    token = embedded.signer_info['unsigned_attrs'][0]['values'][0]
    tsa = [c.chosen for c in token['content']['certificates']
           if 'time_stamping' in (c.chosen.extended_key_usage_value or asn1_x509.ExtKeyUsageSyntax([])).native]
    return (x509.load_der_x509_certificate(embedded.signer_cert.dump()),
            x509.load_der_x509_certificate(tsa[0].dump()))


def _checked_by_pdfsig(signed, nss, tmp_path):
    """pdfsig's verdict on the signer's signature (it also lists the unsigned organisation field)."""
    [check] = [c for c in pdfsig(signed, nss, tmp_path) if c['field'] == 'signer']
    return check


@pytest.mark.committing  # the served deployment answers OCSP from the rows this test commits
def test_pki_reissue_points_tsa_and_holders_at_the_new_address_and_pdfsig_trusts_the_next_signature(app, tmp_path):
    keys = tmp_path / 'keys'
    old_url, new_port = f'http://127.0.0.1:{_free_port()}', _free_port()  # nobody answers at the old address
    new_url = f'http://127.0.0.1:{new_port}'
    before = _deployment(app, keys, old_url)
    org = build_detached(before, signing_district)  # pki init, the chairman's certificate and the seal
    root = (keys / 'root.pem').read_bytes()
    old_tsa = authority.tsa_certificate(keys)
    assert authority.revocation_pointers(old_tsa) == _pointers(old_url)
    signed_before = _sign_as_chairman(before, org.chairman.id)

    after = _deployment(app, keys, new_url)
    listed = _cli(after, ['pki', 'reissue', '--dry-run'])
    assert 'TSA certificate points elsewhere' in listed.output
    assert 'points elsewhere: user ct.huyen' in listed.output and 'points elsewhere: unit H17 ' in listed.output
    assert authority.tsa_certificate(keys) == old_tsa  # a dry run changes nothing
    result = _cli(after, ['pki', 'reissue'])
    assert result.exit_code == 0, result.output
    assert 'TSA certificate re-issued' in result.output
    assert "2 people's and seals' certificates recertified" in result.output

    assert (keys / 'root.pem').read_bytes() == root
    new_tsa = authority.tsa_certificate(keys)
    assert authority.revocation_pointers(new_tsa) == _pointers(new_url)
    assert new_tsa.public_key() == old_tsa.public_key()
    with after.app_context():
        assert credentials.pointing_elsewhere() == []
        rows = db.session.query(Credential).filter_by(user_id=org.chairman.id).order_by(Credential.id).all()
        assert [(r.active, r.revoked) for r in rows] == [(False, False), (True, False)]  # old one retired, valid
        assert rows[0].pkcs12 == rows[1].pkcs12  # the same key, still under the chairman's PIN
        assert trust.certificate_status(int(rows[0].serial, 16))[0] == 'good'
    again = _cli(after, ['pki', 'reissue'])
    assert 'TSA certificate already points here' in again.output and "0 people's" in again.output

    signed = _sign_as_chairman(after, org.chairman.id)
    signer_certificate, tsa_certificate = _certificates_in(signed)
    assert authority.revocation_pointers(signer_certificate) == _pointers(new_url)
    assert signer_certificate.serial_number == int(rows[1].serial, 16)
    assert tsa_certificate == new_tsa
    with after.app_context():
        report = verification.verify_bytes(signed)
        assert report['valid'] and report['signatures'][0]['trusted'], report

    nss = nss_database(tmp_path / 'nss', root)
    with _served(after, new_port):
        check = _checked_by_pdfsig(signed, nss, tmp_path)
        assert check['valid'] and check['trusted'], check['text']
        # the signature made before names the old address, where no OCSP responder answers: pdfsig's
        # online check fails there, so it is the new pointers that make the difference
        assert authority.revocation_pointers(_certificates_in(signed_before)[0]) == _pointers(old_url)
        stale = _checked_by_pdfsig(signed_before, nss, tmp_path)
        assert stale['valid'] and not stale['trusted'], stale['text']


@pytest.mark.committing
def test_the_admin_reissues_from_the_pki_page_after_the_address_moved(app, tmp_path):
    keys = tmp_path / 'keys'
    org = build_detached(_deployment(app, keys, 'http://old.codo.example'), signing_district)
    after = _deployment(app, keys, 'https://vanphong.codo.example')
    admin = login(after.test_client(), org.admin)
    warned = html(admin.get('/admin/trust-anchors'))
    assert 'pointers-elsewhere' in warned and 'http://old.codo.example/api/v1/pki/ocsp' in warned
    assert org.chairman.full_name in warned

    done = admin.post('/admin/pki/reissue', follow_redirects=True)
    page = html(done)
    assert 'Đã cấp lại 3 chứng thư theo địa chỉ https://vanphong.codo.example.' in page  # TSA, person, seal
    assert 'pointers-elsewhere' not in page and 'http://old.codo.example' not in page
    assert 'Mọi chứng thư đang dùng đều trỏ tới địa chỉ công khai hiện tại.' in page
    with after.app_context():
        assert authority.revocation_pointers(authority.tsa_certificate(keys)) == _pointers(
            'https://vanphong.codo.example')
