"""Signing in and out, and choosing the interface language."""
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from ..directory.operations import change_own_password, set_locale
from ..errors import DomainError
from ..extensions import db, limiter
from ..unit_of_work import attempt
from . import throttle
from .forms import AccountForm, LoginForm, PasswordChangeForm
from .models import ApiToken
from .operations import LoginThrottled, authenticate, end_sessions, revoke_token, tokens_of

bp = Blueprint('auth', __name__)


def safe_next(target):
    """Only same-site relative paths: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith('/') or target.startswith('//') or '\\' in target:
        return None
    return target


def _login_limit():
    return current_app.config['LOGIN_RATE_LIMIT']


@bp.route('/login', methods=['GET', 'POST'])
@limiter.limit(_login_limit, methods=['POST'])
def login():
    if current_user.is_authenticated:
        return redirect(url_for('files.inbox'))
    form = LoginForm(next=request.args.get('next', ''))
    if not form.validate_on_submit():
        return render_template('auth/login.html', form=form), 400 if request.method == 'POST' else 200
    device_cookie = request.cookies.get(throttle.DEVICE_COOKIE)
    try:
        user = authenticate(form.username.data, form.password.data, source=get_remote_address(),
                            device_cookie=device_cookie)
    except LoginThrottled as throttled:
        form.password.errors.append(throttled.message)
        return render_template('auth/login.html', form=form), 429, {'Retry-After': str(throttled.seconds)}
    if user is None:
        form.password.errors.append(_('Tên đăng nhập hoặc mật khẩu không đúng.'))
        return render_template('auth/login.html', form=form), 401
    login_user(user, remember=form.remember.data)
    session.pop('locale', None)
    response = redirect(safe_next(form.next.data) or url_for('files.inbox'))
    throttle.set_device_cookie(response, throttle.device_cookie_for(user, throttle.known_device(device_cookie, user)))
    return response


@bp.post('/logout')
@login_required
def logout():
    end_sessions(current_user._get_current_object(), reason='logout')
    db.session.flush()
    logout_user()
    flash(_('Bạn đã đăng xuất.'), 'info')
    return redirect(url_for('auth.login'))


@bp.post('/locale/<code>')
def change_locale(code):
    if code not in current_app.config['LANGUAGES']:
        return redirect(url_for('auth.login'))
    if current_user.is_authenticated:
        set_locale(current_user, code)
    session['locale'] = code
    return redirect(safe_next(request.form.get('next')) or url_for('files.inbox'))


def _account_page(status=200, *, form=None, password_form=None, error=None):
    form = form or AccountForm(formdata=None, locale=current_user.locale or session.get('locale') or 'vi')
    return render_template('auth/account.html', form=form, password_form=password_form or PasswordChangeForm(
        formdata=None), tokens=tokens_of(current_user, current_user), error=error), status


@bp.route('/account', methods=['GET', 'POST'])
@login_required
def account():
    form = AccountForm(locale=current_user.locale or session.get('locale') or 'vi')
    if not form.validate_on_submit():
        return _account_page(400 if form.is_submitted() else 200, form=form)
    set_locale(current_user, form.locale.data)
    session['locale'] = form.locale.data
    refresh()  # speak the newly chosen language from this message on
    flash(_('Đã lưu lựa chọn ngôn ngữ.'), 'success')
    return redirect(url_for('auth.account'))


@bp.post('/account/password')
@login_required
def change_password():
    """The person's own password. Every other session, remember-me cookie and API token of theirs ends;
    this browser is signed in again under the new epoch."""
    password_form = PasswordChangeForm()
    if not password_form.validate_on_submit():
        return _account_page(400, password_form=password_form)
    person = current_user._get_current_object()
    try:
        with attempt():
            change_own_password(person, password_form.current.data, password_form.password.data)
    except DomainError as exc:
        return _account_page(exc.status, password_form=password_form, error=exc.message)
    login_user(person, remember=current_app.config.get('REMEMBER_COOKIE_NAME', 'remember_token') in request.cookies)
    flash(_('Đã đổi mật khẩu. Các phiên đăng nhập khác và mã truy cập API đã bị thu hồi.'), 'success')
    return redirect(url_for('auth.account'))


@bp.post('/account/tokens/<int:token_id>/revoke')
@login_required
def revoke_api_token(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    revoke_token(current_user, token)
    flash(_('Đã thu hồi mã truy cập API.'), 'success')
    return redirect(url_for('auth.account'))
