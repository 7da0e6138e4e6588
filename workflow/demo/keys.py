"""Demo keys: every leader gets a certificate and a handwritten-signature image, every UBND a seal.

All demo keys open with DEMO_PIN. Signature images are drawn per person (their name in a cursive
hand, blue, on a transparent background) and commune seals are drawn with the commune's name, so the
demo documents look like each signer's own; the district's seal is the sample seal image.
"""
import io
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ..signing import credentials, stamps, trust

DEMO_PIN = '123456'
HERE = Path(__file__).parent
DISTRICT_SEAL = HERE / 'pdfs' / 'con-dau-ubnd-huyen-co-do.png'
FONT_DIR = Path(__file__).resolve().parent.parent / 'signing' / 'lib' / 'fonts'


def _font(size, italic=False):
    candidates = sorted(FONT_DIR.glob('*Italic*.ttf' if italic else '*Serif*.ttf')) or sorted(FONT_DIR.glob('*.ttf'))
    return ImageFont.truetype(str(candidates[0]), size) if candidates else ImageFont.load_default()


def signature_png(full_name):
    """A blue signature of the person's given name with a flourish, transparent PNG."""
    image = Image.new('RGBA', (480, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    given = full_name.split()[-1]
    draw.text((40, 40), given, font=_font(96, italic=True), fill=(20, 40, 160, 255))
    draw.arc((20, 110, 460, 190), start=190, end=350, fill=(20, 40, 160, 255), width=5)
    return _png(image)


def seal_png(unit_name):
    """A round red seal with the unit's name around the rim and a star in the middle."""
    size = 600
    image = Image.new('RGBA', (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (210, 20, 30, 235)
    draw.ellipse((10, 10, size - 10, size - 10), outline=red, width=14)
    draw.ellipse((150, 150, size - 150, size - 150), outline=red, width=8)
    centre, radius = size / 2, 95
    star = [(centre + radius * math.cos(math.radians(-90 + 36 * i)) * (1 if i % 2 == 0 else 0.4),
             centre + radius * math.sin(math.radians(-90 + 36 * i)) * (1 if i % 2 == 0 else 0.4)) for i in range(10)]
    draw.polygon(star, fill=red)
    text, font = unit_name.upper(), _font(40)
    for index, char in enumerate(text):
        angle = math.radians(-160 + 320 * index / max(1, len(text) - 1))
        x, y = centre + 225 * math.sin(angle), centre - 225 * math.cos(angle)
        glyph = Image.new('RGBA', (60, 60), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((10, 5), char, font=font, fill=red)
        glyph = glyph.rotate(-math.degrees(angle), resample=Image.BICUBIC)
        image.alpha_composite(glyph, (int(x - 30), int(y - 30)))
    return _png(image)


def _png(image):
    out = io.BytesIO()
    image.save(out, format='PNG')
    return out.getvalue()


def give_keys(admin, people, org):
    """Certificates, signature images and seals for the demo (all under DEMO_PIN)."""
    trust.ensure_pki()
    leaders = [u for u in people.users if u.has_role('leader')]
    for leader in leaders:
        _enrolment, code = credentials.start_enrolment(admin, leader)
        credentials.complete_enrolment(leader, code, DEMO_PIN)  # as the leader would, with the demo PIN
        stamps.set_signature_image(admin, leader, signature_png(leader.full_name))
    credentials.issue_unit_seal(admin, org.district, png=DISTRICT_SEAL.read_bytes(), pin=DEMO_PIN)
    for commune in org.communes:
        credentials.issue_unit_seal(admin, commune.unit, png=seal_png(commune.unit.name), pin=DEMO_PIN)
    return len(leaders)
