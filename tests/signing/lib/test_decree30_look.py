"""The Decree 30 look of an issued document, and a place for the signature on any PDF.

The leader's handwritten image sits between title and name, centred on the printed title's axis;
the organisation's seal covers the left third of that image and is painted over it (its widget
comes after the leader's in the page's /Annots). Checked on the widgets, on poppler's text boxes,
and on poppler's pixels with an opaque signature image, through which a seal drawn underneath
would not show.
"""

import datetime as dt
import re
from io import BytesIO

import pytest
from PIL import Image
from pypdf import PdfReader

from tests.signing.lib.conftest import fixture_bytes
from tests.signing.lib.test_rendering import DPI, _page_height, _render, _top_left, _words
from tests.support import pdfs
from workflow.signing.lib import decree30, keystore
from workflow.signing.lib.placement import MM, Placement, automatic_signer_placement
from workflow.signing.lib.validation import verify_pdf

SIGNATURE_PNG = 'chu-ky-nguyen-van-men.png'
SEAL_PNG = 'con-dau-ubnd-huyen-co-do.png'
BLUE = (0, 0, 255, 255)


def _opaque_png(size=(480, 200)):
    out = BytesIO()
    Image.new('RGBA', size, BLUE).save(out, 'PNG')
    return out.getvalue()


def _issue(local_pki, organisation, signed, number='05/QĐ-UBND'):
    return decree30.issue_document(
        signed, organisation[1], seal_png=fixture_bytes(SEAL_PNG), number_notation=number,
        issued_on=dt.date(2026, 1, 9), timestamper=local_pki.timestamper,
        validation_context=local_pki.validation_context())


@pytest.fixture(scope='module')
def opaque_issued(local_pki, leader, organisation):
    """The fixture Quyết định signed with a solid blue rectangle as the signature, then issued."""
    signed = decree30.sign_as_signer(
        fixture_bytes('quyet-dinh-ke-hoach-cds-2026.pdf'), leader[1], title='CHỦ TỊCH',
        full_name='Nguyễn Văn Mến', signature_png=_opaque_png(), timestamper=local_pki.timestamper)
    return _issue(local_pki, organisation, signed)


def _annots(pdf, page):
    reader = PdfReader(BytesIO(pdf))
    return [(str(a.get_object().get('/T')), [float(v) for v in a.get_object()['/Rect']])
            for a in reader.pages[page].get('/Annots', [])]


def _title_centre(pdf, page, title_words=('CHỦ', 'TỊCH'), name_word='Mến'):
    """x of the middle of the printed title line (poppler's own measure), in PDF points."""
    words = _words(pdf, page + 1)
    name_top = min(w.box[1] for w in words if w.text == name_word)
    title = [w for w in words if w.text in title_words and w.box[3] < name_top]
    lowest = max(w.box[3] for w in title)
    line = [w for w in title if abs(w.box[3] - lowest) < 2]
    return (min(w.box[0] for w in line) + max(w.box[2] for w in line)) / 2


def _blue_box(image: Image.Image):
    """Bounding box (pixels) of the pure blue of the opaque signature image."""
    mask = Image.eval(image.convert('RGB'), lambda v: v)
    pixels = mask.load()
    xs, ys = [], []
    for y in range(mask.height):
        for x in range(mask.width):
            r, g, b = pixels[x, y]
            if b > 200 and r < 60 and g < 60:
                xs.append(x)
                ys.append(y)
    return min(xs), min(ys), max(xs) + 1, max(ys) + 1


def _red(pixel):
    r, g, b = pixel
    return r > 150 and g < 110 and b < 110


def _assert_poppler_trusts_leader_and_seal(pdfsig, pdf):
    """Both signatures valid and trusted for poppler, and the last thing signed covers the whole file
    (whatever document time stamp may follow the seal)."""
    blocks, out = pdfsig(pdf)
    named = {re.search(r'Signature Field Name: (\S+)', block).group(1): block for block in blocks}
    for field in ('signer', 'organisation'):
        assert 'Signature is Valid' in named[field] and 'Certificate is Trusted' in named[field], out
    assert 'Total document signed' in blocks[-1] and 'Not total' not in blocks[-1], out


def _count(image, box, test):
    pixels = image.load()
    return sum(1 for y in range(box[1], box[3]) for x in range(box[0], box[2]) if test(pixels[x, y]))


# --- the look ------------------------------------------------------------------------------


@pytest.mark.parametrize('document', ['issued', 'opaque_issued'])
def test_seal_widget_follows_the_signer_widget_so_viewers_paint_it_on_top(document, request):
    order = [name for name, _rect in _annots(request.getfixturevalue(document), 1)]
    assert 'signer' in order and 'organisation' in order, order
    assert order.index('signer') < order.index('organisation'), order


def test_signature_image_is_centred_on_the_title_and_the_seal_covers_its_left_third(issued):
    """From the widgets and the placement module: the stored rect is the placement's, whose image
    box is centred on poppler's title line within 1 mm; the seal spans its left third."""
    rects = dict(_annots(issued, 1))
    png = Image.open(BytesIO(fixture_bytes(SIGNATURE_PNG)))
    where = automatic_signer_placement(fixture_bytes('quyet-dinh-ke-hoach-cds-2026.pdf'), ['CHỦ TỊCH'],
                                       image_size=png.size, full_name='Nguyễn Văn Mến')
    assert list(where.box) == rects['signer'] and where.basis == 'title'
    ix1, iy1, ix2, iy2 = where.image
    assert abs((ix1 + ix2) / 2 - _title_centre(issued, 1)) <= 1 * MM
    sx1, sy1, sx2, sy2 = rects['organisation']
    assert abs((sx2 - sx1) - 36 * MM) < 1  # actual size
    covered = (min(sx2, ix2) - max(sx1, ix1)) / (ix2 - ix1)
    assert abs(covered - 1 / 3) < 0.02, covered
    assert sy1 < iy1 and sy2 > iy2  # over the image's whole height
    # the caption column keeps to the right of the image and inside the right margin
    assert rects['signer'][2] <= float(PdfReader(BytesIO(issued)).pages[1].mediabox.right) - 15 * MM + 0.5


def test_rendered_seal_lies_over_the_left_third_of_the_image_centred_on_the_title(opaque_issued, tmp_path):
    image = _render(opaque_issued, 2, tmp_path)
    x1, y1, x2, y2 = _blue_box(image)
    scale = DPI / 72
    centre = (x1 + x2) / 2 / scale
    assert abs(centre - _title_centre(opaque_issued, 1)) <= 1 * MM, (centre, _title_centre(opaque_issued, 1))
    third = x1 + (x2 - x1) // 3
    left_third, rest = (x1, y1, third - 2, y2), (third + 2, y1, x2, y2)
    # the opaque image would hide a seal drawn under it: red inside it means the seal is on top
    red_over_image = _count(image, left_third, _red)
    assert red_over_image > 0.02 * (left_third[2] - left_third[0]) * (y2 - y1), red_over_image
    assert _count(image, rest, _red) == 0
    # and the blue still fills the two thirds on the right: the seal covers only the left third
    blue = _count(image, rest, lambda p: p[2] > 200 and p[0] < 60 and p[1] < 60)
    assert blue > 0.95 * (rest[2] - rest[0]) * (rest[3] - rest[1])


def test_rendered_image_sits_between_title_and_name(opaque_issued, tmp_path):
    image = _render(opaque_issued, 2, tmp_path)
    x1, y1, x2, y2 = (v / (DPI / 72) for v in _blue_box(image))
    words = _words(opaque_issued, 2)
    title_bottom = max(w.box[3] for w in words if w.text == 'TỊCH')
    name_top = min(w.box[1] for w in words if w.text == 'Mến')
    assert title_bottom - 1 <= y1 and y2 <= name_top + 1
    assert y2 - y1 >= 0.6 * (name_top - title_bottom)  # still a good part of the gap


# --- a place on any PDF ------------------------------------------------------------------------


@pytest.fixture(scope='module')
def deputy(local_pki):
    credential = local_pki.person(full_name='Lê Thị Hồng Nhung', title='Phó Chủ tịch')
    return keystore.load_pkcs12_signer(credential.pkcs12, '1234')


def _sign(local_pki, signer, pdf, title):
    return decree30.sign_as_signer(
        pdf, signer, title=title, full_name='Lê Thị Hồng Nhung', signature_png=_opaque_png(),
        timestamper=local_pki.timestamper)


def test_deputy_block_written_word_by_word_is_found_under_its_last_line(local_pki, deputy, tmp_path):
    """'KT. CHỦ TỊCH' then 'PHÓ CHỦ TỊCH', each word its own text run: the image lands under the
    second, on its axis, above the name - for the deputy's own title and for a title not printed."""
    pdf = pdfs.deputy_letter()
    for title in ('PHÓ CHỦ TỊCH', 'GIÁM ĐỐC'):
        signed = _sign(local_pki, deputy, pdf, title)
        image = _render(signed, 1, tmp_path)
        x1, y1, x2, y2 = (v / (DPI / 72) for v in _blue_box(image))
        height = _page_height(signed, 0)
        assert abs((x1 + x2) / 2 - pdfs.AXIS) <= 1 * MM, (title, x1, x2)
        assert height - 526 < y1 and y2 < height - 440 - 10, (title, y1, y2)  # under PHÓ CHỦ TỊCH, over the name
        assert verify_pdf(signed, [local_pki.root])['valid']


def test_a_letter_without_a_title_is_signed_in_the_right_column_under_its_text(local_pki, deputy, organisation,
                                                                               pdfsig, tmp_path):
    signed = _sign(local_pki, deputy, pdfs.untitled_letter(), 'CHỦ TỊCH')
    assert len(PdfReader(BytesIO(signed)).pages) == 1
    [(name, rect)] = [(n, r) for n, r in _annots(signed, 0) if n == 'signer']
    box = _top_left(rect, _page_height(signed, 0))
    last_text = max(w.box[3] for w in _words(signed, 1) if not (box[0] <= w.box[0] <= box[2] and
                                                                box[1] <= w.box[1] <= box[3]))
    assert box[1] > last_text  # below every printed line
    assert box[0] > 595.28 / 2 and box[2] <= 595.28 - 15 * MM + 0.5  # right column, inside the margin
    issued = _issue(local_pki, organisation, signed, '06/UBND-VP')
    report = verify_pdf(issued, [local_pki.root])
    assert report['valid'] and [s['field'] for s in report['signatures']][:2] == ['signer', 'organisation']
    _assert_poppler_trusts_leader_and_seal(pdfsig, issued)


def test_a_full_page_gets_a_new_page_for_the_signature(local_pki, deputy, organisation, pdfsig):
    original = pdfs.full_letter()
    signed = _sign(local_pki, deputy, original, 'CHỦ TỊCH')
    reader = PdfReader(BytesIO(signed))
    assert len(reader.pages) == 2
    assert 'signer' not in [n for n, _r in _annots(signed, 0)]  # page 1 holds only the blanks for number and date
    assert [n for n, _r in _annots(signed, 1)][0] == 'signer'
    report = verify_pdf(signed, [local_pki.root])
    assert report['valid'] and report['signatures'][0]['covers_whole_file'], report
    issued = _issue(local_pki, organisation, signed, '07/UBND-VP')
    _assert_poppler_trusts_leader_and_seal(pdfsig, issued)
    # the original page's text is untouched
    assert reader.pages[0].extract_text() == PdfReader(BytesIO(original)).pages[0].extract_text()


def test_a_scanned_page_counts_as_full(local_pki):
    where = automatic_signer_placement(fixture_bytes('ban-scan-giay.pdf'), ['CHỦ TỊCH'], image_size=(480, 200))
    assert where.new_page and where.page == 1 and where.basis == 'new_page'


def test_once_signed_a_full_document_gets_no_new_page(local_pki, deputy):
    """A page added after a signature would break it: a second signer is placed on an existing page."""
    signed = decree30.sign_as_signer(
        pdfs.full_letter(), deputy, title='CHỦ TỊCH', full_name='Lê Thị Hồng Nhung', signature_png=_opaque_png(),
        timestamper=local_pki.timestamper, placement=Placement(0, (360, 40, 560, 100)))
    where = automatic_signer_placement(signed, ['CHỦ TỊCH'], image_size=(480, 200), full_name='Trần Văn Hai')
    assert not where.new_page and where.page == 0
    again = decree30.sign_as_signer(signed, deputy, title='CHỦ TỊCH', full_name='Trần Văn Hai',
                                    signature_png=_opaque_png(), timestamper=local_pki.timestamper,
                                    placement=where, field_name='signer-2')
    report = verify_pdf(again, [local_pki.root])
    assert report['valid'] and len(report['signatures']) == 2, report
