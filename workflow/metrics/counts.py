"""What every figure is read from: the daily counts summed over a period and the work files closed
in it, per level or per unit; and `rate`, one count over another.

Every figure is a database aggregation (GROUP BY unit or level), never a loop over work files in
Python.

A file counts for the unit that owns it (`owner_unit_id`) and for that unit's level *as it is when
the question is asked*: moving a unit to another level moves its whole history with it.
"""
from sqlalchemy import and_, func, select

from ..directory.models import Unit
from ..extensions import db
from ..files.models import WorkFile
from .models import HANDLING_BUCKET_COLUMNS, DailyCount


def rate(part, whole):
    """A fraction, or None when there is nothing to divide by (an empty period has no rate)."""
    return part / whole if whole else None


# ---------------------------------------------------------------- the daily counts

def _in_period(period):
    return and_(DailyCount.day >= period.start, DailyCount.day <= period.end)


SUM_COLUMNS = ('closed', 'fully_electronic', 'with_deadline', 'on_time', 'handling_seconds', 'issued',
               'issued_signed')


def daily_sums(period, selection, group, *, with_buckets=False):
    columns = SUM_COLUMNS + (HANDLING_BUCKET_COLUMNS if with_buckets else ())
    query = (select(group.label('key'), *[func.sum(getattr(DailyCount, name)).label(name) for name in columns])
             .join(Unit, Unit.id == DailyCount.unit_id)
             .where(_in_period(period), selection.restrict(DailyCount.unit_id)).group_by(group))
    return {row.key: {name: int(getattr(row, name) or 0) for name in columns} for row in db.session.execute(query)}


EMPTY_SUMS = {'closed': 0, 'fully_electronic': 0, 'with_deadline': 0, 'on_time': 0, 'handling_seconds': 0,
              'issued': 0, 'issued_signed': 0}


# ---------------------------------------------------------------- the work files

def closed_in(period):
    return and_(WorkFile.closed_at >= period.start_utc, WorkFile.closed_at < period.end_utc)
