"""The metrics pages: dashboard, drill-down, printable report, exports, targets, dossier imports.

Load, check, act: every page first builds the Selection of units the user may see (403 for a
role without metrics), then reads the figures or calls operations. Charts are drawn by
static/js/metrics.js from the JSON at `metrics.dashboard_data`; the pages carry no inline script
or style, so the strict Content-Security-Policy holds.
"""
from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import audit, policy
from ..dbsession import writes_when_read
from ..errors import BadInput, DomainError
from ..timeutil import vn_today
from ..unit_of_work import attempt
from . import exports, formatting
from .dashboard import dashboard as dashboard_figures
from .dossiers import dossiers as dossier_figures
from .forms import DossierImportForm, TargetForm
from .imports import ImportRejected, import_dossiers
from .indicators import indicators
from .labels import indicator_label
from .models import INDICATORS
from .operations import delete_target, seed_default_targets, set_target
from .paperless import drill_down, paperless
from .periods import KINDS, from_args
from .scope import level_names, select_units
from .serialize import dashboard_json
from .targets import Targets, all_targets

bp = Blueprint('metrics', __name__, url_prefix='/metrics')
WHICH = ('all', 'electronic', 'not_electronic')


@bp.before_request
@login_required
def require_metrics_role():
    policy.require(policy.may_see_metrics, current_user)


@bp.context_processor
def metrics_helpers():
    # `days` shows only the median handling time, which is approximate: '≈ 3,2 ngày'.
    return {'pct': formatting.percent, 'gap': formatting.gap, 'days': formatting.approx_days,
            'num': formatting.number, 'indicator_label': indicator_label, 'level_names': level_names(),
            'period_kinds': KINDS}


def _require_admin():
    policy.require(policy.may_administer, current_user)


def _selection(args=None):
    args = request.args if args is None else args
    level = args.get('level') or None
    unit_id = args.get('unit_id', type=int)
    if args.get('unit_id') and unit_id is None:
        raise BadInput(_('"unit_id" phải là số nguyên.'), code='invalid_field')
    return select_units(current_user, level=level, unit_id=unit_id)


def _period():
    return from_args(request.args)


def _filters(period, selection):
    """The query arguments that reproduce this period and unit choice in links."""
    args = dict(period.query_args())
    if selection.level:
        args['level'] = selection.level
    if selection.unit_id:
        args['unit_id'] = selection.unit_id
    return args


def _picker(period):
    kind = request.args.get('period') or ('custom' if request.args.get('from') else period.kind)
    return {'kind': kind, 'year': period.start.year, 'this_year': vn_today().year,
            'number': request.args.get('number', type=int) or _period_number(period),
            'from': period.start.isoformat(), 'to': period.end.isoformat()}


def _period_number(period):
    return {'month': period.start.month, 'quarter': (period.start.month - 1) // 3 + 1,
            'half': 1 if period.start.month == 1 else 2}.get(period.kind, 1)


@bp.get('/')
def dashboard():
    period, selection = _period(), _selection()
    targets = Targets()
    context = {
        'period': period, 'selection': selection, 'filters': _filters(period, selection), 'picker': _picker(period),
        'paperless': paperless(period, selection, targets=targets, list_limit=10),
        'indicators': indicators(period, selection, targets=targets),
        'dossiers': dossier_figures(period, selection, targets=targets),
        'unit_choices': sorted(selection.units.values(), key=lambda u: u.code) if not selection.unit_id
        else sorted(select_units(current_user).units.values(), key=lambda u: u.code),
    }
    return render_template('metrics/dashboard.html', **context)


@bp.get('/data.json')
def dashboard_data():
    period, selection = _period(), _selection()
    return jsonify(dashboard_json(dashboard_figures(period, selection), selection))


@bp.get('/files')
def files():
    period, selection = _period(), _selection()
    which = request.args.get('which', 'all')
    if which not in WHICH:
        abort(400)
    page = max(request.args.get('page', 1, type=int), 1)
    rows, total = drill_down(period, selection, viewer=current_user, which=which, limit=100,
                             offset=(page - 1) * 100)
    return render_template('metrics/files.html', period=period, selection=selection, rows=rows, total=total,
                           which=which, page=page, pages=max(1, -(-total // 100)),
                           filters=_filters(period, selection))


@bp.get('/report')
def report():
    period, selection = _period(), _selection()
    targets = Targets()
    return render_template('metrics/report.html', period=period, selection=selection,
                           paperless=paperless(period, selection, targets=targets, list_limit=0),
                           indicators=indicators(period, selection, targets=targets),
                           dossiers=dossier_figures(period, selection, targets=targets),
                           printed_on=vn_today(), filters=_filters(period, selection))


@bp.get('/export/<name>.<fmt>')
@writes_when_read  # records who received it (audit)
def export(name, fmt):
    if name not in exports.TABLES or fmt not in exports.FORMATS:
        abort(404)
    period, selection = _period(), _selection()
    which = request.args.get('which', 'all')
    if which not in WHICH:
        abort(400)
    table = exports.build_table(name, period, selection, viewer=current_user, which=which)
    audit.record_access(current_user, 'export', None, table=name, format=fmt, which=which,
                        start=period.start.isoformat(), end=period.end.isoformat(), rows=len(table.rows))
    filename = f'{name}-{period.start.isoformat()}-{period.end.isoformat()}.{fmt}'
    headers = {'Content-Disposition': f'attachment; filename="{filename}"'}
    if fmt == 'csv':
        return Response(exports.to_csv(table), mimetype='text/csv; charset=utf-8', headers=headers)
    return Response(exports.to_xlsx(table), headers=headers,
                    mimetype='application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')


# ---------------------------------------------------------------- targets (admin)

@bp.route('/targets', methods=['GET', 'POST'])
def targets():
    _require_admin()
    seed_default_targets()
    form = TargetForm()
    status = 200
    if form.validate_on_submit():
        row = set_target(current_user, level=form.level.data, year=form.year.data, indicator=form.indicator.data,
                         value=float(form.value.data) / 100)
        flash(_('Đã lưu chỉ tiêu %(name)s từ năm %(year)d.', name=indicator_label(row.indicator), year=row.year),
              'success')
        return redirect(url_for('metrics.targets'))
    if form.is_submitted():
        status = 400
    return render_template('metrics/targets.html', form=form, rows=all_targets(),
                           indicators=INDICATORS), status


@bp.post('/targets/<int:target_id>/delete')
def remove_target(target_id):
    _require_admin()
    delete_target(current_user, target_id)
    flash(_('Đã xóa chỉ tiêu.'), 'success')
    return redirect(url_for('metrics.targets'))


# ---------------------------------------------------------------- TTHC dossiers

@bp.route('/dossiers', methods=['GET', 'POST'])
def dossiers():
    period, selection = _period(), _selection()
    form = DossierImportForm()
    errors, status = [], 200
    if request.method == 'POST':
        _require_admin()
        if form.validate_on_submit():
            upload = form.file.data
            try:
                with attempt():
                    batch = import_dossiers(current_user, filename=upload.filename, data=upload.read())
            except ImportRejected as rejected:
                errors, status = rejected.errors, 422
                flash(rejected.message, 'danger')
            except DomainError as exc:
                status = exc.status
                flash(exc.message, 'danger')
            else:
                flash(_('Đã nhập %(n)d dòng số liệu hồ sơ TTHC (%(r)d dòng thay thế số liệu cũ).',
                        n=batch.row_count, r=batch.replaced), 'success')
                return redirect(url_for('metrics.dossiers', **period.query_args()))
        else:
            status = 400
    return render_template('metrics/dossiers.html', form=form, errors=errors, period=period, selection=selection,
                           picker=_picker(period), filters=_filters(period, selection),
                           dossiers=dossier_figures(period, selection)), status
