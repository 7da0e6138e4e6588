"""Where stamps go on the page, found from the document's own text.

Coordinates are PDF points with the origin at the bottom left; a box is
``(x1, y1, x2, y2)``; pages are 0-based.  Text is located with pypdf's text
visitor and measured with Times-compatible metrics (Decree 30 documents are
set in Times New Roman).
"""

import hashlib
import re
import threading
from dataclasses import dataclass
from io import BytesIO

from pypdf import PdfReader

from . import fonts
from .errors import NotAPdf, PlacementNotFound

MM = 72 / 25.4
SIGNATURE_WIDTH = 262  # the signer's box: signature image, then the caption column
SIGNATURE_HEIGHT = 75
CAPTION_WIDTH = 96  # the caption column at the right of the signer's box
CAPTION_GAP = 4  # between the signature image and the caption column
STAMP_PADDING = 2  # inside the signer's box, all round
SEAL_DIAMETER_MM = 36
RIGHT_MARGIN_MM = 15  # Decree 30: right margin 15-20 mm
# A blank's field box spans the line's font height: from this far below the
# baseline to FIELD_ASCENT above it (fractions of the font size; Times metrics).
FIELD_DESCENT = 0.22
FIELD_ASCENT = 0.9

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Placement:
    page: int
    box: Box

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


@dataclass(frozen=True)
class TextLine:
    text: str
    x: float
    y: float
    size: float
    bold: bool

    @property
    def width(self) -> float:
        return fonts.text_width(self.text, self.size, bold=self.bold)

    @property
    def centre(self) -> float:
        return self.x + self.width / 2

    def offset_of(self, index: int) -> float:
        """x of the character at ``index`` in this line."""
        return self.x + fonts.text_width(self.text[:index], self.size, bold=self.bold)


def read_pdf(pdf_bytes: bytes) -> PdfReader:
    """The document, parsed; the same reader again if this thread just parsed these bytes.

    Signing reads a document several times (placement, blank slots, page
    lookup); the last parsed reader is kept per thread, so a reader is never
    shared between threads.
    """
    digest = hashlib.sha256(pdf_bytes).digest()
    recent = getattr(_recent, 'reader', None)
    if recent is not None and recent.content_digest == digest:
        return recent
    try:
        reader = PdfReader(BytesIO(pdf_bytes), strict=False)
        # lets placement reuse text extracted from the same bytes (signing reads twice)
        reader.content_digest = digest
        if reader.is_encrypted:
            raise NotAPdf('the PDF is encrypted')
        len(reader.pages)
    except NotAPdf:
        raise
    except Exception as error:
        raise NotAPdf(str(error)) from error
    _recent.reader = reader
    return reader


_recent = threading.local()


def known_page_references(pdf_bytes: bytes) -> list[tuple[int, int]] | None:
    """(object number, generation) of every page, if this thread has just parsed these bytes.

    ``None`` otherwise: this is a shortcut for callers that would otherwise
    walk the page tree themselves, never a reason to parse the document.
    """
    recent = getattr(_recent, 'reader', None)
    if recent is None or recent.content_digest != hashlib.sha256(pdf_bytes).digest():
        return None
    try:
        refs = [page.indirect_reference for page in recent.pages]
    except Exception:
        return None
    if any(ref is None for ref in refs):
        return None
    return [(ref.idnum, ref.generation) for ref in refs]


def text_lines(reader: PdfReader, page: int) -> list[TextLine]:
    """The text shown on ``page``, one entry per text-showing run."""
    digest = getattr(reader, 'content_digest', None)
    if digest is None:
        return _extract_lines(reader, page)
    return list(_cached_lines(digest, page, reader))


def _cached_lines(digest, page, reader):
    key = (digest, page)
    if key not in _LINES:
        if len(_LINES) > 64:
            _LINES.clear()
        _LINES[key] = tuple(_extract_lines(reader, page))
    return _LINES[key]


_LINES: dict = {}


def _extract_lines(reader: PdfReader, page: int) -> list[TextLine]:
    lines = []

    def visit(text, cm, tm, font_dict, font_size):
        if not text.strip():
            return
        x, y = _apply(cm, tm[4], tm[5])
        size = font_size * (tm[3] or 1) * (cm[3] or 1)
        base_font = str((font_dict or {}).get('/BaseFont', ''))
        lines.append(TextLine(text.rstrip('\n'), x, y, abs(size), 'Bold' in base_font))

    reader.pages[page].extract_text(visitor_text=visit)
    return lines


def _apply(cm, x, y):
    return cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5]


# --- the signer's signature ------------------------------------------------


def signer_placement(pdf_bytes: bytes, title: str, *, page: int | None = None) -> Placement:
    """The box between the signer's title (e.g. "CHỦ TỊCH") and the name below it.

    Looks on ``page`` or else from the last page backwards, taking the lowest
    line that reads exactly the title (falling back to a line ending with it).
    """
    reader = read_pdf(pdf_bytes)
    pages = [page] if page is not None else range(len(reader.pages) - 1, -1, -1)
    for index in pages:
        lines = text_lines(reader, index)
        title_line = _title_line(lines, title)
        if title_line is not None:
            return Placement(index, _box_below(title_line, lines, reader.pages[index]))
    raise PlacementNotFound(f'title {title!r} not found')


def _normalise(text: str) -> str:
    return re.sub(r'\s+', ' ', text).strip().upper()


def _title_line(lines, title) -> TextLine | None:
    wanted = _normalise(title)
    exact = [line for line in lines if _normalise(line.text) == wanted]
    ending = [line for line in lines if _normalise(line.text).endswith(' ' + wanted)]
    candidates = exact or ending
    return min(candidates, key=lambda line: line.y) if candidates else None


def _box_below(title: TextLine, lines, page) -> Box:
    """From just under the title's descenders to just over the name's accents.

    Centred on the title, but kept inside the right margin (the caption column
    is on the right).
    """
    name = _next_line_below(title, lines)
    top = title.y - title.size * 0.35
    bottom = name.y + name.size * 1.05 if name else top - SIGNATURE_HEIGHT
    bottom = max(bottom, top - SIGNATURE_HEIGHT * 1.4)
    page_left, page_right = float(page.mediabox.left), float(page.mediabox.right)
    x2 = min(title.centre + SIGNATURE_WIDTH / 2, page_right - RIGHT_MARGIN_MM * MM)
    x1 = max(x2 - SIGNATURE_WIDTH, page_left)
    return (round(x1, 2), round(bottom, 2), round(x2, 2), round(top, 2))


def _next_line_below(title: TextLine, lines) -> TextLine | None:
    below = [line for line in lines
             if line.y < title.y - 1 and abs(line.centre - title.centre) < SIGNATURE_WIDTH / 2]
    return max(below, key=lambda line: line.y) if below else None


def signature_image_box(signature: Placement, image_size: tuple[int, int]) -> Box:
    """Where the handwritten-signature image lands inside the signer's box.

    The box is split in two: the image on the left, as large as the box's
    height (title to name) allows, keeping its proportions, vertically
    centred and against the caption column; the caption column on the right
    (:func:`caption_box`), out of the seal's way (the seal covers the left
    third of the image and extends to the left of it).  The stamp layout and
    the seal placement both use this.
    """
    x1, y1, x2, y2 = signature.box
    area_w, area_h = _image_area(signature)
    scale = min(area_w / image_size[0], area_h / image_size[1])
    w, h = image_size[0] * scale, image_size[1] * scale
    right = x1 + STAMP_PADDING + area_w
    bottom = y1 + STAMP_PADDING + (area_h - h) / 2
    return (right - w, bottom, right, bottom + h)


def caption_box(signature: Placement) -> Box:
    """The column for "Ký bởi: …" / "Thời gian ký: …", at the right of the signer's box."""
    x1, y1, x2, y2 = signature.box
    area_w, _ = _image_area(signature)
    left = x1 + STAMP_PADDING + area_w + CAPTION_GAP
    return (left, y1 + STAMP_PADDING, x2 - STAMP_PADDING, y2 - STAMP_PADDING)


def _image_area(signature: Placement) -> tuple[float, float]:
    """Width and height left for the signature image (at least half the box's width)."""
    x1, y1, x2, y2 = signature.box
    width = x2 - x1 - 2 * STAMP_PADDING
    return (max(width - CAPTION_WIDTH - CAPTION_GAP, width / 2),
            max(y2 - y1 - 2 * STAMP_PADDING, 1))


# --- the organisation's seal -------------------------------------------------------


def seal_placement(signature: Placement, image_size: tuple[int, int],
                   *, diameter_mm: float = SEAL_DIAMETER_MM) -> Placement:
    """The seal at actual size, over the left third of the signature image (Decree 30)."""
    ix1, iy1, ix2, iy2 = signature_image_box(signature, image_size)
    size = diameter_mm * MM
    right = ix1 + (ix2 - ix1) / 3
    centre_y = (iy1 + iy2) / 2
    box = (right - size, centre_y - size / 2, right, centre_y + size / 2)
    return Placement(signature.page, tuple(round(v, 2) for v in box))


# --- attachments -------------------------------------------------------------------


ATTACHMENT_TOP_MM = 8  # preferred distance from the top edge (inside any printer's margin)
ATTACHMENT_MIN_TOP_MM = 5  # never closer to the edge than this
ATTACHMENT_CLEARANCE = 4  # points between the stamp and the page's text below it


def attachment_placement(pdf_bytes: bytes, *, width: float = 170, height: float = 28) -> Placement:
    """Top right of page 1: right edge on the 15 mm right margin, above the page's text.

    The default size holds two lines at 10 pt (number and notation, ISO 8601
    time).  The box sits 8 mm below the top edge, or higher (down to 5 mm)
    if the page's own text under it starts higher.
    """
    reader = read_pdf(pdf_bytes)
    page = reader.pages[0]
    right, top = float(page.mediabox.right), float(page.mediabox.top)
    x2 = right - RIGHT_MARGIN_MM * MM
    x1 = x2 - width
    y2 = top - ATTACHMENT_TOP_MM * MM
    under = [line.y + line.size * 0.95 for line in text_lines(reader, 0)
             if line.x < x2 and line.x + line.width > x1]
    text_top = max(under, default=None)
    if text_top is not None and y2 - height < text_top + ATTACHMENT_CLEARANCE:
        y2 = min(text_top + ATTACHMENT_CLEARANCE + height, top - ATTACHMENT_MIN_TOP_MM * MM)
    return Placement(0, (round(x1, 2), round(y2 - height, 2), round(x2, 2), round(y2, 2)))


# --- number and date at issuance ---------------------------------------------------


def issuance_field_boxes(pdf_bytes: bytes) -> dict[str, tuple[Placement, float]]:
    """Blank slots on page 1 for the number and the date: {field: (placement, font size)}.

    Finds "Số:   /QĐ-UBND" (the gap before "/") and "ngày   tháng   năm" (the gaps
    after "ngày" and "tháng", and after "năm" when no year is printed).
    """
    reader = read_pdf(pdf_bytes)
    slots = {}
    for line in text_lines(reader, 0):
        slots.update(_number_slot(line))
        slots.update(_date_slots(line))
    return slots


def _number_slot(line: TextLine) -> dict:
    match = re.match(r'\s*Số\s*:?(\s{2,})/', line.text)
    if not match:
        return {}
    return {'issue_number': _slot(line, match.start(1), match.end(1))}


def _date_slots(line: TextLine) -> dict:
    slots = {}
    for word, field in (('ngày', 'issue_day'), ('tháng', 'issue_month'), ('năm', 'issue_year')):
        match = re.search(word + r'(\s{2,})', line.text)
        if match and 'ngày' in line.text and 'tháng' in line.text:
            end = match.end(1) if field != 'issue_year' else match.start(1) + 6
            slots[field] = _slot(line, match.start(1), end)
    return slots


def _slot(line: TextLine, start: int, end: int) -> tuple[Placement, float]:
    """The blank between ``start`` and ``end``, one font height tall on the line's baseline.

    The field is filled at the line's own font size with its baseline on the
    line's (see :func:`field_baseline`).
    """
    x1 = line.offset_of(start) + 0.5
    x2 = max(line.offset_of(end) - 0.5, x1 + line.size)
    box = (x1, line.y - line.size * FIELD_DESCENT, x2, line.y + line.size * FIELD_ASCENT)
    return Placement(0, tuple(round(v, 2) for v in box)), line.size


def field_baseline(box_height: float, font_size: float) -> float:
    """Height of the text baseline above the bottom of a blank's field box (see :func:`_slot`)."""
    return (box_height - font_size * (FIELD_DESCENT + FIELD_ASCENT)) / 2 + font_size * FIELD_DESCENT
