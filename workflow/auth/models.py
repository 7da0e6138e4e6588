"""API bearer tokens, stored only as their SHA-256."""
import hashlib
import secrets
from datetime import timedelta

from ..dbtypes import UtcDateTime
from ..extensions import db
from ..timeutil import aware, now


class ApiToken(db.Model):
    __tablename__ = 'api_tokens'
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey('users.id'), nullable=False, index=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    created_at = db.Column(UtcDateTime(), nullable=False, default=now)
    expires_at = db.Column(UtcDateTime(), nullable=False)

    user = db.relationship('User')

    @property
    def expired(self):
        return aware(self.expires_at) <= now()


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user, hours):
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_digest(token), created_at=now(),
                   expires_at=now() + timedelta(hours=hours))
    db.session.add(row)
    db.session.flush()
    return token, row


def user_for_token(token):
    row = db.session.query(ApiToken).filter_by(token_hash=_digest(token)).one_or_none()
    if row is None or row.expired or not row.user.active:
        return None
    return row.user
