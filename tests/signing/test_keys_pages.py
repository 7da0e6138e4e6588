"""Admins equip people and units with keys, signature and seal images; nobody else can."""
import datetime as dt
import io

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from PIL import Image

from tests.signing.conftest import (
    SEAL_PNG,
    SIGNATURE_PNG,
    enrol,
    html,
    issue_certificate,
    set_seal,
    start_enrolment,
    upload_signature_image,
)
from workflow.audit import AuditEntry
from workflow.extensions import db
from workflow.signing.models import Credential, TrustAnchor

UNUSUAL_PIN = 'Pin-7391-xyz'


def _opaque_png():
    out = io.BytesIO()
    Image.new('RGB', (40, 20), 'white').save(out, format='PNG')
    return out.getvalue()


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'Ban Cơ yếu Chính phủ (thử)')])


def _certificate(subject, issuer, public_key, signing_key, *, ca):
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
               .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
               .not_valid_after(now + dt.timedelta(days=365))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False,
            decipher_only=False), critical=True)
    return builder.sign(signing_key, hashes.SHA256())


def external_pkcs12(password):
    """A person's key and certificate from some other CA, with that CA in the chain."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = _certificate(_name('CA thử nghiệm bên ngoài'), _name('CA thử nghiệm bên ngoài'), ca_key.public_key(),
                      ca_key, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = _certificate(_name('Lê Văn Chủ Tịch'), ca.subject, key.public_key(), ca_key, ca=False)
    bundle = pkcs12.serialize_key_and_certificates(
        b'p12', key, leaf, [ca], serialization.BestAvailableEncryption(password.encode()))
    return bundle, leaf


def test_the_admin_makes_a_code_and_only_the_holder_chooses_the_pin(app, org, as_user):
    admin = as_user(org.admin)
    before = html(admin.get(f'/admin/users/{org.leader.id}/signing'))
    assert 'Chưa có chứng thư số đang dùng.' in before and 'id="form-certificate"' in before
    assert 'certificate-pin' not in before  # the admin's form has no PIN to type

    _response, code = start_enrolment(admin, org.leader)
    holder = as_user(org.leader)
    own = html(holder.get('/account/signing'))
    assert 'id="form-enrolment"' in own and code not in own  # the code is handed over, never shown to them
    mismatch = enrol(holder, code, UNUSUAL_PIN, confirm='something-else')
    assert mismatch.status_code == 400 and 'Hai mã PIN không khớp.' in html(mismatch)
    short = enrol(holder, code, '12345')
    assert short.status_code == 400 and 'Mã PIN phải có từ 6 đến 64 ký tự.' in html(short)
    assert UNUSUAL_PIN not in html(mismatch)  # a PIN is never rendered back
    wrong = enrol(holder, 'AAAA-BBBB-CCCC', UNUSUAL_PIN)
    assert wrong.status_code == 422 and 'Mã cấp chứng thư không đúng.' in html(wrong)

    done = enrol(holder, code, UNUSUAL_PIN)
    assert done.status_code == 302 and done.headers['Location'].endswith('/account/signing')
    text = html(holder.get('/account/signing'))
    with app.app_context():
        credential = db.session.query(Credential).filter_by(user_id=org.leader.id).one()
        stored = ' '.join(str(getattr(credential, c.name)) for c in Credential.__table__.columns)
        audit = ' '.join(e.details for e in db.session.query(AuditEntry).all())
        assert credential.kind == 'person' and credential.active
        assert UNUSUAL_PIN not in stored and UNUSUAL_PIN.encode() not in credential.pkcs12
        assert code not in audit and UNUSUAL_PIN not in audit
        actions = {e.action for e in db.session.query(AuditEntry)}
        assert {'start_enrolment', 'issue_certificate'} <= actions
        serial = credential.serial
    assert f'Đã cấp chứng thư số (số hiệu {serial}).' in text
    assert f'data-serial="{serial}"' in text and 'id="form-enrolment"' not in text
    assert enrol(holder, code, UNUSUAL_PIN).status_code == 409  # the code served once
    admin_view = html(admin.get(f'/admin/users/{org.leader.id}/signing'))
    assert f'data-serial="{serial}"' in admin_view and 'Chứng thư cá nhân (CA nội bộ' in admin_view


def test_a_new_enrolment_keeps_the_old_certificate_until_the_holder_chooses_the_pin_then_revokes_it(
        app, org, as_user):
    admin = as_user(org.admin)
    assert issue_certificate(admin, org.leader).status_code == 302
    with app.app_context():
        first = db.session.query(Credential).filter_by(user_id=org.leader.id, active=True).one().serial
    _response, code = start_enrolment(admin, org.leader)
    with app.app_context():  # still the one in use
        assert db.session.query(Credential).filter_by(user_id=org.leader.id, active=True).one().serial == first
    assert enrol(as_user(org.leader), code, '975310').status_code == 302
    with app.app_context():
        old = db.session.query(Credential).filter_by(serial=first).one()
        assert old.revoked and old.revocation_reason == 'superseded' and not old.active


def test_signature_image_by_admin_or_self_and_served_only_to_them(org, as_user):
    admin, leader, specialist = as_user(org.admin), as_user(org.leader), as_user(org.specialist)
    opaque = upload_signature_image(admin, org.leader, _opaque_png())
    assert opaque.status_code == 400 and 'nền trong suốt' in html(opaque)
    assert admin.get(f'/users/{org.leader.id}/signature.png').status_code == 404

    assert upload_signature_image(admin, org.leader).status_code == 302
    assert 'class="stamp-preview' in html(admin.get(f'/admin/users/{org.leader.id}/signing'))
    for client in (admin, leader):
        image = client.get(f'/users/{org.leader.id}/signature.png')
        assert image.status_code == 200 and image.mimetype == 'image/png' and image.data == SIGNATURE_PNG
    assert specialist.get(f'/users/{org.leader.id}/signature.png').status_code == 403

    # the leader replaces their own image; the specialist may not touch it
    mine = upload_signature_image(leader, org.leader)
    assert mine.status_code == 302 and mine.headers['Location'].endswith('/account/signing')
    assert upload_signature_image(specialist, org.leader).status_code == 403


def test_unit_seal_creates_the_organisation_certificate(app, org, as_user):
    admin = as_user(org.admin)
    assert 'Con dấu' in html(admin.get('/admin/units'))
    page = admin.get(f'/admin/units/{org.district.id}/seal')
    assert page.status_code == 200 and 'Chưa có ảnh con dấu.' in html(page)
    mismatch = admin.post(f'/admin/units/{org.district.id}/seal', content_type='multipart/form-data', data={
        'seal-image': (io.BytesIO(SEAL_PNG), 'dau.png'), 'seal-pin': '135792', 'seal-confirm': '7531'})
    assert mismatch.status_code == 400 and 'Hai mã PIN không khớp.' in html(mismatch)

    assert set_seal(admin, org.district).status_code == 302
    text = html(admin.get(f'/admin/units/{org.district.id}/seal'))
    assert 'UBND huyện Cờ Đỏ' in text and 'Chứng thư của cơ quan (con dấu)' in text and 'data-serial=' in text
    with app.app_context():
        assert db.session.query(Credential).filter_by(unit_id=org.district.id, kind='organisation',
                                                      active=True).count() == 1
    assert as_user(org.clerk).get(f'/units/{org.district.id}/seal.png').data == SEAL_PNG
    assert as_user(org.commune_clerk).get(f'/units/{org.district.id}/seal.png').status_code == 403


def test_only_admins_reach_key_management(org, as_user):
    leader = as_user(org.leader)
    assert leader.get(f'/admin/users/{org.leader.id}/signing').status_code == 403
    assert issue_certificate(leader, org.leader).status_code == 403
    assert leader.post(f'/admin/users/{org.leader.id}/revoke').status_code == 403
    assert set_seal(leader, org.district).status_code == 403
    assert leader.get('/admin/trust-anchors').status_code == 403
    assert as_user(org.admin).get('/admin/users/999999/signing').status_code == 404


def test_admin_revokes_a_certificate(app, org, as_user):
    admin = as_user(org.admin)
    issue_certificate(admin, org.leader)
    response = admin.post(f'/admin/users/{org.leader.id}/revoke')
    assert response.status_code == 302
    text = html(admin.get(f'/admin/users/{org.leader.id}/signing'))
    assert 'Đã thu hồi chứng thư số của Lê Văn Chủ Tịch.' in text and 'Đã thu hồi' in text
    with app.app_context():
        credential = db.session.query(Credential).filter_by(user_id=org.leader.id).one()
        assert credential.revoked and credential.revocation_reason == 'cessationOfOperation'
    again = admin.post(f'/admin/users/{org.leader.id}/revoke')
    assert again.status_code == 409 and 'không có chứng thư số đang hiệu lực' in html(again)


def test_import_a_pkcs12_from_elsewhere_and_approve_its_ca(app, org, as_user):
    admin = as_user(org.admin)
    bundle, leaf = external_pkcs12('mat-khau-p12')

    def post(password):
        return admin.post(f'/admin/users/{org.leader.id}/pkcs12', content_type='multipart/form-data',
                          data={'pkcs12-bundle': (io.BytesIO(bundle), 'chu-tich.p12'), 'pkcs12-password': password})
    wrong = post('sai')
    assert wrong.status_code == 400 and 'Mật khẩu của tệp PKCS#12 không đúng.' in html(wrong)
    assert post('mat-khau-p12').status_code == 302
    text = html(admin.get(f'/admin/users/{org.leader.id}/signing'))
    assert 'Chứng thư do tổ chức khác cấp (PKCS#12)' in text and 'CA thử nghiệm bên ngoài' in text

    anchors = html(admin.get('/admin/trust-anchors'))
    assert 'CA thử nghiệm bên ngoài' in anchors and 'Duyệt tin cậy' in anchors
    with app.app_context():
        anchor = db.session.query(TrustAnchor).one()
        assert anchor.approved_at is None
        anchor_id = anchor.id
    assert admin.post(f'/admin/trust-anchors/{anchor_id}/approve').status_code == 302
    approved = html(admin.get('/admin/trust-anchors'))
    assert 'Đã duyệt' in approved and 'Duyệt tin cậy' not in approved
    with app.app_context():
        assert db.session.get(TrustAnchor, anchor_id).approved_by_id == org.admin.id


def test_register_a_key_on_a_pkcs11_token(app, org, as_user):
    admin = as_user(org.admin)
    _bundle, leaf = external_pkcs12('x')
    pem = leaf.public_bytes(serialization.Encoding.PEM).decode()
    bad = admin.post(f'/admin/users/{org.leader.id}/token', data={
        'token-certificate_pem': 'not a certificate', 'token-token_label': 'eToken', 'token-key_label': 'ky-so'})
    assert bad.status_code == 400 and 'Chứng thư số không hợp lệ' in html(bad)
    good = admin.post(f'/admin/users/{org.leader.id}/token', data={
        'token-certificate_pem': pem, 'token-token_label': 'eToken', 'token-key_label': 'ky-so'})
    assert good.status_code == 302
    assert 'Khóa trên thiết bị ký số (PKCS#11)' in html(admin.get(f'/admin/users/{org.leader.id}/signing'))
    with app.app_context():
        credential = db.session.query(Credential).filter_by(user_id=org.leader.id, active=True).one()
        assert (credential.kind, credential.token_label, credential.key_label) == ('pkcs11', 'eToken', 'ky-so')
        assert credential.pkcs12 is None
