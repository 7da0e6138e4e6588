"""Decree 30 stamps: what each kind of signature looks like on the page.

* the signer: the handwritten-signature image between the printed title and
  name, centred on the title's axis, with the name and signing time in a
  small caption (7 pt) in a column to its right, where the seal (over the
  image's left third, drawn after it) cannot cover it;
* the organisation: the red seal image at actual size, nothing else;
* an attachment: no image, number and notation and the ISO 8601 signing time
  (+07:00), 10 pt upright serif, at the top right of page 1.
"""

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO

from PIL import Image
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import BaseStampStyle, StaticStampStyle, TextStampStyle

from .fonts import STAMP_FONT, SerifFont, times_or_dejavu
from .placement import (
    CAPTION_LEADING,
    CAPTION_SIZE,
    Placement,
    caption_box,
    caption_lines,
    signature_image_box,
)

VIETNAM = dt.timezone(dt.timedelta(hours=7), 'ICT')
ATTACHMENT_SIZE = 10
ATTACHMENT_LEADING = 12


@dataclass(frozen=True)
class Appearance:
    """A stamp style and the values for its text; ``style=None`` means invisible."""

    style: BaseStampStyle | None
    text_params: dict = field(default_factory=dict)


INVISIBLE = Appearance(None)


def vietnam_time(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(VIETNAM).replace(microsecond=0)


def iso_vietnam(moment: dt.datetime) -> str:
    """2026-05-14T10:31:05+07:00"""
    return vietnam_time(moment).isoformat()


def vietnamese_time(moment: dt.datetime) -> str:
    """10:31:05 ngày 14/05/2026 (+07:00)"""
    local = vietnam_time(moment)
    return local.strftime('%H:%M:%S ngày %d/%m/%Y') + ' (+07:00)'


def signer_appearance(signature_png: bytes, *, full_name: str, signed_at: dt.datetime,
                      placement: Placement) -> Appearance:
    """The signer's stamp: the signature image, and 'Ký bởi: …' / 'Thời gian ký: …' beside it.

    The image sits where placement put it (:func:`.placement.signature_image_box`:
    centred on the title's axis, as tall as the caption column beside it
    allows); the caption, wrapped to the column on the right
    (:func:`.placement.caption_box`), is vertically centred on the box and
    shrunk only if a very long name would not fit.
    """
    image = png_image(signature_png)
    x1, y1, x2, y2 = placement.box
    ix1, iy1, ix2, iy2 = signature_image_box(placement, image.size)
    cx1, cy1, cx2, cy2 = caption_box(placement)
    signed = vietnamese_time(signed_at)
    width = cx2 - cx1
    caption = '\n'.join(caption_lines(full_name, signed, width))
    style = TextStampStyle(
        border_width=0,
        background=PdfImage(image),
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=_int_margins(ix1 - x1, x2 - ix2, iy1 - y1, y2 - iy2)),
        stamp_text='%(caption)s',
        text_box_style=_text_style(CAPTION_SIZE, CAPTION_LEADING),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=_int_margins(cx1 - x1, x2 - cx2, cy1 - y1, y2 - cy2),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT),
    )
    return Appearance(style, {'caption': caption, 'full_name': full_name, 'signed_at': signed})


def seal_appearance(seal_png: bytes) -> Appearance:
    """The organisation's stamp: the seal image alone, opaque, filling its box."""
    style = StaticStampStyle(
        border_width=0, background=PdfImage(png_image(seal_png)), background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0)),
    )
    return Appearance(style)


def attachment_appearance(number_notation: str, signed_at: dt.datetime) -> Appearance:
    """Number and notation over the ISO 8601 signing time, 10 pt serif, no image.

    Set at its natural size in the top right corner of the box (the box from
    :func:`.placement.attachment_placement` holds the two lines), in Liberation
    Serif (Times metrics, as Decree 30 asks) unless the text needs DejaVu Serif.
    """
    signed = iso_vietnam(signed_at)
    font = times_or_dejavu(number_notation + signed)
    style = TextStampStyle(
        border_width=0,
        stamp_text='%(number)s\n%(signed_at)s',
        text_box_style=_text_style(ATTACHMENT_SIZE, ATTACHMENT_LEADING, font),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MAX, y_align=layout.AxisAlignment.ALIGN_MAX,
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT),
    )
    return Appearance(style, {'number': number_notation, 'signed_at': signed})


def _text_style(size: int, leading: int, font: str = STAMP_FONT) -> TextBoxStyle:
    """Serif text with no padding around it, room for the descenders under the last line.

    (pyHanko's layout arithmetic uses Fractions: sizes must be integers.)
    """
    return TextBoxStyle(
        font=SerifFont(name=font, font_size=size), font_size=size, leading=leading,
        box_layout_rule=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins(bottom=round(size * 0.25))))


def _int_margins(left, right, bottom, top) -> layout.Margins:
    return layout.Margins(left=round(left), right=round(right), bottom=round(bottom),
                          top=round(top))


@lru_cache(maxsize=32)
def png_image(png: bytes) -> Image.Image:
    """A decoded transparent PNG (kept: decoding is a large share of a stamp's cost)."""
    image = Image.open(BytesIO(png))
    image.load()
    return image
