"""The further indicators, per level and per unit: signed share of issued documents, on-time
completion, median handling time (from the histogram of the daily counts, and exactly from the work
files as a check), files overdue now; and the paperless rate month by month (the trend)."""
from collections import defaultdict

from sqlalchemy import and_, func, select

from ..directory.models import Unit
from ..extensions import db
from ..files.models import WorkFile
from ..timeutil import now
from .counts import EMPTY_SUMS, closed_in, daily_sums, rate
from .models import (
    HANDLING_BUCKET_COLUMNS,
    HANDLING_BUCKET_EDGES_HOURS,
    INDICATOR_DIGITAL_SIGNATURE,
    INDICATOR_PAPERLESS,
    DailyCount,
)
from .periods import trailing_months
from .targets import Targets

# ---------------------------------------------------------------- median handling time

def _duration_seconds():
    if db.engine.dialect.name == 'postgresql':
        return func.date_part('epoch', WorkFile.closed_at - WorkFile.created_at)  # float8; EXTRACT is numeric
    return (func.julianday(WorkFile.closed_at) - func.julianday(WorkFile.created_at)) * 86400.0


def median_from_buckets(counts):
    """The median handling time in seconds from a histogram (counts per bucket of
    models.HANDLING_BUCKET_EDGES_HOURS), or None for no files.

    The k-th of the c files in bucket [low, high) is placed at low + (high − low)·(k − ½)/c (spread
    evenly, linear interpolation); the median is the middle file's value, or the mean of the two
    middle files' values for an even count. Each estimated file lies in the same bucket as the real
    one, so the result is within the width of the bucket(s) holding the middle file(s) of the exact
    median. The last bucket is open-ended: a middle file there is given as its lower edge (30 days)."""
    counts = [int(c or 0) for c in counts]
    total = sum(counts)
    if not total:
        return None
    edges = HANDLING_BUCKET_EDGES_HOURS

    def value_at(rank):  # rank counts from 1
        before = 0
        for index, count in enumerate(counts):
            if rank <= before + count:
                low = edges[index] * 3600.0
                if index + 1 >= len(edges):
                    return low
                high = edges[index + 1] * 3600.0
                return low + (high - low) * (rank - before - 0.5) / count
            before += count
        raise AssertionError('rank beyond the histogram')

    return (value_at((total + 1) // 2) + value_at((total + 2) // 2)) / 2


def _median_of(sums):
    return median_from_buckets([sums.get(name, 0) for name in HANDLING_BUCKET_COLUMNS])


def median_handling_seconds(period, selection, *, by='level'):
    """{level or unit_id: median of closed_at − created_at in seconds} over files closed in the
    period, read from the handling-time histogram of the daily counts: approximate to the bucket
    resolution (see median_from_buckets), and its cost does not grow with the number of files."""
    group = Unit.level_code if by == 'level' else DailyCount.unit_id
    sums = daily_sums(period, selection, group, with_buckets=True)
    medians = {key: _median_of(entry) for key, entry in sums.items()}
    return {key: value for key, value in medians.items() if value is not None}


def exact_median_handling_seconds(period, selection, *, by='level'):
    """The exact median, straight from the work files (reads every file closed in the period): used
    to check the histogram's median, never by the dashboard or the API.

    PostgreSQL: percentile_cont(0.5). Elsewhere: the middle row(s) by ROW_NUMBER() over the
    group, which gives the same interpolated median."""
    group = Unit.level_code if by == 'level' else WorkFile.owner_unit_id
    where = and_(closed_in(period), selection.restrict(WorkFile.owner_unit_id))
    duration = _duration_seconds()
    if db.engine.dialect.name == 'postgresql':
        query = (select(group, func.percentile_cont(0.5).within_group(duration))
                 .join(Unit, Unit.id == WorkFile.owner_unit_id).where(where).group_by(group))
        return {key: float(value) for key, value in db.session.execute(query) if value is not None}
    ranked = (select(group.label('key'), duration.label('seconds'),
                     func.row_number().over(partition_by=group, order_by=duration).label('rn'),
                     func.count().over(partition_by=group).label('n'))
              .join(Unit, Unit.id == WorkFile.owner_unit_id).where(where).subquery())
    query = (select(ranked.c.key, func.avg(ranked.c.seconds))
             .where(ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2])).group_by(ranked.c.key))
    return {key: float(value) for key, value in db.session.execute(query) if value is not None}


# ---------------------------------------------------------------- overdue now, and the indicators together

def overdue_now(selection, *, by='level'):
    """{level or unit_id: files open past their deadline at this moment}."""
    group = Unit.level_code if by == 'level' else WorkFile.owner_unit_id
    query = (select(group, func.count(WorkFile.id)).join(Unit, Unit.id == WorkFile.owner_unit_id)
             .where(WorkFile.closed_at.is_(None), WorkFile.deadline.is_not(None), WorkFile.deadline < now(),
                    selection.restrict(WorkFile.owner_unit_id)).group_by(group))
    return dict(db.session.execute(query).all())


def _indicator_entry(sums, overdue, signature_target, medians):
    median = _median_of(sums) if medians else None
    return {'closed': sums['closed'],
            'issued': sums['issued'], 'issued_signed': sums['issued_signed'],
            'signed_rate': rate(sums['issued_signed'], sums['issued']), 'signed_target': signature_target,
            'with_deadline': sums['with_deadline'], 'on_time': sums['on_time'],
            'on_time_rate': rate(sums['on_time'], sums['with_deadline']),
            # Approximate: read from the handling-time histogram (models.HANDLING_BUCKET_EDGES_HOURS).
            'median_handling_seconds': median, 'median_handling_days': None if median is None else median / 86400,
            'median_handling_approx': True,
            'overdue_now': int(overdue or 0)}


def indicators(period, selection, *, targets=None, medians=True):
    """Signed share of issued documents, on-time completion, median handling time and files overdue
    now, per level and per unit.

    Everything comes from the daily counts, so the cost does not grow with the number of files. The
    median handling time is read from their handling-time histogram, so it is approximate to the
    bucket resolution (`median_handling_approx` is True; see median_from_buckets). `medians=False`
    leaves it out (None)."""
    targets = targets or Targets()
    by_level = daily_sums(period, selection, Unit.level_code, with_buckets=medians)
    by_unit = daily_sums(period, selection, DailyCount.unit_id, with_buckets=medians)
    overdue_level, overdue_unit = overdue_now(selection, by='level'), overdue_now(selection, by='unit')
    levels = {code: _indicator_entry(by_level.get(code, EMPTY_SUMS), overdue_level.get(code),
                                     targets.value(code, period.year, INDICATOR_DIGITAL_SIGNATURE), medians)
              for code in selection.levels}
    units = []
    for unit in sorted(selection.units.values(), key=lambda u: u.code):
        sums = by_unit.get(unit.id)
        if sums is None and not overdue_unit.get(unit.id) and not unit.active:
            continue
        entry = _indicator_entry(sums or EMPTY_SUMS, overdue_unit.get(unit.id),
                                 targets.value(unit.level, period.year, INDICATOR_DIGITAL_SIGNATURE), medians)
        units.append({'unit_id': unit.id, 'code': unit.code, 'name': unit.name, 'level': unit.level, **entry})
    return {'period': period.query_args(), 'levels': levels, 'units': units}


# ---------------------------------------------------------------- trend by month

def monthly_trend(period, selection, *, months=12, targets=None):
    """Paperless rate per level for the `months` calendar months ending with the period, with the
    target of each month's year: {'months': [...], 'levels': {code: {'rates': [...], 'targets': [...],
    'closed': [...]}}}."""
    targets = targets or Targets()
    span = trailing_months(period, months)
    month_key = {}
    query = (select(Unit.level_code, DailyCount.day, func.sum(DailyCount.closed), func.sum(DailyCount.fully_electronic))
             .join(Unit, Unit.id == DailyCount.unit_id)
             .where(DailyCount.day >= span[0].start, DailyCount.day <= span[-1].end,
                    selection.restrict(DailyCount.unit_id))
             .group_by(Unit.level_code, DailyCount.day))
    for index, item in enumerate(span):
        month_key[(item.start.year, item.start.month)] = index
    sums = defaultdict(lambda: [[0, 0] for _i in span])
    for level, day, closed, electronic in db.session.execute(query):
        slot = sums[level][month_key[(day.year, day.month)]]
        slot[0] += int(closed or 0)
        slot[1] += int(electronic or 0)
    series = {}
    for code in selection.levels:
        cells = sums[code] if code in sums else [[0, 0] for _i in span]
        series[code] = {'closed': [c for c, _e in cells], 'fully_electronic': [e for _c, e in cells],
                        'rates': [rate(e, c) for c, e in cells],
                        'targets': [targets.value(code, m.start.year, INDICATOR_PAPERLESS) for m in span]}
    return {'months': [m.start.strftime('%m/%Y') for m in span], 'levels': series}
