"""Deadline reminders and the in-app notification count."""
import logging
from collections import defaultdict
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..directory.models import User
from ..extensions import db
from ..files.models import Assignment, WorkFile
from ..files.transitions import CLOSED
from ..inbox.versions import touch_users
from ..policy import handles_unit_mail
from ..timeutil import aware, now, vn, vn_date_str, vn_today
from ..unit_of_work import after_commit
from .mailer import MailError, mail_enabled, send_mail
from .models import Notification

log = logging.getLogger(__name__)
REMINDER_KINDS = ('deadline_soon', 'overdue')


def unread_count(user):
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def recent_notifications(user, limit=50):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id.desc()).limit(limit)).all()


def mark_all_read(user):
    db.session.execute(Notification.__table__.update().where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=now()))
    touch_users(db.session, [user.id])  # the badge on their pages changes


def _files_due(horizon):
    return db.session.scalars(select(WorkFile).where(
        WorkFile.deadline.isnot(None), WorkFile.deadline <= horizon, WorkFile.closed_at.is_(None),
        WorkFile.status.not_in(CLOSED)).order_by(WorkFile.deadline)).all()


def _people_responsible(file):
    """Whoever holds the file (or the holding unit's clerks) and its active lead handlers."""
    people = {}
    if file.holder_user_id is not None:
        people[file.holder_user_id] = file.holder_user
    elif file.holder_unit_id is not None:
        for clerk in db.session.scalars(select(User).where(User.unit_id == file.holder_unit_id, User.active)):
            if handles_unit_mail(clerk):
                people[clerk.id] = clerk
    leads = db.session.scalars(select(Assignment).where(
        Assignment.file_id == file.id, Assignment.role == 'lead', Assignment.done_at.is_(None)))
    for assignment in leads:
        people[assignment.user_id] = assignment.user
    return [user for user in people.values() if user is not None and user.active]


def _reminder_text(file, kind):
    if kind == 'overdue':
        return _('Hồ sơ "%(title)s" đã quá hạn xử lý (hạn %(date)s).', title=file.title,
                 date=vn_date_str(file.deadline))
    return _('Hồ sơ "%(title)s" sắp đến hạn xử lý (hạn %(date)s).', title=file.title,
             date=vn_date_str(file.deadline))


def create_deadline_reminders():
    """One in-app notification per person, file and day for files due soon or overdue (idempotent)."""
    today, moment = vn_today(), now()
    horizon = moment + timedelta(days=current_app.config['REMINDER_DAYS'])
    existing = set(db.session.execute(select(Notification.user_id, Notification.file_id, Notification.kind)
                                      .where(Notification.day == today)).all())
    created = []
    for file in _files_due(horizon):
        kind = 'overdue' if aware(file.deadline) < moment else 'deadline_soon'
        for user in _people_responsible(file):
            if (user.id, file.id, kind) in existing:
                continue
            existing.add((user.id, file.id, kind))
            note = Notification(user_id=user.id, file_id=file.id, kind=kind, day=today,
                                message=_reminder_text(file, kind), created_at=moment)
            db.session.add(note)
            created.append(note)
    db.session.flush()
    return created


class MailOutcome:
    """What became of the reminder e-mails of one transaction, known once it has committed."""

    def __init__(self):
        self.sent, self.failed = [], []  # lists of notification ids


def prepare_reminder_mail():
    """Today's reminders not yet mailed, one message per person: marked as mailed in this transaction
    and handed to SMTP once it commits (unit_of_work.after_commit); returns the MailOutcome."""
    outcome = MailOutcome()
    if not mail_enabled():
        return outcome
    pending = db.session.scalars(select(Notification).where(
        Notification.day == vn_today(), Notification.kind.in_(REMINDER_KINDS),
        Notification.emailed_at.is_(None)).order_by(Notification.id)).all()
    by_user = defaultdict(list)
    for note in pending:
        by_user[note.user_id].append(note)
    messages = []
    for user_id, notes in by_user.items():
        user = db.session.get(User, user_id)
        if not user.email:
            continue
        subject = _('[Văn phòng điện tử] %(n)d hồ sơ sắp đến hạn hoặc quá hạn', n=len(notes))
        body = '\n'.join([_('Kính gửi %(name)s,', name=user.full_name), ''] + [f'- {n.message}' for n in notes]
                         + ['', _('Thời điểm nhắc: %(at)s', at=vn(now()).strftime('%H:%M %d/%m/%Y'))])
        for note in notes:
            note.emailed_at = now()
        messages.append((user.email, subject, body, [n.id for n in notes]))
    db.session.flush()
    after_commit(lambda: _send_all(messages, outcome))
    return outcome


def _send_all(messages, outcome):
    for address, subject, body, note_ids in messages:
        try:
            send_mail(address, subject, body)
        except MailError as exc:
            log.warning('reminder mail to %s not sent: %s', address, exc)
            outcome.failed.extend(note_ids)
            continue
        outcome.sent.append(note_ids[0])


def retry_mail_later(note_ids):
    """Reminders whose e-mail did not go out are mailed again on the next run."""
    db.session.execute(Notification.__table__.update().where(Notification.id.in_(note_ids)).values(emailed_at=None))


def send_deadline_reminders():
    """Create today's reminders and prepare their e-mail; returns (notifications created, MailOutcome)."""
    created = create_deadline_reminders()
    return len(created), prepare_reminder_mail()
