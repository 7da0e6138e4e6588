"""State changes of the metrics room: targets, and keeping the daily counts exact.

`refresh_daily_counts` is the hook the files room calls (directly or through the session listener
installed by `install_daily_count_listener`) whenever a file closes, reopens, is issued, changes
owner or deadline, or gains or loses a paper mark. It recomputes the affected (unit, day) rows from
the work files themselves, so it is idempotent and can never drift.
"""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, case, delete, event, exists, func, insert, inspect, literal, select, text

from .. import audit
from ..directory.models import Level
from ..errors import BadInput, NotFound
from ..extensions import db
from ..files.models import PaperMark, WorkFile
from ..timeutil import now
from .models import (
    HANDLING_BUCKET_COLUMNS,
    HANDLING_BUCKET_EDGES_HOURS,
    INDICATOR_DIGITAL_SIGNATURE,
    INDICATOR_PAPERLESS,
    INDICATOR_TTHC_ONLINE,
    INDICATORS,
    DailyCount,
    Target,
)
from .periods import day_start_utc, vn_day

# The district plan (Cờ Đỏ, 2023): level → indicator → {year: fraction}.
DEFAULT_TARGETS = {
    'district': {INDICATOR_PAPERLESS: {2025: 0.8, 2030: 0.9},
                 INDICATOR_TTHC_ONLINE: {2025: 0.5, 2030: 0.8},
                 INDICATOR_DIGITAL_SIGNATURE: {2025: 1.0, 2030: 1.0}},
    'commune': {INDICATOR_PAPERLESS: {2025: 0.6, 2030: 0.8},
                INDICATOR_TTHC_ONLINE: {2025: 0.5, 2030: 0.8},
                INDICATOR_DIGITAL_SIGNATURE: {2025: 1.0, 2030: 1.0}},
}


# ---------------------------------------------------------------- targets

def seed_default_targets():
    """Add the district plan's targets that are missing; never overwrites an admin's value."""
    added = 0
    for level, indicators in DEFAULT_TARGETS.items():
        if db.session.get(Level, level) is None:
            continue
        for indicator, by_year in indicators.items():
            for year, value in by_year.items():
                if _target_row(level, year, indicator) is None:
                    db.session.add(Target(level_code=level, year=year, indicator=indicator, value=value))
                    added += 1
    db.session.flush()
    return added


def seed_default_targets_once():
    """A fresh deployment gets the default targets for its levels (so that the dashboard has something to
    measure against from the first day); once any target exists, the admins' choices stand."""
    if db.session.scalar(select(Target.id).limit(1)) is not None:
        return 0
    return seed_default_targets()


def _target_row(level, year, indicator):
    return db.session.scalar(select(Target).where(Target.level_code == level, Target.year == year,
                                                  Target.indicator == indicator))


def set_target(actor, *, level, year, indicator, value):
    """Create or change the target of `level` for `indicator` from `year` on; value is a fraction."""
    if db.session.get(Level, level) is None:
        raise BadInput(_('Cấp hành chính không hợp lệ.'), code='invalid_level')
    if indicator not in INDICATORS:
        raise BadInput(_('Chỉ tiêu không hợp lệ.'), code='invalid_indicator')
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise BadInput(_('Năm phải từ 2000 đến 2100.'), code='invalid_year')
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise BadInput(_('Giá trị chỉ tiêu phải từ 0 đến 100 %.'), code='invalid_value')
    row = _target_row(level, year, indicator)
    if row is None:
        row = Target(level_code=level, year=year, indicator=indicator)
        db.session.add(row)
    row.value, row.updated_at, row.updated_by_id = float(value), now(), getattr(actor, 'id', None)
    db.session.flush()
    audit.record(actor, 'set_target', row, level=level, year=year, indicator=indicator, value=float(value))
    return row


def delete_target(actor, target_id):
    row = db.session.get(Target, target_id)
    if row is None:
        raise NotFound(_('Không tìm thấy chỉ tiêu.'), code='target_not_found')
    audit.record(actor, 'delete_target', row, level=row.level_code, year=row.year, indicator=row.indicator)
    db.session.delete(row)
    db.session.flush()


# ---------------------------------------------------------------- daily counts

def _seconds_between(later, earlier):
    if db.engine.dialect.name == 'postgresql':
        return func.date_part('epoch', later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _fully_electronic():
    return ~exists().where(PaperMark.file_id == WorkFile.id)


def _count_where(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _bucket_counts(seconds):
    """One SUM(CASE …) per handling-time bucket of models.HANDLING_BUCKET_EDGES_HOURS (the same
    expression for the listener and the rebuild, so both put a file in the same bucket)."""
    edges = HANDLING_BUCKET_EDGES_HOURS
    sums = []
    for index, name in enumerate(HANDLING_BUCKET_COLUMNS):
        conditions = []
        if index > 0:
            conditions.append(seconds >= edges[index] * 3600)
        if index + 1 < len(edges):
            conditions.append(seconds < edges[index + 1] * 3600)
        sums.append(_count_where(and_(*conditions)).label(name) if conditions else func.count().label(name))
    return sums


def _closure_counts(connection, unit_id, day):
    start, end = day_start_utc(day), day_start_utc(day + timedelta(days=1))
    row = connection.execute(
        select(func.count(WorkFile.id), _count_where(_fully_electronic()),
               _count_where(WorkFile.deadline.is_not(None)),
               _count_where(and_(WorkFile.deadline.is_not(None), WorkFile.closed_at <= WorkFile.deadline)),
               func.coalesce(func.sum(_seconds_between(WorkFile.closed_at, WorkFile.created_at)), 0),
               *_bucket_counts(_seconds_between(WorkFile.closed_at, WorkFile.created_at)))
        .where(WorkFile.owner_unit_id == unit_id, WorkFile.closed_at >= start, WorkFile.closed_at < end)).one()
    issued = connection.execute(
        select(func.count(WorkFile.id), _count_where(WorkFile.signature_check == 'valid'))
        .where(WorkFile.issuing_unit_id == unit_id, WorkFile.direction == 'outgoing',
               WorkFile.issued_at >= start, WorkFile.issued_at < end)).one()
    return {'closed': row[0], 'fully_electronic': row[1], 'with_deadline': row[2], 'on_time': row[3],
            'handling_seconds': int(round(row[4] or 0)), 'issued': issued[0], 'issued_signed': issued[1],
            **{name: int(value or 0) for name, value in zip(HANDLING_BUCKET_COLUMNS, row[5:], strict=True)}}


def refresh_daily_counts(pairs, connection=None):
    """Recompute the daily counts of each (unit_id, day) in `pairs` from the work files.

    Call it, in the same transaction, after a change that moves a file in or out of a day's
    counts (see `pairs_for_file`). On PostgreSQL it takes the same transaction lock as the audit
    chain, which every such change takes anyway, so concurrent writers cannot interleave."""
    pairs = {(u, d) for u, d in pairs if u is not None and d is not None}
    if not pairs:
        return
    connection = connection or db.session.connection()
    if connection.dialect.name == 'postgresql':
        connection.execute(text('SELECT pg_advisory_xact_lock(7301)'))  # audit.py's chain lock
    for unit_id, day in sorted(pairs):
        counts = _closure_counts(connection, unit_id, day)
        connection.execute(delete(DailyCount).where(DailyCount.unit_id == unit_id, DailyCount.day == day))
        if counts['closed'] or counts['issued']:
            connection.execute(insert(DailyCount).values(unit_id=unit_id, day=day, **counts))


def pairs_for_file(file, *, previous=None):
    """The (unit, day) rows a file contributes to now, plus those of `previous` (a mapping of
    owner_unit_id, closed_at, issuing_unit_id, issued_at as they were before the change).

    Only outgoing files count as issued (a recipient's copy carries the issue date too, but the
    issuance is counted once, for the issuing unit: see _closure_counts)."""
    pairs = set()
    issues = file.direction != 'incoming'
    for state in (previous or {}, {'owner_unit_id': file.owner_unit_id, 'closed_at': file.closed_at,
                                   'issuing_unit_id': file.issuing_unit_id, 'issued_at': file.issued_at}):
        if state.get('closed_at') is not None:
            pairs.add((state.get('owner_unit_id'), vn_day(state['closed_at'])))
        if issues and state.get('issued_at') is not None:
            pairs.add((state.get('issuing_unit_id'), vn_day(state['issued_at'])))
    return pairs


def file_changed(file, *, previous=None):
    """The explicit form of the hook: `file_changed(file)` after a flush that closed, reopened,
    issued or paper-marked it; `previous` as in pairs_for_file when the owner or day moved."""
    db.session.flush()
    refresh_daily_counts(pairs_for_file(file, previous=previous))


def rebuild_daily_counts():
    """Recompute every daily count from the work files (after a bulk load or a restore)."""
    connection = db.session.connection()
    connection.execute(delete(DailyCount))
    if connection.dialect.name == 'postgresql':
        closed_day = func.date(func.timezone('Asia/Ho_Chi_Minh', WorkFile.closed_at))
        issued_day = func.date(func.timezone('Asia/Ho_Chi_Minh', WorkFile.issued_at))
    else:  # SQLite keeps UTC text; Vietnam has had no daylight saving since 1975
        closed_day = func.date(WorkFile.closed_at, '+7 hours')
        issued_day = func.date(WorkFile.issued_at, '+7 hours')
    closures = (select(WorkFile.owner_unit_id.label('unit_id'), closed_day.label('day'),
                       func.count(WorkFile.id).label('closed'),
                       _count_where(_fully_electronic()).label('fully_electronic'),
                       _count_where(WorkFile.deadline.is_not(None)).label('with_deadline'),
                       _count_where(and_(WorkFile.deadline.is_not(None),
                                         WorkFile.closed_at <= WorkFile.deadline)).label('on_time'),
                       func.coalesce(func.sum(_seconds_between(WorkFile.closed_at, WorkFile.created_at)), 0)
                       .label('handling_seconds'),
                       literal(0).label('issued'), literal(0).label('issued_signed'),
                       *_bucket_counts(_seconds_between(WorkFile.closed_at, WorkFile.created_at)))
                .where(WorkFile.closed_at.is_not(None)).group_by(WorkFile.owner_unit_id, closed_day))
    issues = (select(WorkFile.issuing_unit_id.label('unit_id'), issued_day.label('day'),
                     literal(0).label('closed'), literal(0).label('fully_electronic'),
                     literal(0).label('with_deadline'), literal(0).label('on_time'),
                     literal(0).label('handling_seconds'),
                     func.count(WorkFile.id).label('issued'),
                     _count_where(WorkFile.signature_check == 'valid').label('issued_signed'),
                     *[literal(0).label(name) for name in HANDLING_BUCKET_COLUMNS])
              .where(WorkFile.issued_at.is_not(None), WorkFile.direction == 'outgoing',
                     WorkFile.issuing_unit_id.is_not(None))
              .group_by(WorkFile.issuing_unit_id, issued_day))
    both = closures.union_all(issues).subquery()
    columns = ('closed', 'fully_electronic', 'with_deadline', 'on_time', 'handling_seconds', 'issued',
               'issued_signed', *HANDLING_BUCKET_COLUMNS)
    merged = select(both.c.unit_id, both.c.day, *[func.sum(both.c[name]).label(name) for name in columns]) \
        .group_by(both.c.unit_id, both.c.day)
    connection.execute(insert(DailyCount).from_select(['unit_id', 'day', *columns], merged))
    return connection.scalar(select(func.count()).select_from(DailyCount))


# ---------------------------------------------------------------- the session listener

_WATCHED = ('closed_at', 'owner_unit_id', 'deadline', 'created_at', 'issued_at', 'issuing_unit_id',
            'signature_check', 'direction')


def _previous_state(file):
    state = inspect(file)
    previous = {}
    for name in ('owner_unit_id', 'closed_at', 'issuing_unit_id', 'issued_at'):
        history = state.attrs[name].history
        previous[name] = history.deleted[0] if history.deleted else getattr(file, name)
    return previous


def _changed(file):
    state = inspect(file)
    return any(state.attrs[name].history.has_changes() for name in _WATCHED)


def _pairs_in_flush(session):
    pairs = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, WorkFile):
            if obj in session.new or obj in session.deleted or _changed(obj):
                pairs |= pairs_for_file(obj, previous=_previous_state(obj))
        elif isinstance(obj, PaperMark):
            file = obj.file
            if file is None and obj.file_id is not None:
                file = session.get(WorkFile, obj.file_id)
            if file is not None:
                pairs |= pairs_for_file(file)
    return pairs


def _after_flush(session, _flush_context):
    pairs = _pairs_in_flush(session)
    if pairs:
        session.info.setdefault('metrics_pairs', set()).update(pairs)


def _after_flush_postexec(session, _flush_context):
    pairs = session.info.pop('metrics_pairs', None)
    if pairs:
        refresh_daily_counts(pairs, session.connection())


def _remember_old_value(target, value, oldvalue, initiator):
    return value


def install_daily_count_listener(session_class):
    """Keep the daily counts exact for every flush of `session_class` (idempotent).

    The attribute listeners only ask SQLAlchemy to load the value being replaced (active history),
    so that a file reopened after its row was expired still tells which day it leaves."""
    if not event.contains(session_class, 'after_flush', _after_flush):
        for name in ('closed_at', 'owner_unit_id', 'issued_at', 'issuing_unit_id'):
            event.listen(getattr(WorkFile, name), 'set', _remember_old_value, active_history=True, retval=True)
        event.listen(session_class, 'after_flush', _after_flush)
        event.listen(session_class, 'after_flush_postexec', _after_flush_postexec)
