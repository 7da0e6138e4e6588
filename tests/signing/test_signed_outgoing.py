"""The outgoing journey with real signatures: leader signs, clerk issues with the seal, recipient registers."""
import time

import pytest

from tests.builders import FIXTURES, LEADER_PIN, SEAL_PIN, enrol, pdf
from tests.support.pdfsig import pdfsig
from workflow.errors import Conflict, DomainError
from workflow.extensions import db
from workflow.files.operations import Upload, add_document, forward_file, issue_file, register_file, sign_document
from workflow.signing import credentials, stamps, verification
from workflow.signing.models import Credential
from workflow.storage import blobs
from workflow.vocabulary import REASON_UNSIGNED_ISSUANCE


def _to_sign(sorg):
    file = sorg.draft()
    add_document(file, sorg.specialist, upload=Upload('phu-luc.pdf', pdf('phu-luc-chi-tieu.pdf')), kind='attachment')
    forward_file(file, sorg.specialist, purpose='sign', to_user=sorg.chairman, note='Kính trình')
    return file


def _issue(sorg, file):
    forward_file(file, sorg.chairman, purpose='handle', to_user=sorg.clerk)
    deliveries = issue_file(file, sorg.clerk, recipient_units=[sorg.commune], pin=SEAL_PIN)
    assert file.signature_check != 'unsigned'  # sealed
    return deliveries


def test_signed_and_sealed_document_verifies_in_pyhanko_and_pdfsig(sorg, nss, live_server, tmp_path):
    file = _to_sign(sorg)
    sign_document(file, sorg.chairman, document=file.main_document, pin=LEADER_PIN)
    assert file.status == 'signed'
    (delivery,) = _issue(sorg, file)
    assert file.number == '01/QĐ-UBND' and file.fully_electronic and file.signature_check == 'valid'
    issued = blobs().get(file.main_document.sha256)
    report = verification.verify_bytes(issued)
    fields = [s['field'] for s in report['signatures']]
    assert report['valid'] and fields == ['signer', 'organisation', 'doc-timestamp-1'], fields
    assert all(s['intact'] and s['trusted'] and not s['revoked'] for s in report['signatures'])
    assert report['signatures'][1]['level'] == 'B-LTA'
    db.session.commit()
    checks = pdfsig(issued, nss, tmp_path)
    signatures = [c for c in checks if not c['timestamp']]
    assert len(signatures) == 2 and all(c['valid'] and c['trusted'] for c in signatures), checks
    assert [c['total'] for c in checks if c['timestamp']] == [True], checks
    attachment = blobs().get(file.attachments[0].sha256)
    assert verification.verify_bytes(attachment)['valid']
    attachment_checks = [c for c in pdfsig(attachment, nss, tmp_path) if not c['timestamp']]
    assert len(attachment_checks) == 1 and all(c['valid'] and c['trusted'] for c in attachment_checks)
    # the recipient's copy arrives with its check done and registers normally
    assert delivery.file.signature_check == 'valid'
    assert register_file(delivery.file, sorg.commune_clerk) == 1


def test_issuing_an_unsigned_draft_is_recorded_as_not_fully_signed(sorg):
    file = sorg.draft()
    forward_file(file, sorg.specialist, purpose='handle', to_user=sorg.clerk)
    issue_file(file, sorg.clerk, recipient_units=[sorg.commune], pin=SEAL_PIN)
    assert file.signature_check == 'invalid'
    assert REASON_UNSIGNED_ISSUANCE in {m.reason for m in file.paper_marks}


def test_wrong_pin_is_counted_and_five_lock_the_key(sorg):
    file = _to_sign(sorg)
    db.session.commit()
    for _attempt in range(5):
        with pytest.raises(DomainError) as refused:
            sign_document(file, sorg.chairman, document=file.main_document, pin='0000')
        assert refused.value.keep_changes
        db.session.commit()  # what the request does for a refusal that keeps its bookkeeping
    assert refused.value.code == 'pin_locked'
    with pytest.raises(DomainError) as locked:
        sign_document(file, sorg.chairman, document=file.main_document, pin=LEADER_PIN)
    assert locked.value.code == 'pin_locked' and locked.value.status == 423
    assert file.status == 'awaiting_signature' and len(file.documents[0].sha256) == 64


def test_signing_with_a_revoked_certificate_is_refused(sorg):
    file = _to_sign(sorg)
    credentials.revoke_user_certificate(sorg.admin, sorg.chairman)
    with pytest.raises(DomainError) as refused:
        sign_document(file, sorg.chairman, document=file.main_document, pin=LEADER_PIN)
    assert refused.value.code == 'certificate_revoked'


def test_a_document_signed_before_revocation_still_validates(sorg):
    file = _to_sign(sorg)
    sign_document(file, sorg.chairman, document=file.main_document, pin=LEADER_PIN)
    _issue(sorg, file)
    issued = blobs().get(file.main_document.sha256)
    time.sleep(1.1)  # revocation comes strictly after the signing time, as it does in life
    credentials.revoke_user_certificate(sorg.admin, sorg.chairman)
    report = verification.verify_bytes(issued)
    assert report['valid'], report


def test_tsa_down_leaves_the_file_unsigned_with_a_visible_failure(app, sorg):
    file = _to_sign(sorg)
    before = file.main_document.sha256
    app.config['TSA_URL'] = 'http://127.0.0.1:9/tsa'
    try:
        with pytest.raises(DomainError) as refused:
            sign_document(file, sorg.chairman, document=file.main_document, pin=LEADER_PIN)
    finally:
        app.config['TSA_URL'] = ''
    assert refused.value.code == 'timestamp_unavailable'
    assert file.status == 'sign_failed' and file.sign_error
    assert file.main_document.sha256 == before
    # and a retry once the TSA is back succeeds
    sign_document(file, sorg.chairman, document=file.main_document, pin=LEADER_PIN)
    assert file.status == 'signed' and file.sign_error is None


def test_a_tampered_arrival_cannot_be_registered_without_a_reason(sorg):
    file = _to_sign(sorg)
    sign_document(file, sorg.chairman, document=file.main_document, pin=LEADER_PIN)
    (delivery,) = _issue(sorg, file)
    incoming = delivery.file
    data = bytearray(blobs().get(incoming.main_document.sha256))
    position = data.find(b'stream') + 20  # inside the first page's content: within the signed range
    data[position] ^= 0x01
    incoming.main_document.sha256 = blobs().put(bytes(data))
    incoming.signature_check = verification.signature_check_of(bytes(data))
    assert incoming.signature_check == 'invalid'
    with pytest.raises(Conflict):
        register_file(incoming, sorg.commune_clerk)
    assert register_file(incoming, sorg.commune_clerk, override_reason='Đã xác minh qua điện thoại') == 1
    assert incoming.signature_override


def test_credentials_keep_no_pin(sorg):
    credential = db.session.query(Credential).filter_by(user_id=sorg.chairman.id).one()
    assert LEADER_PIN.encode() not in credential.pkcs12 and credential.pkcs12.startswith(b'WKEY1')


def test_a_second_leader_can_co_sign_and_both_signatures_survive_issuance(sorg):
    deputy = sorg.finance_leader
    deputy.full_name, deputy.title = 'Trần Văn Phó', 'Trưởng phòng'
    stamps.set_signature_image(sorg.admin, deputy, (FIXTURES / 'chu-ky-nguyen-van-men.png').read_bytes())
    enrol(sorg.admin, deputy, '975310')
    file = _to_sign(sorg)
    sign_document(file, sorg.chairman, document=file.main_document, pin=LEADER_PIN)
    forward_file(file, sorg.chairman, purpose='sign', to_user=deputy, note='Đề nghị đồng chí cùng ký')
    record = sign_document(file, deputy, document=file.main_document, pin='975310', page=0,
                                   box=(60, 80, 300, 160))
    assert record.field == 'signer-2'
    forward_file(file, deputy, purpose='handle', to_user=sorg.clerk)
    issue_file(file, sorg.clerk, recipient_units=[sorg.commune], pin=SEAL_PIN)
    report = verification.verify_bytes(blobs().get(file.main_document.sha256))
    assert report['valid'] and [s['field'] for s in report['signatures']] == [
        'signer', 'signer-2', 'organisation', 'doc-timestamp-1']
