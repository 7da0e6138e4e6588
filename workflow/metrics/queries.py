"""Reading the metrics: every figure is a database aggregation (GROUP BY unit or level), never a
loop over work files in Python.

Who sees what: an admin sees every unit; a leader sees their own unit and every unit below it in
the tree (a commune chairman sees the commune UBND and its sections, the district chairman the
whole district). Level totals are computed over the units the caller may see.

A file counts for the unit that owns it (`owner_unit_id`) and for that unit's level *as it is when
the question is asked*: moving a unit to another level moves its whole history with it.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, func, literal, select

from .. import policy
from ..directory.models import Level, Unit
from ..directory.tree import subtree
from ..errors import BadInput, NotAllowed
from ..extensions import db
from ..files.models import PaperMark, WorkFile
from ..timeutil import now
from ..vocabulary import REASON_LABELS, label
from .models import (
    HANDLING_BUCKET_COLUMNS,
    HANDLING_BUCKET_EDGES_HOURS,
    INDICATOR_DIGITAL_SIGNATURE,
    INDICATOR_PAPERLESS,
    INDICATOR_TTHC_ONLINE,
    DailyCount,
    DossierCount,
    Target,
)
from .periods import trailing_months

DEFAULT_LIST_LIMIT = 500


def reason_label(code):
    return str(label(REASON_LABELS, code))


def rate(part, whole):
    """A fraction, or None when there is nothing to divide by (an empty period has no rate)."""
    return part / whole if whole else None


# ---------------------------------------------------------------- who and which units

@dataclass(frozen=True)
class UnitInfo:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    active: bool


@dataclass
class Selection:
    """The units a question is about: the caller's scope, narrowed by `level` and `unit_id`."""
    units: dict  # id → UnitInfo
    everything: bool = False  # no restriction at all (lets SQL skip the IN list)
    level: str | None = None
    unit_id: int | None = None
    levels: list = field(default_factory=list)  # level codes present, highest tier first

    @property
    def ids(self):
        return None if self.everything else sorted(self.units)

    def restrict(self, column):
        """A WHERE clause limiting `column` (a unit id column) to the selection, or True."""
        return literal(True) if self.everything else column.in_(self.ids or [-1])


def _all_units():
    rows = db.session.execute(select(Unit.id, Unit.code, Unit.name, Unit.level_code, Unit.parent_id,
                                     Unit.active).order_by(Unit.code)).all()
    return {row.id: UnitInfo(row.id, row.code, row.name, row.level_code, row.parent_id, row.active)
            for row in rows}


def level_order():
    return [code for (code,) in db.session.execute(select(Level.code).order_by(Level.rank, Level.code))]


def select_units(user, *, level=None, unit_id=None):
    """The Selection `user` may ask about, narrowed by level and unit (the unit and those below it).

    Raises NotAllowed for a role without metrics, or a unit outside the leader's scope; BadInput
    for an unknown level or unit."""
    policy.require(policy.may_see_metrics, user)
    units = _all_units()
    known_levels = level_order()
    scope = policy.metrics_scope(user, units)
    chosen = set(scope)
    if level is not None:
        if level not in known_levels:
            raise BadInput(_('Cấp hành chính không hợp lệ; chọn một trong: %(levels)s.',
                             levels=', '.join(known_levels)), code='invalid_level')
        chosen = {u for u in chosen if units[u].level == level}
    if unit_id is not None:
        if unit_id not in units:
            raise BadInput(_('Không có đơn vị với mã %(id)s.', id=unit_id), code='unknown_unit')
        if unit_id not in scope:
            raise NotAllowed(_('Bạn chỉ xem được số liệu của đơn vị mình và các đơn vị cấp dưới.'))
        chosen &= subtree(units, unit_id)
    present = {units[u].level for u in chosen}
    return Selection(units={u: units[u] for u in chosen}, everything=chosen == set(units) and bool(units),
                     level=level, unit_id=unit_id, levels=[c for c in known_levels if c in present])


# ---------------------------------------------------------------- targets

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


# ---------------------------------------------------------------- paperless rate (from the daily counts)

def _in_period(period):
    return and_(DailyCount.day >= period.start, DailyCount.day <= period.end)


SUM_COLUMNS = ('closed', 'fully_electronic', 'with_deadline', 'on_time', 'handling_seconds', 'issued',
               'issued_signed')


def _daily_sums(period, selection, group, *, with_buckets=False):
    columns = SUM_COLUMNS + (HANDLING_BUCKET_COLUMNS if with_buckets else ())
    query = (select(group.label('key'), *[func.sum(getattr(DailyCount, name)).label(name) for name in columns])
             .join(Unit, Unit.id == DailyCount.unit_id)
             .where(_in_period(period), selection.restrict(DailyCount.unit_id)).group_by(group))
    return {row.key: {name: int(getattr(row, name) or 0) for name in columns} for row in db.session.execute(query)}


EMPTY_SUMS = {'closed': 0, 'fully_electronic': 0, 'with_deadline': 0, 'on_time': 0, 'handling_seconds': 0,
              'issued': 0, 'issued_signed': 0}


def _paperless_entry(sums, target):
    closed, electronic = sums['closed'], sums['fully_electronic']
    value = rate(electronic, closed)
    return {'closed': closed, 'fully_electronic': electronic, 'rate': value, 'target': target,
            'gap': None if value is None or target is None else target - value}


def paperless(period, selection, *, targets=None, list_limit=DEFAULT_LIST_LIMIT):
    """The CONTRACT's `GET /metrics/paperless` body (plus unit names and a gap to the target)."""
    targets = targets or Targets()
    by_level = _daily_sums(period, selection, Unit.level_code)
    by_unit = _daily_sums(period, selection, DailyCount.unit_id)
    levels = {code: _paperless_entry(by_level.get(code, EMPTY_SUMS),
                                     targets.value(code, period.year, INDICATOR_PAPERLESS))
              for code in selection.levels}
    units = []
    for unit in selection.units.values():
        sums = by_unit.get(unit.id)
        if sums is None and not unit.active:
            continue
        entry = _paperless_entry(sums or EMPTY_SUMS, targets.value(unit.level, period.year, INDICATOR_PAPERLESS))
        units.append({'unit_id': unit.id, 'code': unit.code, 'name': unit.name, 'level': unit.level, **entry})
    units.sort(key=lambda u: u['code'])
    # The total comes from the daily counts (closed − fully electronic), not from counting files.
    total = sum(e['closed'] - e['fully_electronic'] for e in levels.values())
    listed = not_electronic(period, selection, limit=list_limit, with_total=False)[0] if list_limit else []
    return {'period': period.query_args(), 'levels': levels, 'units': units, 'not_electronic': listed,
            'not_electronic_total': total}


# ---------------------------------------------------------------- the same, straight from the work files

def _closed_in(period):
    return and_(WorkFile.closed_at >= period.start_utc, WorkFile.closed_at < period.end_utc)


def fully_electronic_clause():
    return ~exists().where(PaperMark.file_id == WorkFile.id)


def paperless_counts_from_files(period, selection, *, by='level'):
    """{level or unit_id: (closed, fully_electronic)} by one GROUP BY over work_files with a NOT EXISTS
    on paper_marks: the definition itself, used to check the daily counts and for drill-downs."""
    group = Unit.level_code if by == 'level' else WorkFile.owner_unit_id
    query = (select(group, func.count(WorkFile.id),
                    func.coalesce(func.sum(case((fully_electronic_clause(), 1), else_=0)), 0))
             .join(Unit, Unit.id == WorkFile.owner_unit_id)
             .where(_closed_in(period), selection.restrict(WorkFile.owner_unit_id)).group_by(group))
    return {key: (int(closed), int(electronic)) for key, closed, electronic in db.session.execute(query)}


# ---------------------------------------------------------------- drill-down lists

def _first_paper_mark():
    # A scalar subquery (probed per file through ix_paper_marks_file_id) rather than EXISTS, which
    # PostgreSQL turns into a hash join over every paper mark ever recorded: a list of the latest
    # 20 files then walks closed_at backwards and stops, whatever the size of the history.
    return select(PaperMark.id).where(PaperMark.file_id == WorkFile.id).limit(1).scalar_subquery()


def _file_list_query(period, selection, which):
    query = select(WorkFile.id).where(_closed_in(period), selection.restrict(WorkFile.owner_unit_id))
    if which == 'not_electronic':
        query = query.where(_first_paper_mark().is_not(None))
    elif which == 'electronic':
        query = query.where(_first_paper_mark().is_(None))
    return query


def reasons_for(file_ids):
    """{file_id: [(code, detail), …]} from the paper marks, in the order they were recorded."""
    found = defaultdict(list)
    if not file_ids:
        return found
    rows = db.session.execute(select(PaperMark.file_id, PaperMark.reason, PaperMark.detail)
                              .where(PaperMark.file_id.in_(file_ids)).order_by(PaperMark.id))
    for file_id, reason, detail in rows:
        found[file_id].append((reason, detail))
    return found


def not_electronic(period, selection, *, limit=DEFAULT_LIST_LIMIT, offset=0, with_total=True):
    """([{file_id, reasons, reason_details}], total) for files closed in the period that were not
    fully electronic, most recently closed first (total None unless `with_total`)."""
    base = _file_list_query(period, selection, 'not_electronic')
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) if with_total else None
    ids = list(db.session.scalars(base.order_by(WorkFile.closed_at.desc(), WorkFile.id.desc())
                                  .limit(limit).offset(offset)))
    marks = reasons_for(ids)
    listed = []
    for file_id in ids:
        codes = list(dict.fromkeys(code for code, _detail in marks[file_id]))
        listed.append({'file_id': file_id, 'reasons': codes,
                       'reason_details': [{'code': code, 'label': reason_label(code), 'detail': detail}
                                          for code, detail in marks[file_id]]})
    return listed, total


def drill_down(period, selection, *, which='all', limit=200, offset=0):
    """The files behind a figure: (rows, total); each row has the file's facts and its reasons."""
    base = _file_list_query(period, selection, which)
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    ids = list(db.session.scalars(base.order_by(WorkFile.closed_at.desc(), WorkFile.id.desc())
                                  .limit(limit).offset(offset)))
    if not ids:
        return [], total
    files = db.session.execute(
        select(WorkFile.id, WorkFile.title, WorkFile.number, WorkFile.doc_type, WorkFile.direction,
               WorkFile.owner_unit_id, WorkFile.created_at, WorkFile.closed_at, WorkFile.deadline, Unit.name,
               Unit.level_code)
        .join(Unit, Unit.id == WorkFile.owner_unit_id).where(WorkFile.id.in_(ids))).all()
    by_id = {row.id: row for row in files}
    marks = reasons_for(ids)
    rows = []
    for file_id in ids:
        row = by_id[file_id]
        rows.append({'file_id': row.id, 'title': row.title, 'number': row.number or '', 'doc_type': row.doc_type,
                     'direction': row.direction, 'unit_id': row.owner_unit_id, 'unit_name': row.name,
                     'level': row.level_code, 'created_at': row.created_at, 'closed_at': row.closed_at,
                     'deadline': row.deadline, 'fully_electronic': not marks[file_id],
                     'reasons': [{'code': code, 'label': reason_label(code), 'detail': detail}
                                 for code, detail in marks[file_id]]})
    return rows, total


# ---------------------------------------------------------------- further indicators

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
    sums = _daily_sums(period, selection, group, with_buckets=True)
    medians = {key: _median_of(entry) for key, entry in sums.items()}
    return {key: value for key, value in medians.items() if value is not None}


def exact_median_handling_seconds(period, selection, *, by='level'):
    """The exact median, straight from the work files (reads every file closed in the period): used
    to check the histogram's median, never by the dashboard or the API.

    PostgreSQL: percentile_cont(0.5). Elsewhere: the middle row(s) by ROW_NUMBER() over the
    group, which gives the same interpolated median."""
    group = Unit.level_code if by == 'level' else WorkFile.owner_unit_id
    where = and_(_closed_in(period), selection.restrict(WorkFile.owner_unit_id))
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
    by_level = _daily_sums(period, selection, Unit.level_code, with_buckets=medians)
    by_unit = _daily_sums(period, selection, DailyCount.unit_id, with_buckets=medians)
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


# ---------------------------------------------------------------- TTHC dossiers

def _dossier_entry(total, online, paid, target):
    value = rate(online, total)
    return {'total': int(total or 0), 'online': int(online or 0), 'paid_online': int(paid or 0), 'rate': value,
            'target': target, 'gap': None if value is None or target is None else target - value}


def dossiers(period, selection, *, targets=None):
    """Imported TTHC counts whose reporting period lies inside [from, to] (a count cannot be split,
    so a row straddling the boundary is left out), per level and per unit."""
    targets = targets or Targets()
    inside = and_(DossierCount.period_start >= period.start, DossierCount.period_end <= period.end,
                  selection.restrict(DossierCount.unit_id))
    sums = (func.sum(DossierCount.total), func.sum(DossierCount.online), func.sum(DossierCount.paid_online))
    by_level = {row[0]: row[1:] for row in db.session.execute(
        select(Unit.level_code, *sums).join(Unit, Unit.id == DossierCount.unit_id).where(inside)
        .group_by(Unit.level_code))}
    by_unit = {row[0]: row[1:] for row in db.session.execute(
        select(DossierCount.unit_id, *sums).where(inside).group_by(DossierCount.unit_id))}
    levels = {code: _dossier_entry(*(by_level.get(code) or (0, 0, 0)),
                                   targets.value(code, period.year, INDICATOR_TTHC_ONLINE))
              for code in selection.levels}
    units = []
    for unit in sorted(selection.units.values(), key=lambda u: u.code):
        if unit.id not in by_unit:
            continue
        target = targets.value(unit.level, period.year, INDICATOR_TTHC_ONLINE)
        units.append({'unit_id': unit.id, 'code': unit.code, 'name': unit.name, 'level': unit.level,
                      **_dossier_entry(*by_unit[unit.id], target)})
    return {'period': period.query_args(), 'levels': levels, 'units': units}


def dashboard(period, selection):
    """Everything the dashboard's charts draw, in one JSON-ready mapping. Read from the daily counts
    only, so its cost does not grow with the number of files (the median handling time included: it
    comes from their handling-time histogram and is approximate to the bucket resolution)."""
    targets = Targets()
    return {'period': {**period.query_args(), 'label': str(period.label)},
            'paperless': paperless(period, selection, targets=targets, list_limit=20),
            'indicators': indicators(period, selection, targets=targets),
            'trend': monthly_trend(period, selection, targets=targets),
            'dossiers': dossiers(period, selection, targets=targets)}


def level_names():
    return dict(db.session.execute(select(Level.code, Level.name)).all())

