"""Who is calling, and the objects a request's path names: 404 when missing or not visible.

What the body names is loaded by its schema's fields (fields.py); what the path names, here.
"""
from flask import g
from flask_babel import gettext as _

from .. import policy
from ..directory.models import Unit, User
from ..errors import NotFound
from ..extensions import db
from ..files.models import Document
from ..files.queries import visible_file_or_404


def caller():
    """The user the bearer token belongs to."""
    return g.api_user


def require(rule, *args):
    """The caller, once `rule` (one of policy.py's) allows them; 403 with the rule's words otherwise."""
    policy.require(rule, caller(), *args)
    return caller()


def require_admin():
    return require(policy.may_administer)


def file_or_404(file_id):
    """The file if it exists and the caller may see it; otherwise 404 (existence is not revealed)."""
    try:
        return visible_file_or_404(file_id, caller())
    except NotFound:
        raise NotFound(_('Không tìm thấy hồ sơ.'), code='file_not_found') from None


def document_or_404(document_id):
    """The document if the caller may see its file; otherwise 404, the same either way."""
    document = db.session.get(Document, document_id)
    try:
        if document is not None:
            file_or_404(document.file_id)
    except NotFound:
        document = None
    if document is None:
        raise NotFound(_('Không tìm thấy tài liệu.'), code='document_not_found')
    return document


def unit_or_404(unit_id):
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(_('Không tìm thấy đơn vị.'), code='unit_not_found')
    return unit


def user_or_404(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_('Không tìm thấy người dùng.'), code='user_not_found')
    return user
