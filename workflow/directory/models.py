"""Units (the administrative tree) and the people who work in them."""
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from flask_login import UserMixin

from ..dbtypes import UtcDateTime
from ..extensions import db
from ..timeutil import now
from ..vocabulary import ROLES

UNIT_CODE_PATTERN = re.compile(r'^[A-Z]\d{2}(\.\d{2}){0,10}$')
_hasher = PasswordHasher()
ROLE_COLUMNS = {role: f'is_{role}' for role in ROLES}


def use_light_password_hashing():
    """Cheaper Argon2 parameters, for the test suite and bulk demo data only."""
    global _hasher
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class Level(db.Model):
    """A tier of government (district, commune, province …): data, not code."""
    __tablename__ = 'levels'
    code = db.Column(db.String(20), primary_key=True)
    name = db.Column(db.String(80), nullable=False)
    rank = db.Column(db.Integer, nullable=False, default=0)  # lower = higher tier


class Unit(db.Model):
    __tablename__ = 'units'
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(35), nullable=False, unique=True)
    name = db.Column(db.String(200), nullable=False)
    abbreviation = db.Column(db.String(20), nullable=False)
    level_code = db.Column(db.String(20), db.ForeignKey('levels.code'), nullable=False)
    parent_id = db.Column(db.Integer, db.ForeignKey('units.id'))
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(UtcDateTime(), nullable=False, default=now)

    parent = db.relationship('Unit', remote_side=[id], backref='children')
    level = db.relationship('Level')

    def __repr__(self):
        return f'<Unit {self.code} {self.abbreviation}>'

    @property
    def issuing_abbreviation(self):
        """The organisation part of a notation: 'UBND' or, for a department, 'UBND-VP'."""
        return self.abbreviation

    def ancestors(self):
        unit, chain = self.parent, []
        while unit is not None:
            chain.append(unit)
            unit = unit.parent
        return chain


class User(UserMixin, db.Model):
    __tablename__ = 'users'
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), nullable=False, unique=True)
    password_hash = db.Column(db.String(255), nullable=False)
    full_name = db.Column(db.String(120), nullable=False)
    title = db.Column(db.String(120), nullable=False, default='')
    unit_id = db.Column(db.Integer, db.ForeignKey('units.id'), nullable=False, index=True)
    # One column per role (vocabulary.ROLES): a person holds any set of them, and a query asks for one
    # with an indexable `WHERE is_clerk`, not a LIKE on a list written as text.
    is_specialist = db.Column(db.Boolean, nullable=False, default=True, server_default=db.true())
    is_leader = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    is_clerk = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    is_admin = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    locale = db.Column(db.String(5))
    email = db.Column(db.String(200))
    active = db.Column(db.Boolean, nullable=False, default=True)
    # Raised by logout, a password change and deactivation: part of the id kept in every session and
    # remember-me cookie (get_id), so each one signed before the raise stops working (auth/sessions.py).
    session_epoch = db.Column(db.Integer, nullable=False, default=0, server_default='0')
    created_at = db.Column(UtcDateTime(), nullable=False, default=now)

    unit = db.relationship('Unit', backref='users')

    def __repr__(self):
        return f'<User {self.username}>'

    @property
    def roles(self):
        """The person's roles, in the order of vocabulary.ROLES."""
        return [role for role in ROLES if getattr(self, ROLE_COLUMNS[role])]

    @roles.setter
    def roles(self, values):
        unknown = set(values) - set(ROLES)
        if unknown:
            raise ValueError(f'unknown roles: {sorted(unknown)}')
        for role, column in ROLE_COLUMNS.items():
            setattr(self, column, role in values)

    def has_role(self, role):
        return bool(getattr(self, ROLE_COLUMNS[role]))

    @classmethod
    def having_role(cls, role):
        """The same question as a WHERE clause."""
        return getattr(cls, ROLE_COLUMNS[role]).is_(True)

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        """What sessions and remember-me cookies keep: the id and the session epoch it was signed in under."""
        return f'{self.id}:{self.session_epoch or 0}'

    def __eq__(self, other):
        """The same person: compared by id, as Flask-Login compared get_id() before it carried the epoch
        (and without reading the epoch, which pages do not declare: inbox/rows.py)."""
        if isinstance(other, User):
            return self.id == other.id
        return NotImplemented

    __hash__ = UserMixin.__hash__

    def end_sessions(self):
        """Every session and remember-me cookie signed in before now stops working."""
        self.session_epoch = (self.session_epoch or 0) + 1

    def set_password(self, password):
        self.password_hash = _hasher.hash(password)

    def check_password(self, password):
        try:
            ok = _hasher.verify(self.password_hash, password)
        except (VerifyMismatchError, InvalidHashError):
            return False
        if ok and _hasher.check_needs_rehash(self.password_hash):
            self.set_password(password)
        return ok

    @property
    def display(self):
        return f'{self.full_name} ({self.title})' if self.title else self.full_name
