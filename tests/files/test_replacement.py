"""An issued document is final; a correction is a new file that replaces it, both kept: the issued one
keeps its number, bytes and verification link and says it was replaced; the new one says what it
replaces; only the issuing unit may draft it; anything else stays refused (finding 4)."""
import io

from tests.builders import build, pdf, signed_and_issued, signing_district
from tests.support.api import BASE, bearer
from tests.support.pages import login
from workflow.audit import AuditEntry
from workflow.errors import Conflict, NotAllowed
from workflow.extensions import db
from workflow.files.operations import Upload, draft_replacement


def test_a_replacement_is_a_new_draft_and_the_issued_file_stays_as_issued(ctx):
    org = build(signing_district)
    issued = signed_and_issued(org)
    before = (issued.number, issued.verification_code, issued.main_document.sha256, issued.status)
    new, _duplicate = draft_replacement(issued, org.clerk, upload=Upload('thay-the.pdf', pdf()),
                                        title='Quyết định (thay thế)')
    db.session.commit()
    assert new.status == 'draft' and new.replaces_file_id == issued.id and new.number is None
    assert new.doc_type == issued.doc_type and new.title == 'Quyết định (thay thế)'
    assert (issued.number, issued.verification_code, issued.main_document.sha256, issued.status) == before
    assert any(e.action == 'replacement_drafted' for e in issued.events)
    assert db.session.query(AuditEntry).filter_by(action='draft_replacement').count() == 1


def test_only_the_issuing_unit_drafts_it_and_only_for_an_issued_document(ctx):
    org = build(signing_district)
    issued = signed_and_issued(org)
    try:
        draft_replacement(issued, org.commune_clerk, upload=Upload('x.pdf', pdf()))
    except NotAllowed as refused:
        assert refused.code == 'forbidden'
    else:
        raise AssertionError('another unit drafted a replacement')
    draft = org.draft()
    try:
        draft_replacement(draft, org.specialist, upload=Upload('x.pdf', pdf()))
    except Conflict as refused:
        assert refused.code == 'not_issued'
    else:
        raise AssertionError('a replacement of a draft')


def test_the_pages_offer_it_on_the_issued_file_and_link_both_ways(app, ctx):
    org = build(signing_district)
    issued = signed_and_issued(org)
    clerk = login(app.test_client(), org.clerk)
    page = clerk.get(f'/files/{issued.id}').get_data(as_text=True)
    assert 'id="form-replacement"' in page
    response = clerk.post(f'/files/{issued.id}/replacement', content_type='multipart/form-data',
                          data={'replacement-upload': (io.BytesIO(pdf()), 'thay-the.pdf'), 'replacement-title': ''})
    assert response.status_code == 302
    new_id = int(response.headers['Location'].rstrip('/').rsplit('/', 1)[-1])
    new_page = clerk.get(f'/files/{new_id}').get_data(as_text=True)
    assert 'class="col-7 replaces-file"' in new_page and issued.number in new_page
    old_page = clerk.get(f'/files/{issued.id}').get_data(as_text=True)
    assert f'/files/{new_id}' in old_page and 'class="col-7 replaced-by"' in old_page
    assert issued.title in new_page  # the title is kept when left empty


def test_the_api_drafts_it_and_refuses_other_units(app, ctx):
    org = build(signing_district)
    issued = signed_and_issued(org)
    client = app.test_client()
    created = client.post(f'{BASE}/files/{issued.id}/replacement', headers=bearer(app, org.clerk),
                          data={'file': (io.BytesIO(pdf()), 'thay-the.pdf')}, content_type='multipart/form-data')
    assert created.status_code == 201 and created.get_json()['replaces_file_id'] == issued.id
    refused = client.post(f'{BASE}/files/{issued.id}/replacement', headers=bearer(app, org.commune_clerk),
                          data={'file': (io.BytesIO(pdf()), 'x.pdf')}, content_type='multipart/form-data')
    assert refused.status_code in (403, 404)
