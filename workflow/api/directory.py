"""Units and users: GET/POST/PATCH /units, GET/POST/PATCH /users, POST /users/{id}/password."""
from flask import jsonify, request, url_for
from sqlalchemy import select

from ..directory.models import Level, Unit, User
from ..directory.operations import (
    create_unit,
    create_user,
    reset_password,
    update_unit,
    update_user,
)
from ..extensions import db
from . import bp
from .inputs import (
    boolean,
    integer,
    json_body,
    referenced_unit,
    require_admin,
    string,
    string_list,
    unit_or_404,
    user_or_404,
)
from .serializers import unit_json, user_json

# ---------------------------------------------------------------- units

@bp.get('/units')
def list_units():
    args = request.args
    query = select(Unit).order_by(Unit.code)
    if args.get('level'):
        query = query.where(Unit.level_code == args['level'])
    parent_id = integer(args, 'parent_id')
    if parent_id is not None:
        query = query.where(Unit.parent_id == parent_id)
    if not boolean(args, 'include_inactive'):
        query = query.where(Unit.active.is_(True))
    return jsonify({'items': [unit_json(u) for u in db.session.scalars(query)]})


@bp.get('/units/<int:unit_id>')
def get_unit(unit_id):
    return jsonify(unit_json(unit_or_404(unit_id)))


@bp.post('/units')
def post_unit():
    actor = require_admin()
    data = json_body()
    unit = create_unit(actor, code=string(data, 'code', required=True), name=string(data, 'name', required=True),
                       abbreviation=string(data, 'abbreviation', required=True),
                       level=string(data, 'level', required=True), parent=referenced_unit(data, 'parent_id'))
    return jsonify(unit_json(unit)), 201, {'Location': url_for('api.get_unit', unit_id=unit.id)}


@bp.patch('/units/<int:unit_id>')
def patch_unit(unit_id):
    actor = require_admin()
    unit = unit_or_404(unit_id)
    data = json_body()
    parent = referenced_unit(data, 'parent_id') if 'parent_id' in data else unit.parent
    update_unit(actor, unit, name=string(data, 'name', required='name' in data, default=unit.name),
                abbreviation=string(data, 'abbreviation', required='abbreviation' in data,
                                    default=unit.abbreviation),
                level=string(data, 'level', default=unit.level_code), parent=parent,
                active=boolean(data, 'active', default=unit.active))
    return jsonify(unit_json(unit))


# ---------------------------------------------------------------- users

@bp.get('/users')
def list_users():
    args = request.args
    query = select(User).order_by(User.unit_id, User.full_name, User.id)
    unit_id = integer(args, 'unit_id')
    if unit_id is not None:
        query = query.where(User.unit_id == unit_id)
    if not boolean(args, 'include_inactive'):
        query = query.where(User.active.is_(True))
    users = db.session.scalars(query).all()
    if args.get('role'):
        users = [u for u in users if u.has_role(args['role'])]
    return jsonify({'items': [user_json(u) for u in users]})


@bp.get('/users/<int:user_id>')
def get_user(user_id):
    return jsonify(user_json(user_or_404(user_id)))


@bp.post('/users')
def post_user():
    actor = require_admin()
    data = json_body()
    user = create_user(actor, username=string(data, 'username', required=True),
                       password=string(data, 'password', required=True),
                       full_name=string(data, 'full_name', required=True), title=string(data, 'title'),
                       unit=referenced_unit(data, 'unit_id', required=True),
                       roles=string_list(data, 'roles', required=True), email=string(data, 'email', default=None))
    return jsonify(user_json(user)), 201, {'Location': url_for('api.get_user', user_id=user.id)}


@bp.patch('/users/<int:user_id>')
def patch_user(user_id):
    actor = require_admin()
    user = user_or_404(user_id)
    data = json_body()
    unit = referenced_unit(data, 'unit_id') if 'unit_id' in data else user.unit
    roles = string_list(data, 'roles') if 'roles' in data else user.roles
    update_user(actor, user, full_name=string(data, 'full_name', required='full_name' in data,
                                              default=user.full_name),
                title=string(data, 'title', default=user.title), unit=unit, roles=roles,
                active=boolean(data, 'active', default=user.active),
                email=string(data, 'email', default=user.email))
    return jsonify(user_json(user))


@bp.post('/users/<int:user_id>/password')
def post_password(user_id):
    actor = require_admin()
    user = user_or_404(user_id)
    reset_password(actor, user, string(json_body(), 'password', required=True))
    return '', 204


# ---------------------------------------------------------------- levels

@bp.get('/levels')
def list_levels():
    rows = db.session.scalars(select(Level).order_by(Level.rank, Level.code))
    return jsonify({'items': [{'code': lv.code, 'name': lv.name, 'rank': lv.rank} for lv in rows]})
