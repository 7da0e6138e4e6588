"""The Decree 30 registers: GET /registers/{outgoing|incoming}?unit_id=&year=&format=json|csv."""
from flask import Response, jsonify, request
from flask_babel import gettext as _

from ..errors import NotAllowed
from ..registers.queries import REGISTERS, register_csv, register_rows
from ..timeutil import vn_today
from . import bp
from .inputs import choice, integer, require_role, unit_or_404


@bp.get('/registers/<any(outgoing, incoming):kind>')
def get_register(kind):
    user = require_role('clerk', 'leader', 'admin')
    args = request.args
    unit = unit_or_404(integer(args, 'unit_id', default=user.unit_id))
    if unit.id != user.unit_id and not user.is_admin:
        raise NotAllowed(_('Bạn chỉ xem được sổ văn bản của đơn vị mình.'))
    year = integer(args, 'year', default=vn_today().year, minimum=1900)
    output = choice(args, 'format', ('json', 'csv'), default='json')
    rows = register_rows(kind, unit.id, year)
    if output == 'csv':
        filename = f'so-van-ban-{"di" if kind == "outgoing" else "den"}-{unit.code}-{year}.csv'
        return Response(register_csv(kind, rows), mimetype='text/csv',
                        headers={'Content-Disposition': f'attachment; filename="{filename}"'})
    columns = [{'key': key, 'label': label} for key, label in REGISTERS[kind]]
    return jsonify({'register': kind, 'unit_id': unit.id, 'year': year, 'columns': columns, 'rows': rows})
