"""A background job as the user sees it: what it is, how far it got, and what happened to each item."""
import json

from ..dbtypes import UtcDateTime
from ..extensions import db
from ..timeutil import now

JOB_KINDS = ('bulk_sign', 'reminders', 'archive_timestamps')
JOB_STATES = ('queued', 'running', 'finished', 'failed')


class JobRun(db.Model):
    __tablename__ = 'job_runs'
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(30), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey('users.id'), index=True)
    state = db.Column(db.String(10), nullable=False, default='queued')
    total = db.Column(db.Integer, nullable=False, default=0)
    done = db.Column(db.Integer, nullable=False, default=0)
    failed = db.Column(db.Integer, nullable=False, default=0)
    results_json = db.Column('results', db.Text, nullable=False, default='[]')
    message = db.Column(db.Text, nullable=False, default='')
    queue_job_id = db.Column(db.String(64))
    created_at = db.Column(UtcDateTime(), nullable=False, default=now)
    started_at = db.Column(UtcDateTime())
    finished_at = db.Column(UtcDateTime())

    @property
    def results(self):
        return json.loads(self.results_json or '[]')

    def add_result(self, **item):
        self.results_json = json.dumps(self.results + [item], ensure_ascii=False)

    @property
    def finished(self):
        return self.state in ('finished', 'failed')

    @property
    def percent(self):
        return 100 if not self.total else int(100 * (self.done + self.failed) / self.total)
