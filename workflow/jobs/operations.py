"""Starting background work: what may be queued, by whom, and the JobRun that follows it.

The jobs are queued only once the request's transaction commits (queue.enqueue_after_commit), so a
refused or rolled-back request never leaves a job behind.
"""
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from .. import policy
from ..errors import BadInput
from ..extensions import db
from ..files import transitions
from ..files.models import Document, WorkFile
from ..signing.credentials import check_pin
from ..signing.models import SignatureRecord
from . import tasks
from .models import JobRun
from .queue import enqueue_after_commit, seal_secret

SIGNABLE = ('awaiting_signature', 'sign_failed')
ADMIN_JOBS = {'archive_timestamps': tasks.archive_timestamps, 'reminders': tasks.send_reminders}


def files_awaiting_signature(user):
    return db.session.scalars(select(WorkFile).where(
        WorkFile.holder_user_id == user.id, WorkFile.direction == 'outgoing', WorkFile.status.in_(SIGNABLE))
        .order_by(WorkFile.held_since.desc(), WorkFile.id.desc()).limit(500)).all()


def start_bulk_sign(user, file_ids, pin):
    """Check the choice and the PIN (a mistyped PIN costs one attempt, not one per document), then
    queue the job; returns the JobRun."""
    policy.require(policy.may_bulk_sign, user)
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


def pending_archive_count():
    """Issued documents still without an archive timestamp."""
    archived = select(SignatureRecord.document_id).where(SignatureRecord.role == 'archive')
    return db.session.scalar(select(db.func.count(Document.id)).join(WorkFile, Document.file_id == WorkFile.id)
                             .where(WorkFile.direction == 'outgoing', WorkFile.issued_at.isnot(None),
                                    Document.id.not_in(archived)))


def start_admin_job(actor, kind):
    """An administrator starts maintenance by hand (cron does it on schedule); returns the JobRun."""
    policy.require(policy.may_administer, actor)
    total = pending_archive_count() if kind == 'archive_timestamps' else 0
    run = JobRun(kind=kind, user_id=actor.id, total=total)
    db.session.add(run)
    run.queue_job_id = enqueue_after_commit(run, ADMIN_JOBS[kind])
    return run


def recent_admin_runs(limit=20):
    return db.session.scalars(select(JobRun).where(JobRun.kind != 'bulk_sign')
                              .order_by(JobRun.id.desc()).limit(limit)).all()
