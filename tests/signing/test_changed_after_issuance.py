"""An issued document changed afterwards, as an outsider or an insider would try it: the public
/verify page, the API's verification of a stored document and the file page all report it not
valid, and say what changed. Adding an archive time stamp keeps it valid."""
import io
import logging

from tests.builders import signed_and_issued
from tests.signing.lib.test_tampering import new_annotation, refilled_number_and_date
from tests.support.api import BASE, bearer
from tests.support.pages import login
from workflow.extensions import db
from workflow.signing import operations, verification
from workflow.storage import blobs


def _issued(sorg):
    file = signed_and_issued(sorg)
    return file, blobs().get(file.main_document.sha256)


def _kinds(report):
    return {c['kind'] for s in report['signatures'] for c in s.get('changes_after', [])}


def test_the_public_page_reports_a_refilled_number_not_valid(sorg, client):
    _file, issued = _issued(sorg)
    assert verification.verify_bytes(issued)['valid']
    tampered = refilled_number_and_date(issued)
    page = client.post('/verify', data={'file': (io.BytesIO(tampered), 'qd.pdf')},
                       content_type='multipart/form-data')
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-valid="false"' in html
    report = verification.verify_bytes(tampered)
    assert not report['valid'] and 'number_or_date' in _kinds(report)
    api = client.post(BASE + '/verify', data={'file': (io.BytesIO(tampered), 'qd.pdf')},
                      content_type='multipart/form-data')
    assert api.status_code == 200 and api.get_json()['valid'] is False


def test_a_stored_document_swapped_for_a_changed_copy_is_reported_everywhere(app, sorg, client):
    file, issued = _issued(sorg)
    document = file.main_document
    document.sha256 = blobs().put(new_annotation(issued))  # an insider's swap behind the app's back
    db.session.commit()
    report = client.get(f'{BASE}/documents/{document.id}/verification', headers=bearer(app, sorg.clerk)).get_json()
    assert report['valid'] is False
    seal = next(s for s in report['signatures'] if s['field'] == 'organisation')
    assert seal['intact'] is True and seal['modified_after_signing'] is True
    assert 'annotation' in _kinds(verification.verify_bytes(blobs().get(document.sha256)))
    page = login(app.test_client(), sorg.clerk).get(f'/files/{file.id}').get_data(as_text=True)
    assert 'KHÔNG hợp lệ' in page


def test_an_archive_time_stamp_keeps_an_issued_document_valid(sorg):
    _file, issued = _issued(sorg)
    archived = operations.archive_stamp(issued)
    report = verification.verify_bytes(archived)
    assert report['valid'], report
    assert [s['type'] for s in report['signatures']].count('document_timestamp') == 2
    assert _kinds(report) <= {'issuance', 'validation_data'}


def test_a_hostile_signature_leaves_log_lines_not_tracebacks(sorg, caplog, tmp_path):
    """What the web worker and the verification child install (create_app, lib/budget.py): pyHanko's
    complaints about a signature it cannot validate (here: from a CA this deployment does not trust, as
    any outsider's upload may be) stay in the log, without their tracebacks. The control: without the
    filter, the same check logs tracebacks."""
    from workflow.signing.lib import authority, validation

    _file, issued = _issued(sorg)
    elsewhere = tmp_path / 'another-ca'
    authority.init_pki(elsewhere, 'Một cơ quan khác')
    roots = [authority.root_certificate(elsewhere)]

    def logged():
        caplog.clear()
        with caplog.at_level('INFO'):
            assert not validation.verify_pdf(issued, roots)['valid']
        return [r for r in caplog.records if r.name.startswith('pyhanko')]

    filters = {name: list(logging.getLogger(name).filters) for name in validation.TRACEBACK_LOGGERS}
    try:
        for name in validation.TRACEBACK_LOGGERS:
            logging.getLogger(name).filters.clear()
        assert any(r.exc_info for r in logged())  # the noise is real
    finally:
        for name, kept in filters.items():
            logging.getLogger(name).filters[:] = kept
    validation.log_failures_without_tracebacks()
    quiet = logged()
    assert quiet and not [r for r in quiet if r.exc_info or r.exc_text]
