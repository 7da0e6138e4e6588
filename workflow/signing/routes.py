"""The local PKI's public endpoints: root certificate, CRL, OCSP responder and RFC 3161 TSA."""
import base64
import binascii

from cryptography.hazmat.primitives import serialization
from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _

from . import trust
from .lib import authority
from .lib.errors import PkiNotInitialised

bp = Blueprint('pki', __name__)
MAX_REQUEST = 64 * 1024


def _der(body, mimetype):
    return Response(body, mimetype=mimetype, headers={'Cache-Control': 'no-store'})


def _unavailable():
    message = _('Hạ tầng khóa công khai chưa được khởi tạo (flask --app wsgi pki init).')
    return jsonify({'error': {'code': 'pki_not_initialised', 'message': message}}), 503


@bp.get('/ca')
def root_certificate():
    try:
        pem = authority.root_certificate(trust.keys_dir()).public_bytes(serialization.Encoding.PEM)
    except PkiNotInitialised:
        return _unavailable()
    return Response(pem, mimetype='application/x-pem-file',
                    headers={'Content-Disposition': 'attachment; filename="root-ca.pem"'})


@bp.get('/crl')
def crl():
    crl = trust.current_crl()
    return _der(crl, 'application/pkix-crl') if crl else _unavailable()


@bp.post('/ocsp')
def ocsp_post():
    return _ocsp(request.get_data()[:MAX_REQUEST])


@bp.get('/ocsp/<path:encoded>')
def ocsp_get(encoded):
    try:
        return _ocsp(base64.b64decode(encoded, validate=False))
    except (binascii.Error, ValueError):
        return _ocsp(b'')


def _ocsp(body):
    try:
        return _der(trust.ocsp_answer(body), 'application/ocsp-response')
    except PkiNotInitialised:
        return _unavailable()


@bp.post('/tsa')
def tsa():
    try:
        return _der(trust.tsa_answer(request.get_data()[:MAX_REQUEST]), 'application/timestamp-reply')
    except PkiNotInitialised:
        return _unavailable()
