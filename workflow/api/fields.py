"""The fields of request schemas, refusing in the API's own words.

marshmallow's fields answer "Not a valid integer." under the field's name; the clients of API v1
rely on the codes and messages the first build gave (they are in the catalogue, in Vietnamese and
English), so these fields refuse exactly as it did: each refusal is a `Refusal`, a message that
carries its error code (`missing_field`, `invalid_field`, `unknown_user` …). They also read values
the way it did: absent and null are the same thing unless a field says otherwise (`null=`), numbers
and booleans may come as text (query strings and forms carry nothing else), a list of ids loses its
duplicates, and an id must name something that exists.

They subclass marshmallow's fields of the same kind so that apispec documents their type.
"""
import re
from datetime import date, datetime

import marshmallow as ma
from flask import g
from flask_babel import gettext as _
from flask_smorest.fields import Upload as SmorestUpload
from werkzeug.datastructures import FileStorage

from ..deadlines import add_working_days, end_of_day
from ..directory.models import Unit, User
from ..extensions import db
from ..files.models import WorkFile
from ..files.operations import Upload as UploadedFile
from ..policy import may_view_file
from ..timeutil import VN, vn_today

ABSENT = ma.missing
TRUE_WORDS = ('1', 'true', 'yes', 'on')
FALSE_WORDS = ('0', 'false', 'no', 'off', '')
WHOLE_NUMBER = re.compile(r'-?\d+')
LARGEST_INTEGER = 2**31 - 1


class Refusal(str):
    """A validation message that also carries the API's error code."""

    def __new__(cls, message, code='invalid_field'):
        refusal = super().__new__(cls, message)
        refusal.code = code
        return refusal


def refuse(message, code='invalid_field'):
    return ma.ValidationError(Refusal(message, code))


class Field(ma.fields.Field):
    """Absent or null gives `load_default` (None unless said), or `missing_field` when required.

    `null=` makes null a value of its own (PATCH `parent_id: null`: no parent any more);
    `not_blank`: when sent at all, it must say something (a PATCH of a name)."""

    empty_is_absent = False

    def __init__(self, *args, required=False, load_default=None, null=ABSENT, not_blank=False, **kwargs):
        self.null, self.not_blank, self.when_absent = null, not_blank, load_default
        if not required and load_default not in (None, '', ABSENT) and not callable(load_default):
            kwargs['load_default'] = load_default  # for the document's `default` only: deserialize() decides
        super().__init__(*args, required=required, allow_none=null is not ABSENT or not required, **kwargs)

    @property
    def key(self):
        return self.data_key or self.name

    def missing(self):
        return refuse(_('Thiếu trường bắt buộc "%(field)s".', field=self.key), 'missing_field')

    def absent(self, value):
        return value is ABSENT or value is None or (self.empty_is_absent and value == '')

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if value is None and self.null is not ABSENT:
            return self.null() if callable(self.null) else self.null
        if self.absent(value):
            if self.required or (self.not_blank and value is not ABSENT):
                raise self.missing()
            return self.when_absent() if callable(self.when_absent) else self.when_absent
        return self._deserialize(value, attr, data, **kwargs)


class String(Field, ma.fields.String):
    def __init__(self, *, max_length=None, empty_is_absent=False, load_default='', **kwargs):
        self.max_length, self.empty_is_absent = max_length, empty_is_absent
        if max_length is not None:
            kwargs['metadata'] = {**kwargs.get('metadata', {}), 'maxLength': max_length}
        super().__init__(load_default=load_default, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise refuse(_('Trường "%(field)s" phải là chuỗi ký tự.', field=self.key))
        if (self.required or self.not_blank) and not value.strip():
            raise self.missing()
        if self.max_length is not None and len(value) > self.max_length:
            raise refuse(_('Trường "%(field)s" dài quá %(n)d ký tự.', field=self.key, n=self.max_length))
        return value


class Choice(String):
    """One of `choices` (a sequence, or a function giving it when the choices are data)."""

    def __init__(self, choices, *, load_default=None, **kwargs):
        self.choices = choices
        if not callable(choices):
            kwargs['metadata'] = {**kwargs.get('metadata', {}), 'enum': list(choices)}
        super().__init__(load_default=load_default, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        choices = self.choices() if callable(self.choices) else self.choices
        if value not in choices:
            raise refuse(_('Giá trị của trường "%(field)s" không hợp lệ; chọn một trong: %(choices)s.',
                           field=self.key, choices=', '.join(choices)))
        return value


class Passed(String):
    """Kept as sent, for a reader that parses it itself with its own words (the metrics' periods);
    `doc` says what it should hold."""

    def __init__(self, doc, **kwargs):
        super().__init__(load_default=None, empty_is_absent=True, metadata=doc, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return value


class Integer(Field, ma.fields.Integer):
    empty_is_absent = True

    def __init__(self, *, minimum=None, **kwargs):
        self.minimum = minimum
        if minimum is not None:
            kwargs['metadata'] = {**kwargs.get('metadata', {}), 'minimum': minimum}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and WHOLE_NUMBER.fullmatch(value.strip()):
            value = int(value.strip())  # query strings and form fields carry numbers as text
        if isinstance(value, bool) or not isinstance(value, int):
            raise refuse(_('Trường "%(field)s" phải là số nguyên.', field=self.key))
        if self.minimum is not None and value < self.minimum:
            raise refuse(_('Trường "%(field)s" phải lớn hơn hoặc bằng %(n)d.', field=self.key, n=self.minimum))
        if abs(value) > LARGEST_INTEGER:  # beyond any database integer: refused, never a database error
            raise refuse(_('Trường "%(field)s" quá lớn.', field=self.key))
        return value


class Boolean(Field, ma.fields.Boolean):
    def __init__(self, *, load_default=False, **kwargs):
        super().__init__(load_default=load_default, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in TRUE_WORDS + FALSE_WORDS:
            return value.strip().lower() in TRUE_WORDS
        raise refuse(_('Trường "%(field)s" phải là true hoặc false.', field=self.key))


class Fraction(Field, ma.fields.Float):
    """A number (0.8 = 80 %); anything else, or nothing, is refused with the one message `refusal`
    (the range is the operation's to check)."""

    def __init__(self, refusal, **kwargs):
        self.refusal = refusal
        super().__init__(required=True, **kwargs)

    def missing(self):
        return refuse(str(self.refusal))

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.missing()
        return value


class StringList(Field, ma.fields.List):
    def __init__(self, *, load_default=list, **kwargs):
        super().__init__(ma.fields.String(), load_default=load_default, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise refuse(_('Trường "%(field)s" phải là danh sách chuỗi ký tự.', field=self.key))
        return value


class IntegerList(Field, ma.fields.List):
    def __init__(self, *, load_default=list, **kwargs):
        super().__init__(ma.fields.Integer(), load_default=load_default, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
            raise refuse(_('Trường "%(field)s" phải là danh sách số nguyên.', field=self.key))
        return list(dict.fromkeys(value))


# ---------------------------------------------------------------- ids that must name something

def _person(user_id, field):
    user = db.session.get(User, user_id)
    if user is None:
        raise refuse(_('Không có người dùng với mã %(id)s (trường "%(field)s").', id=user_id, field=field),
                     'unknown_user')
    return user


def _unit(unit_id, field):
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise refuse(_('Không có đơn vị với mã %(id)s (trường "%(field)s").', id=unit_id, field=field),
                     'unknown_unit')
    return unit


class UserId(Integer):
    """The id of a person: loads the User."""

    def _deserialize(self, value, attr, data, **kwargs):
        return _person(super()._deserialize(value, attr, data, **kwargs), self.key)


class UserIds(IntegerList):
    def _deserialize(self, value, attr, data, **kwargs):
        return [_person(user_id, self.key) for user_id in super()._deserialize(value, attr, data, **kwargs)]


class UnitId(Integer):
    """The id of a unit: loads the Unit."""

    def _deserialize(self, value, attr, data, **kwargs):
        return _unit(super()._deserialize(value, attr, data, **kwargs), self.key)


class UnitIds(IntegerList):
    def _deserialize(self, value, attr, data, **kwargs):
        return [_unit(unit_id, self.key) for unit_id in super()._deserialize(value, attr, data, **kwargs)]


class VisibleFileId(Integer):
    """The id of a work file the caller may see; one they may not see is reported like a missing one."""

    def _deserialize(self, value, attr, data, **kwargs):
        file_id = super()._deserialize(value, attr, data, **kwargs)
        file = db.session.get(WorkFile, file_id)
        if file is None or not may_view_file(g.api_user, file):
            raise refuse(_('Không có hồ sơ với mã %(id)s (trường "%(field)s").', id=file_id, field=self.key),
                         'unknown_file')
        return file


# ---------------------------------------------------------------- deadlines

class WorkingDays(Integer):
    """`deadline_working_days`: that many working days from today (weekends and Vietnamese public
    holidays skipped), as the end of that day; the body's schema hands it on as `deadline`."""

    def __init__(self, **kwargs):
        super().__init__(minimum=1, load_default=ABSENT, metadata={
            'description': 'Instead of deadline: this many working days from today (weekends and Vietnamese '
                           'public holidays skipped)'}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return end_of_day(add_working_days(vn_today(), super()._deserialize(value, attr, data, **kwargs)))


class Deadline(String):
    """An ISO date (the end of that day in Vietnam) or an ISO datetime (a naive one is Vietnamese
    wall-clock time); never together with `deadline_working_days`."""

    def __init__(self, **kwargs):
        super().__init__(load_default=ABSENT, empty_is_absent=True, metadata={
            'description': 'ISO date (end of that day, Vietnam time) or ISO datetime',
            'examples': ['2026-03-31', '2026-03-31T17:00:00+07:00']}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if data.get('deadline_working_days', ABSENT) not in (ABSENT, None, ''):
            raise refuse(_('Chỉ nhập một trong hai: "%(a)s" hoặc "%(b)s".', a=self.key, b='deadline_working_days'))
        if not isinstance(value, str):
            raise self.not_a_date()
        return self.moment(value.strip())

    def moment(self, text):
        try:
            if len(text) == 10:
                return end_of_day(date.fromisoformat(text))
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise self.not_a_date() from None
        return moment if moment.tzinfo else moment.replace(tzinfo=VN)

    def not_a_date(self):
        return refuse(_('Trường "%(field)s" phải là ngày ISO 8601 (YYYY-MM-DD hoặc ngày giờ có múi giờ).',
                        field=self.key))


# ---------------------------------------------------------------- uploads and other shapes

class FilePart(Field, SmorestUpload):
    """A file of a multipart body, as received (werkzeug's FileStorage)."""

    def missing(self):
        return refuse(_('Thiếu tệp tải lên (trường "%(field)s").', field=self.key), 'file_required')

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):  # a plain form field of that name: no file was sent
            return super().deserialize(ABSENT)
        return value


class Upload(FilePart):
    """A file of a multipart body, read whole: files.operations.Upload(filename, data)."""

    def _deserialize(self, value, attr, data, **kwargs):
        storage = super()._deserialize(value, attr, data, **kwargs)
        return None if storage is None else UploadedFile(storage.filename or '', storage.read())


class Box(Field, ma.fields.List):
    """Where a signature goes: [x1, y1, x2, y2] in PDF points."""

    def __init__(self, **kwargs):
        super().__init__(ma.fields.Float(), metadata={'minItems': 4, 'maxItems': 4}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list) or len(value) != 4:
            raise refuse(_('Vị trí chữ ký phải là 4 số [x1, y1, x2, y2].'), 'invalid_box')
        return value
