"""What an issued page looks like: rendered by poppler and measured on its own output.

``pdftotext -bbox`` gives each word's box (top-left origin, points) as poppler
lays it out, stamps and filled fields included; ``pdftoppm`` gives the pixels.
Checked: the number and date filled at issuance are set at the document's size
on its baseline; the signer's caption is readable and clear of the seal, the
printed title and the name; the signature image fills the gap between title and
name; the attachment stamp sits inside the page margins, clear of the text.
"""

import datetime as dt
import html
import re
import subprocess
from io import BytesIO

import pytest
from PIL import Image
from pypdf import PdfReader

from tests.signing.lib.conftest import fixture_bytes
from workflow.signing.lib import decree30, keystore
from workflow.signing.lib.placement import MM, automatic_signer_placement, signature_image_box
from workflow.signing.lib.validation import verify_pdf

DPI = 100
SIGNATURE_PNG = 'chu-ky-nguyen-van-men.png'


@pytest.fixture(scope='module')
def issued_cong_van(local_pki, organisation):
    """A Công văn signed "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" by its own signer, then issued."""
    credential = local_pki.person(full_name='Lê Thị Hồng Nhung', title='Phó Chủ tịch')
    deputy = keystore.load_pkcs12_signer(credential.pkcs12, '1234')
    signed = decree30.sign_as_signer(
        fixture_bytes('cong-van-dong-hiep.pdf'), deputy, title='PHÓ CHỦ TỊCH',
        full_name='Lê Thị Hồng Nhung', signature_png=fixture_bytes(SIGNATURE_PNG),
        timestamper=local_pki.timestamper)
    return decree30.issue_document(
        signed, organisation[1], seal_png=fixture_bytes('con-dau-ubnd-huyen-co-do.png'),
        number_notation='03/UBND-VP', issued_on=dt.date(2026, 3, 5),
        timestamper=local_pki.timestamper, validation_context=local_pki.validation_data)


@pytest.fixture(scope='module')
def attachment(local_pki, organisation):
    return decree30.sign_attachment(
        fixture_bytes('phu-luc-chi-tieu.pdf'), organisation[1], number_notation='03/QĐ-UBND',
        timestamper=local_pki.timestamper, validation_context=local_pki.validation_data)


# --- number and date -----------------------------------------------------------------


@pytest.mark.parametrize('document, values', [
    ('issued', {'issue_number': '01', 'issue_day': '05', 'issue_month': '01'}),
    ('issued_cong_van', {'issue_number': '03', 'issue_day': '05', 'issue_month': '3'}),
])
def test_number_and_date_are_set_at_the_documents_size_on_its_baseline(document, values,
                                                                         request, tmp_path):
    pdf = request.getfixturevalue(document)
    fields = _widgets(pdf, 0)
    words = _words(pdf, 1)
    image = _render(pdf, 1, tmp_path)
    for name, value in values.items():
        rect = _top_left(fields[name]['/Rect'], _page_height(pdf, 0))
        assert rect[3] - rect[1] >= 10, (name, rect)  # the field is a line's height
        [word] = [w for w in words if w.text == value and _inside(w.box, rect, slack=1)]
        assert word.height >= 10, (name, word)  # set at the line's size (13 pt), not shrunk
        neighbours = [w for w in words if w is not word and abs(w.box[3] - word.box[3]) < 3
                      and abs(w.box[0] - word.box[0]) < 80]
        assert neighbours, word
        for other in neighbours:  # same descent below the baseline as the printed words
            assert abs(other.box[3] - word.box[3]) < 0.6, (word, other)
        # and the pixels: digits about two thirds of 13 pt tall, not a few points
        ink = _ink_rows(image.crop(_pixels(rect)))
        assert ink >= 0.6 * 13 * DPI / 72, (name, ink)


# --- the signer's stamp and the seal ------------------------------------------------


@pytest.mark.parametrize('document, page, title, name', [
    ('issued', 1, 'CHỦ TỊCH', 'Nguyễn Văn Mến'),
    ('issued_cong_van', 0, 'PHÓ CHỦ TỊCH', 'Lê Thị Hồng Nhung'),
])
def test_caption_is_readable_and_clear_of_seal_title_and_name(document, page, title, name,
                                                             request, tmp_path):
    pdf = request.getfixturevalue(document)
    height = _page_height(pdf, page)
    widgets = _widgets(pdf, page)
    signer = _top_left(widgets['signer']['/Rect'], height)
    seal = _top_left(widgets['organisation']['/Rect'], height)
    words = _words(pdf, page + 1)
    caption = [w for w in words if _inside(w.box, signer, slack=1)]
    text = ' '.join(w.text for w in caption)
    assert f'Ký bởi: {name}' in ' '.join(text.split()), text
    assert 'Thời gian ký:' in text and '(+07:00)' in text, text
    for word in caption:
        assert 6 <= word.height <= 9.5, word  # a 7 pt caption
    box = _union(w.box for w in caption)
    assert not _intersects(box, seal), (box, seal)
    others = [w for w in words if w not in caption]
    assert [w.text for w in others if _intersects(w.box, box)] == []
    title_words = [w for w in others if w.text in title.split()]
    name_words = [w for w in others if w.text in name.split()]
    assert title_words and name_words
    # the seal's red never shows inside the caption
    image = _render(pdf, page + 1, tmp_path)
    assert _red_pixels(image.crop(_pixels(box))) == 0


@pytest.mark.parametrize('document, source, printed, page, title, name', [
    ('issued', 'quyet-dinh-ke-hoach-cds-2026.pdf', 'CHỦ TỊCH', 1, 'TỊCH', 'Nguyễn Văn Mến'),
    ('issued_cong_van', 'cong-van-dong-hiep.pdf', 'PHÓ CHỦ TỊCH', 0, 'TỊCH', 'Lê Thị Hồng Nhung'),
])
def test_signature_image_fills_the_gap_between_title_and_name(document, source, printed, page, title,
                                                              name, request):
    """As much of the gap as the caption column beside the centred image leaves it."""
    pdf = request.getfixturevalue(document)
    widgets = _widgets(pdf, page)
    rect = tuple(float(v) for v in widgets['signer']['/Rect'])
    png = Image.open(BytesIO(fixture_bytes(SIGNATURE_PNG)))
    where = automatic_signer_placement(fixture_bytes(source), [printed], image_size=png.size,
                                       full_name=name)
    assert where.box == rect
    ix1, iy1, ix2, iy2 = signature_image_box(where, png.size)
    words = _words(pdf, page + 1)
    title_bottom = max(w.box[3] for w in words if w.text == title)  # lowest "TỊCH"
    name = name.split()[-1]
    name_top = min(w.box[1] for w in words if w.text == name and w.box[1] > title_bottom)
    gap = name_top - title_bottom
    assert iy2 - iy1 >= 0.6 * gap, (iy2 - iy1, gap)
    top = _page_height(pdf, page) - iy2
    assert top >= title_bottom - 1 and _page_height(pdf, page) - iy1 <= name_top + 1


def test_cong_van_signatures_validate(local_pki, issued_cong_van, pdfsig):
    report = verify_pdf(issued_cong_van, [local_pki.root])
    assert report['valid'], report
    leader, organisation, stamp = report['signatures']
    assert leader['modification_level'] in ('NONE', 'LTA_UPDATES', 'FORM_FILLING')
    assert stamp['type'] == 'document_timestamp'
    blocks, out = pdfsig(issued_cong_van)
    assert len(blocks) == 3, out
    for block in blocks[:2]:
        assert 'Signature is Valid' in block and 'Certificate is Trusted' in block, out
    assert 'Total document signed' in blocks[-1] and 'Not total' not in blocks[-1], out


# --- the attachment stamp ------------------------------------------------------------


def test_attachment_stamp_is_inside_the_margins_and_clear_of_the_text(attachment, tmp_path):
    reader = PdfReader(BytesIO(attachment))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    widget = _widgets(attachment, 0)['attachment']
    rect = _top_left(widget['/Rect'], height)
    words = _words(attachment, 1)
    stamp = [w for w in words if _intersects(w.box, rect)]
    assert [w.text for w in stamp][:1] == ['03/QĐ-UBND']
    assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00', stamp[-1].text), stamp
    for word in stamp:
        assert _inside(word.box, rect, slack=0.5), (word, rect)  # nothing clipped
        assert 9.5 <= word.height <= 12, word  # 10 pt
    box = _union(w.box for w in stamp)
    assert box[2] <= width - 15 * MM + 0.5 and box[1] >= 5 * MM  # right margin, top edge
    assert not [w.text for w in words if w not in stamp and _intersects(w.box, box)]
    image = _render(attachment, 1, tmp_path)
    assert _ink_rows(image.crop(_pixels(box))) >= 2 * 0.6 * 10 * DPI / 72


# --- helpers ---------------------------------------------------------------------------


class Word:
    def __init__(self, text, box):
        self.text, self.box = text, box

    @property
    def height(self):
        return self.box[3] - self.box[1]

    def __repr__(self):
        return f'Word({self.text!r}, {tuple(round(v, 1) for v in self.box)})'


def _words(pdf: bytes, page: int) -> list[Word]:
    """poppler's words on ``page`` (1-based), boxes with the origin at the top left."""
    out = subprocess.run(['pdftotext', '-f', str(page), '-l', str(page), '-bbox', '-', '-'],
                         input=pdf, capture_output=True, check=True).stdout.decode()
    pattern = (r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
               r'(.*?)</word>')
    return [Word(html.unescape(text), tuple(float(v) for v in box))
            for *box, text in re.findall(pattern, out)]


def _render(pdf: bytes, page: int, tmp_path) -> Image.Image:
    path = tmp_path / f'page-{page}.pdf'
    path.write_bytes(pdf)
    prefix = tmp_path / f'page-{page}'
    subprocess.run(['pdftoppm', '-r', str(DPI), '-png', '-singlefile', '-f', str(page),
                    '-l', str(page), str(path), str(prefix)], check=True, capture_output=True)
    return Image.open(f'{prefix}.png').convert('RGB')


def _widgets(pdf: bytes, page: int) -> dict:
    reader = PdfReader(BytesIO(pdf))
    return {str(a.get_object().get('/T')): a.get_object()
            for a in reader.pages[page].get('/Annots', [])}


def _page_height(pdf: bytes, page: int) -> float:
    return float(PdfReader(BytesIO(pdf)).pages[page].mediabox.top)


def _top_left(rect, page_height):
    x1, y1, x2, y2 = (float(v) for v in rect)
    return (min(x1, x2), page_height - max(y1, y2), max(x1, x2), page_height - min(y1, y2))


def _inside(box, outer, slack=0.0):
    return (box[0] >= outer[0] - slack and box[1] >= outer[1] - slack
            and box[2] <= outer[2] + slack and box[3] <= outer[3] + slack)


def _intersects(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _union(boxes):
    boxes = list(boxes)
    assert boxes
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def _pixels(box):
    scale = DPI / 72
    return tuple(round(v * scale) for v in box)


def _ink_rows(image: Image.Image) -> int:
    """Height in pixels from the first to the last row holding dark pixels."""
    grey = image.convert('L')
    rows = [y for y in range(grey.height)
            if any(grey.getpixel((x, y)) < 128 for x in range(grey.width))]
    return rows[-1] - rows[0] + 1 if rows else 0


def _red_pixels(image: Image.Image) -> int:
    data = image.convert('RGB').tobytes()
    return sum(1 for i in range(0, len(data), 3)
               if data[i] > 150 and data[i + 1] < 110 and data[i + 2] < 110)
