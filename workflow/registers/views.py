"""Register pages: the unit's incoming and outgoing registers (Decree 30), printable and as CSV."""
from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required

from .. import audit, policy
from ..dbsession import writes_when_read
from ..directory.models import Unit
from ..directory.operations import unit_tree
from ..extensions import db
from ..timeutil import vn_today
from ..vocabulary import REGISTER_COLUMNS, REGISTER_KINDS, REGISTER_TITLES
from .queries import register_csv, register_rows

bp = Blueprint('registers', __name__, url_prefix='/registers')

def _check_kind_and_role(kind):
    if kind not in REGISTER_KINDS:
        abort(404)
    policy.require(policy.may_read_registers, current_user)


def _unit_and_year():
    """The user's own unit; an admin may look at any unit's registers."""
    unit = current_user.unit
    requested = request.args.get('unit_id', type=int)
    if requested and requested != unit.id:
        unit = db.session.get(Unit, requested) or abort(404)
        policy.require(policy.may_read_register_of, current_user, unit)
    year = request.args.get('year', type=int) or vn_today().year
    if not 1990 <= year <= 2100:
        abort(404)
    return unit, year


@bp.get('/<kind>')
@login_required
def show(kind):
    _check_kind_and_role(kind)
    unit, year = _unit_and_year()
    this_year = vn_today().year
    return render_template('registers/show.html', kind=kind, unit=unit, year=year,
                           rows=register_rows(kind, unit.id, year), columns=REGISTER_COLUMNS[kind],
                           title=REGISTER_TITLES[kind], years=range(this_year, this_year - 6, -1),
                           units=unit_tree() if policy.may_administer(current_user) else None)


@bp.get('/<kind>/csv')
@login_required
@writes_when_read  # records who received it (audit)
def csv(kind):
    _check_kind_and_role(kind)
    unit, year = _unit_and_year()
    rows = register_rows(kind, unit.id, year)
    audit.record_access(current_user, 'export', unit, table=f'register-{kind}', year=year, format='csv',
                        rows=len(rows))
    body = register_csv(kind, rows)
    filename = f'so-van-ban-{"di" if kind == "outgoing" else "den"}-{unit.code}-{year}.csv'
    return Response(body, mimetype='text/csv',
                    headers={'Content-Disposition': f'attachment; filename="{filename}"'})
