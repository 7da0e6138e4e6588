"""Signatures applied by the signing package show up on the documents the API returns."""
from tests.builders import FIXTURES, enrol
from tests.support.api import delivery_for
from workflow.directory.models import User
from workflow.extensions import db
from workflow.files.models import WorkFile
from workflow.files.operations import sign_document
from workflow.signing import stamps, trust

PIN = '246813'


def test_a_leaders_signature_is_listed_on_the_document_and_on_delivered_copies(app, api, org):
    draft = api.create_file(org.vp_spec)
    api.act(org.vp_spec, draft['id'], 'forward', {'to_user_id': org.chairman.id, 'purpose': 'sign'})
    with app.app_context():
        admin, chairman = db.session.get(User, org.admin.id), db.session.get(User, org.chairman.id)
        chairman.title = 'Chủ tịch'  # as printed above the signature line of the fixture PDF
        trust.ensure_pki()
        stamps.set_signature_image(admin, chairman, (FIXTURES / 'chu-ky-nguyen-van-men.png').read_bytes())
        enrol(admin, chairman, PIN)
        file = db.session.get(WorkFile, draft['id'])
        sign_document(file, chairman, document=file.main_document, pin=PIN)
        db.session.commit()

    signed = api.file(org.chairman, draft['id'])
    assert signed['status'] == 'signed'
    [signature] = signed['documents'][0]['signatures']
    assert (signature['role'], signature['signer_id'], signature['signer']) == (
        'signer', org.chairman.id, org.chairman.full_name)
    assert signature['signed_at'].endswith('+07:00') and signature['certificate_serial']
    assert signed['documents'][0]['sha256'] != draft['documents'][0]['sha256']

    api.act(org.chairman, draft['id'], 'forward', {'to_user_id': org.ubnd_clerk.id, 'purpose': 'handle'})
    commune = org.communes[0]
    issued = api.act(org.ubnd_clerk, draft['id'], 'issue', {'recipient_unit_ids': [commune.unit.id]})
    copy = api.file(commune.clerk, delivery_for(issued, commune.unit)['file_id'])
    assert [s['role'] for s in copy['documents'][0]['signatures']] == ['signer']
    pdf = api.get(commune.clerk, f'/documents/{copy["documents"][0]["id"]}/pdf')
    assert b'/ByteRange' in pdf.data
