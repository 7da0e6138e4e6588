"""The Decree 30 registers: GET /registers/{outgoing|incoming}?unit_id=&year=&format=json|csv."""
from flask import Response

from .. import audit, policy
from ..dbsession import writes_when_read
from ..registers.queries import official_columns, register_csv, register_rows
from . import bp
from .bodies import RegisterQuery
from .loaders import require, unit_or_404
from .schemas.registers import RegisterSchema


@bp.get('/registers/<any(outgoing, incoming):kind>')
@bp.arguments(RegisterQuery, location='query')
@bp.response(200, RegisterSchema, description='The register, as JSON or (format=csv) as a CSV file')
@bp.alt_response(200, schema={'type': 'string'}, content_type='text/csv', success=True)
@bp.refusals(403, 404)
@writes_when_read  # records who received it (audit)
def get_register(query, kind):
    """The Decree 30 outgoing or incoming register

    Who: clerk, leader (own unit), admin (any unit)."""
    user = require(policy.may_read_registers)
    unit = unit_or_404(user.unit_id if query['unit_id'] is None else query['unit_id'])
    policy.require(policy.may_read_register_of, user, unit)
    rows = register_rows(kind, unit.id, query['year'])
    if query['format'] == 'csv':
        audit.record_access(user, 'export', unit, table=f'register-{kind}', year=query['year'], format='csv',
                            rows=len(rows))
        return _csv(kind, unit, query['year'], rows)
    columns = [{'key': key, 'label': label} for key, label in official_columns(kind)]
    return {'register': kind, 'unit_id': unit.id, 'year': query['year'], 'columns': columns, 'rows': rows}


def _csv(kind, unit, year, rows):
    filename = f'so-van-ban-{"di" if kind == "outgoing" else "den"}-{unit.code}-{year}.csv'
    return Response(register_csv(kind, rows), mimetype='text/csv',
                    headers={'Content-Disposition': f'attachment; filename="{filename}"'})
