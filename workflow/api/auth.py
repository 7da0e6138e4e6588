"""Tokens and the caller: POST /tokens, GET /me, and the bearer check in front of everything else."""
from flask import current_app, g, request
from flask_babel import gettext as _

from ..auth.models import issue_token, user_for_token
from ..auth.operations import LoginLocked, authenticate
from ..errors import DomainError
from ..extensions import limiter
from ..timeutil import vn_datetime_str
from . import bp
from .blueprint import public
from .bodies import Credentials
from .loaders import caller
from .schemas.directory import TokenSchema, UserSchema


class Unauthorized(DomainError):
    status = 401
    code = 'unauthorized'


@bp.before_request
def require_bearer_token():
    if not getattr(current_app.view_functions.get(request.endpoint), 'public', False):
        authenticate_bearer()


def authenticate_bearer():
    """Set g.api_user from `Authorization: Bearer <token>`, or raise Unauthorized."""
    scheme, _sep, token = request.headers.get('Authorization', '').partition(' ')
    if scheme.lower() != 'bearer' or not token.strip():
        raise Unauthorized(_('Thiếu mã truy cập: gửi tiêu đề "Authorization: Bearer <token>".'))
    user = user_for_token(token.strip())
    if user is None:
        raise Unauthorized(_('Mã truy cập không hợp lệ hoặc đã hết hạn; hãy lấy mã mới.'), code='invalid_token')
    g.api_user = user


@bp.after_request
def challenge(response):
    if response.status_code == 401:
        response.headers.setdefault('WWW-Authenticate', 'Bearer realm="api"')
    return response


def _login_limit():
    return current_app.config['LOGIN_RATE_LIMIT']


@bp.post('/tokens')
@public
@bp.arguments(Credentials)
@bp.response(201, TokenSchema)
@bp.refusals(401, 429)
@limiter.limit(_login_limit)
def create_token(credentials):
    """Sign in and get a bearer token

    Rate-limited like the HTML login (LOGIN_RATE_LIMIT); five failures lock the account for 15 minutes (429).
    A failed attempt is kept (it counts towards the lock) although the request is refused.
    """
    try:
        user = authenticate(**credentials)
    except LoginLocked as locked:
        message = _('Tài khoản tạm khóa do nhập sai nhiều lần, thử lại sau %(t)s.', t=vn_datetime_str(locked.until))
        raise DomainError(message, code='login_locked', status=429, keep_changes=True) from None
    if user is None:
        raise DomainError(_('Tên đăng nhập hoặc mật khẩu không đúng.'), code='invalid_credentials', status=401,
                          keep_changes=True)
    token, row = issue_token(user, current_app.config['API_TOKEN_HOURS'])
    return {'token': token, 'expires_at': row.expires_at, 'user': user}


@bp.get('/me')
@bp.response(200, UserSchema)
def me():
    """The caller"""
    return caller()
