"""The metrics at /api/v1/metrics: the same queries and operations as the dashboard's pages.

The period is read by the metrics themselves (metrics/periods.py, with its own codes: invalid_date,
invalid_period), after the selection of units has been checked (policy: 403 first).
"""
from flask import jsonify

from .. import policy
from ..metrics.dashboard import dashboard
from ..metrics.dossiers import dossiers
from ..metrics.imports import ImportRejected, import_dossiers
from ..metrics.indicators import indicators
from ..metrics.operations import delete_target, seed_default_targets, set_target
from ..metrics.paperless import drill_down, paperless
from ..metrics.periods import from_args
from ..metrics.scope import select_units
from ..metrics.serialize import dashboard_json
from ..metrics.targets import all_targets
from ..unit_of_work import attempt
from ..vocabulary import INDICATORS
from . import bp
from .blueprint import no_body, no_content
from .bodies import DossierCsv, MetricsFilesQuery, MetricsQuery, PaperlessQuery, TargetChange
from .loaders import caller, require, require_admin
from .schemas import RejectedImportSchema
from .schemas.metrics import (
    DashboardSchema,
    DossierImportSchema,
    DossiersSchema,
    IndicatorsSchema,
    MetricsFilesSchema,
    PaperlessSchema,
    SeededTargetsSchema,
    TargetSchema,
    TargetsSchema,
)

REJECTED = RejectedImportSchema()


def _scope(query):
    """The units asked about (403 for a role without metrics or a unit out of reach), then the period."""
    return select_units(caller(), level=query['level'], unit_id=query['unit_id']), from_args(query)


@bp.get('/metrics/paperless')
@bp.arguments(PaperlessQuery, location='query')
@bp.response(200, PaperlessSchema)
@bp.refusals(403)
def metrics_paperless(query):
    """Share of closed work files processed fully online, per level and unit, against the targets

    Who: admin, leader (their unit and those below)."""
    selection, period = _scope(query)
    return paperless(period, selection, list_limit=min(query['limit'], 10_000))


@bp.get('/metrics/indicators')
@bp.arguments(MetricsQuery, location='query')
@bp.response(200, IndicatorsSchema)
@bp.refusals(403)
def metrics_indicators(query):
    """Every indicator for the period: digital signatures, on-time completion, median handling time

    Who: admin, leader."""
    selection, period = _scope(query)
    return indicators(period, selection)


@bp.get('/metrics/dashboard')
@bp.arguments(MetricsQuery, location='query')
@bp.response(200, DashboardSchema)
@bp.refusals(403)
def metrics_dashboard(query):
    """Everything the dashboard shows, as data

    Who: admin, leader."""
    selection, period = _scope(query)
    return dashboard_json(dashboard(period, selection), selection)


@bp.get('/metrics/files')
@bp.arguments(MetricsFilesQuery, location='query')
@bp.response(200, MetricsFilesSchema)
@bp.refusals(403)
def metrics_files(query):
    """The files behind a figure, with the reasons a file is not fully electronic

    Who: admin, leader."""
    selection, period = _scope(query)
    rows, total = drill_down(period, selection, viewer=caller(), which=query['which'], limit=min(query['limit'], 1000),
                                     offset=query['offset'])
    return {'period': period.query_args(), 'total': total, 'files': rows}


@bp.get('/metrics/dossiers')
@bp.arguments(MetricsQuery, location='query')
@bp.response(200, DossiersSchema)
@bp.refusals(403)
def metrics_dossiers(query):
    """Online TTHC dossier rates from imported counts

    Who: admin, leader."""
    selection, period = _scope(query)
    return dossiers(period, selection)


@bp.post('/metrics/dossiers')
@bp.arguments(DossierCsv, location='multipart')
@bp.response(201, DossierImportSchema)
@bp.alt_response(422, schema=RejectedImportSchema, description='Rejected; nothing imported')
@bp.refusals(403)
def import_dossiers_csv(form):
    """Import TTHC counts from CSV (all rows or none)

    Who: admin."""
    actor, csv = require_admin(), form['file']
    try:
        with attempt():
            return import_dossiers(actor, filename=csv.filename, data=csv.data)
    except ImportRejected as rejected:
        return jsonify(REJECTED.dump({'error': rejected})), rejected.status


@bp.get('/metrics/targets')
@bp.response(200, TargetsSchema)
@bp.refusals(403)
def metrics_targets():
    """Targets per level, year and indicator

    Who: admin, leader."""
    require(policy.may_see_metrics)
    return {'indicators': INDICATORS, 'targets': all_targets()}


@bp.put('/metrics/targets')
@bp.arguments(TargetChange)
@bp.response(200, TargetSchema)
@bp.refusals(403)
def put_target(target):
    """Create or replace one target

    Who: admin."""
    return set_target(require_admin(), **target)


@bp.post('/metrics/targets/defaults')
@no_body
@bp.response(200, SeededTargetsSchema)
@bp.refusals(403)
def seed_targets():
    """Add the targets of the district plan (80/90 %, 60/80 %, 50/80 %, 100 %) where missing

    Who: admin."""
    require_admin()
    return {'added': seed_default_targets(), 'targets': all_targets()}


@bp.delete('/metrics/targets/<int:target_id>')
@bp.response(204)
@bp.refusals(403, 404)
def remove_target(target_id):
    """Remove a target

    Who: admin."""
    delete_target(require_admin(), target_id)
    return no_content()
