"""The metrics part of JSON API v1, at /api/v1/metrics: the same queries and operations as the pages.

Authentication is the API's bearer token (workflow.api.inputs.authenticate_bearer); errors are
`{"error": {"code", "message"}}` in the language of `Accept-Language` (Vietnamese by default).
"""
from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from .. import policy
from ..api.inputs import authenticate_bearer, caller, choice, integer, json_body, require, require_admin, upload
from ..errors import BadInput
from ..unit_of_work import attempt
from . import queries
from .imports import ImportRejected, import_dossiers
from .models import INDICATORS
from .operations import delete_target, seed_default_targets, set_target
from .periods import from_args
from .serialize import dashboard_json, drill_row_json

bp = Blueprint('metrics_api', __name__)
WHICH = ('all', 'electronic', 'not_electronic')


@bp.before_request
def require_bearer_token():
    authenticate_bearer()


def _selection():
    args = request.args
    level = args.get('level') or None
    return queries.select_units(caller(), level=level, unit_id=integer(args, 'unit_id', minimum=1))


def _period():
    return from_args(request.args)


@bp.get('/paperless')
def paperless():
    """{levels: {code: {closed, fully_electronic, rate, target}}, units: [...], not_electronic: [...]}"""
    selection, period = _selection(), _period()
    limit = integer(request.args, 'limit', default=queries.DEFAULT_LIST_LIMIT, minimum=0)
    return jsonify(queries.paperless(period, selection, list_limit=min(limit, 10_000)))


@bp.get('/indicators')
def indicators():
    selection, period = _selection(), _period()
    return jsonify(queries.indicators(period, selection))


@bp.get('/dashboard')
def dashboard():
    selection, period = _selection(), _period()
    return jsonify(dashboard_json(queries.dashboard(period, selection), selection))


@bp.get('/files')
def files():
    """The files behind a figure: which=all|electronic|not_electronic, with the reasons."""
    selection, period = _selection(), _period()
    which = choice(request.args, 'which', WHICH, default='all')
    limit = min(integer(request.args, 'limit', default=100, minimum=1), 1000)
    offset = integer(request.args, 'offset', default=0, minimum=0)
    rows, total = queries.drill_down(period, selection, which=which, limit=limit, offset=offset)
    return jsonify({'period': period.query_args(), 'total': total, 'files': [drill_row_json(r) for r in rows]})


@bp.get('/dossiers')
def dossiers():
    selection, period = _selection(), _period()
    return jsonify(queries.dossiers(period, selection))


@bp.post('/dossiers')
def import_dossier_csv():
    """multipart `file`: the CSV; 201 {import_id, rows, replaced}; 422 {error, rows: [{line, message}]}."""
    actor = require_admin()
    csv_file = upload('file')
    try:
        with attempt():
            batch = import_dossiers(actor, filename=csv_file.filename, data=csv_file.data)
    except ImportRejected as rejected:
        return jsonify({'error': {'code': rejected.code, 'message': rejected.message,
                                  'rows': [e.as_json() for e in rejected.errors]}}), rejected.status
    return jsonify({'import_id': batch.id, 'rows': batch.row_count, 'replaced': batch.replaced}), 201


def _target_json(row):
    return {'id': row.id, 'level': row.level_code, 'year': row.year, 'indicator': row.indicator,
            'value': row.value}


@bp.get('/targets')
def targets():
    require(policy.may_see_metrics)
    return jsonify({'indicators': list(INDICATORS), 'targets': [_target_json(t) for t in queries.all_targets()]})


@bp.put('/targets')
def put_target():
    """{level, year, indicator, value (fraction)}: create or replace that target."""
    actor = require_admin()
    data = json_body()
    value = data.get('value')
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadInput(_('"value" phải là một số từ 0 đến 1 (0.8 = 80 %).'), code='invalid_field')
    row = set_target(actor, level=choice(data, 'level', queries.level_order()),
                     year=integer(data, 'year', required=True), indicator=choice(data, 'indicator', INDICATORS),
                     value=value)
    return jsonify(_target_json(row)), 200


@bp.post('/targets/defaults')
def seed_targets():
    require_admin()
    added = seed_default_targets()
    return jsonify({'added': added, 'targets': [_target_json(t) for t in queries.all_targets()]})


@bp.delete('/targets/<int:target_id>')
def remove_target(target_id):
    delete_target(require_admin(), target_id)
    return '', 204
