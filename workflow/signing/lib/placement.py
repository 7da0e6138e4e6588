"""Where stamps go on the page, found from the document's own text.

Coordinates are PDF points with the origin at the bottom left; a box is
``(x1, y1, x2, y2)``; pages are 0-based.  Text is located with pypdf's text
visitor and measured with Times-compatible metrics (Decree 30 documents are
set in Times New Roman).

The signer's signature goes, in this order of preference: between the printed
title and the name (the title the signer holds, or else the last line of a
"TM./KT./TL./TUQ./Q." block); else where Decree 30 puts it, in the right
column below the last text of the last page; else on a page added at the end
(only while nothing is signed yet: a new page would break a signature); else
in the first free place of that column on any page.  The handwritten image is
centred on the title's axis; the caption stands in a column to its right, and
the image gives up height (never its centre) to leave that column room.
"""

import hashlib
import re
import threading
from dataclasses import dataclass
from io import BytesIO
from itertools import pairwise

from pypdf import PdfReader

from . import fonts
from .errors import NotAPdf, PlacementNotFound

MM = 72 / 25.4
SIGNATURE_WIDTH = 262  # a chosen signer's box: signature image, then the caption column
SIGNATURE_HEIGHT = 75
CAPTION_WIDTH = 96  # the caption column at the right of the signer's box, at most
CAPTION_MIN_WIDTH = 48  # ... and at least that, or the full name's width (the image shrinks for it)
CAPTION_GAP = 4  # between the signature image and the caption column
CAPTION_SIZE = 7  # the caption's font size and leading (see appearance.signer_appearance)
CAPTION_LEADING = 8
CAPTION_TIME_SAMPLE = '00:00:00 ngày 00/00/2000 (+07:00)'  # as wide as any signing time
MIN_IMAGE_SHARE = 0.5  # the image keeps at least this share of the height between title and name
STAMP_PADDING = 2  # inside the signer's box, all round
SEAL_DIAMETER_MM = 36
RIGHT_MARGIN_MM = 15  # Decree 30: right margin 15-20 mm
LEFT_MARGIN_MM = 30  # Decree 30: left margin 30-35 mm
TOP_MARGIN_MM = 20  # Decree 30: top and bottom margins 20-25 mm
BOTTOM_MARGIN_MM = 20
TEXT_CLEARANCE = 12  # points between the last text and a signature placed under it
# A blank's field box spans the line's font height: from this far below the
# baseline to FIELD_ASCENT above it (fractions of the font size; Times metrics).
FIELD_DESCENT = 0.22
FIELD_ASCENT = 0.9

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Placement:
    """A stamp's page and box; for the signer's stamp, also how it was found.

    ``image`` is where the handwritten image goes inside ``box`` when placement
    centred it on a printed title (otherwise :func:`signature_image_box` puts it
    at the left of the box).  ``basis``: ``title`` (the signer's title),
    ``block`` (the last line of a TM./KT./TL./TUQ. block), ``free_space`` (the
    right column under the last text), ``new_page`` (``page`` is to be added
    after the last one: see ``new_page``), or ``chosen`` (given by a person).
    """

    page: int
    box: Box
    image: Box | None = None
    basis: str = 'chosen'
    new_page: bool = False

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
    span: float | None = None  # measured width of runs joined into one line

    @property
    def width(self) -> float:
        if self.span is not None:
            return self.span
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


def signer_placement(pdf_bytes: bytes, title: str, *, page: int | None = None,
                     image_size: tuple[int, int] | None = None, full_name: str = '') -> Placement:
    """The box between the signer's printed title (e.g. "CHỦ TỊCH") and the name below it.

    Looks on ``page`` or else from the last page backwards, taking the lowest
    line that reads exactly the title (falling back to an upper-case line
    ending with it, as "KT. CHỦ TỊCH").  Raises PlacementNotFound when no page
    prints it (:func:`automatic_signer_placement` never does).  With
    ``image_size`` (the handwritten image's pixels) the image is centred on the
    title's axis; ``full_name`` sizes the caption column beside it.
    """
    reader = read_pdf(pdf_bytes)
    pages = [page] if page is not None else range(len(reader.pages) - 1, -1, -1)
    found = _title_anchor(reader, [title], pages)
    if found is None:
        raise PlacementNotFound(f'title {title!r} not found')
    return _under_title(reader, *found, image_size, full_name, 'title')


def automatic_signer_placement(pdf_bytes: bytes, titles, *, image_size: tuple[int, int],
                               full_name: str = '') -> Placement:
    """A place for the signer's stamp on any readable PDF (see the module docstring).

    ``titles``: the ways the signer's title may be printed, best first.
    """
    reader = read_pdf(pdf_bytes)
    pages = range(len(reader.pages) - 1, -1, -1)
    found = _title_anchor(reader, titles, pages)
    if found is not None:
        return _under_title(reader, *found, image_size, full_name, 'title')
    found = _block_anchor(reader, pages)
    if found is not None:
        return _under_title(reader, *found, image_size, full_name, 'block')
    return _free_place(reader, image_size, full_name)


def _normalise(text: str) -> str:
    return re.sub(r'\s+', ' ', text).strip().upper()


def _title_anchor(reader, titles, pages):
    """(page, title line, the page's lines) for the first title printed on any of ``pages``."""
    for title in titles:
        for index in pages:
            lines = visual_lines(text_lines(reader, index))
            title_line = _title_line(lines, title)
            if title_line is not None:
                return index, title_line, lines
    return None


def _title_line(lines, title) -> TextLine | None:
    wanted = _normalise(title)
    if not wanted:
        return None
    exact = [line for line in lines if _normalise(line.text) == wanted]
    ending = [line for line in lines if _is_upper(line.text)
              and _normalise(line.text).endswith(' ' + wanted)]
    candidates = exact or ending
    return min(candidates, key=lambda line: line.y) if candidates else None


def _is_upper(text: str) -> bool:
    return text == text.upper() and text != text.lower()


# "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "TL. CHÁNH VĂN PHÒNG", "TUQ. …", "Q. …"
_DELEGATION = re.compile(r'(TM|KT|TL|TUQ|Q)\s*\.\s*\S')


def _block_anchor(reader, pages):
    """The last line of the lowest "TM./KT./TL./TUQ./Q." block: the title of whoever signs it."""
    for index in pages:
        lines = visual_lines(text_lines(reader, index))
        heads = [line for line in lines if _DELEGATION.match(_normalise(line.text))
                 and _is_upper(line.text)]
        if heads:
            line = min(heads, key=lambda head: head.y)
            while (following := _block_line_after(line, lines)) is not None:
                line = following
            return index, line, lines
    return None


def _block_line_after(line: TextLine, lines) -> TextLine | None:
    """The upper-case line right under ``line``, on about the same axis."""
    below = [other for other in lines
             if line.y - 2.2 * line.size < other.y < line.y - 1 and _is_upper(other.text)
             and abs(other.centre - line.centre) < 3 * line.size]
    return max(below, key=lambda other: other.y) if below else None


def _under_title(reader, index, title: TextLine, lines, image_size, full_name, basis) -> Placement:
    """From just under the title's descenders to just over the name's accents, on the title's axis."""
    name = _next_line_below(title, lines)
    top = title.y - title.size * 0.35
    bottom = name.y + name.size * 1.05 if name else top - SIGNATURE_HEIGHT
    bottom = max(bottom, top - SIGNATURE_HEIGHT * 1.4)
    page = reader.pages[index]
    if image_size is None:
        return Placement(index, _box_beside_caption(title.centre, bottom, top, page), basis=basis)
    return _centred(index, title.centre, bottom, top, page, image_size, full_name, basis)


def _box_beside_caption(axis, bottom, top, page) -> Box:
    """A chosen-size box on ``axis``, kept inside the right margin (no image size known)."""
    page_left, page_right = float(page.mediabox.left), float(page.mediabox.right)
    x2 = min(axis + SIGNATURE_WIDTH / 2, page_right - RIGHT_MARGIN_MM * MM)
    x1 = max(x2 - SIGNATURE_WIDTH, page_left)
    return (round(x1, 2), round(bottom, 2), round(x2, 2), round(top, 2))


def _centred(index, axis, bottom, top, page, image_size, full_name, basis, *, new_page=False):
    """The image centred on ``axis`` and on the box's height, the caption column at its right.

    The image is as tall as the box allows unless the caption would then not fit
    the column left between the image and the right margin (or that column would
    split the signer's name): it shrinks (down to MIN_IMAGE_SHARE of the height)
    until it does.  Only a title printed too near
    the right margin for even that moves the image off the axis, to the left.
    """
    right_limit = float(page.mediabox.right) - RIGHT_MARGIN_MM * MM
    area = top - bottom - 2 * STAMP_PADDING
    ratio = image_size[0] / image_size[1]
    least = min(max(CAPTION_MIN_WIDTH, fonts.stamp_text_width(full_name, CAPTION_SIZE) + 1), CAPTION_WIDTH)
    height = area
    while True:
        width = height * ratio
        column = min(right_limit - STAMP_PADDING - CAPTION_GAP - (axis + width / 2), CAPTION_WIDTH)
        fits = column >= least and caption_height(full_name, column) <= area
        if fits or height <= area * MIN_IMAGE_SHARE:
            break
        height = max(height - 1, area * MIN_IMAGE_SHARE)
    shift = max(least - column, 0)
    column = max(column, least)
    left = max(axis - shift - width / 2, float(page.mediabox.left) + STAMP_PADDING)
    middle = (top + bottom) / 2
    image = (left, middle - height / 2, left + width, middle + height / 2)
    box = (left - STAMP_PADDING, bottom, image[2] + CAPTION_GAP + column + STAMP_PADDING, top)
    return Placement(index, _rounded(box), image=_rounded(image), basis=basis, new_page=new_page)


def _rounded(box) -> Box:
    return tuple(round(v, 2) for v in box)


def caption_lines(full_name: str, signed: str, width: float) -> list[str]:
    """The caption "Ký bởi: …" / "Thời gian ký: …", wrapped to ``width`` at CAPTION_SIZE."""
    return [*wrap(['Ký', 'bởi:', full_name], CAPTION_SIZE, width),
            *wrap(f'Thời gian ký: {signed}'.split(' '), CAPTION_SIZE, width)]


def caption_height(full_name: str, width: float) -> float:
    lines = caption_lines(full_name, CAPTION_TIME_SAMPLE, width)
    return len(lines) * CAPTION_LEADING + CAPTION_SIZE * 0.25


def wrap(chunks: list[str], size: float, width: float) -> list[str]:
    """``chunks`` joined by spaces into lines no wider than ``width`` in the stamp font.

    A chunk with spaces (a full name) is kept on one line if it fits one.
    """
    words = []
    for chunk in chunks:
        if not chunk:
            continue
        fits = fonts.stamp_text_width(chunk, size) <= width
        words += [chunk] if fits else chunk.split(' ')
    lines = []
    for word in words:
        if lines and fonts.stamp_text_width(lines[-1] + ' ' + word, size) <= width:
            lines[-1] += ' ' + word
        else:
            lines.append(word)
    return lines


def _next_line_below(title: TextLine, lines) -> TextLine | None:
    below = [line for line in lines
             if line.y < title.y - 1 and abs(line.centre - title.centre) < SIGNATURE_WIDTH / 2]
    return max(below, key=lambda line: line.y) if below else None


def visual_lines(lines: list[TextLine]) -> list[TextLine]:
    """Runs on one baseline and close together joined into one line.

    Word processors often show a line in several runs ("PHÓ CH", "Ủ", " TỊCH"),
    one per font subset or per word; a title is matched on the joined line.
    Runs in different columns (far apart on the same baseline) stay apart.
    """
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda run: -run.y):
        if rows and abs(rows[-1][0].y - line.y) <= 0.3 * max(line.size, rows[-1][0].size):
            rows[-1].append(line)
        else:
            rows.append([line])
    joined = []
    for row in rows:
        row.sort(key=lambda run: run.x)
        group = [row[0]]
        for run in row[1:]:
            end = group[-1].x + group[-1].width
            if run.x - end <= 1.2 * max(run.size, group[-1].size):
                group.append(run)
            else:
                joined.append(_joined(group))
                group = [run]
        joined.append(_joined(group))
    return joined


def _joined(group: list[TextLine]) -> TextLine:
    if len(group) == 1:
        return group[0]
    text = group[0].text
    for before, run in pairwise(group):
        gap = run.x - (before.x + before.width)
        spaced = text.endswith(' ') or run.text.startswith(' ')
        text += (' ' if gap > 0.15 * run.size and not spaced else '') + run.text
    first, last = group[0], group[-1]
    return TextLine(text, first.x, first.y, max(run.size for run in group), first.bold,
                    span=last.x + last.width - first.x)


# --- where nothing is printed: the right column, a new page -------------------------


def _free_place(reader, image_size, full_name) -> Placement:
    """Decree 30's place for the signature when the document prints no title to sign under."""
    last = len(reader.pages) - 1
    page = reader.pages[last]
    axis = standard_axis(page)
    top = _below_everything(reader, last, axis)
    if top - SIGNATURE_HEIGHT >= float(page.mediabox.bottom) + BOTTOM_MARGIN_MM * MM:
        return _centred(last, axis, top - SIGNATURE_HEIGHT, top, page, image_size, full_name,
                        'free_space')
    if not _has_signatures(reader):
        top = float(page.mediabox.top) - TOP_MARGIN_MM * MM
        return _centred(last + 1, axis, top - SIGNATURE_HEIGHT, top, page, image_size, full_name,
                        'new_page', new_page=True)
    for index in range(last, -1, -1):
        page = reader.pages[index]
        top = _free_slot(reader, index, standard_axis(page))
        if top is not None:
            return _centred(index, standard_axis(page), top - SIGNATURE_HEIGHT, top, page,
                            image_size, full_name, 'free_space')
    bottom = float(page.mediabox.bottom) + BOTTOM_MARGIN_MM * MM
    return _centred(last, axis, bottom, bottom + SIGNATURE_HEIGHT, reader.pages[last], image_size,
                    full_name, 'free_space')


def standard_axis(page) -> float:
    """The axis of Decree 30's signature column: the middle of the right half of the text area."""
    left = float(page.mediabox.left) + LEFT_MARGIN_MM * MM
    right = float(page.mediabox.right) - RIGHT_MARGIN_MM * MM
    return left + (right - left) * 0.75


def _column(page, axis) -> tuple[float, float]:
    """What a signature on ``axis`` needs across the page: the seal reaches far to its left."""
    return axis - SEAL_DIAMETER_MM * MM - 20, float(page.mediabox.right) - RIGHT_MARGIN_MM * MM


def _below_everything(reader, index, axis) -> float:
    """The top of the free space under the lowest thing printed in the signature's column."""
    page = reader.pages[index]
    x1, x2 = _column(page, axis)
    bottoms = [box[1] for box in obstacles(reader, index) if box[0] < x2 and box[2] > x1]
    top = float(page.mediabox.top) - TOP_MARGIN_MM * MM
    return min([top, *(b - TEXT_CLEARANCE for b in bottoms)])


def _free_slot(reader, index, axis) -> float | None:
    """The highest top of a signature-sized gap in the column of page ``index``, if any."""
    page = reader.pages[index]
    x1, x2 = _column(page, axis)
    boxes = [box for box in obstacles(reader, index) if box[0] < x2 and box[2] > x1]
    top = float(page.mediabox.top) - TOP_MARGIN_MM * MM
    floor = float(page.mediabox.bottom) + BOTTOM_MARGIN_MM * MM
    while top - SIGNATURE_HEIGHT >= floor:
        hit = [box for box in boxes if box[1] < top and box[3] > top - SIGNATURE_HEIGHT]
        if not hit:
            return top
        top = min(box[1] for box in hit) - 1
    return None


def obstacles(reader, index) -> list[Box]:
    """What is already on page ``index``: its text, its images and its annotations."""
    boxes = [(line.x, line.y - line.size * 0.25, line.x + line.width, line.y + line.size * 0.95)
             for line in text_lines(reader, index)]
    page = reader.pages[index]
    for annotation in page.get('/Annots') or []:
        try:
            x1, y1, x2, y2 = (float(v) for v in annotation.get_object()['/Rect'])
        except (KeyError, TypeError, ValueError):
            continue
        boxes.append((min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))
    return boxes + _drawn_objects(page)


def _drawn_objects(page) -> list[Box]:
    """Boxes of the images and forms the page's content draws ("Do"): a scan is all image."""
    try:
        xobjects = page['/Resources'].get('/XObject') or {}
    except (KeyError, AttributeError):
        xobjects = {}
    boxes = []

    def before(operator, operands, cm, tm):
        if operator != b'Do' or not operands:
            return
        xobject = xobjects.get(operands[0])
        if xobject is None:
            return
        xobject = xobject.get_object()
        bbox = [float(v) for v in xobject.get('/BBox', (0, 0, 1, 1))]
        corners = [_apply(cm, x, y) for x in (bbox[0], bbox[2]) for y in (bbox[1], bbox[3])]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))

    try:
        page.extract_text(visitor_operand_before=before)
    except Exception:  # noqa: BLE001 -- a content stream pypdf cannot follow: its text still counts
        pass
    return boxes


def _has_signatures(reader) -> bool:
    try:
        fields = reader.get_fields() or {}
    except Exception:  # noqa: BLE001 -- a broken form: assume the worst, add no page
        return True
    return any(f.get('/FT') == '/Sig' and f.get('/V') is not None for f in fields.values())


def signature_image_box(signature: Placement, image_size: tuple[int, int]) -> Box:
    """Where the handwritten-signature image lands inside the signer's box.

    Where placement centred it on a title, there (``signature.image``).  In a
    box chosen by a person: on the left, as large as the box's height allows,
    keeping its proportions, vertically centred and against the caption
    column, with the caption column on the right (:func:`caption_box`).  The
    seal covers the left third of the image and extends to the left of it,
    away from the caption.  The stamp layout and the seal placement both use this.
    """
    if signature.image is not None:
        return signature.image
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
    if signature.image is not None:
        left = signature.image[2] + CAPTION_GAP
    else:
        left = x1 + STAMP_PADDING + _image_area(signature)[0] + CAPTION_GAP
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
