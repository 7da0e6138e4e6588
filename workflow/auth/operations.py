"""Checking credentials, with a per-account lock against password guessing."""
from datetime import timedelta

from sqlalchemy import func, select

from .. import audit
from ..directory.models import User
from ..extensions import db
from ..timeutil import aware, now

MAX_FAILURES = 5
LOCK_MINUTES = 15


class LoginLocked(Exception):
    def __init__(self, until):
        super().__init__('locked')
        self.until = until


def authenticate(username, password):
    """The user if the credentials fit; None otherwise. Raises LoginLocked after repeated failures."""
    user = db.session.scalar(select(User).where(func.lower(User.username) == (username or '').strip().lower()))
    if user is None:
        User(password_hash='$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$' + 'A' * 43).check_password(password or '')
        return None
    if user.locked_until is not None and aware(user.locked_until) > now():
        raise LoginLocked(aware(user.locked_until))
    if not user.active or not user.check_password(password or ''):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = now() + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
            audit.record(None, 'login_locked', user)
        db.session.flush()
        return None
    user.failed_logins, user.locked_until = 0, None
    audit.record(user, 'login', user)
    db.session.flush()
    return user
