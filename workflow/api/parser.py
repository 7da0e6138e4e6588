"""Reading a request through its schema (webargs): where the values come from, and which refusal is told.

The body is read as the first build read it: JSON whatever the Content-Type says (an empty body
counts as {}), or the fields and files of a form (`multipart`). marshmallow checks every field and
reports them all; the API answers with the first, in the order the schema declares its fields
(the order the handlers read them before), as a BadInput carrying the field's code and message.
Fields nobody asked for are ignored.
"""
import json

import marshmallow as ma
from flask_babel import gettext as _
from webargs.flaskparser import FlaskParser

from ..errors import BadInput


class RequestParser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400
    DEFAULT_UNKNOWN_BY_LOCATION = dict.fromkeys(
        (*FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, 'multipart'), ma.EXCLUDE)
    __location_map__ = {**FlaskParser.__location_map__, 'multipart': 'load_multipart'}

    def load_json(self, req, schema):
        """The body as a JSON object, whatever its Content-Type; an empty body counts as {}."""
        raw = req.get_data(cache=True)
        if not raw.strip():
            return {}
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise BadInput(_('Nội dung yêu cầu không phải JSON hợp lệ.'), code='malformed_json') from None
        if not isinstance(data, dict):
            raise BadInput(_('Nội dung yêu cầu phải là một đối tượng JSON.'), code='malformed_json')
        return data

    def load_multipart(self, req, schema):
        """The fields (first value of each) and the files of a multipart or url-encoded form."""
        return {**{key: req.form.get(key) for key in req.form}, **{key: req.files.get(key) for key in req.files}}

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        raise first_refusal(error.messages, schema)


def first_refusal(messages, schema):
    """The BadInput for the first field, in the schema's order, that marshmallow refused."""
    (by_field,) = messages.values()  # webargs files them under the location they came from
    order = [field.data_key or name for name, field in schema.fields.items()]
    key = min(by_field, key=lambda k: order.index(k) if k in order else len(order))
    message = _first_message(by_field[key])
    return BadInput(str(message), code=getattr(message, 'code', 'invalid_field'))


def _first_message(found):
    while isinstance(found, dict | list):
        found = next(iter(found.values())) if isinstance(found, dict) else found[0]
    return found
