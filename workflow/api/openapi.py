"""The OpenAPI 3.1 description of the API, written by flask-smorest from the schemas the handlers use.

The schemas that read requests (bodies.py) and dump answers (schemas/, one module per room) are the
ones apispec turns into the document, so it says exactly what the API does. Served at
/api/v1/openapi.json with paths relative to the server `/api/v1`, path parameters on each operation,
errors described by the Error schema (web.py answers every error in that envelope; flask-smorest's
own error handlers are left out).
"""
import copy
from http import HTTPStatus

import flask_smorest
from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from apispec.ext.marshmallow import resolver as default_name
from apispec.ext.marshmallow.common import get_fields, resolve_schema_cls
from flask import jsonify, request

from . import bp
from .blueprint import public
from .schemas import ErrorSchema

PREFIX = '/api/v1'
INFO = {
    'description': 'Work files, documents and registers for district and commune governments. JSON in and out, '
                   'UTF-8. Errors carry {"error": {"code", "message"}} with the message in the request language '
                   '(Accept-Language: vi or en). Times are ISO 8601 with offset.',
}
BEARER = {'type': 'http', 'scheme': 'bearer', 'description': 'A token from POST /tokens'}
ERRORS = {
    400: 'Invalid input: malformed JSON, a missing or mistyped field, an unknown id, or a value the operation '
         'rejects',
    401: 'Missing, invalid or expired bearer token',
    403: 'Visible, but the caller may not do this',
    404: 'No such object, or not visible to the caller',
    409: "Not possible in the file's current status, or a concurrent change",
    413: 'Upload larger than MAX_UPLOAD_MB',
    415: 'The upload is not a PDF',
    422: 'An encrypted or broken PDF',
    429: 'Too many attempts: rate limit or temporarily locked account',
    503: 'A service behind the API (storage, database, timestamp authority, PKI) is not reachable; nothing was done',
}


class Converter(OpenAPIConverter):
    """A schema that extends another documented one is written `allOf: [the other, its own fields]`."""

    def schema2jsonschema(self, schema):
        cls = resolve_schema_cls(schema)
        base = cls.__bases__[0]
        if not getattr(base, '_declared_fields', None):
            return super().schema2jsonschema(schema)
        own = {name: field for name, field in get_fields(schema).items()
               if base._declared_fields.get(name) is not cls._declared_fields[name]}
        return {'allOf': [self.resolve_nested_schema(base), self.fields2jsonschema(own)]}


class Plugin(MarshmallowPlugin):
    Converter = Converter


def schema_name(schema):
    """Components are named after their schema class ('FileSchema' → 'File'), unless written out inline."""
    return None if getattr(resolve_schema_cls(schema), 'inline', False) else default_name(schema)


class Api(flask_smorest.Api):
    """flask-smorest's Api as this application uses it: one per app, errors in our envelope."""

    ERROR_SCHEMA = ErrorSchema

    def __init__(self, app):
        super().__init__(app, spec_kwargs={
            'title': 'E-office API (Văn phòng điện tử)', 'version': '1', 'openapi_version': '3.1.0',
            'info': INFO, 'security': [{'bearer': []}],
            'marshmallow_plugin': Plugin(schema_name_resolver=schema_name)})
        self.spec.components.security_scheme('bearer', BEARER)

    def _register_doc_blueprint(self):
        """None: the document is served by openapi_document below, its paths relative to /api/v1."""

    def _register_error_handlers(self):
        """None: web.py answers every error of the app, in the envelope for /api/ paths."""

    def _register_pagination_header(self):
        """None: lists say their page and total in the body."""

    def _register_responses(self):
        """Every error status, answered in the envelope; those the API uses say what they mean here."""
        for status in HTTPStatus:
            if status >= 400:
                self.spec.components.response(status.name, {
                    'description': ERRORS.get(status, status.phrase),
                    'content': {'application/json': {'schema': self.ERROR_SCHEMA}}}, lazy=True)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, {
            'description': 'Any other error, in the same envelope',
            'content': {'application/json': {'schema': self.ERROR_SCHEMA}}}, lazy=True)


def document(api, server_url=PREFIX):
    """The OpenAPI document of `api` (one app's flask_smorest Api) as served."""
    spec = copy.deepcopy(api.spec.to_dict())  # apispec hands out its own dicts
    paths = {}
    for path, item in spec['paths'].items():
        shared = item.pop('parameters', [])
        for operation in item.values():
            operation['parameters'] = [_parameter(p) for p in shared + operation.get('parameters', [])]
            if not operation['parameters']:
                del operation['parameters']
        paths[path.removeprefix(PREFIX) or '/'] = item
    tags = dict.fromkeys(tag for item in paths.values() for operation in item.values()
                         for tag in operation.get('tags', ()))
    return {**spec, 'servers': [{'url': server_url}], 'paths': paths, 'tags': [{'name': t} for t in tags]}


def _parameter(parameter):
    """A query string cannot say null: a parameter is absent or has a value."""
    schema = parameter.get('schema', {})
    if isinstance(schema.get('type'), list):
        schema['type'] = next(t for t in schema['type'] if t != 'null')
    return parameter


def document_of(app):
    """The document an app serves (tests check answers against it)."""
    return document(app.extensions['flask-smorest']['apis']['']['ext_obj'])


@bp.get('/openapi.json')
@public
@bp.response(200, {'type': 'object'}, description='This document (OpenAPI 3.1)')
def openapi_document():
    """This document"""
    return jsonify(document(flask_smorest.current_api, request.script_root + PREFIX))

