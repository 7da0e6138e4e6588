"""Gapless, never-reused numbers per organisation, register and year.

The counter row is incremented with a single UPDATE … RETURNING: on PostgreSQL the row stays
locked until the request's transaction commits, so concurrent clerks queue behind each other and a
rolled-back issuance gives its number back. SQLite serialises writers on its own.
"""
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db


class RegisterCounter(db.Model):
    __tablename__ = 'register_counters'
    unit_id = db.Column(db.Integer, db.ForeignKey('units.id'), primary_key=True)
    register = db.Column(db.String(10), primary_key=True)  # outgoing | incoming
    year = db.Column(db.Integer, primary_key=True)
    last_number = db.Column(db.Integer, nullable=False, default=0)


def _ensure_counter(unit_id, register, year):
    exists = db.session.get(RegisterCounter, (unit_id, register, year))
    if exists is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.execute(insert(RegisterCounter).values(
                unit_id=unit_id, register=register, year=year, last_number=0))
    except IntegrityError:
        pass  # another clerk created it first: fine, we increment theirs


def next_number(unit_id, register, year):
    """Take the next number in the unit's register for the year (1, 2, 3 …)."""
    _ensure_counter(unit_id, register, year)
    statement = (update(RegisterCounter)
                 .where(RegisterCounter.unit_id == unit_id, RegisterCounter.register == register,
                        RegisterCounter.year == year)
                 .values(last_number=RegisterCounter.last_number + 1)
                 .returning(RegisterCounter.last_number))
    return db.session.execute(statement, execution_options={'synchronize_session': False}).scalar_one()


def format_number(seq, doc_type, issuing_abbreviation, drafting_abbreviation=None):
    """Decree 30 number and notation: '15/QĐ-UBND', or for a Công văn '12/UBND-VP'."""
    if doc_type == 'CV':
        groups = [issuing_abbreviation]
        if drafting_abbreviation and drafting_abbreviation != issuing_abbreviation:
            groups.append(drafting_abbreviation)
    else:
        groups = [doc_type, issuing_abbreviation]
    return f'{seq:02d}/' + '-'.join(groups)
