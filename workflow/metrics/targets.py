"""Reading the targets: what each level must reach for an indicator in a given year (they are set
and seeded in operations.py)."""
from collections import defaultdict

from sqlalchemy import select

from ..extensions import db
from .models import Target


class Targets:
    """All targets, read once. The target for a year is the one set for the latest year at or
    before it (a step function: the 2025 value holds for 2025–2029, the 2030 value from 2030 on);
    before the first year set, the first one applies (the milestone being worked towards)."""

    def __init__(self):
        self.by_key = defaultdict(list)
        for row in db.session.scalars(select(Target).order_by(Target.year)):
            self.by_key[(row.level_code, row.indicator)].append((row.year, row.value))

    def value(self, level, year, indicator):
        rows = self.by_key.get((level, indicator))
        if not rows:
            return None
        chosen = rows[0][1]
        for row_year, value in rows:
            if row_year <= year:
                chosen = value
        return chosen


def all_targets():
    return db.session.scalars(select(Target).order_by(Target.indicator, Target.level_code, Target.year)).all()
