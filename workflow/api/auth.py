"""Tokens and the caller: POST/GET/DELETE /tokens, GET /me, and the bearer check in front of everything else."""
from flask import current_app, g, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from ..auth import throttle
from ..auth.models import ApiToken, issue_token, token_for, user_for_token
from ..auth.operations import LoginThrottled, authenticate, revoke_token, tokens_of
from ..errors import DomainError, NotFound
from ..extensions import db, limiter
from . import bp
from .blueprint import no_content, public
from .bodies import Credentials, TokenQuery
from .loaders import caller, user_or_404
from .schemas.directory import TokenInfoListSchema, TokenSchema, UserSchema


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
    if response.status_code == 429 and g.get('retry_after'):
        response.headers.setdefault('Retry-After', str(g.retry_after))
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

    Rate-limited like the HTML login (LOGIN_RATE_LIMIT). Failures slow guessing down as the login
    page does (per source address and per username, growing delays; 429 with Retry-After while one
    must wait), with the same answer whether or not the username exists. A failed attempt is kept
    although the request is refused.
    """
    try:
        user = authenticate(**credentials, source=get_remote_address(),
                            device_cookie=request.cookies.get(throttle.DEVICE_COOKIE))
    except LoginThrottled as throttled:
        g.retry_after = throttled.seconds
        raise DomainError(throttled.message, code='login_throttled', status=429,
                          keep_changes=True) from None
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


@bp.get('/tokens')
@bp.arguments(TokenQuery, location='query')
@bp.response(200, TokenInfoListSchema)
@bp.refusals(403, 404)
def list_tokens(query):
    """List API tokens in force

    The caller's own; an admin may name anyone's with user_id. The token values are never shown
    again: only when they were issued and until when they work."""
    person = caller() if query['user_id'] is None else user_or_404(query['user_id'])
    current = token_for(_bearer())
    rows = tokens_of(caller(), person)
    return {'items': [{'id': row.id, 'user_id': row.user_id, 'created_at': row.created_at,
                       'expires_at': row.expires_at, 'current': current is not None and row.id == current.id}
                      for row in rows]}


@bp.delete('/tokens/<int:token_id>')
@bp.response(204)
@bp.refusals(404)
def delete_token(token_id):
    """Revoke an API token

    Who: the token's owner, or an admin (404 for anyone else, as for a token that does not exist).
    The token stops working at once; revoking the token of the request itself is allowed."""
    token = db.session.get(ApiToken, token_id)
    if token is None or not (token.user_id == caller().id or caller().is_admin):
        raise NotFound(_('Không tìm thấy mã truy cập.'), code='token_not_found')
    revoke_token(caller(), token)
    return no_content()


def _bearer():
    return request.headers.get('Authorization', '').partition(' ')[2].strip()
