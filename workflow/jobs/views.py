"""Pages and the JSON progress endpoint for background work.

Bulk signing: a leader picks up to BULK_SIGN_MAX documents awaiting their signature, enters the PIN
once, and watches the progress (static/js/job-progress.js polls `/jobs/<id>/progress`). The PIN is
checked here first, so that a mistyped PIN costs one attempt, not one per document.
"""
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import policy
from ..errors import BadInput, DomainError
from ..extensions import db
from ..files import transitions
from ..files.models import Document, WorkFile
from ..signing.credentials import check_pin
from ..signing.models import SignatureRecord
from ..unit_of_work import attempt
from . import tasks
from .forms import BulkSignForm, StartJobForm
from .models import JobRun
from .queue import enqueue_after_commit, seal_secret

bp = Blueprint('jobs', __name__, url_prefix='/jobs')
SIGNABLE = ('awaiting_signature', 'sign_failed')


def files_awaiting_signature(user):
    return db.session.scalars(select(WorkFile).where(
        WorkFile.holder_user_id == user.id, WorkFile.direction == 'outgoing', WorkFile.status.in_(SIGNABLE))
        .order_by(WorkFile.held_since.desc(), WorkFile.id.desc()).limit(500)).all()


def start_bulk_sign(user, file_ids, pin):
    """Check the choice and the PIN, then queue the job; returns the JobRun."""
    limit = current_app.config['BULK_SIGN_MAX']
    file_ids = list(dict.fromkeys(file_ids))
    if not file_ids or len(file_ids) > limit:
        raise BadInput(_('Chọn từ 1 đến %(n)d văn bản cho một lần ký.', n=limit), code='too_many_files')
    files = {f.id: f for f in db.session.scalars(select(WorkFile).where(WorkFile.id.in_(file_ids)))}
    for file_id in file_ids:
        file = files.get(file_id)
        if file is None or not transitions.allowed(file, 'sign', user):
            raise BadInput(_('Hồ sơ %(id)d không chờ bạn ký.', id=file_id), code='not_signable')
    check_pin(user, pin)
    run = JobRun(kind='bulk_sign', user_id=user.id, total=len(file_ids), state='queued')
    db.session.add(run)
    run.queue_job_id = enqueue_after_commit(run, tasks.bulk_sign, user.id, file_ids, seal_secret(current_app, pin))
    return run


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


def _pending_archive_count():
    archived = select(SignatureRecord.document_id).where(SignatureRecord.role == 'archive')
    return db.session.scalar(select(db.func.count(Document.id)).join(WorkFile, Document.file_id == WorkFile.id)
                             .where(WorkFile.direction == 'outgoing', WorkFile.issued_at.isnot(None),
                                    Document.id.not_in(archived)))


@bp.route('/maintenance', methods=['GET', 'POST'])
@login_required
def maintenance():
    """Admins start the archive-timestamp and reminder jobs by hand (cron does it on schedule)."""
    policy.require(policy.may_administer, current_user)
    archive_form, reminder_form = StartJobForm(prefix='archive'), StartJobForm(prefix='reminders')
    runs = db.session.scalars(select(JobRun).where(JobRun.kind != 'bulk_sign')
                              .order_by(JobRun.id.desc()).limit(20)).all()
    return render_template('jobs/maintenance.html', archive_form=archive_form, reminder_form=reminder_form,
                           runs=runs, pending=_pending_archive_count())


def _start_admin_job(kind, task, total=0):
    policy.require(policy.may_administer, current_user)
    if not StartJobForm(prefix='archive' if kind == 'archive_timestamps' else 'reminders').validate_on_submit():
        abort(400)
    run = JobRun(kind=kind, user_id=current_user.id, total=total)
    db.session.add(run)
    run.queue_job_id = enqueue_after_commit(run, task)
    flash(_('Đã đưa công việc vào hàng đợi.'), 'success')
    return redirect(url_for('jobs.show', run_id=run.id))


@bp.post('/archive-timestamps')
@login_required
def start_archive_timestamps():
    return _start_admin_job('archive_timestamps', tasks.archive_timestamps, _pending_archive_count())


@bp.post('/reminders')
@login_required
def start_reminders():
    return _start_admin_job('reminders', tasks.send_reminders)


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
