"""The password policy, for every password a person sets (the admin's user form and reset, the
create-admin command, the person's own change): at least MIN_LENGTH characters, not one of the
common passwords bundled beside this module, and not the username.

Demo seeding and the test builders set their known passwords directly (User.set_password), outside
the policy, on purpose: those accounts exist to be signed in to with a published password.
"""
from functools import cache
from pathlib import Path

from flask_babel import gettext as _

from ..errors import BadInput

MIN_LENGTH = 10
COMMON = Path(__file__).with_name('common_passwords.txt')


@cache
def common_passwords():
    lines = COMMON.read_text(encoding='utf-8').splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith('#'))


def check_password_policy(password, *, username=None):
    """Refuse (400, weak_password) a password that is too short, too common, or the username."""
    password = password or ''
    if len(password) < MIN_LENGTH:
        raise BadInput(_('Mật khẩu phải có ít nhất %(n)d ký tự.', n=MIN_LENGTH), code='weak_password')
    folded = password.strip().lower()
    if folded in common_passwords() or _repeats(folded):
        raise BadInput(_('Mật khẩu này quá phổ biến và dễ bị đoán; hãy chọn mật khẩu khác.'), code='weak_password')
    if username and folded == username.strip().lower():
        raise BadInput(_('Mật khẩu không được trùng với tên đăng nhập.'), code='weak_password')


def _repeats(text):
    """One character over and over (aaaaaaaaaa), or a short run repeated (abcabcabcabc)."""
    return any(len(text) % size == 0 and text == text[:size] * (len(text) // size) for size in range(1, 4))
