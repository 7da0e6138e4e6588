"""API bearer tokens, stored only as their SHA-256; and the counts that slow password guessing down."""
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


class LoginThrottle(db.Model):
    """Failed sign-ins counted under one key: a source address, a typed username (known or not) or a
    known device (auth/throttle.py), and until when the next try under that key is refused."""
    __tablename__ = 'login_throttles'
    key = db.Column(db.String(100), primary_key=True)
    failures = db.Column(db.Integer, nullable=False, default=0)
    last_failure_at = db.Column(UtcDateTime(), nullable=False, default=now)
    wait_until = db.Column(UtcDateTime())


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


def token_for(token):
    """The stored row of a bearer token (whichever state it is in), or None."""
    return db.session.query(ApiToken).filter_by(token_hash=_digest(token)).one_or_none()
