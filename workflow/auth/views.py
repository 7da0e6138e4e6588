"""Signing in and out, and choosing the interface language."""
from urllib.parse import urlsplit

from flask import (
    Blueprint,
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
from flask_login import current_user, login_required, login_user, logout_user

from ..directory.operations import set_locale
from ..extensions import limiter
from ..timeutil import vn_datetime_str
from .forms import AccountForm, LoginForm
from .operations import LoginLocked, authenticate

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
    try:
        user = authenticate(form.username.data, form.password.data)
    except LoginLocked as locked:
        form.password.errors.append(_('Tài khoản tạm khóa do nhập sai nhiều lần, thử lại sau %(t)s.',
                                      t=vn_datetime_str(locked.until)))
        return render_template('auth/login.html', form=form), 429
    if user is None:
        form.password.errors.append(_('Tên đăng nhập hoặc mật khẩu không đúng.'))
        return render_template('auth/login.html', form=form), 401
    login_user(user, remember=form.remember.data)
    session.pop('locale', None)
    return redirect(safe_next(form.next.data) or url_for('files.inbox'))


@bp.post('/logout')
@login_required
def logout():
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


@bp.route('/account', methods=['GET', 'POST'])
@login_required
def account():
    form = AccountForm(locale=current_user.locale or session.get('locale') or 'vi')
    if not form.validate_on_submit():
        return render_template('auth/account.html', form=form), 400 if form.is_submitted() else 200
    set_locale(current_user, form.locale.data)
    session['locale'] = form.locale.data
    refresh()  # speak the newly chosen language from this message on
    flash(_('Đã lưu lựa chọn ngôn ngữ.'), 'success')
    return redirect(url_for('auth.account'))
