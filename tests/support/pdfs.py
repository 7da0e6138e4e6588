"""Small Decree 30-like PDFs built for a test: text lines placed where the test says.

Set in DejaVu Serif (every Vietnamese letter), embedded once per document through the signing
room's own font engine, so pypdf, poppler and pdf.js read the text back. A line may be split into
several text runs, one per word, as word processors often write them.
"""
from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import PdfFileWriter

from workflow.signing.lib.fonts import SerifFont, stamp_text_width

A4 = (595.28, 841.89)
AXIS = 425  # the signature column's axis in the fixtures


def line(text, y, *, x=None, centre=None, size=13, runs=False):
    """One line: at ``x``, or centred on ``centre``; ``runs`` splits it into one run per word."""
    return {'text': text, 'y': y, 'x': x, 'centre': centre, 'size': size, 'runs': runs}


def document(*pages):
    """A PDF of A4 pages, each a list of :func:`line`."""
    writer = PdfFileWriter()
    engine = SerifFont().create_font_engine(writer)
    contents = [_content(engine, lines) for lines in pages]
    font = engine.as_resource()
    for content in contents:
        writer.insert_page(generic.DictionaryObject({
            pdf_name('/Type'): pdf_name('/Page'),
            pdf_name('/MediaBox'): generic.ArrayObject(generic.FloatObject(v) for v in (0, 0, *A4)),
            pdf_name('/Resources'): generic.DictionaryObject({
                pdf_name('/Font'): generic.DictionaryObject({pdf_name('/F1'): font})}),
            pdf_name('/Contents'): writer.add_object(generic.StreamObject(stream_data=content)),
        }))
    engine.prepare_write()
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _content(engine, lines):
    ops = []
    for spec in lines:
        size, text = spec['size'], spec['text']
        x = spec['x'] if spec['x'] is not None else spec['centre'] - stamp_text_width(text, size) / 2
        pieces = text.split(' ') if spec['runs'] else [text]
        for piece in pieces:
            shaped = engine.shape(piece)
            ops.append(b'BT /F1 %g Tf 1 0 0 1 %.2f %.2f Tm %s ET' % (size, x, spec['y'], shaped.graphics_ops))
            x += stamp_text_width(piece + ' ', size)
    return b'\n'.join(ops)


def body(top=700, count=6, *, size=13, leading=18.5):
    """Paragraph lines across the text area, from ``top`` down."""
    sentence = 'Ủy ban nhân dân xã báo cáo kết quả chuyển đổi số, đề nghị xem xét và chỉ đạo.'
    return [line(sentence, top - i * leading, x=85, size=size) for i in range(count)]


def heading():
    return [line('ỦY BAN NHÂN DÂN', 785, centre=150, size=12),
            line('Số:       /UBND-VP', 748, centre=150),
            line('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 785, centre=400, size=12),
            line('Đông Hiệp, ngày      tháng      năm 2026', 748, centre=400)]


def untitled_letter():
    """A letter that prints no signature block at all: no title, no name."""
    return document([*heading(), *body(700, 8)])


def deputy_letter():
    """Signed for the chairman by a deputy: "TM. …", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", the name; the
    block's lines are written one run per word."""
    return document([*heading(), *body(700, 6),
                     line('Nơi nhận:', 560, x=85, size=12),
                     line('- Như trên;', 546, x=85, size=11),
                     line('TM. ỦY BAN NHÂN DÂN', 560, centre=AXIS, runs=True),
                     line('KT. CHỦ TỊCH', 543, centre=AXIS, runs=True),
                     line('PHÓ CHỦ TỊCH', 526, centre=AXIS, runs=True),
                     line('Lê Thị Hồng Nhung', 440, centre=AXIS)])


def full_letter():
    """Text down to the bottom margin of its only page: no room left for a signature."""
    return document([*heading(), *body(700, 35, leading=18)])
