"""Tokens and the caller: POST /tokens, GET /me, and the bearer check in front of everything else."""
from flask import current_app, jsonify, request
from flask_babel import gettext as _

from ..auth.models import issue_token
from ..auth.operations import LoginLocked, authenticate
from ..extensions import limiter
from ..timeutil import iso, vn_datetime_str
from . import bp
from .inputs import authenticate_bearer, caller, json_body, string
from .serializers import user_json

PUBLIC_ENDPOINTS = {'api.create_token', 'api.openapi_document', 'api.verify_upload'}


@bp.before_request
def require_bearer_token():
    if request.endpoint not in PUBLIC_ENDPOINTS:
        authenticate_bearer()


@bp.after_request
def challenge(response):
    if response.status_code == 401:
        response.headers.setdefault('WWW-Authenticate', 'Bearer realm="api"')
    return response


def _login_limit():
    return current_app.config['LOGIN_RATE_LIMIT']


def _refusal(status, code, message):
    """Built by hand rather than raised: a failed attempt must still be committed (it counts towards
    the account lock), and DomainError responses roll the transaction back."""
    return jsonify({'error': {'code': code, 'message': message}}), status


@bp.post('/tokens')
@limiter.limit(_login_limit)
def create_token():
    data = json_body()
    username = string(data, 'username', required=True, max_length=80)
    password = string(data, 'password', required=True, max_length=1024)
    try:
        user = authenticate(username, password)
    except LoginLocked as locked:
        return _refusal(429, 'login_locked', _('Tài khoản tạm khóa do nhập sai nhiều lần, thử lại sau %(t)s.',
                                                t=vn_datetime_str(locked.until)))
    if user is None:
        return _refusal(401, 'invalid_credentials', _('Tên đăng nhập hoặc mật khẩu không đúng.'))
    token, row = issue_token(user, current_app.config['API_TOKEN_HOURS'])
    return jsonify({'token': token, 'token_type': 'Bearer', 'expires_at': iso(row.expires_at),
                    'user': user_json(user)}), 201


@bp.get('/me')
def me():
    return jsonify(user_json(caller()))
