"""What the API answers: marshmallow schemas that dump the domain objects, and describe them.

Handlers return the objects (a work file, a unit, the mapping a metrics query gives); the schema
named by their `@bp.response` turns them into JSON, and flask-smorest writes the same schema into
the OpenAPI document, so the two cannot drift apart. CONTRACT.md names the fields that must be
there (`required` in the schemas); the others are additive. Codes come from vocabulary.py. Times are
ISO 8601 with the Vietnam offset (timeutil.iso). A schema that extends another is documented as
`allOf: [the other, its own fields]` (openapi.py).

Here: the shared base (Schema, its fields, Result) and the error envelope. Each room's schemas live
in their own module (directory, files, registers, signing, metrics), imported from there.
"""
import marshmallow as ma
from marshmallow import fields, validate

from ...timeutil import iso


class Schema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE  # documented as open objects: fields may be added, never renamed


class Moment(fields.DateTime):
    """An instant as ISO 8601 with the Vietnam offset (+07:00)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return iso(value)


class Present(fields.Nested):
    """A nested object that is left out of the answer, rather than null, when there is none."""

    def _serialize(self, nested_obj, attr, obj, **kwargs):
        return ma.missing if nested_obj is None else super()._serialize(nested_obj, attr, obj, **kwargs)


def derived(getter, field):
    """`field`, its value read as `getter(obj)` rather than from an attribute of the same name."""
    field.get_value = lambda obj, attr, accessor=None, default=ma.missing: getter(obj)
    return field


def one_of(codes, **kwargs):
    return {'validate': validate.OneOf(list(codes)), **kwargs}


ID = {'validate': validate.Range(min=1)}
NULLABLE_ID = {**ID, 'allow_none': True}


class Result:
    """A domain object with what the action that produced it adds (the signature it made, the
    duplicate it found, the deliveries it created): one object for the schema to read."""

    def __init__(self, subject, **extra):
        self._subject = subject
        vars(self).update(extra)

    def __getattr__(self, name):
        return getattr(self._subject, name)


# ---------------------------------------------------------------- errors

class ErrorDetailSchema(Schema):
    inline = True  # written out inside Error (openapi.py's name resolver)
    code = fields.String(required=True, metadata={'description': 'stable machine-readable code'})
    message = fields.String(required=True, metadata={'description': 'in the request language (vi or en)'})


class ErrorSchema(Schema):
    """Every answer with a status of 400 or more: {"error": {"code", "message"}}."""
    error = fields.Nested(ErrorDetailSchema, required=True)


class RowErrorSchema(Schema):
    line = fields.Integer(required=True, metadata={'description': 'line in the file (the header is line 1)'})
    message = fields.String(required=True)


class RejectedRowsDetailSchema(ErrorDetailSchema):
    rows = fields.List(fields.Nested(RowErrorSchema), attribute='errors', required=True)


class RejectedImportSchema(Schema):
    """Nothing was imported; `error.rows` lists every faulty line."""
    error = fields.Nested(RejectedRowsDetailSchema, required=True)
