"""The background jobs. Each takes plain arguments (ids, never objects), so that RQ can carry it,
and does its work in short transactions of its own, recording progress on its JobRun."""
import logging

from flask_babel import gettext as _

from ..directory.models import User
from ..errors import DomainError
from ..extensions import db
from ..files.concurrency import lock_for_action
from ..files.models import WorkFile
from ..policy import may_view_file
from ..timeutil import now
from ..unit_of_work import transaction
from .models import JobRun
from .queue import task_app, unseal_secret

log = logging.getLogger(__name__)
STOP_CODES = ('wrong_pin', 'pin_locked', 'certificate_revoked', 'certificate_expired', 'no_certificate')


def _update_run(app, run_id, **changes):
    with app.app_context(), transaction():
        run = db.session.get(JobRun, run_id)
        result = changes.pop('result', None)
        for name, value in changes.items():
            setattr(run, name, value)
        if result is not None:
            run.add_result(**result)


def _start(app, run_id):
    _update_run(app, run_id, state='running', started_at=now())


def _finish(app, run_id, state='finished', message=''):
    _update_run(app, run_id, state=state, finished_at=now(), message=message)


# ---------------------------------------------------------------- bulk signing

def bulk_sign(run_id, user_id, file_ids, sealed_pin):
    """A leader signs the main document of each file with one PIN; one transaction per document."""
    from ..files.operations import sign_document

    app = task_app()
    pin = unseal_secret(app, sealed_pin)
    _start(app, run_id)
    if pin is None:
        _finish(app, run_id, 'failed', _('Phiên ký đã hết hạn; hãy chọn văn bản và nhập PIN lại.'))
        return
    for index, file_id in enumerate(file_ids):
        code = _sign_one(app, run_id, user_id, file_id, pin, sign_document)
        if code in STOP_CODES:  # the key itself is unusable: do not spend PIN attempts on the rest
            left = file_ids[index + 1:]
            for other in left:
                _update_run(app, run_id, result={'file_id': other, 'ok': False, 'code': 'skipped',
                                                 'message': _('Bỏ qua vì khóa ký không dùng được.')})
            with app.app_context(), transaction():
                db.session.get(JobRun, run_id).failed += len(left)
            break
    _finish(app, run_id)


def _sign_one(app, run_id, user_id, file_id, pin, sign_document):
    """Sign one file in a transaction of its own; returns the outcome's code ('signed' or the refusal's)."""
    with app.app_context():
        outcome = {'file_id': file_id, 'title': ''}
        try:
            with transaction():
                _sign_and_note(run_id, user_id, file_id, pin, sign_document, outcome)
            return 'signed'
        except DomainError as exc:  # the transaction kept the refusal's bookkeeping if it asked to
            code, message = exc.code, exc.message
        except Exception as exc:  # one broken document must not stop the other 49
            log.exception('bulk signing of file %s failed', file_id)
            code, message = 'error', _('Lỗi ngoài ý muốn: %(e)s', e=type(exc).__name__)
        with transaction():
            run = db.session.get(JobRun, run_id)
            run.failed += 1
            run.add_result(**outcome, ok=False, code=code, message=message)
        return code


def _sign_and_note(run_id, user_id, file_id, pin, sign_document, outcome):
    actor = db.session.get(User, user_id)
    file = db.session.get(WorkFile, file_id)
    if file is None or actor is None or not may_view_file(actor, file) or file.main_document is None:
        raise DomainError(_('Không tìm thấy hồ sơ.'), code='file_not_found')
    outcome['title'] = file.title
    lock_for_action(file)  # the same row lock a web request takes: no double signature
    sign_document(file, actor, document=file.main_document, pin=pin)
    run = db.session.get(JobRun, run_id)
    run.done += 1
    run.add_result(**outcome, ok=True, code='signed', message=_('Đã ký'))


# ---------------------------------------------------------------- deadline reminders

def send_reminders(run_id=None):
    """In-app reminders and e-mails for files due soon or overdue."""
    from ..notifications.operations import retry_mail_later, send_deadline_reminders

    app = task_app()
    if run_id is not None:
        _start(app, run_id)
    with app.app_context():
        with transaction():
            created, mail = send_deadline_reminders()  # the mail goes out once the reminders are committed
        if mail.failed:
            with transaction():
                retry_mail_later(mail.failed)
        mailed = len(mail.sent)
    if run_id is not None:
        _update_run(app, run_id, total=created, done=created)
        _finish(app, run_id, message=_('%(n)d nhắc việc, %(m)d thư điện tử.', n=created, m=mailed))
    return created, mailed


# ---------------------------------------------------------------- archive timestamps

def _anchor_audit_chain(app):
    """The maintenance run also anchors the audit chain's head in the object store (audit_anchors.py)."""
    from ..audit_anchors import anchor_head

    with app.app_context(), transaction():
        anchor_head()


ARCHIVE_BATCH = 10


def archive_timestamps(run_id=None):
    """Archive timestamps (B-LTA) for issued documents, in batches of ten per transaction."""
    from ..files.operations import archive_timestamp_issued

    app = task_app()
    if run_id is not None:
        _start(app, run_id)
    total = 0
    try:
        while True:
            with app.app_context(), transaction():
                count = archive_timestamp_issued(limit=ARCHIVE_BATCH)
                if run_id is not None:
                    run = db.session.get(JobRun, run_id)
                    run.done += count
                    run.total = max(run.total, run.done)
            total += count
            if count < ARCHIVE_BATCH:
                break
        _anchor_audit_chain(app)
    except Exception as exc:
        log.exception('archive timestamps failed')
        if run_id is not None:
            _finish(app, run_id, 'failed', _('Lỗi: %(e)s', e=str(exc)[:200]))
        raise
    if run_id is not None:
        _finish(app, run_id, message=_('Đã đóng dấu thời gian lưu trữ %(n)d văn bản.', n=total))
    return total
