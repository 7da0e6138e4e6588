"""An issued document is final: its clerk cannot complete, reopen, replace its main document or issue it
again, through the pages or the API; its number, verification code and documents stay as issued."""
import io

import pytest
from sqlalchemy import text

from tests.builders import pdf
from tests.support.api import issued_file
from tests.support.pages import act, issued_through_pages
from workflow.extensions import db
from workflow.files.models import WorkFile
from workflow.files.transitions import CLOSED, TRANSITIONS


def _snapshot(app, file_id):
    with app.app_context():
        file = db.session.get(WorkFile, file_id)
        return (file.status, file.number, file.issue_seq, file.verification_code, file.issued_at,
                sorted((d.id, d.kind, d.sha256) for d in file.documents))


def test_no_transition_leaves_issued():
    assert not [row for row in TRANSITIONS if 'issued' in row.sources]
    assert 'issued' in CLOSED


@pytest.fixture
def org(communes_org):
    return communes_org


def _attempts(file_id):
    return [('complete', {'note': 'Lưu'}), ('reopen', {'note': 'Sửa lại số'}),
            ('issue', {'recipients': []}), ('forward', {'purpose': 'handle', 'note': 'x'}),
            ('return', {'note': 'x'})]


def test_pages_refuse_to_change_an_issued_document(app, org, as_user):
    file_id = issued_through_pages(app, org, as_user)
    before = _snapshot(app, file_id)
    assert before[0] == 'issued' and before[1] and before[3]
    clerk = as_user(org.clerk)
    for action, fields in _attempts(file_id):
        response = act(clerk, file_id, action, **fields)
        assert response.status_code == 409, action
    response = clerk.post(f'/files/{file_id}/documents', content_type='multipart/form-data',
                          data={'add_document-kind': 'main', 'add_document-upload': (io.BytesIO(pdf()), 'moi.pdf')})
    assert response.status_code == 409
    assert 'không thể thay đổi' in response.get_data(as_text=True)
    assert _snapshot(app, file_id) == before


def test_a_file_completed_after_issuance_by_an_older_version_cannot_be_reopened(app, org, as_user):
    """Data left by the old table (issued → completed): reopening it and issuing again is refused."""
    file_id = issued_through_pages(app, org, as_user)
    with app.app_context():
        db.session.execute(text("UPDATE work_files SET status = 'completed' WHERE id = :id"), {'id': file_id})
        db.session.commit()
    before = _snapshot(app, file_id)
    clerk = as_user(org.clerk)
    assert act(clerk, file_id, 'reopen', note='Sửa lại').status_code == 409
    assert act(clerk, file_id, 'issue', recipients=[org.commune.id]).status_code == 409
    assert _snapshot(app, file_id) == before


def test_api_refuses_to_change_an_issued_document(app, api, api_org):
    issued = issued_file(api, api_org, [api_org.communes[0]])
    file_id, clerk = issued['id'], api_org.ubnd_clerk
    before = _snapshot(app, file_id)
    for action, body in [('complete', {'note': 'Lưu'}), ('reopen', {'note': 'Sửa'}),
                         ('issue', {'recipient_unit_ids': [api_org.communes[1].unit.id], 'pin': ''})]:
        answer = api.act(clerk, file_id, action, body, expect=409)
        assert answer['error']['code'] == 'issued_is_final'
    english = api.post(clerk, f'/files/{file_id}/reopen', {'note': 'Sửa'}, lang='en').get_json()['error']['message']
    assert english == f'An issued document (number {issued["number"]}) cannot be changed, reopened or issued ' \
        'again; to correct it, draft a new document that replaces it.'
    response = api.upload(clerk, f'/files/{file_id}/documents', kind='main')
    assert response.status_code == 409 and response.get_json()['error']['code'] == 'issued_is_final'
    assert _snapshot(app, file_id) == before
    again = api.file(clerk, file_id)
    assert again['status'] == 'issued' and again['number'] == issued['number']
