"""The tamper-evident audit log: each entry carries the hash of the previous one."""
import hashlib
import json

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import select, text

from .dbtypes import UtcDateTime
from .extensions import db
from .timeutil import aware, now

GENESIS = '0' * 64


class AuditEntry(db.Model):
    __tablename__ = 'audit_log'
    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(UtcDateTime(), nullable=False, default=now)
    actor_id = db.Column(db.Integer, db.ForeignKey('users.id'))
    action = db.Column(db.String(40), nullable=False)
    object_type = db.Column(db.String(30), nullable=False, default='')
    object_id = db.Column(db.Integer)
    details = db.Column(db.Text, nullable=False, default='{}')
    prev_hash = db.Column(db.String(64), nullable=False)
    hash = db.Column(db.String(64), nullable=False, unique=True)

    def payload(self):
        return json.dumps({
            'at': aware(self.at).isoformat(), 'actor_id': self.actor_id, 'action': self.action,
            'object_type': self.object_type, 'object_id': self.object_id, 'details': self.details,
        }, sort_keys=True, ensure_ascii=False)

    def compute_hash(self):
        return hashlib.sha256((self.prev_hash + self.payload()).encode()).hexdigest()


def _lock_chain():
    """Writers append one at a time: on PostgreSQL a transaction-scoped advisory lock."""
    if db.engine.dialect.name == 'postgresql':
        db.session.execute(text('SELECT pg_advisory_xact_lock(7301)'))


def record(actor, action, obj=None, **details):
    """Append an entry for `action` by `actor` on `obj` (a model instance or None)."""
    _lock_chain()
    last = db.session.query(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1).scalar()
    entry = AuditEntry(
        at=now().replace(microsecond=0), actor_id=getattr(actor, 'id', None), action=action,
        object_type=type(obj).__name__ if obj is not None else '',
        object_id=getattr(obj, 'id', None),
        details=json.dumps(details, sort_keys=True, ensure_ascii=False, default=str),
        prev_hash=last or GENESIS)
    entry.hash = entry.compute_hash()
    db.session.add(entry)
    db.session.flush()
    return entry


def current_actor():
    """The user of the current request (API bearer or page session), or None (a command, a job, anonymous)."""
    if not has_request_context():
        return None
    if g.get('api_user') is not None:
        return g.api_user
    return current_user._get_current_object() if current_user.is_authenticated else None


def record_access(actor, action, obj=None, **details):
    """Record that `actor` received something (a document's bytes, an export), and through which door."""
    if has_request_context():
        details.setdefault('via', 'api' if request.path.startswith('/api/') else 'web')
    return record(actor, action, obj, **details)



def verify_chain():
    """Return the id of the first entry that does not fit the chain, or None if all is intact."""
    prev = GENESIS
    entries = db.session.execute(select(AuditEntry).order_by(AuditEntry.id)
                                 .execution_options(yield_per=1000)).scalars()
    for entry in entries:
        if entry.prev_hash != prev or entry.compute_hash() != entry.hash:
            return entry.id
        prev = entry.hash
    return None
