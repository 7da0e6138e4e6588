"""The leader signs, the clerk issues: both signatures hold, in our checker and in poppler."""

import re
import subprocess

from pypdf import PdfReader
from io import BytesIO

from tests.signing.conftest import fixture_bytes
from workflow.signing import placement
from workflow.signing.validation import verify_pdf


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
    leader, organisation = report['signatures']
    assert leader['field'] == 'signer' and organisation['field'] == 'organisation'
    assert leader['modification_level'] in ('NONE', 'LTA_UPDATES', 'FORM_FILLING')
    assert leader['modified_after_signing'] and 'issue_number' in leader['changes']
    assert organisation['level'] == 'B-LT'
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
    sig_box = placement.Placement(1, tuple(rects['signer']))
    ix1, _, ix2, _ = placement.signature_image_box(sig_box, (480, 200))
    seal = rects['organisation']
    assert abs(seal[2] - (ix1 + (ix2 - ix1) / 3)) < 1
    assert abs((seal[2] - seal[0]) - 36 * 72 / 25.4) < 1  # actual size, 36 mm


def test_poppler_pdfsig_trusts_both_signatures(local_pki, issued, tmp_path):
    nss = tmp_path / 'nss'
    nss.mkdir()
    root_pem = tmp_path / 'root.pem'
    root_pem.write_bytes((local_pki.keys_dir / 'root.pem').read_bytes())
    subprocess.run(['certutil', '-N', '--empty-password', '-d', f'sql:{nss}'], check=True)
    subprocess.run(['certutil', '-A', '-d', f'sql:{nss}', '-n', 'root', '-t', 'CT,C,C',
                    '-i', str(root_pem)], check=True)
    pdf = tmp_path / 'issued.pdf'
    pdf.write_bytes(issued)
    out = subprocess.run(['pdfsig', '-nssdir', f'sql:{nss}', str(pdf)],
                         capture_output=True, text=True, timeout=60).stdout
    blocks = re.split(r'\nSignature #\d+:', out)[1:]
    assert len(blocks) == 2, out
    for block in blocks:
        assert 'Signature Validation: Signature is Valid' in block, out
        assert 'Certificate Validation: Certificate is Trusted' in block, out
    # The last signature covers everything but the B-LT validation data appended after it.
    last = max(blocks, key=_signed_end)
    assert 'Signature Field Name: organisation' in last and 'Signed Ranges' in last
    assert len(issued) - _signed_end(last) < 20_000, out


def _signed_end(block):
    return int(re.findall(r'\[\d+ - (\d+)\]', block)[-1])


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
    assert 'Ký bởi: Nguyễn Văn Mến' in text
    assert 'Thời gian ký:' in text and '(+07:00)' in text
