"""Managing units and users: each operation checks that its actor administers (policy.py)."""
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import audit, policy
from ..auth.operations import end_sessions, forget_failures
from ..errors import BadInput, Conflict
from ..extensions import db
from ..vocabulary import ROLES
from .models import UNIT_CODE_PATTERN, Level, Unit, User
from .passwords import check_password_policy

DEFAULT_LEVELS = (('province', 'Tỉnh', 0), ('district', 'Huyện', 1), ('commune', 'Xã', 2))


def ensure_levels():
    """The tiers this deployment knows; more can be added as data."""
    for code, name, rank in DEFAULT_LEVELS:
        if db.session.get(Level, code) is None:
            db.session.add(Level(code=code, name=name, rank=rank))
    db.session.flush()


def validate_unit_code(code):
    code = (code or '').strip().upper()
    if len(code) > 35 or not UNIT_CODE_PATTERN.match(code):
        raise BadInput(_('Mã định danh đơn vị không đúng định dạng (ví dụ: H17.07.03).'), code='invalid_unit_code')
    return code


def create_unit(actor, *, code, name, abbreviation, level, parent=None):
    policy.require(policy.may_administer, actor)
    code = validate_unit_code(code)
    name, abbreviation = (name or '').strip(), (abbreviation or '').strip()
    if not name or not abbreviation:
        raise BadInput(_('Tên và tên viết tắt của đơn vị là bắt buộc.'), code='unit_name_required')
    if ' ' in abbreviation or '/' in abbreviation:
        raise BadInput(_('Tên viết tắt không được chứa dấu cách hoặc "/".'), code='invalid_abbreviation')
    if db.session.get(Level, level) is None:
        raise BadInput(_('Cấp hành chính không hợp lệ.'), code='invalid_level')
    if db.session.scalar(select(Unit.id).where(Unit.code == code)):
        raise Conflict(_('Mã đơn vị %(code)s đã tồn tại.', code=code), code='duplicate_unit_code')
    unit = Unit(code=code, name=name, abbreviation=abbreviation, level_code=level, parent=parent)
    db.session.add(unit)
    db.session.flush()
    audit.record(actor, 'create_unit', unit, code=code, level=level)
    return unit


def update_unit(actor, unit, *, name, abbreviation, level, parent=None, active=True):
    policy.require(policy.may_administer, actor)
    if db.session.get(Level, level) is None:
        raise BadInput(_('Cấp hành chính không hợp lệ.'), code='invalid_level')
    if parent is not None and (parent.id == unit.id or unit in parent.ancestors()):
        raise BadInput(_('Đơn vị cấp trên không hợp lệ (tạo vòng lặp).'), code='invalid_parent')
    unit.name, unit.abbreviation, unit.level_code, unit.parent, unit.active = (
        name.strip(), abbreviation.strip(), level, parent, active)
    db.session.flush()
    audit.record(actor, 'update_unit', unit, level=level, active=active)
    return unit


def _check_roles(roles):
    roles = list(dict.fromkeys(roles or []))
    if not roles or set(roles) - set(ROLES):
        raise BadInput(_('Vai trò không hợp lệ; chọn trong: chuyên viên, lãnh đạo, văn thư, quản trị.'),
                       code='invalid_roles')
    return roles




def create_user(actor, *, username, password, full_name, unit, roles, title='', email=None):
    policy.require(policy.may_administer, actor)
    username = (username or '').strip().lower()
    if not username or len(username) > 80 or any(c.isspace() for c in username):
        raise BadInput(_('Tên đăng nhập không hợp lệ.'), code='invalid_username')
    if not (full_name or '').strip():
        raise BadInput(_('Họ tên là bắt buộc.'), code='full_name_required')
    if unit is None:
        raise BadInput(_('Đơn vị không tồn tại.'), code='invalid_unit')
    check_password_policy(password, username=username)
    roles = _check_roles(roles)
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username)):
        raise Conflict(_('Tên đăng nhập %(u)s đã được dùng.', u=username), code='duplicate_username')
    user = User(username=username, full_name=full_name.strip(), title=(title or '').strip(), unit=unit,
                email=email)
    user.roles = roles
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, 'create_user', user, username=username, roles=roles, unit_id=unit.id)
    return user


def update_user(actor, user, *, full_name, title, unit, roles, active, email=None):
    policy.require(policy.may_administer, actor)
    if unit is None:
        raise BadInput(_('Đơn vị không tồn tại.'), code='invalid_unit')
    deactivated = user.active and not active
    user.full_name, user.title, user.unit, user.active, user.email = (
        full_name.strip(), (title or '').strip(), unit, active, email)
    user.roles = _check_roles(roles)
    db.session.flush()
    audit.record(actor, 'update_user', user, roles=user.roles, unit_id=unit.id, active=active)
    if deactivated:
        end_sessions(user, reason='deactivated', actor=actor, revoke_tokens=True)
    return user


def reset_password(actor, user, new_password):
    policy.require(policy.may_administer, actor)
    check_password_policy(new_password, username=user.username)
    user.set_password(new_password)
    db.session.flush()
    audit.record(actor, 'reset_password', user)
    end_sessions(user, reason='password_reset', actor=actor, revoke_tokens=True)
    forget_failures(user)


def change_own_password(user, current_password, new_password):
    """The person's own change: the current password first. Every session, remember-me cookie and API
    token of theirs ends (the page signs the person in again in the browser they changed it from)."""
    if not user.check_password(current_password or ''):
        raise BadInput(_('Mật khẩu hiện tại không đúng.'), code='wrong_password')
    check_password_policy(new_password, username=user.username)
    user.set_password(new_password)
    db.session.flush()
    audit.record(user, 'change_password', user)
    end_sessions(user, reason='password_change', revoke_tokens=True)


def set_locale(user, locale):
    if locale not in ('vi', 'en'):
        raise BadInput(_('Ngôn ngữ không được hỗ trợ.'))
    user.locale = locale
    db.session.flush()


def unit_tree():
    """Units ordered as a tree: (unit, depth) pairs, roots first."""
    units = db.session.scalars(select(Unit).order_by(Unit.code)).all()
    children = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered = []

    def walk(parent_id, depth):
        for unit in children.get(parent_id, []):
            ordered.append((unit, depth))
            walk(unit.id, depth + 1)
    walk(None, 0)
    return ordered


# ---------------------------------------------------------------- read-only lookups for pages

def levels():
    """The tiers this deployment knows, highest first."""
    return db.session.scalars(select(Level).order_by(Level.rank, Level.code)).all()


def active_users():
    """Every active user, by unit code then name: who a file can be handed to."""
    return db.session.scalars(select(User).join(Unit, User.unit_id == Unit.id)
                              .where(User.active.is_(True)).order_by(Unit.code, User.full_name)).all()


def users_of_unit(unit_id, *, active_only=True):
    """The people of one unit, by name."""
    query = select(User).where(User.unit_id == unit_id)
    if active_only:
        query = query.where(User.active.is_(True))
    return db.session.scalars(query.order_by(User.full_name)).all()


def leaders_of_unit(unit_id):
    return [u for u in users_of_unit(unit_id) if u.has_role('leader')]


def list_users(unit_id=None):
    query = select(User).join(Unit, User.unit_id == Unit.id)
    if unit_id:
        query = query.where(User.unit_id == unit_id)
    return db.session.scalars(query.order_by(Unit.code, User.full_name)).all()
