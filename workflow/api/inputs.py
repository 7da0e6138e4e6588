"""Reading API requests: the bearer token, JSON bodies, multipart forms and their fields.

Every helper raises BadInput (400) with a message in the request's language, so a malformed
request never reaches an operation and never becomes a 500.
"""
import json
from datetime import date, datetime

from flask import g, request
from flask_babel import gettext as _

from .. import policy
from ..auth.models import user_for_token
from ..deadlines import add_working_days, end_of_day
from ..directory.models import Unit, User
from ..errors import BadInput, DomainError, NotFound
from ..extensions import db
from ..files.models import WorkFile
from ..files.operations import Upload
from ..files.queries import visible_file_or_404
from ..policy import may_view_file
from ..timeutil import VN, vn_today

MISSING = object()
TRUE_WORDS = ('1', 'true', 'yes', 'on')
FALSE_WORDS = ('0', 'false', 'no', 'off', '')


class Unauthorized(DomainError):
    status = 401
    code = 'unauthorized'


# ---------------------------------------------------------------- who is calling

def authenticate_bearer():
    """Set g.api_user from `Authorization: Bearer <token>`, or raise Unauthorized."""
    header = request.headers.get('Authorization', '')
    scheme, _sep, token = header.partition(' ')
    if scheme.lower() != 'bearer' or not token.strip():
        raise Unauthorized(_('Thiếu mã truy cập: gửi tiêu đề "Authorization: Bearer <token>".'))
    user = user_for_token(token.strip())
    if user is None:
        raise Unauthorized(_('Mã truy cập không hợp lệ hoặc đã hết hạn; hãy lấy mã mới.'), code='invalid_token')
    g.api_user = user


def caller():
    """The user the bearer token belongs to."""
    return g.api_user


def require(rule, *args):
    """The caller, once `rule` (one of policy.py's) allows them; 403 with the rule's words otherwise."""
    policy.require(rule, caller(), *args)
    return caller()


def require_admin():
    return require(policy.may_administer)


# ---------------------------------------------------------------- loading by id (path parameters)

def file_or_404(file_id):
    """The file if it exists and the caller may see it; otherwise 404 (existence is not revealed)."""
    try:
        return visible_file_or_404(file_id, caller())
    except NotFound:
        raise NotFound(_('Không tìm thấy hồ sơ.'), code='file_not_found') from None


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


# ---------------------------------------------------------------- bodies

def json_body():
    """The request's JSON object; an empty body counts as {}."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadInput(_('Nội dung yêu cầu không phải JSON hợp lệ.'), code='malformed_json') from None
    if not isinstance(data, dict):
        raise BadInput(_('Nội dung yêu cầu phải là một đối tượng JSON.'), code='malformed_json')
    return data


def form_body():
    """Multipart or url-encoded form fields as a plain dict of strings."""
    return {key: request.form.get(key) for key in request.form}


def upload(field='file'):
    storage = request.files.get(field)
    if storage is None:
        raise BadInput(_('Thiếu tệp tải lên (trường "%(field)s").', field=field), code='file_required')
    return Upload(storage.filename or '', storage.read())


# ---------------------------------------------------------------- fields

def _missing(name):
    return BadInput(_('Thiếu trường bắt buộc "%(field)s".', field=name), code='missing_field')


def _wrong(name, message):
    return BadInput(message, code='invalid_field')


def string(data, name, *, required=False, default='', max_length=None):
    value = data.get(name, MISSING)
    if value is MISSING or value is None:
        if required:
            raise _missing(name)
        return default
    if not isinstance(value, str):
        raise _wrong(name, _('Trường "%(field)s" phải là chuỗi ký tự.', field=name))
    if required and not value.strip():
        raise _missing(name)
    if max_length is not None and len(value) > max_length:
        raise _wrong(name, _('Trường "%(field)s" dài quá %(n)d ký tự.', field=name, n=max_length))
    return value


def integer(data, name, *, required=False, default=None, minimum=None):
    value = data.get(name, MISSING)
    if value is MISSING or value is None or value == '':
        if required:
            raise _missing(name)
        return default
    if isinstance(value, str) and value.strip().lstrip('-').isdigit():
        value = int(value.strip())  # query strings and form fields carry numbers as text
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong(name, _('Trường "%(field)s" phải là số nguyên.', field=name))
    if minimum is not None and value < minimum:
        raise _wrong(name, _('Trường "%(field)s" phải lớn hơn hoặc bằng %(n)d.', field=name, n=minimum))
    return value


def boolean(data, name, *, default=False):
    value = data.get(name, MISSING)
    if value is MISSING or value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS + FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise _wrong(name, _('Trường "%(field)s" phải là true hoặc false.', field=name))


def integer_list(data, name, *, required=False):
    value = data.get(name, MISSING)
    if value is MISSING or value is None:
        if required:
            raise _missing(name)
        return []
    if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        raise _wrong(name, _('Trường "%(field)s" phải là danh sách số nguyên.', field=name))
    return list(dict.fromkeys(value))


def string_list(data, name, *, required=False):
    value = data.get(name, MISSING)
    if value is MISSING or value is None:
        if required:
            raise _missing(name)
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _wrong(name, _('Trường "%(field)s" phải là danh sách chuỗi ký tự.', field=name))
    return value


def choice(data, name, choices, *, default=None, message=None):
    value = string(data, name, required=default is None, default=default)
    if value not in choices:
        raise BadInput(message or _('Giá trị của trường "%(field)s" không hợp lệ; chọn một trong: %(choices)s.',
                                    field=name, choices=', '.join(choices)), code='invalid_field')
    return value


def deadline(data, name='deadline', days_name='deadline_working_days'):
    """A deadline from an ISO date (end of that day in Vietnam), an ISO datetime (a naive one is
    Vietnamese wall-clock time), or a number of working days from today; None when absent."""
    raw = data.get(name)
    days = integer(data, days_name, minimum=1)
    if raw not in (None, '') and days is not None:
        raise BadInput(_('Chỉ nhập một trong hai: "%(a)s" hoặc "%(b)s".', a=name, b=days_name),
                       code='invalid_field')
    if days is not None:
        return end_of_day(add_working_days(vn_today(), days))
    if raw in (None, ''):
        return None
    if not isinstance(raw, str):
        raise _wrong(name, _('Trường "%(field)s" phải là ngày ISO 8601 (YYYY-MM-DD hoặc ngày giờ có múi giờ).',
                             field=name))
    return parse_moment(raw.strip(), name)


def parse_moment(text, name):
    try:
        if len(text) == 10:
            return end_of_day(date.fromisoformat(text))
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _wrong(name, _('Trường "%(field)s" phải là ngày ISO 8601 (YYYY-MM-DD hoặc ngày giờ có múi giờ).',
                             field=name)) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=VN)


# ---------------------------------------------------------------- referenced objects (body fields)

def referenced_user(data, name, *, required=False):
    user_id = integer(data, name, required=required)
    return None if user_id is None else _user_by_id(user_id, name)


def referenced_users(data, name):
    return [_user_by_id(user_id, name) for user_id in integer_list(data, name)]


def _user_by_id(user_id, name):
    user = db.session.get(User, user_id)
    if user is None:
        raise BadInput(_('Không có người dùng với mã %(id)s (trường "%(field)s").', id=user_id, field=name),
                       code='unknown_user')
    return user


def referenced_unit(data, name, *, required=False):
    unit_id = integer(data, name, required=required)
    return None if unit_id is None else _unit_by_id(unit_id, name)


def referenced_units(data, name, *, required=False):
    return [_unit_by_id(unit_id, name) for unit_id in integer_list(data, name, required=required)]


def _unit_by_id(unit_id, name):
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise BadInput(_('Không có đơn vị với mã %(id)s (trường "%(field)s").', id=unit_id, field=name),
                       code='unknown_unit')
    return unit


def referenced_visible_file(data, name):
    """A file named in the body; one the caller may not see is reported exactly like a missing one."""
    file_id = integer(data, name)
    if file_id is None:
        return None
    file = db.session.get(WorkFile, file_id)
    if file is None or not may_view_file(caller(), file):
        raise BadInput(_('Không có hồ sơ với mã %(id)s (trường "%(field)s").', id=file_id, field=name),
                       code='unknown_file')
    return file
