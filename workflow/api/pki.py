"""The local PKI's public endpoints at /api/v1/pki: root certificate, CRL, OCSP responder and RFC 3161 TSA.

Their own blueprint (`pki`), public as a whole: PDF readers and validators fetch them without a token.
Bodies and answers are the binary formats of their RFCs; only a PKI not yet initialised answers JSON
(503, in the error envelope).
"""
import base64
import binascii
from contextlib import contextmanager

from cryptography.hazmat.primitives import serialization
from flask import Response, current_app, request
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import DomainError
from ..extensions import limiter
from ..signing import trust
from ..signing.lib import authority
from ..signing.lib.errors import PkiNotInitialised
from . import pki_bp
from .auth import authenticate_bearer
from .blueprint import BINARY
from .schemas import ErrorSchema

MAX_REQUEST = 64 * 1024


def _binary_body(content_type):
    return pki_bp.doc(requestBody={'required': True, 'content': {content_type: {'schema': BINARY}}})


def _answers(content_type, description):
    """Document a binary answer, and the 503 of a PKI not yet initialised."""
    def decorate(view):
        view = pki_bp.alt_response(503, schema=ErrorSchema,
                                   description='The local PKI has not been initialised (flask pki init)')(view)
        return pki_bp.response(200, BINARY, content_type=content_type, description=description)(view)
    return decorate


def _not_initialised():
    return DomainError(_('Hạ tầng khóa công khai chưa được khởi tạo (flask --app wsgi pki init).'),
                       code='pki_not_initialised', status=503)


@contextmanager
def _initialised():
    try:
        yield
    except PkiNotInitialised:
        raise _not_initialised() from None


def _require_own_signer():
    """The TSA signs what it is sent: only for this deployment's people, unless it is made public.
    (The app's own signing calls the TSA in process, never through here.)"""
    if current_app.config.get('TSA_PUBLIC') or current_user.is_authenticated:
        return
    authenticate_bearer()


def _der(body, mimetype):
    return Response(body, mimetype=mimetype, headers={'Cache-Control': 'no-store'})


@pki_bp.get('/ca')
@_answers('application/x-pem-file', 'PEM certificate')
def root_certificate():
    """The local root CA certificate, to trust in a PDF reader"""
    with _initialised():
        pem = authority.root_certificate(trust.keys_dir()).public_bytes(serialization.Encoding.PEM)
    return Response(pem, mimetype='application/x-pem-file',
                    headers={'Content-Disposition': 'attachment; filename="root-ca.pem"'})


@pki_bp.get('/crl')
@_answers('application/pkix-crl', 'DER CRL')
def crl():
    """The current certificate revocation list"""
    crl = trust.current_crl()
    if not crl:
        raise _not_initialised()
    return _der(crl, 'application/pkix-crl')


@pki_bp.post('/ocsp')
@_binary_body('application/ocsp-request')
@_answers('application/ocsp-response', 'DER OCSP response')
def ocsp_post():
    """OCSP responder (RFC 6960)"""
    return _ocsp(request.get_data()[:MAX_REQUEST])


@pki_bp.get('/ocsp/<path:encoded>')
@_answers('application/ocsp-response', 'DER OCSP response')
def ocsp_get(encoded):
    """OCSP responder, GET form (base64 request in the path)"""
    try:
        return _ocsp(base64.b64decode(encoded, validate=False))
    except (binascii.Error, ValueError):
        return _ocsp(b'')


def _ocsp(body):
    with _initialised():
        return _der(trust.ocsp_answer(body), 'application/ocsp-response')


def _tsa_limit():
    return current_app.config['TSA_RATE_LIMIT']


@pki_bp.post('/tsa')
@_binary_body('application/timestamp-query')
@_answers('application/timestamp-reply', 'DER timestamp reply')
@pki_bp.alt_response(401, schema=ErrorSchema, description='Not signed in (unless TSA_PUBLIC=1)')
@pki_bp.alt_response(429, schema=ErrorSchema, description='Too many requests')
@limiter.limit(_tsa_limit)
def tsa():
    """RFC 3161 timestamp authority, for this deployment's own people: a bearer token or a signed-in
    session (anyone when the deployment sets TSA_PUBLIC=1)"""
    _require_own_signer()
    with _initialised():
        return _der(trust.tsa_answer(request.get_data()[:MAX_REQUEST]), 'application/timestamp-reply')
