"""Fonts: the serif embedded in stamps, and Times metrics for reading documents.

Stamps are set in DejaVu Serif: the Liberation Serif 1.07 available here (the
Times New Roman metric clone) lacks most Vietnamese letters with two
diacritics (ở, ễ, ế …), DejaVu Serif has them all.  Liberation's metrics are
still the right ones to measure text in Decree 30 documents, which are set in
Times New Roman, so :func:`text_width` uses them.

pyHanko's ``GlyphAccumulatorFactory`` re-reads and re-parses the whole font on
every signature and then subsets it, which dominates the cost of a visible
stamp; it also writes widths in font units, which is only right for fonts with
1000 units per em.  So the stamp font is prepared once per process: cut down
to the Latin and Vietnamese repertoire, rescaled to 1000 units per em, kept as
bytes and handed to each signature as an in-memory file.
"""

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

FONT_DIR = Path(__file__).parent / 'fonts'
STAMP_FONT = 'DejaVuSerif.ttf'
REGULAR = 'LiberationSerif-Regular.ttf'
BOLD = 'LiberationSerif-Bold.ttf'

VIETNAMESE_REPERTOIRE = [  # ASCII, Latin-1, ĂăĐđĨĩŨũƠơƯư, Ạ..ỹ, dashes and quotes, ₫
    *range(0x20, 0x7F), *range(0xA0, 0x100), 0x102, 0x103, 0x110, 0x111, 0x128, 0x129,
    0x168, 0x169, 0x1A0, 0x1A1, 0x1AF, 0x1B0, *range(0x1EA0, 0x1EFA),
    *range(0x2010, 0x2027), 0x20AB,
]


@lru_cache(maxsize=4)
def font_bytes(name: str = STAMP_FONT) -> bytes:
    """The font reduced to the Vietnamese repertoire at 1000 units/em, as TrueType bytes."""
    font = TTFont(FONT_DIR / name)
    # Vietnamese is fully precomposed in the font, so no shaping tables are needed;
    # without them pyHanko's per-signature subsetting is several times faster.
    options = subset.Options(layout_features=[], name_IDs=['*'], notdef_outline=True,
                             hinting=False)
    options.drop_tables += ['FFTM', 'GSUB', 'GPOS', 'GDEF', 'kern']
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=VIETNAMESE_REPERTOIRE)
    subsetter.subset(font)
    scale_upem(font, 1000)
    out = BytesIO()
    font.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class SerifFont(FontEngineFactory):
    """A font engine factory over the prepared in-memory font."""

    name: str = STAMP_FONT
    font_size: int = 10

    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(writer=writer, font_handle=BytesIO(font_bytes(self.name)),
                                font_size=self.font_size, obj_stream=obj_stream)


@lru_cache(maxsize=4)
def _advance_widths(name: str) -> tuple[dict, int, int]:
    font = TTFont(BytesIO(font_bytes(name)))
    cmap = font.getBestCmap()
    metrics = font['hmtx'].metrics
    widths = {code: metrics[glyph][0] for code, glyph in cmap.items()}
    return widths, font['head'].unitsPerEm, metrics['.notdef'][0]


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Width in points of ``text`` set in Times-metric serif at ``size``."""
    widths, units, fallback = _advance_widths(BOLD if bold else REGULAR)
    return sum(_width(widths, ch, fallback) for ch in text) * size / units


def _width(widths: dict, char: str, fallback: int) -> int:
    # A Vietnamese letter has the advance of its base letter (ố -> o).
    if ord(char) in widths:
        return widths[ord(char)]
    base = unicodedata.normalize('NFD', char)[0]
    return widths.get(ord(base), fallback)
