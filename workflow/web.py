"""Request-wide behaviour: error pages, security headers, template helpers.

(The request's transaction is ended by unit_of_work.py, around the view.)
"""
import logging
import re

from flask import current_app, jsonify, render_template, render_template_string, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from . import policy, timeutil, vocabulary
from .auth.sessions import signed_in_person
from .dbsetup import schema_present
from .errors import DomainError
from .extensions import db, login_manager
from .storage import StorageError

log = logging.getLogger(__name__)

CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'")


HSTS = 'max-age=31536000; includeSubDomains'


def served_over_https(app):
    """This request came over HTTPS, or the deployment says it is only served so (its cookies are
    Secure, or its URLs https): behind a proxy that ends TLS the request itself may look like http."""
    return (request.is_secure or app.config.get('SESSION_COOKIE_SECURE')
            or app.config.get('PREFERRED_URL_SCHEME') == 'https')


def wants_json():
    return request.blueprint == 'api' or request.path.startswith('/api/')


def error_response(status, code, message):
    """JSON for the API, a page for the browser."""
    if wants_json():
        return jsonify({'error': {'code': code, 'message': message}}), status
    return render_template('error.html', status=status, message=message), status


@login_manager.user_loader
def load_user(user_id):
    """The signed-in person, with their inbox version (the page cache's key), in one lean statement."""
    return signed_in_person(user_id)


def _has_nul(request):
    """NUL characters in text fields: PostgreSQL refuses them, and no person types them."""
    texts = list(request.args.values())
    if request.mimetype in ('application/x-www-form-urlencoded', 'multipart/form-data'):
        texts += list(request.form.values())
    elif request.is_json:
        return b'\\u0000' in request.get_data()
    return any('\x00' in text for text in texts)


def refuse_nul_characters():
    if _has_nul(request):
        return error_response(400, 'invalid_characters', _('Dữ liệu gửi lên chứa ký tự không hợp lệ.'))
    return None


# Endpoints that answer without the schema: the liveness probe and static files.
WITHOUT_SCHEMA = ('ops.healthz', 'static')


def refuse_without_schema():
    """Until `init-db` has made the schema, every request is answered 503 with what to do, rather
    than each failing on its first query with a 500. Checked once per process after it succeeds."""
    app = current_app._get_current_object()
    if app.extensions.get('schema_present') or request.endpoint in WITHOUT_SCHEMA:
        return None
    if schema_present(db.session.connection()):  # the request's own: SQLite has one writer
        app.extensions['schema_present'] = True
        return None
    log.error('the database has no schema: run `flask --app wsgi init-db` (or `restore`)')
    message = _('Cơ sở dữ liệu chưa được khởi tạo. Người quản trị cần chạy lệnh '
                '"flask --app wsgi init-db" (hoặc khôi phục một bản sao lưu) rồi thử lại.')
    if wants_json():
        return jsonify({'error': {'code': 'schema_missing', 'message': message}}), 503
    # A plain page: the usual layout asks the database about the signed-in person.
    return render_template_string(_SCHEMA_MISSING_PAGE, message=message), 503


_SCHEMA_MISSING_PAGE = ('<!doctype html><html lang="vi"><meta charset="utf-8"><title>503</title>'
                        '<h1>503</h1><p>{{ message }}</p></html>')


# Beyond what a database integer holds (PostgreSQL's integer, SQLite's 64 bits overflow later): a
# page number, year or id this large is never meant, and would reach the database as an error (500).
LARGEST_INTEGER = 2**31 - 1
_WHOLE_NUMBER = re.compile(r'\s*[-+]?\d+\s*')


def _huge_integer(request):
    return any(_WHOLE_NUMBER.fullmatch(value) and abs(int(value)) > LARGEST_INTEGER
               for value in request.args.values())


def refuse_huge_integers():
    """A whole number in the query string beyond LARGEST_INTEGER (page=99999999999999999999): 400."""
    if _huge_integer(request):
        return error_response(400, 'number_too_large', _('Số trong địa chỉ quá lớn.'))
    return None


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` in routes, up to LARGEST_INTEGER: a larger id is no record (404), not a database error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault('max', LARGEST_INTEGER)
        super().__init__(url_map, *args, **kwargs)


def install_request_hooks(app):
    from .files.concurrency import mark_request_start

    app.before_request(refuse_without_schema)
    app.before_request(mark_request_start)
    app.before_request(refuse_nul_characters)
    app.before_request(refuse_huge_integers)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault('X-Content-Type-Options', 'nosniff')
        response.headers.setdefault('Referrer-Policy', 'same-origin')
        response.headers.setdefault('X-Frame-Options', 'SAMEORIGIN')
        if app.config.get('CONTENT_SECURITY_POLICY'):
            response.headers.setdefault('Content-Security-Policy', CSP)
        if served_over_https(app):
            response.headers.setdefault('Strict-Transport-Security', HSTS)
        if request.endpoint != 'static':
            # Pages and API answers name people, files and their contents: no shared or disk cache
            # keeps them (an answer with its own policy -- the inbox's, the QR code's -- keeps its own).
            response.headers.setdefault('Cache-Control', 'no-store')
        return response

    @app.errorhandler(DomainError)
    def domain_error(exc):
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return error_response(400, 'csrf', _('Phiên làm việc đã hết hạn, vui lòng tải lại trang và thử lại.'))

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc):
        return error_response(413, 'file_too_large',
                              _('Tệp quá lớn: tối đa %(mb)d MB.', mb=app.config['MAX_UPLOAD_MB']))

    @app.errorhandler(StorageError)
    def storage_error(exc):
        log.error('storage failure: %s', exc)
        return error_response(503, 'storage_unavailable',
                              _('Kho lưu trữ tệp tạm thời không truy cập được; chưa có gì được lưu. Vui lòng thử lại.'))

    @app.errorhandler(StaleDataError)
    def stale_update(exc):
        log.warning('stale update on %s: %s', request.path, exc)
        return error_response(409, 'conflict',
                              _('Dữ liệu vừa được người khác thay đổi; vui lòng tải lại trang và thử lại.'))

    @app.errorhandler(OperationalError)
    def database_unavailable(exc):
        log.error('database failure: %s', exc)
        return error_response(503, 'database_unavailable', _('Cơ sở dữ liệu tạm thời không truy cập được.'))

    @app.errorhandler(HTTPException)
    def http_error(exc):
        messages = {
            404: _('Không tìm thấy trang hoặc hồ sơ.'),
            403: _('Bạn không có quyền truy cập.'),
            405: _('Phương thức không được hỗ trợ.'),
            429: _('Quá nhiều lần thử; vui lòng đợi một lát rồi thử lại.'),
            401: _('Vui lòng đăng nhập.'),
        }
        message = messages.get(exc.code, _('Yêu cầu không hợp lệ.'))
        return error_response(exc.code, exc.name.lower().replace(' ', '_'), message)

    @app.errorhandler(Exception)
    def unexpected(exc):
        log.exception('unexpected error on %s', request.path)
        return error_response(500, 'internal', _('Đã có lỗi ngoài ý muốn; thao tác chưa được thực hiện.'))

    app.jinja_env.filters.update(
        vn_date=timeutil.vn_date_str, vn_datetime=timeutil.vn_datetime_str, iso=timeutil.iso)

    @app.context_processor
    def helpers():
        from .files.queries import inbox_count
        from .i18n import select_locale
        from .inbox.pages import badge_counts
        from .notifications.operations import unread_count

        inbox_total, unread = 0, 0
        if current_user.is_authenticated:
            inbox_total, unread = badge_counts(
                current_user, lambda: (inbox_count(current_user), unread_count(current_user)))
        return {**vocabulary.template_labels(), 'may': may, 'inbox_total': inbox_total,
                'unread_notifications': lambda: unread, 'current_locale': select_locale()}


def may(rule_name, *args):
    """For templates: whether the signed-in person passes `policy.may_<rule_name>` (buttons, menus)."""
    return current_user.is_authenticated and policy.RULES['may_' + rule_name](current_user, *args)
