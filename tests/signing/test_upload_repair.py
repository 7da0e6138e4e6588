"""A PDF that readers open but signing cannot (a wrong startxref: pypdf and pdf.js repair it quietly,
pyHanko, which appends to the exact bytes, refuses) is found at upload, not at signing: an unsigned one
is kept as uploaded and a repaired copy (qpdf) becomes the one to sign, and the person is told; a signed
one cannot be repaired without breaking its signatures and is refused. A file takes a bounded number of
documents."""
import io
import re

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.builders import FIXTURES, LEADER_PIN, pdf
from tests.support.pages import file_id_from, login, upload_file
from tests.support.pdfsig import pdfsig
from workflow.errors import BadInput
from workflow.extensions import db
from workflow.files.models import WorkFile
from workflow.files.operations import Upload, add_document, create_file, forward_file, sign_document
from workflow.signing import verification
from workflow.storage import blobs


def wrong_startxref(data):
    found = list(re.finditer(rb'startxref\s+(\d+)', data))[-1]
    return data[:found.start(1)] + str(int(found.group(1)) + 7).encode() + data[found.end(1):]


def _opens_for_signing(data):
    try:
        IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        return True
    except Exception:  # noqa: BLE001
        return False


def test_a_pdf_signing_would_refuse_is_repaired_at_upload_and_signs(sorg, nss, live_server, tmp_path):
    broken = wrong_startxref((FIXTURES / 'quyet-dinh-ke-hoach-cds-2026.pdf').read_bytes())
    assert not _opens_for_signing(broken)  # the fault is real: pyHanko would refuse it at signing
    file, _duplicate = create_file(sorg.specialist, title='Quyết định có lỗi cấu trúc', doc_type='QĐ',
                                   upload=Upload('qd-loi.pdf', broken))
    document = file.main_document
    assert blobs().get(document.original_sha256) == broken  # kept exactly as uploaded
    repaired = blobs().get(document.sha256)
    assert repaired != broken and _opens_for_signing(repaired)
    forward_file(file, sorg.specialist, purpose='sign', to_user=sorg.chairman)
    sign_document(file, sorg.chairman, document=document, pin=LEADER_PIN)
    db.session.commit()
    signed = blobs().get(file.main_document.sha256)
    report = verification.verify_bytes(signed)
    assert report['valid'] and [s['field'] for s in report['signatures']] == ['signer'], report
    [check] = [c for c in pdfsig(signed, nss, tmp_path) if c['field'] == 'signer']
    assert check['valid'] and check['trusted'], check['text']


def test_the_person_is_told_and_can_download_the_original(app, sorg):
    broken = wrong_startxref(pdf())
    db.session.commit()
    client = login(app.test_client(), sorg.specialist)
    response = upload_file(client, data=broken, filename='ke-hoach.pdf')
    assert response.status_code == 302
    page = client.get(response.headers['Location']).get_data(as_text=True)
    assert 'có lỗi cấu trúc nhỏ' in page and 'bản gốc vẫn được lưu' in page and 'Bản sửa lỗi để ký' in page
    with app.app_context():
        document = db.session.get(WorkFile, file_id_from(response)).main_document
        document_id = document.id
    original = client.get(f'/documents/{document_id}/original')
    assert original.status_code == 200 and original.data == broken
    assert 'attachment' in original.headers['Content-Disposition']


def test_a_signed_pdf_with_a_broken_structure_is_refused_at_upload(sorg):
    file = sorg.draft()
    forward_file(file, sorg.specialist, purpose='sign', to_user=sorg.chairman)
    sign_document(file, sorg.chairman, document=file.main_document, pin=LEADER_PIN)
    signed = blobs().get(file.main_document.sha256)
    assert PdfFileReader(io.BytesIO(signed)).embedded_signatures
    broken = wrong_startxref(signed)
    try:
        create_file(sorg.finance_leader, title='Văn bản đã ký, hỏng cấu trúc', doc_type='QĐ',
                    upload=Upload('da-ky-hong.pdf', broken))
    except BadInput as refused:
        assert refused.status == 422 and 'đã ký số nhưng có lỗi cấu trúc' in refused.message
    else:
        raise AssertionError('a signed PDF that cannot take a signature was accepted')


def test_a_sound_pdf_is_stored_as_it_is(sorg):
    file = sorg.draft()
    assert file.main_document.original_sha256 is None


def test_a_file_takes_a_bounded_number_of_documents(app, sorg, monkeypatch):
    monkeypatch.setitem(app.config, 'MAX_DOCUMENTS_PER_FILE', 3)
    file = sorg.draft()
    for n in range(2):
        add_document(file, sorg.specialist, upload=Upload(f'phu-luc-{n}.pdf', pdf('phu-luc-chi-tieu.pdf')),
                     kind='attachment')
    try:
        add_document(file, sorg.specialist, upload=Upload('mot-qua.pdf', pdf('cong-van-dong-hiep.pdf')),
                     kind='attachment')
    except BadInput as refused:
        assert refused.status == 422 and refused.code == 'too_many_documents'
    else:
        raise AssertionError('a fourth document was accepted')
    assert len(file.documents) == 3
