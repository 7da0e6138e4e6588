"""The Decree 30 registers: GET /registers/{outgoing|incoming}?unit_id=&year=&format=json|csv."""
from flask import Response, jsonify, request

from .. import policy
from ..registers.queries import official_columns, register_csv, register_rows
from ..timeutil import vn_today
from . import bp
from .inputs import caller, choice, integer, unit_or_404


@bp.get('/registers/<any(outgoing, incoming):kind>')
def get_register(kind):
    user = caller()
    policy.require(policy.may_read_registers, user)
    args = request.args
    unit = unit_or_404(integer(args, 'unit_id', default=user.unit_id))
    policy.require(policy.may_read_register_of, user, unit)
    year = integer(args, 'year', default=vn_today().year, minimum=1900)
    output = choice(args, 'format', ('json', 'csv'), default='json')
    rows = register_rows(kind, unit.id, year)
    if output == 'csv':
        filename = f'so-van-ban-{"di" if kind == "outgoing" else "den"}-{unit.code}-{year}.csv'
        return Response(register_csv(kind, rows), mimetype='text/csv',
                        headers={'Content-Disposition': f'attachment; filename="{filename}"'})
    columns = [{'key': key, 'label': label} for key, label in official_columns(kind)]
    return jsonify({'register': kind, 'unit_id': unit.id, 'year': year, 'columns': columns, 'rows': rows})
