"""Stamp images: a person's handwritten signature and a unit's seal, transparent PNGs kept as blobs."""
import io

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from .. import audit, policy
from ..errors import BadInput
from ..extensions import db
from ..storage import blobs
from ..timeutil import now
from .models import StampImage

MAX_IMAGE_BYTES = 2 * 1024 * 1024


def _checked_png(data):
    if not data or len(data) > MAX_IMAGE_BYTES:
        raise BadInput(_('Ảnh phải là tệp PNG, tối đa 2 MB.'), code='invalid_image')
    try:
        image = Image.open(io.BytesIO(data))
        image.verify()
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise BadInput(_('Ảnh phải là tệp PNG hợp lệ.'), code='invalid_image') from None
    if image.format != 'PNG':
        raise BadInput(_('Ảnh phải là tệp PNG (nền trong suốt).'), code='invalid_image')
    if 'A' not in image.getbands() and 'transparency' not in image.info:
        raise BadInput(_('Ảnh chữ ký/con dấu phải có nền trong suốt.'), code='image_not_transparent')
    return image


def store_png(data, *, kind, user_id=None, unit_id=None):
    """Check `data` is a transparent PNG of at most 2 MB, store it; the new StampImage."""
    image = _checked_png(data)
    stamp = StampImage(kind=kind, user_id=user_id, unit_id=unit_id, sha256=blobs().put(data), width=image.width,
                       height=image.height, created_at=now())
    db.session.add(stamp)
    db.session.flush()
    return stamp


def set_signature_image(actor, user, png):
    """The person's handwritten-signature image, set by the person or an admin."""
    policy.require(policy.may_manage_own_stamp, actor, user)
    stamp = store_png(png, kind='signature', user_id=user.id)
    audit.record(actor, 'signature_image', user, sha256=stamp.sha256)
    return stamp


def stamp_image(*, user=None, unit=None):
    """The latest signature image of `user`, or seal image of `unit`; None if there is none."""
    query = db.session.query(StampImage)
    query = (query.filter_by(user_id=user.id, kind='signature') if user is not None
             else query.filter_by(unit_id=unit.id, kind='seal'))
    return query.order_by(StampImage.id.desc()).first()
