"""Register pages: the unit's incoming and outgoing registers (Decree 30), printable and as CSV."""
from flask import Blueprint, Response, abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..directory.models import Unit
from ..directory.operations import unit_tree
from ..extensions import db
from ..timeutil import vn_today
from .queries import REGISTERS, register_csv, register_rows

bp = Blueprint('registers', __name__, url_prefix='/registers')

REGISTER_ROLES = ('clerk', 'leader', 'admin')
REGISTER_TITLES = {'outgoing': _l('Sổ đăng ký văn bản đi'), 'incoming': _l('Sổ đăng ký văn bản đến')}
# The same Decree 30 headings as queries.py, translatable for the page (the CSV keeps the official text).
COLUMN_LABELS = {
    'number': _l('Số, ký hiệu văn bản'),
    'date': _l('Ngày tháng văn bản'),
    'doc_type': _l('Tên loại và trích yếu nội dung văn bản'),
    'signer': _l('Người ký'),
    'recipients': _l('Nơi nhận văn bản'),
    'drafting_unit': _l('Đơn vị, người nhận bản lưu'),
    'copies': _l('Số lượng bản'),
    'note': _l('Ghi chú'),
    'received': _l('Ngày đến'),
    'incoming_number': _l('Số đến'),
    'author': _l('Tác giả'),
    'handler': _l('Đơn vị hoặc người nhận'),
    'deadline': _l('Hạn giải quyết'),
}


def _check_kind_and_role(kind):
    if kind not in REGISTERS:
        abort(404)
    if not any(current_user.has_role(role) for role in REGISTER_ROLES):
        abort(403)


def _unit_and_year():
    """The user's own unit; an admin may look at any unit's registers."""
    unit = current_user.unit
    requested = request.args.get('unit_id', type=int)
    if requested and requested != unit.id:
        if not current_user.is_admin:
            abort(403)
        unit = db.session.get(Unit, requested) or abort(404)
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
                           rows=register_rows(kind, unit.id, year), columns=REGISTERS[kind],
                           column_labels=COLUMN_LABELS, title=REGISTER_TITLES[kind],
                           years=range(this_year, this_year - 6, -1),
                           units=unit_tree() if current_user.is_admin else None)


@bp.get('/<kind>/csv')
@login_required
def csv(kind):
    _check_kind_and_role(kind)
    unit, year = _unit_and_year()
    body = register_csv(kind, register_rows(kind, unit.id, year))
    filename = f'so-van-ban-{"di" if kind == "outgoing" else "den"}-{unit.code}-{year}.csv'
    return Response(body, mimetype='text/csv',
                    headers={'Content-Disposition': f'attachment; filename="{filename}"'})
