"""The API's blueprints: flask-smorest's, reading requests with our parser and documenting who may call.

- `@bp.arguments(Schema)` reads the JSON body (`location='query'` the query string, `'multipart'`
  the fields and files of a form) with parser.RequestParser; a body is documented as required only
  when one of its fields is.
- `@bp.response(status, Schema)` dumps what the handler returns; `@bp.refusals(403, 404, …)`
  documents the errors it may answer with. Every answer of 400 or more is the error envelope
  (web.py), which every operation also documents as its `default` answer.
- Every operation needs a bearer token and may answer 401, unless it is `@public` (or its whole
  blueprint is, like the PKI's).
- An operation is tagged with the name of the module that serves it (files, signing, metrics …).
"""
from http import HTTPStatus

import flask_smorest
from flask import current_app

from .parser import RequestParser

TAG_OF_MODULE = {'openapi': 'meta'}
BINARY = {'type': 'string', 'format': 'binary'}


def public(view):
    """Served without a bearer token, and documented so."""
    view = flask_smorest.Blueprint.doc(security=[])(view)
    view.public = True
    return view


def no_body(view):
    """An action that needs no body: any JSON object sent is ignored."""
    return flask_smorest.Blueprint.doc(requestBody={'required': False, 'content': {
        'application/json': {'schema': {'type': 'object', 'description': 'nothing needed'}}}})(view)


def no_content():
    return current_app.response_class(status=204)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = RequestParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             'multipart': 'multipart/form-data'}

    def __init__(self, *args, public=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.public = public
        self._prepare_doc_cbks.append(self._prepare_security_doc)

    def arguments(self, schema, *, location='json', required=None, **kwargs):
        schema = schema() if isinstance(schema, type) else schema
        if required is None:
            required = any(field.required for field in schema.fields.values())
        return super().arguments(schema, location=location, required=required, **kwargs)

    def refusals(self, *statuses):
        """Document the errors an operation may answer with (see openapi.py for what each means)."""
        def decorate(view):
            for status in statuses:
                view = self.alt_response(status, response=HTTPStatus(status).name)(view)
            return view
        return decorate

    def _store_endpoint_docs(self, endpoint, obj, parameters, tags, **options):
        module = obj.__module__.rsplit('.', 1)[-1]
        super()._store_endpoint_docs(endpoint, obj, parameters, tags or [TAG_OF_MODULE.get(module, module)],
                                     **options)

    def _prepare_security_doc(self, doc, doc_info, **kwargs):
        if self.public:
            doc['security'] = []
        elif doc_info.get('manual_doc', {}).get('security') != []:
            doc.setdefault('responses', {})[401] = HTTPStatus.UNAUTHORIZED.name
        return doc
