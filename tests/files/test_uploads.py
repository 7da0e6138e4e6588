"""Only real PDFs get in; a refused upload stores nothing and loses nothing."""
import io

import pytest
from pypdf import PdfReader, PdfWriter

from tests.builders import pdf
from workflow.errors import BadInput
from workflow.extensions import db
from workflow.files.models import Document, WorkFile
from workflow.files.operations import Upload, add_document, create_file


@pytest.fixture
def org(small_district_org):
    """A small district (tests/builders.py: small_district), in the test's own session."""
    return small_district_org


def encrypted_pdf():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf())))
    writer.encrypt('matkhau')
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


BAD = {
    'empty_file': b'',
    'not_pdf': b'PK\x03\x04 this is a zip, named .pdf',
    'encrypted_pdf': encrypted_pdf(),
    'broken_pdf': b'%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF',
    'broken_pdf_truncated': pdf()[:300],
}


@pytest.mark.parametrize('name', sorted(BAD))
def test_bad_upload_is_refused_with_a_code_and_a_vietnamese_message(name, org):
    with pytest.raises(BadInput) as refused:
        create_file(org.specialist, title='x', doc_type='QĐ', upload=Upload('a.pdf', BAD[name]))
    assert refused.value.code == name.replace('_truncated', '')
    assert 400 <= refused.value.status < 500
    assert any(ch in refused.value.message for ch in 'ệọảáơư')  # Vietnamese, with diacritics
    db.session.rollback()
    assert db.session.query(WorkFile).count() == 0


def test_oversized_upload_is_refused(app, org):
    app.config['MAX_UPLOAD_MB'] = 1
    try:
        with pytest.raises(BadInput) as refused:
            create_file(org.specialist, title='x', doc_type='QĐ', upload=Upload('big.pdf', pdf() + b'0' * 1_100_000))
    finally:
        app.config['MAX_UPLOAD_MB'] = 50
    assert refused.value.status == 413


def test_a_refused_new_version_keeps_the_existing_document(org):
    file = org.draft()
    db.session.commit()
    with pytest.raises(BadInput):
        add_document(file, org.specialist, upload=Upload('v2.pdf', b'not a pdf'), kind='main')
    db.session.rollback()
    file = db.session.get(WorkFile, file.id)
    assert [d.filename for d in file.documents] == ['du-thao.pdf']


def test_the_same_pdf_twice_in_one_unit_is_flagged_as_duplicate(org):
    first = org.draft()
    _file, duplicate = create_file(org.specialist, title='lần 2', doc_type='QĐ', upload=Upload('b.pdf', pdf()))
    assert duplicate is not None and duplicate.file_id == first.id
    _other, elsewhere = create_file(org.finance_leader, title='khác', doc_type='QĐ', upload=Upload('c.pdf', pdf()))
    assert elsewhere is None


def test_stored_blob_is_content_addressed_and_checked_on_read(app, org):
    from workflow.storage import StorageError, blobs
    file = org.draft()
    digest = file.documents[0].sha256
    assert blobs().get(digest) == pdf()
    path = blobs()._path(digest)
    original = path.read_bytes()
    path.write_bytes(original[:-10] + b'tampered!!')
    try:
        with pytest.raises(StorageError):
            blobs().get(digest)
    finally:
        path.write_bytes(original)
    assert db.session.query(Document).filter_by(sha256=digest).count() == 1


def test_uploaded_filename_never_becomes_a_path(org):
    file, _ = create_file(org.specialist, title='x', doc_type='QĐ', upload=Upload('../../etc/passwd.pdf', pdf()))
    assert file.documents[0].filename == 'passwd.pdf'
