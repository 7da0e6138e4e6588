"""Checking credentials, with guessing slowed down per source, per username and per known device
(throttle.py) — never a lock that keeps the rightful person out, and the same answer whether or not
the username exists."""
import secrets
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from .. import audit, policy
from ..directory.models import User
from ..extensions import db
from ..timeutil import now
from . import throttle
from .models import ApiToken


@cache
def _nobody_hash():
    """A hash with the deployment's own parameters, checked when the username is unknown so that the
    answer takes as long as for a known one."""
    nobody = User()
    nobody.set_password(secrets.token_urlsafe(16))
    return nobody.password_hash


class LoginThrottled(Exception):
    """Too many failures lately under the source, the username or the device: try again later."""

    def __init__(self, seconds):
        super().__init__('throttled')
        self.seconds = max(1, int(seconds + 0.999))

    @property
    def message(self):
        """The same words whoever the username names, and whether it exists or not."""
        return _('Đăng nhập sai quá nhiều lần; vui lòng thử lại sau %(s)d giây.', s=self.seconds)


def authenticate(username, password, *, source=None, device_cookie=None):
    """The user if the credentials fit; None otherwise (unknown, inactive and wrong alike).

    Raises LoginThrottled when the source or the username must wait — or, from a browser the person
    signed in with before (`device_cookie`), only when that device must. A failure is counted and
    audited; the caller commits it although it refuses the request.
    """
    typed = (username or '').strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.username) == typed))
    device = throttle.known_device(device_cookie, user)
    keys = ([throttle.device_key(device)] if device
            else [throttle.source_key(source), throttle.account_key(typed)])
    wait = throttle.seconds_to_wait(keys)
    if wait > 0:
        raise LoginThrottled(wait)
    if user is None:
        User(password_hash=_nobody_hash()).check_password(password or '')
        ok = False
    else:
        ok = user.check_password(password or '') and user.active
    if not ok:
        for key in keys:
            throttle.count_failure(key)
        audit.record(None, 'login_failed', user, username=typed[:80], source=source, known_device=bool(device))
        return None
    throttle.forget([throttle.account_key(typed), *([throttle.device_key(device)] if device else [])])
    audit.record(user, 'login', user, source=source)
    db.session.flush()
    return user


# ---------------------------------------------------------------- ending sessions, API tokens

def end_sessions(user, *, reason, actor=None, revoke_tokens=False):
    """Every session and remember-me cookie of `user` stops working (and, with `revoke_tokens`,
    every API token): on logout, a password change, deactivation."""
    user.end_sessions()
    revoked = 0
    if revoke_tokens:
        revoked = db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id)).rowcount
    db.session.flush()
    audit.record(actor or user, 'logout' if reason == 'logout' else 'sessions_ended', user, reason=reason,
                 tokens_revoked=revoked)


def forget_failures(user):
    """The username's failed sign-ins are forgotten (an admin just gave the person a new password);
    the sources' counts stay."""
    throttle.forget([throttle.account_key(user.username)])


def tokens_of(actor, person):
    """The person's API tokens still in force, newest first: for the person or an admin."""
    policy.require(policy.may_manage_tokens_of, actor, person)
    return db.session.scalars(select(ApiToken).where(ApiToken.user_id == person.id, ApiToken.expires_at > now())
                              .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()


def revoke_token(actor, token):
    """The token stops working at once: by its owner or an admin."""
    policy.require(policy.may_manage_tokens_of, actor, token.user)
    audit.record(actor, 'revoke_token', token.user, token_id=token.id)
    db.session.delete(token)
    db.session.flush()
