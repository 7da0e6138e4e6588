"""Admin pages: units and users. Every page here requires the admin role."""
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import policy
from ..errors import DomainError
from ..extensions import db
from ..unit_of_work import attempt
from .forms import PasswordResetForm, UnitForm, UserFilterForm, UserForm
from .models import Unit, User
from .operations import (
    create_unit,
    create_user,
    list_users,
    reset_password,
    unit_tree,
    update_unit,
    update_user,
)

bp = Blueprint('directory', __name__, url_prefix='/admin')


@bp.before_request
@login_required
def require_admin():
    policy.require(policy.may_administer, current_user)


def _unit_or_404(unit_id):
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    return unit


def _user_or_404(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _form_page(template, form, status=200, **context):
    return render_template(template, form=form, **context), status


# ---------------------------------------------------------------- units

@bp.get('/')
@bp.get('/units')
def units():
    return render_template('directory/units.html', tree=unit_tree())


@bp.route('/units/new', methods=['GET', 'POST'])
def new_unit():
    form = UnitForm(parent=request.args.get('parent', 0, type=int))
    if not form.validate_on_submit():
        return _form_page('directory/unit_form.html', form, 400 if form.is_submitted() else 200)
    try:
        with attempt():
            unit = create_unit(current_user, code=form.code.data, name=form.name.data,
                               abbreviation=form.abbreviation.data, level=form.level.data,
                               parent=db.session.get(Unit, form.parent.data) if form.parent.data else None)
    except DomainError as exc:
        return _form_page('directory/unit_form.html', form, exc.status, error=exc.message)
    flash(_('Đã tạo đơn vị %(name)s (%(code)s).', name=unit.name, code=unit.code), 'success')
    return redirect(url_for('directory.units'))


@bp.route('/units/<int:unit_id>/edit', methods=['GET', 'POST'])
def edit_unit(unit_id):
    unit = _unit_or_404(unit_id)
    form = UnitForm(unit=unit, code=unit.code, name=unit.name, abbreviation=unit.abbreviation,
                    level=unit.level_code, parent=unit.parent_id or 0, active=unit.active)
    form.code.data = unit.code  # the identifier code is fixed once given
    if not form.validate_on_submit():
        return _form_page('directory/unit_form.html', form, 400 if form.is_submitted() else 200, unit=unit)
    try:
        with attempt():
            update_unit(current_user, unit, name=form.name.data, abbreviation=form.abbreviation.data,
                        level=form.level.data, active=form.active.data,
                        parent=db.session.get(Unit, form.parent.data) if form.parent.data else None)
    except DomainError as exc:
        return _form_page('directory/unit_form.html', form, exc.status, unit=unit, error=exc.message)
    flash(_('Đã cập nhật đơn vị %(name)s.', name=unit.name), 'success')
    return redirect(url_for('directory.units'))


# ---------------------------------------------------------------- users

@bp.get('/users')
def users():
    form = UserFilterForm(request.args)
    unit_id = form.unit.data if form.validate() else 0
    return render_template('directory/users.html', users=list_users(unit_id or None), form=form)


@bp.route('/users/new', methods=['GET', 'POST'])
def new_user():
    form = UserForm(unit=request.args.get('unit', 0, type=int), roles=['specialist'])
    if not form.validate_on_submit():
        return _form_page('directory/user_form.html', form, 400 if form.is_submitted() else 200)
    try:
        with attempt():
            user = create_user(current_user, username=form.username.data, password=form.password.data,
                               full_name=form.full_name.data, title=form.title.data,
                               email=form.email.data or None, unit=db.session.get(Unit, form.unit.data),
                               roles=form.roles.data)
    except DomainError as exc:
        return _form_page('directory/user_form.html', form, exc.status, error=exc.message)
    flash(_('Đã tạo tài khoản %(username)s.', username=user.username), 'success')
    return redirect(url_for('directory.users', unit=user.unit_id))


def _user_form(user, **kwargs):
    return UserForm(username=user.username, full_name=user.full_name, title=user.title, email=user.email,
                    unit=user.unit_id, roles=user.roles, active=user.active, **kwargs)


@bp.route('/users/<int:user_id>/edit', methods=['GET', 'POST'])
def edit_user(user_id):
    user = _user_or_404(user_id)
    form = _user_form(user)
    form.username.data = user.username  # a login name is not renamed
    if not form.validate_on_submit():
        return _form_page('directory/user_form.html', form, 400 if form.is_submitted() else 200, user=user,
                          password_form=PasswordResetForm(formdata=None))
    try:
        with attempt():
            update_user(current_user, user, full_name=form.full_name.data, title=form.title.data,
                        unit=db.session.get(Unit, form.unit.data), roles=form.roles.data, active=form.active.data,
                        email=form.email.data or None)
    except DomainError as exc:
        return _form_page('directory/user_form.html', form, exc.status, user=user, error=exc.message,
                          password_form=PasswordResetForm(formdata=None))
    flash(_('Đã cập nhật tài khoản %(username)s.', username=user.username), 'success')
    return redirect(url_for('directory.users', unit=user.unit_id))


@bp.post('/users/<int:user_id>/password')
def reset_user_password(user_id):
    user = _user_or_404(user_id)
    password_form = PasswordResetForm()
    form = _user_form(user, formdata=None)
    if not password_form.validate_on_submit():
        return _form_page('directory/user_form.html', form, 400, user=user, password_form=password_form)
    try:
        with attempt():
            reset_password(current_user, user, password_form.password.data)
    except DomainError as exc:
        return _form_page('directory/user_form.html', form, exc.status, user=user, password_form=password_form,
                          error=exc.message)
    flash(_('Đã đặt lại mật khẩu cho %(username)s.', username=user.username), 'success')
    return redirect(url_for('directory.users', unit=user.unit_id))
