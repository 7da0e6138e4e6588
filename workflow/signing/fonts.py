"""The serif font embedded in stamps, prepared once per process.

Liberation Serif is metric-compatible with Times New Roman (the font Decree 30
prescribes).  pyHanko's ``GlyphAccumulatorFactory`` re-reads and re-parses the
whole 400 kB font on every signature and then subsets it; that dominates the
cost of a visible stamp.  Here the font is cut down once to the Latin and
Vietnamese repertoire (about 600 glyphs), kept as bytes, and handed to each
signature as an in-memory file.  Text measurement for placement uses the same
metrics.
"""

from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

FONT_DIR = Path(__file__).parent / 'fonts'
REGULAR = 'LiberationSerif-Regular.ttf'
BOLD = 'LiberationSerif-Bold.ttf'

VIETNAMESE_REPERTOIRE = [
    *range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x300, 0x370),
    *range(0x1E00, 0x1F00), *range(0x2010, 0x2050), 0x20AB,
]


@lru_cache(maxsize=4)
def font_bytes(name: str = REGULAR) -> bytes:
    """The font reduced to the Vietnamese repertoire, as TrueType bytes."""
    font = TTFont(FONT_DIR / name)
    options = subset.Options(layout_features=['*'], name_IDs=['*'], notdef_outline=True)
    options.drop_tables += ['FFTM']
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=VIETNAMESE_REPERTOIRE)
    subsetter.subset(font)
    out = BytesIO()
    font.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class SerifFont(FontEngineFactory):
    """A font engine factory over the prepared in-memory font."""

    name: str = REGULAR
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
    return sum(widths.get(ord(ch), fallback) for ch in text) * size / units
