"""The clerk issues with the unit's seal PIN; the issued PDF validates in pyHanko and in poppler's
pdfsig; the commune sees the arrival check and must give a reason to register a tampered copy."""
import re

from tests.signing.conftest import TITLE, html, issue, issue_certificate, sign, stored_file, upload_signature_image
from tests.support.pages import act, delivered_file_id, file_id_from, upload_file
from tests.support.pdfsig import pdfsig
from workflow.extensions import db
from workflow.files.models import WorkFile
from workflow.signing import verification
from workflow.signing.models import Credential
from workflow.storage import blobs


def _signed_for_the_clerk(org, as_user, file_id):
    leader = as_user(org.leader)
    assert sign(leader, file_id).status_code == 302
    assert act(leader, file_id, 'forward', purpose='handle', to_user=org.clerk.id, to_unit=0).status_code == 302
    return as_user(org.clerk)


def _issued(org, as_user, file_id):
    clerk = _signed_for_the_clerk(org, as_user, file_id)
    assert issue(clerk, file_id, org.commune).status_code == 302
    return clerk


def test_clerk_issues_with_the_seal_pin_and_the_pdf_validates_everywhere(
        app, equipped, awaiting, as_user, nss, live_server, tmp_path):
    clerk = _signed_for_the_clerk(equipped, as_user, awaiting)
    form = html(clerk.get(f'/files/{awaiting}'))
    assert 'Mã PIN con dấu của cơ quan' in form and 'name="issue-seal_pin"' in form and 'no-seal' not in form

    missing = issue(clerk, awaiting, equipped.commune, pin='')
    assert missing.status_code == 400 and 'Vui lòng nhập mã PIN con dấu của cơ quan' in html(missing)
    wrong = issue(clerk, awaiting, equipped.commune, pin='9999')
    assert wrong.status_code == 422 and 'Mã PIN không đúng (còn 4 lần thử).' in html(wrong)
    assert stored_file(app, awaiting).number is None and stored_file(app, awaiting).status == 'in_progress'
    with app.app_context():  # the failed attempt is counted on the unit's key
        seal = db.session.query(Credential).filter_by(unit_id=equipped.district.id, active=True).one()
        assert seal.failed_pins == 1

    done = issue(clerk, awaiting, equipped.commune)
    assert done.status_code == 302, html(done)[:3000]
    text = html(clerk.get(f'/files/{awaiting}'))
    assert 'Đã ban hành văn bản số 01/QĐ-UBND' in text
    assert re.search(r'class="col-7 file-number">01/QĐ-UBND<', text)
    main_report = text.split('class="document-signatures')[1]
    assert main_report.count('class="signature-card ok"') == 3 and 'class="signature-card bad"' not in text
    assert '2 chữ ký hợp lệ' in text and 'Tất cả chữ ký số hợp lệ' in text
    stored = stored_file(app, awaiting)
    assert stored.signature_check == 'valid' and stored.verification_code
    assert f'/v/{stored.verification_code}' in text and f'src="/v/{stored.verification_code}/qr.png"' in text
    assert clerk.get(f'/v/{stored.verification_code}/qr.png').data[:8] == b'\x89PNG\r\n\x1a\n'

    with app.app_context():
        document_id = db.session.get(WorkFile, awaiting).main_document.id
    issued = clerk.get(f'/documents/{document_id}/pdf').data
    with app.app_context():
        report = verification.verify_bytes(issued)
    assert report['valid'] and [s['field'] for s in report['signatures']] == ['signer', 'organisation',
                                                                              'doc-timestamp-1']
    assert all(s['intact'] and s['trusted'] and not s['revoked'] for s in report['signatures'])
    checks = pdfsig(issued, nss, tmp_path)
    assert len(checks) == 3, checks
    signatures = [c for c in checks if not c['timestamp']]
    assert all(c['valid'] and c['trusted'] for c in signatures), [c['text'] for c in checks]
    by_field = {c['field']: c for c in checks}
    # the seal's validation data came last, in a document time stamp covering the whole file
    assert by_field['doc-timestamp-1']['total'] and not by_field['organisation']['total']


def test_recipient_sees_the_arrival_check_and_registers(app, equipped, awaiting, as_user):
    _issued(equipped, as_user, awaiting)
    incoming = delivered_file_id(app, awaiting, equipped.commune)
    commune_clerk = as_user(equipped.commune_clerk)
    text = html(commune_clerk.get(f'/files/{incoming}'))
    assert 'class="arrival-check mb-2" data-check="valid"' in text and 'Tất cả chữ ký số hợp lệ' in text
    assert 'register-override_reason' not in text
    assert f'/v/{stored_file(app, awaiting).verification_code}' in text  # the issuer's public link
    response = act(commune_clerk, incoming, 'register')
    assert response.status_code == 302
    assert 'số đến 1' in html(commune_clerk.get(f'/files/{incoming}'))


def test_a_tampered_arrival_needs_a_reason_to_be_registered(app, equipped, awaiting, as_user):
    _issued(equipped, as_user, awaiting)
    incoming = delivered_file_id(app, awaiting, equipped.commune)
    with app.app_context():  # a byte flipped in transit, inside the signed range
        copy = db.session.get(WorkFile, incoming)
        data = bytearray(blobs().get(copy.main_document.sha256))
        data[data.find(b'stream') + 20] ^= 0x01
        copy.main_document.sha256 = blobs().put(bytes(data))
        copy.signature_check = verification.signature_check_of(bytes(data))
        db.session.commit()
    commune_clerk = as_user(equipped.commune_clerk)
    text = html(commune_clerk.get(f'/files/{incoming}'))
    assert 'data-check="invalid"' in text and 'Tài liệu KHÔNG hợp lệ' in text
    assert 'class="alert alert-danger signature-invalid"' in text and 'name="register-override_reason"' in text

    refused = act(commune_clerk, incoming, 'register')
    assert refused.status_code == 400
    assert 'Chữ ký số không hợp lệ: ghi rõ lý do nếu vẫn vào sổ, hoặc từ chối văn bản.' in html(refused)
    assert stored_file(app, incoming).incoming_number is None

    reason = 'Đã xác minh nội dung qua điện thoại với Văn phòng UBND huyện'
    assert act(commune_clerk, incoming, 'register', override_reason=reason).status_code == 302
    stored = stored_file(app, incoming)
    assert stored.incoming_number == 1 and stored.signature_override == reason
    assert reason in html(commune_clerk.get(f'/files/{incoming}'))


def test_a_unit_without_a_seal_is_warned_and_issues_unsigned(app, org, as_user):
    admin = as_user(org.admin)
    assert issue_certificate(admin, org.leader).status_code == 302
    assert upload_signature_image(admin, org.leader).status_code == 302
    specialist = as_user(org.specialist)
    file_id = file_id_from(upload_file(specialist, title=TITLE, doc_type='QĐ'))
    act(specialist, file_id, 'forward', purpose='sign', to_user=org.leader.id, to_unit=0)
    clerk = _signed_for_the_clerk(org, as_user, file_id)
    form = html(clerk.get(f'/files/{file_id}'))
    assert 'class="alert alert-warning no-seal"' in form and 'name="issue-seal_pin"' not in form

    response = act(clerk, file_id, 'issue', recipients=org.commune.id)
    assert response.status_code == 302
    text = html(clerk.get(f'/files/{file_id}'))
    assert 'KHÔNG có chữ ký số của cơ quan' in text and 'Đã ban hành văn bản số 01/QĐ-UBND' in text
    # the paper mark on the file: its reason (one label everywhere, vocabulary.py) and its detail
    assert 'Phát hành không có chữ ký số hợp lệ: Phát hành không có chữ ký số của cơ quan' in text
    stored = stored_file(app, file_id)
    assert stored.signature_check == 'unsigned' and stored.status == 'issued'
