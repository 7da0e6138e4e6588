"""The leader signs, the clerk issues: both signatures hold, in our checker and in poppler."""

import datetime as dt
import subprocess
import time
from io import BytesIO

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import DocumentSecurityStore, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from tests.signing.lib.conftest import _der, fixture_bytes, signed_end
from workflow.signing.lib import decree30, keystore, placement
from workflow.signing.lib.validation import _ocsp_serial, _timestamp_serials, _timestamp_time, verify_pdf


def test_leader_signature_is_placed_under_the_title_on_page_2(signed_by_leader):
    reader = PdfReader(BytesIO(signed_by_leader))
    widget = next(a.get_object() for a in reader.pages[1]['/Annots']
                  if a.get_object().get('/T') == 'signer')
    x1, y1, x2, y2 = (float(v) for v in widget['/Rect'])
    # "CHỦ TỊCH" is printed at y≈728 and the name at y≈638 on the fixture's page 2
    assert 640 < y1 < y2 < 729
    assert x1 < 418 < x2  # centred on the title


def test_leader_signature_alone_is_valid_b_t(local_pki, signed_by_leader):
    report = verify_pdf(signed_by_leader, [local_pki.root])
    assert report['valid'], report
    [signature] = report['signatures']
    assert signature['level'] == 'B-T'
    assert signature['signer'].startswith('Common Name: Nguyễn Văn Mến')
    assert signature['timestamp_at'] and signature['covers_whole_file']


def test_issuance_keeps_the_leader_signature_valid_with_form_filling_only(local_pki, issued):
    report = verify_pdf(issued, [local_pki.root])
    assert report['valid'], report
    leader, organisation, stamp = report['signatures']
    assert leader['field'] == 'signer' and organisation['field'] == 'organisation'
    assert stamp['type'] == 'document_timestamp'
    assert leader['modification_level'] in ('NONE', 'LTA_UPDATES', 'FORM_FILLING')
    assert leader['modified_after_signing'] and 'issue_number' in leader['changes']
    assert leader['level'] == 'B-LTA' and organisation['level'] == 'B-LTA'
    assert not leader['revoked'] and not organisation['revoked']


def test_issuance_writes_number_and_date_into_the_blanks(issued):
    fields = PdfReader(BytesIO(issued)).get_fields()
    assert fields['issue_number']['/V'] == '01'
    assert fields['issue_day']['/V'] == '05'
    assert fields['issue_month']['/V'] == '01'


def test_seal_covers_the_left_third_of_the_signature_image(issued):
    reader = PdfReader(BytesIO(issued))
    rects = {a.get_object().get('/T'): [float(v) for v in a.get_object()['/Rect']]
             for a in reader.pages[1]['/Annots']}
    # the leader's box is the automatic placement's; its image box says where the image went
    where = placement.automatic_signer_placement(
        fixture_bytes('quyet-dinh-ke-hoach-cds-2026.pdf'), ['CHỦ TỊCH'], image_size=(480, 200),
        full_name='Nguyễn Văn Mến')
    assert list(where.box) == rects['signer']
    ix1, _, ix2, _ = where.image
    seal = rects['organisation']
    assert abs(seal[2] - (ix1 + (ix2 - ix1) / 3)) < 1
    assert abs((seal[2] - seal[0]) - 36 * 72 / 25.4) < 1  # actual size, 36 mm


def test_poppler_pdfsig_trusts_both_signatures_and_the_last_covers_everything(issued, pdfsig):
    blocks, out = pdfsig(issued)
    assert len(blocks) == 3, out
    leader, organisation, stamp = blocks
    for block in (leader, organisation):
        assert 'Signature Validation: Signature is Valid' in block, out
        assert 'Certificate Validation: Certificate is Trusted' in block, out
    assert 'Signature Field Name: signer' in leader and 'Not total document signed' in leader
    assert 'Signature Field Name: organisation' in organisation, out
    # The seal's validation data sits in the document time stamp's signed revision: nothing after it.
    assert 'Total document signed' in stamp and 'Not total document signed' not in stamp, out
    assert signed_end(stamp) == len(issued)


def test_issuance_embeds_validation_data_for_both_signatures(local_pki, issued):
    report = verify_pdf(issued, [local_pki.root])
    assert [s['level'] for s in report['signatures']] == ['B-LTA', 'B-LTA', 'B-LTA'], report
    reader = PdfFileReader(BytesIO(issued))
    # original, leader, organisation, document time stamp: no unsigned DSS-only update
    assert reader.xrefs.total_revisions == 4
    for sig in reader.embedded_signatures[:2]:
        status = _validate_from_embedded_data_only(sig, local_pki.root)
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        assert status.modification_level in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES,
                                             ModificationLevel.FORM_FILLING)


def test_without_issuance_the_leader_signature_lacks_that_data(local_pki, signed_by_leader):
    """The control for the test above: "require" mode with no embedded data does not trust."""
    [sig] = PdfFileReader(BytesIO(signed_by_leader)).embedded_signatures
    status = _validate_from_embedded_data_only(sig, local_pki.root, dss=False)
    assert not status.trusted


def test_leader_revoked_after_issuance_still_validates_offline(local_pki, organisation):
    credential = local_pki.person(full_name='Đặng Thị Hoa', pin='9753')
    leader = keystore.load_pkcs12_signer(credential.pkcs12, '9753')
    signed = decree30.sign_as_signer(
        fixture_bytes('quyet-dinh-ke-hoach-cds-2026.pdf'), leader, title='CHỦ TỊCH',
        full_name='Đặng Thị Hoa', signature_png=fixture_bytes('chu-ky-nguyen-van-men.png'),
        timestamper=local_pki.timestamper)
    issued = decree30.issue_document(
        signed, organisation[1], seal_png=fixture_bytes('con-dau-ubnd-huyen-co-do.png'),
        number_notation='02/QĐ-UBND', issued_on=dt.date(2026, 1, 6),
        timestamper=local_pki.timestamper, validation_context=local_pki.validation_data)
    time.sleep(1.2)  # revocation times have one-second resolution
    local_pki.revoke(credential.serial, reason='key_compromise')
    current_crl = local_pki.crl()
    revoked_at = local_pki.records.revoked[credential.serial][0]
    while dt.datetime.now(dt.timezone.utc) <= revoked_at:  # in force from that whole second on
        time.sleep(0.05)

    # Offline, from the embedded data only; then also knowing the current CRL (as the app does).
    for crls in ([], [current_crl]):
        report = verify_pdf(issued, [local_pki.root], allow_fetching=False, crls=crls)
        assert report['valid'], report
        leader_entry, organisation_entry, _stamp = report['signatures']
        assert leader_entry['level'] == 'B-LTA' and organisation_entry['level'] == 'B-LTA'
        assert not leader_entry['revoked'] and not leader_entry['errors']
    leader_sig = PdfFileReader(BytesIO(issued)).embedded_signatures[0]
    status = _validate_from_embedded_data_only(leader_sig, local_pki.root)
    assert status.trusted and not status.revoked, status.pretty_print_details()
    # ... while a signature made now, after the revocation, is refused by the same checker.
    late = decree30.sign_as_signer(
        fixture_bytes('quyet-dinh-ke-hoach-cds-2026.pdf'), leader, title='CHỦ TỊCH',
        full_name='Đặng Thị Hoa', signature_png=fixture_bytes('chu-ky-nguyen-van-men.png'),
        timestamper=local_pki.timestamper)
    assert not verify_pdf(late, [local_pki.root], crls=[current_crl])['valid']


def _validate_from_embedded_data_only(sig, root, dss=True):
    """pyHanko's own check at the signature's timestamp time, revocation data required for
    every certificate, nothing fetched: only the document's DSS can provide it."""
    reader = sig.reader
    tst_time = _timestamp_time(sig)
    store = DocumentSecurityStore.read_dss(reader) if dss else None

    def context(serials):
        kwargs = dict(trust_roots=[_der(root)], allow_fetching=False, revocation_mode='require',
                      moment=tst_time, retroactive_revinfo=True)
        if store is None:
            return ValidationContext(crls=[], ocsps=[], **kwargs)
        full = store.as_validation_context(kwargs)
        ocsps = [o for o in full.ocsps if _ocsp_serial(o) in serials]  # see validation.py
        return ValidationContext(other_certs=list(store.load_certs()), crls=full.crls,
                                 ocsps=ocsps, **kwargs)
    return validate_pdf_signature(sig, signer_validation_context=context(
        {sig.signer_cert.serial_number}), ts_validation_context=context(_timestamp_serials(sig)))


def test_issued_pages_render(issued, tmp_path):
    pdf = tmp_path / 'issued.pdf'
    pdf.write_bytes(issued)
    subprocess.run(['pdftoppm', '-r', '40', '-png', str(pdf), str(tmp_path / 'page')],
                   check=True, capture_output=True)
    pages = sorted(tmp_path.glob('page*.png'))
    assert len(pages) == 2 and all(p.stat().st_size > 1000 for p in pages)


def test_stamp_text_keeps_every_vietnamese_diacritic(signed_by_leader):
    text = subprocess.run(['pdftotext', '-f', '2', '-l', '2', '-', '-'], input=signed_by_leader,
                          capture_output=True).stdout.decode()
    words = ' '.join(text.split())  # the caption wraps in its column
    assert 'Ký bởi: Nguyễn Văn Mến' in words
    assert 'Thời gian ký:' in words and '(+07:00)' in words
