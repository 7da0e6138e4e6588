"""Pages and the JSON progress endpoint for background work.

Bulk signing: a leader picks up to BULK_SIGN_MAX documents awaiting their signature, enters the PIN
once, and watches the progress (static/js/job-progress.js polls `/jobs/<id>/progress`). What may be
started, and the PIN check before it, are the operations' (jobs/operations.py).
"""
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import policy
from ..errors import DomainError
from ..extensions import db
from ..unit_of_work import attempt
from .forms import BulkSignForm, StartJobForm
from .models import JobRun
from .operations import (
    files_awaiting_signature,
    pending_archive_count,
    recent_admin_runs,
    start_admin_job,
    start_bulk_sign,
)

bp = Blueprint('jobs', __name__, url_prefix='/jobs')


@bp.route('/bulk-sign', methods=['GET', 'POST'])
@login_required
def bulk_sign():
    policy.require(policy.may_bulk_sign, current_user)
    candidates = files_awaiting_signature(current_user)
    form = BulkSignForm()
    form.file_ids.choices = [(f.id, f.title) for f in candidates]
    if not form.validate_on_submit():
        return render_template('jobs/bulk_sign.html', form=form, files=candidates,
                               limit=current_app.config['BULK_SIGN_MAX']), 400 if form.is_submitted() else 200
    try:
        with attempt():
            run = start_bulk_sign(current_user, form.file_ids.data, form.pin.data)
    except DomainError as exc:
        return render_template('jobs/bulk_sign.html', form=form, files=candidates, error=exc.message,
                               limit=current_app.config['BULK_SIGN_MAX']), exc.status
    return redirect(url_for('jobs.show', run_id=run.id))


@bp.route('/maintenance', methods=['GET', 'POST'])
@login_required
def maintenance():
    """Admins start the archive-timestamp and reminder jobs by hand (cron does it on schedule)."""
    policy.require(policy.may_administer, current_user)
    archive_form, reminder_form = StartJobForm(prefix='archive'), StartJobForm(prefix='reminders')
    return render_template('jobs/maintenance.html', archive_form=archive_form, reminder_form=reminder_form,
                           runs=recent_admin_runs(), pending=pending_archive_count())


def _start_admin_job(kind, form_prefix):
    policy.require(policy.may_administer, current_user)
    if not StartJobForm(prefix=form_prefix).validate_on_submit():
        abort(400)
    run = start_admin_job(current_user, kind)
    flash(_('Đã đưa công việc vào hàng đợi.'), 'success')
    return redirect(url_for('jobs.show', run_id=run.id))


@bp.post('/archive-timestamps')
@login_required
def start_archive_timestamps():
    return _start_admin_job('archive_timestamps', 'archive')


@bp.post('/reminders')
@login_required
def start_reminders():
    return _start_admin_job('reminders', 'reminders')


def _own_run_or_404(run_id):
    run = db.session.get(JobRun, run_id)
    if run is None or not policy.may_follow_job(current_user, run):
        abort(404)
    return run


@bp.get('/<int:run_id>')
@login_required
def show(run_id):
    return render_template('jobs/show.html', run=_own_run_or_404(run_id))


@bp.get('/<int:run_id>/progress')
@login_required
def progress(run_id):
    run = _own_run_or_404(run_id)
    response = jsonify({
        'id': run.id, 'kind': run.kind, 'state': run.state, 'total': run.total, 'done': run.done,
        'failed': run.failed, 'percent': run.percent, 'finished': run.finished, 'message': run.message,
        'results': run.results,
    })
    response.headers['Cache-Control'] = 'no-store'
    return response
