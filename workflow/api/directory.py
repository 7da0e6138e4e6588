"""Units and users: GET/POST/PATCH /units, GET/POST/PATCH /users, POST /users/{id}/password, GET /levels."""
from flask import url_for
from sqlalchemy import select

from ..directory.models import Level, Unit, User
from ..directory.operations import create_unit, create_user, reset_password, update_unit, update_user
from ..extensions import db
from . import bp
from .blueprint import no_content
from .bodies import NewPassword, NewUnit, NewUser, UnitChanges, UnitQuery, UserChanges, UserQuery
from .loaders import require_admin, unit_or_404, user_or_404
from .schemas.directory import LevelListSchema, UnitListSchema, UnitSchema, UserListSchema, UserSchema

# ---------------------------------------------------------------- units


@bp.get('/units')
@bp.arguments(UnitQuery, location='query')
@bp.response(200, UnitListSchema)
def list_units(query):
    """List units

    Only active ones unless include_inactive."""
    units = select(Unit).order_by(Unit.code)
    if query['level']:
        units = units.where(Unit.level_code == query['level'])
    if query['parent_id'] is not None:
        units = units.where(Unit.parent_id == query['parent_id'])
    if not query['include_inactive']:
        units = units.where(Unit.active.is_(True))
    return {'items': db.session.scalars(units).all()}


@bp.get('/units/<int:unit_id>')
@bp.response(200, UnitSchema)
@bp.refusals(404)
def get_unit(unit_id):
    """One unit"""
    return unit_or_404(unit_id)


@bp.post('/units')
@bp.arguments(NewUnit)
@bp.response(201, UnitSchema)
@bp.refusals(403, 409)
def post_unit(fields):
    """Create a unit

    Who: admin."""
    unit = create_unit(require_admin(), **fields)
    return unit, {'Location': url_for('api.get_unit', unit_id=unit.id)}


def _unit_as_it_is(unit):
    return {'name': unit.name, 'abbreviation': unit.abbreviation, 'level': unit.level_code, 'parent': unit.parent,
            'active': unit.active}


@bp.patch('/units/<int:unit_id>')
@bp.arguments(UnitChanges)
@bp.response(200, UnitSchema)
@bp.refusals(403, 404)
def patch_unit(changes, unit_id):
    """Change a unit

    Who: admin. Only the fields sent change."""
    actor, unit = require_admin(), unit_or_404(unit_id)
    return update_unit(actor, unit, **{**_unit_as_it_is(unit), **changes})


# ---------------------------------------------------------------- users

@bp.get('/users')
@bp.arguments(UserQuery, location='query')
@bp.response(200, UserListSchema)
def list_users(query):
    """List users

    Only active ones unless include_inactive."""
    users = select(User).order_by(User.unit_id, User.full_name, User.id)
    if query['unit_id'] is not None:
        users = users.where(User.unit_id == query['unit_id'])
    if not query['include_inactive']:
        users = users.where(User.active.is_(True))
    if query['role']:
        users = users.where(User.having_role(query['role']))
    return {'items': db.session.scalars(users).all()}


@bp.get('/users/<int:user_id>')
@bp.response(200, UserSchema)
@bp.refusals(404)
def get_user(user_id):
    """One user"""
    return user_or_404(user_id)


@bp.post('/users')
@bp.arguments(NewUser)
@bp.response(201, UserSchema)
@bp.refusals(403, 409)
def post_user(fields):
    """Create a user

    Who: admin. Roles among specialist, leader, clerk, admin."""
    user = create_user(require_admin(), **fields)
    return user, {'Location': url_for('api.get_user', user_id=user.id)}


def _user_as_it_is(user):
    return {'full_name': user.full_name, 'title': user.title, 'unit': user.unit, 'roles': user.roles,
            'active': user.active, 'email': user.email}


@bp.patch('/users/<int:user_id>')
@bp.arguments(UserChanges)
@bp.response(200, UserSchema)
@bp.refusals(403, 404)
def patch_user(changes, user_id):
    """Change a user (roles, unit, title, active)

    Who: admin. Only the fields sent change."""
    actor, user = require_admin(), user_or_404(user_id)
    return update_user(actor, user, **{**_user_as_it_is(user), **changes})


@bp.post('/users/<int:user_id>/password')
@bp.arguments(NewPassword)
@bp.response(204)
@bp.refusals(403, 404)
def post_password(body, user_id):
    """Reset a user's password

    Who: admin. The password policy applies (400 weak_password). Every session, remember-me cookie
    and API token of the user ends."""
    actor, user = require_admin(), user_or_404(user_id)
    reset_password(actor, user, body['password'])
    return no_content()


# ---------------------------------------------------------------- levels

@bp.get('/levels')
@bp.response(200, LevelListSchema)
def list_levels():
    """Tiers of government (data, not code)"""
    return {'items': db.session.scalars(select(Level).order_by(Level.rank, Level.code)).all()}
