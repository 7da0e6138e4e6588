"""The attachment stamp, explicit placement, and the archive timestamp (B-LTA)."""

import re
import subprocess
from io import BytesIO

from pypdf import PdfReader

from tests.signing.lib.conftest import fixture_bytes
from workflow.signing.lib import appearance, pades
from workflow.signing.lib.placement import Placement
from workflow.signing.lib.validation import verify_pdf


def test_attachment_is_signed_top_right_with_number_and_iso_time(local_pki, organisation, pdfsig):
    signed = _attachment(local_pki, organisation)
    widget = PdfReader(BytesIO(signed)).pages[0]['/Annots'][0].get_object()
    x1, y1, x2, y2 = (float(v) for v in widget['/Rect'])
    assert x1 > 595 / 2 and y1 > 842 - 100
    text = subprocess.run(['pdftotext', '-f', '1', '-l', '1', '-', '-'], input=signed,
                          capture_output=True).stdout.decode()
    assert '01/QĐ-UBND' in text
    assert re.search(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00', text), text
    report = verify_pdf(signed, [local_pki.root])
    assert report['valid'] and report['signatures'][0]['level'] == 'B-LTA', report
    # its own validation data, made after its time stamp, in a document time stamp covering the file
    [block, stamp], out = pdfsig(signed)
    assert 'Total document signed' in stamp and 'Not total' not in stamp, out
    assert 'Signature is Valid' in block and 'Certificate is Trusted' in block, out


def test_explicit_page_and_box_are_honoured(local_pki, leader):
    look = appearance.attachment_appearance('12/UBND-VP', appearance.vietnam_time(
        __import__('datetime').datetime.now()))
    signed = pades.sign_pdf(fixture_bytes('cong-van-dong-hiep.pdf'), leader[1],
                             field_name='custom', box=(100, 100, 300, 140), page=0,
                             appearance=look, timestamper=local_pki.timestamper)
    widget = PdfReader(BytesIO(signed)).pages[0]['/Annots'][0].get_object()
    assert [round(float(v)) for v in widget['/Rect']] == [100, 100, 300, 140]
    assert verify_pdf(signed, [local_pki.root])['valid']


def test_archive_timestamp_makes_b_lta(local_pki, issued, pdfsig):
    archived = pades.archive_timestamp(issued, local_pki.timestamper,
                                        local_pki.validation_data)
    report = verify_pdf(archived, [local_pki.root])
    assert report['valid'], report
    kinds = [s['type'] for s in report['signatures']]
    assert kinds[-1] == 'document_timestamp'
    assert report['signatures'][-1]['covers_whole_file']  # its validation data is inside it
    organisation = next(s for s in report['signatures'] if s['field'] == 'organisation')
    assert organisation['level'] == 'B-LTA'
    blocks, out = pdfsig(archived)
    assert len(blocks) == 4 and 'Total document signed' in blocks[-1], out
    for block in blocks[:2]:  # poppler 22.12 does not verify document timestamps (ETSI.RFC3161)
        assert 'Signature is Valid' in block and 'Certificate is Trusted' in block, out


def _attachment(local_pki, organisation):
    from workflow.signing.lib import decree30
    return decree30.sign_attachment(
        fixture_bytes('phu-luc-chi-tieu.pdf'), organisation[1], number_notation='01/QĐ-UBND',
        timestamper=local_pki.timestamper, validation_context=local_pki.validation_data)


def test_placement_helpers_are_plain_values():
    assert Placement(0, (1, 2, 3, 5)).height == 3
