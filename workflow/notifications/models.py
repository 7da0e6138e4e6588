"""A notification shown to one user in the app (and, for reminders, also sent by e-mail)."""
from ..dbtypes import UtcDateTime
from ..extensions import db
from ..timeutil import now


class Notification(db.Model):
    __tablename__ = 'notifications'
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey('users.id'), nullable=False)
    file_id = db.Column(db.Integer, db.ForeignKey('work_files.id'))
    kind = db.Column(db.String(20), nullable=False)  # deadline_soon | overdue | job_finished
    day = db.Column(db.Date)  # reminders: at most one per user, file, kind and Vietnamese day
    message = db.Column(db.Text, nullable=False)
    created_at = db.Column(UtcDateTime(), nullable=False, default=now)
    read_at = db.Column(UtcDateTime())
    emailed_at = db.Column(UtcDateTime())

    file = db.relationship('WorkFile')

    __table_args__ = (
        db.UniqueConstraint('user_id', 'file_id', 'kind', 'day', name='uq_notifications_reminder'),
        db.Index('ix_notifications_user_unread', 'user_id', 'read_at'),
    )
