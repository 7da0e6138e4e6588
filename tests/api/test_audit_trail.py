"""What the audit log records besides the workflow: wrong PINs and PIN locks, logout, every download of a
document's bytes and every export (pages and API)."""
import pytest

from tests.api.test_signing_api import keys  # noqa: F401  (the fixture: certificate, image, seal)
from workflow.audit import AuditEntry
from workflow.extensions import db


def _entries(app, action):
    with app.app_context():
        return [(e.actor_id, e.object_type, e.object_id, e.details)
                for e in db.session.query(AuditEntry).filter_by(action=action).order_by(AuditEntry.id)]


def test_wrong_pins_and_the_lock_are_recorded_with_the_refusal(app, api, keys):  # noqa: F811
    org = keys
    created = api.create_file(org.vp_spec)
    api.act(org.vp_spec, created['id'], 'forward', {'to_user_id': org.chairman.id, 'purpose': 'sign'})
    for _ in range(5):
        refused = api.post(org.chairman, f'/files/{created["id"]}/sign', {'pin': '000000'})
        assert refused.status_code in (422, 423)
    assert refused.get_json()['error']['code'] == 'pin_locked'
    wrong = _entries(app, 'wrong_pin')
    assert len(wrong) == 5
    assert {actor for actor, *_ in wrong} == {org.chairman.id}
    assert {kind for _a, kind, *_ in wrong} == {'Credential'}
    assert [f'"failures": {n}' in details for n, (*_x, details) in enumerate(wrong, start=1)] == [True] * 5
    locks = _entries(app, 'pin_locked')
    assert len(locks) == 1 and locks[0][0] == org.chairman.id and '"until"' in locks[0][3]


def test_logout_is_recorded(app, org, as_user):
    client = as_user(org.vp_spec)
    assert client.post('/logout').status_code in (302, 303)
    # one entry, from the sign-out that also ends every session of the person (auth/operations.py)
    [(actor, kind, target, details)] = _entries(app, 'logout')
    assert (actor, kind, target) == (org.vp_spec.id, 'User', org.vp_spec.id) and '"reason": "logout"' in details


def test_document_downloads_are_recorded_through_pages_and_api(app, api, org, as_user):
    created = api.create_file(org.vp_spec)
    document_id = created['documents'][0]['id']
    assert api.get(org.vp_spec, f'/documents/{document_id}/pdf').status_code == 200
    page = as_user(org.vp_spec)
    assert page.get(f'/documents/{document_id}/pdf?download=1').status_code == 200
    assert page.get(f'/documents/{document_id}/pdf').status_code == 200
    downloads = _entries(app, 'download_document')
    assert [(a, kind, obj) for a, kind, obj, _d in downloads] == [(org.vp_spec.id, 'Document', document_id)] * 3
    assert '"via": "api"' in downloads[0][3]
    assert '"attachment": true' in downloads[1][3] and '"via": "web"' in downloads[1][3]
    assert '"attachment": false' in downloads[2][3]


def test_a_refused_download_is_not_recorded_as_one(app, api, org):
    created = api.create_file(org.vp_spec)
    outsider = org.communes[0].clerk
    assert api.get(outsider, f'/documents/{created["documents"][0]["id"]}/pdf').status_code == 404
    assert _entries(app, 'download_document') == []


@pytest.mark.parametrize('door', ['page', 'api'])
def test_register_exports_are_recorded(app, api, org, as_user, door):
    if door == 'api':
        assert api.get(org.ubnd_clerk, '/registers/outgoing?format=csv').status_code == 200
    else:
        assert as_user(org.ubnd_clerk).get('/registers/outgoing/csv').status_code == 200
    (actor, kind, obj, details), = _entries(app, 'export')
    assert (actor, kind, obj) == (org.ubnd_clerk.id, 'Unit', org.ubnd.id)
    assert '"table": "register-outgoing"' in details and f'"via": "{"api" if door == "api" else "web"}"' in details


def test_metrics_exports_are_recorded(app, org, as_user):
    admin = as_user(org.admin)
    assert admin.get('/metrics/export/files.xlsx?from=2024-03-01&to=2024-03-31').status_code == 200
    (actor, _kind, _obj, details), = _entries(app, 'export')
    assert actor == org.admin.id and '"table": "files"' in details and '"format": "xlsx"' in details


def test_views_that_record_a_download_write_in_a_transaction_of_their_own(app):
    """A GET that audits who received a document or an export writes: it must not run in the read-only
    mode of other GETs (a deferred SQLite transaction whose snapshot another writer has moved past
    cannot write: 'database is locked', seen as a 503 under load; autocommit statements on PostgreSQL)."""
    from workflow.dbsession import reading_request
    for path in ('/documents/1/pdf', '/api/v1/documents/1/pdf', '/registers/outgoing/csv',
                 '/metrics/export/files.csv', '/api/v1/registers/outgoing'):
        with app.test_request_context(path):
            assert not reading_request(), path
    for path in ('/files/1', '/', '/api/v1/documents/1'):
        with app.test_request_context(path):
            assert reading_request(), path
