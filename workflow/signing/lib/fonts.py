"""Fonts: the serif embedded in stamps, and Times metrics for reading documents.

Stamps are set in DejaVu Serif: the Liberation Serif 1.07 available here (the
Times New Roman metric clone) lacks most Vietnamese letters with two
diacritics (ở, ễ, ế …), DejaVu Serif has them all.  Liberation's metrics are
still the right ones to measure text in Decree 30 documents, which are set in
Times New Roman, so :func:`text_width` uses them.

pyHanko's ``GlyphAccumulatorFactory`` re-reads and re-parses the whole font on
every signature and then subsets and re-serialises it, which dominates the cost
of a visible stamp; it also writes widths in font units, which is only right
for fonts with 1000 units per em.  So the stamp font is prepared once per
process: cut down to the Latin and Vietnamese repertoire (about 360 glyphs,
14 kB compressed), rescaled to 1000 units per em, parsed once, and embedded
whole from ready-made bytes (font program, widths, ToUnicode map): a stamp only
shapes its text with HarfBuzz.  All stamps and filled fields of one revision
share a single embedded copy.
"""

import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

import uharfbuzz as hb
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.generic import pdf_name, pdf_string

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
    options.drop_tables += ['FFTM', 'GSUB', 'GPOS', 'GDEF', 'kern', 'MATH']
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=VIETNAMESE_REPERTOIRE)
    subsetter.subset(font)
    scale_upem(font, 1000)
    out = BytesIO()
    font.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class SerifFont(FontEngineFactory):
    """A font engine factory over the prepared font (see :class:`PreparedFontEngine`)."""

    name: str = STAMP_FONT
    font_size: int = 10

    def create_font_engine(self, writer, obj_stream=None) -> 'PreparedFontEngine':
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return PreparedFontEngine(writer, prepared_font(self.name), self.font_size, obj_stream)


@dataclass(frozen=True)
class PreparedFont:
    """Everything a stamp needs from the font, computed once per process (read-only)."""

    ps_name: str
    hb_font: 'hb.Font'
    tt: TTFont
    units_per_em: int
    advances: tuple[int, ...]  # by glyph id (= CID, CIDToGIDMap /Identity)
    reverse_cmap: dict
    font_file: bytes  # the TrueType program, deflated
    font_file_length: int
    to_unicode: bytes  # ToUnicode CMap for every glyph, deflated
    descriptor: tuple  # (ascent, descent, bbox, stemv, italic angle, cap height)


@lru_cache(maxsize=4)
def prepared_font(name: str = STAMP_FONT) -> PreparedFont:
    data = font_bytes(name)
    tt = TTFont(BytesIO(data))
    glyph_order = tt.getGlyphOrder()
    metrics = tt['hmtx'].metrics
    advances = tuple(metrics[glyph][0] for glyph in glyph_order)
    cmap = tt.getBestCmap()
    reverse_cmap = tt['cmap'].buildReversed()
    head, hhea, os2 = tt['head'], tt['hhea'], tt['OS/2']
    descriptor = (hhea.ascent, hhea.descent, (head.xMin, head.yMin, head.xMax, head.yMax),
                  int(10 + 220 * (os2.usWeightClass - 50) / 900),
                  float(getattr(tt['post'], 'italicAngle', 0)),
                  getattr(os2, 'sCapHeight', 750))
    tt.getGlyphSet()  # load every table pyHanko's shaping code may touch, up front
    ps_name = next(r.toUnicode() for r in tt['name'].names if r.nameID == 6)
    return PreparedFont(
        ps_name=ps_name, hb_font=hb.Font(hb.Face(data)), tt=tt,
        units_per_em=head.unitsPerEm, advances=advances, reverse_cmap=reverse_cmap,
        font_file=zlib.compress(data, 9), font_file_length=len(data),
        to_unicode=zlib.compress(_to_unicode_cmap(cmap, glyph_order), 9),
        descriptor=descriptor)


def _to_unicode_cmap(cmap: dict, glyph_order: list) -> bytes:
    gid = {name: index for index, name in enumerate(glyph_order)}
    by_cid = {}
    for code, glyph in sorted(cmap.items(), reverse=True):  # lowest code point wins
        if code <= 0xFFFF:
            by_cid[gid[glyph]] = code
    lines = [f'<{cid:04x}> <{code:04x}>' for cid, code in sorted(by_cid.items())]
    chunks = []
    for start in range(0, len(lines), 100):
        block = lines[start:start + 100]
        chunks.append(f'{len(block)} beginbfchar\n' + '\n'.join(block) + '\nendbfchar')
    return ('/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n'
            '/CIDSystemInfo <<\n/Registry (Adobe)\n/Ordering (UCS2)\n/Supplement 0\n>> def\n'
            '/CMapName /Adobe-Identity-UCS2 def\n/CMapType 2 def\n'
            '1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n'
            + '\n'.join(chunks)
            + '\nendcmap\nCMapName\ncurrentdict\n/CMap defineresource\npop\nend\nend'
            ).encode('ascii')


class PreparedFontEngine(GlyphAccumulator):
    """pyHanko's glyph accumulator without the per-signature font work.

    Shaping is pyHanko's own (HarfBuzz, ActualText spans); what changes is that
    the parsed font comes from the per-process cache and ``prepare_write``
    embeds the prepared font whole from ready-made bytes instead of subsetting
    and re-serialising it.  The first engine created for a writer owns the
    embedded font; later ones (more stamps or filled fields in the same
    revision) point at the same font object.
    """

    def __init__(self, writer, font: PreparedFont, font_size, obj_stream=None):
        # GlyphAccumulator.__init__ would re-read the font: set its state from the cache.
        self.writer = writer
        self.obj_stream = obj_stream
        self.font_size = font_size
        self._prepared = font
        self.hb_font = font.hb_font
        self.tt = font.tt
        self.cff_charset = None
        self.use_raw_gids = True
        self.features = None
        self.units_per_em = font.units_per_em
        self._glyphs = {}
        self._cid_to_unicode = {}
        self._GlyphAccumulator__reverse_cmap = font.reverse_cmap
        self.ot_language_tag = self.ot_script_tag = None
        self.writing_direction = self.bcp47_lang_code = None
        self._subset_created = True
        self._write_prepared = False
        subsets = writer.get_subset_collection(font.ps_name)
        owner = next((engine for engine in subsets.subsets.values()
                      if isinstance(engine, PreparedFontEngine)
                      and engine._prepared is font), None)
        if owner is None:
            self.subset_prefix = subsets.add_subset()
            subsets.subsets[self.subset_prefix] = self
            self._font_ref = writer.allocate_placeholder()
        else:
            self.subset_prefix = owner.subset_prefix
            self._font_ref = owner._font_ref

    def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
        return glyph_id, self._prepared.advances[glyph_id]

    def prepare_write(self):
        if self._write_prepared:
            return
        self._write_prepared = True
        font, writer, obj_stream = self._prepared, self.writer, self.obj_stream
        name = f'{self.subset_prefix}+{font.ps_name}'
        ascent, descent, bbox, stemv, italic, cap_height = font.descriptor
        font_file = writer.add_object(generic.StreamObject(
            {pdf_name('/Length1'): generic.NumberObject(font.font_file_length),
             pdf_name('/Filter'): pdf_name('/FlateDecode')},
            encoded_data=font.font_file))
        descriptor = writer.add_object(generic.DictionaryObject({
            pdf_name('/Type'): pdf_name('/FontDescriptor'),
            pdf_name('/FontName'): pdf_name('/' + name),
            pdf_name('/Ascent'): generic.NumberObject(ascent),
            pdf_name('/Descent'): generic.NumberObject(descent),
            pdf_name('/FontBBox'): generic.ArrayObject(map(generic.NumberObject, bbox)),
            pdf_name('/Flags'): generic.NumberObject(0b110),
            pdf_name('/StemV'): generic.NumberObject(stemv),
            pdf_name('/ItalicAngle'): generic.FloatObject(italic),
            pdf_name('/CapHeight'): generic.NumberObject(cap_height),
            pdf_name('/FontFile2'): font_file,
        }), obj_stream=obj_stream)
        cid_font = writer.add_object(generic.DictionaryObject({
            pdf_name('/Type'): pdf_name('/Font'),
            pdf_name('/Subtype'): pdf_name('/CIDFontType2'),
            pdf_name('/CIDSystemInfo'): generic.DictionaryObject({
                pdf_name('/Registry'): pdf_string('Adobe'),
                pdf_name('/Ordering'): pdf_string('Identity'),
                pdf_name('/Supplement'): generic.NumberObject(0)}),
            pdf_name('/BaseFont'): pdf_name('/' + name),
            pdf_name('/CIDToGIDMap'): pdf_name('/Identity'),
            pdf_name('/FontDescriptor'): descriptor,
            pdf_name('/W'): generic.ArrayObject([
                generic.NumberObject(0),
                generic.ArrayObject(map(generic.NumberObject, font.advances))]),
        }), obj_stream=obj_stream)
        to_unicode = writer.add_object(generic.StreamObject(
            {pdf_name('/Filter'): pdf_name('/FlateDecode')}, encoded_data=font.to_unicode))
        writer.add_object(generic.DictionaryObject({
            pdf_name('/Type'): pdf_name('/Font'),
            pdf_name('/Subtype'): pdf_name('/Type0'),
            pdf_name('/DescendantFonts'): generic.ArrayObject([cid_font]),
            pdf_name('/Encoding'): pdf_name('/Identity-H'),
            pdf_name('/BaseFont'): pdf_name(f'/{name}-Identity-H'),
            pdf_name('/ToUnicode'): to_unicode,
        }), obj_stream, idnum=self._font_ref.idnum)


@lru_cache(maxsize=4)
def _prepared_widths(name: str) -> dict[int, int]:
    """Advance (1/1000 em) of each character the prepared font has."""
    font = prepared_font(name)
    gid = {glyph: index for index, glyph in enumerate(font.tt.getGlyphOrder())}
    return {code: font.advances[gid[glyph]] for code, glyph in font.tt.getBestCmap().items()}


def stamp_text_width(text: str, size: float, name: str = STAMP_FONT) -> float:
    """Width in points of ``text`` as a stamp sets it in the prepared font ``name``."""
    widths = _prepared_widths(name)
    missing = prepared_font(name).advances[0]
    return sum(widths.get(ord(ch), missing) for ch in text) * size / 1000


def has_glyphs(text: str, name: str) -> bool:
    return all(ord(ch) in _prepared_widths(name) for ch in text)


def times_or_dejavu(text: str) -> str:
    """The font for text that Decree 30 wants in Times New Roman (a filled blank, an
    attachment's number and time): Liberation Serif -- Times metrics -- when it has
    every character (digits, ASCII, Đ always); DejaVu Serif otherwise.
    """
    return REGULAR if has_glyphs(text, REGULAR) else STAMP_FONT


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
