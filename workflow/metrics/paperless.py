"""The paperless rate: the share of closed work files handled fully electronically (no paper mark),
per level and per unit against the targets, read from the daily counts; the same counted straight
from the work files; and the lists of the files behind the figure, with the reasons a file was not
fully electronic."""
from collections import defaultdict

from sqlalchemy import case, exists, func, select

from ..directory.models import Unit
from ..extensions import db
from ..files.models import PaperMark, WorkFile
from ..policy import visible_files
from .counts import EMPTY_SUMS, closed_in, daily_sums, rate
from .labels import reason_label
from .models import INDICATOR_PAPERLESS, DailyCount
from .targets import Targets

DEFAULT_LIST_LIMIT = 500


# ---------------------------------------------------------------- from the daily counts

def _paperless_entry(sums, target):
    closed, electronic = sums['closed'], sums['fully_electronic']
    value = rate(electronic, closed)
    return {'closed': closed, 'fully_electronic': electronic, 'rate': value, 'target': target,
            'gap': None if value is None or target is None else target - value}


def paperless(period, selection, *, targets=None, list_limit=DEFAULT_LIST_LIMIT):
    """The CONTRACT's `GET /metrics/paperless` body (plus unit names and a gap to the target)."""
    targets = targets or Targets()
    by_level = daily_sums(period, selection, Unit.level_code)
    by_unit = daily_sums(period, selection, DailyCount.unit_id)
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

def fully_electronic_clause():
    return ~exists().where(PaperMark.file_id == WorkFile.id)


def paperless_counts_from_files(period, selection, *, by='level'):
    """{level or unit_id: (closed, fully_electronic)} by one GROUP BY over work_files with a NOT EXISTS
    on paper_marks: the definition itself, used to check the daily counts and for drill-downs."""
    group = Unit.level_code if by == 'level' else WorkFile.owner_unit_id
    query = (select(group, func.count(WorkFile.id),
                    func.coalesce(func.sum(case((fully_electronic_clause(), 1), else_=0)), 0))
             .join(Unit, Unit.id == WorkFile.owner_unit_id)
             .where(closed_in(period), selection.restrict(WorkFile.owner_unit_id)).group_by(group))
    return {key: (int(closed), int(electronic)) for key, closed, electronic in db.session.execute(query)}


# ---------------------------------------------------------------- drill-down lists

def _first_paper_mark():
    # A scalar subquery (probed per file through ix_paper_marks_file_id) rather than EXISTS, which
    # PostgreSQL turns into a hash join over every paper mark ever recorded: a list of the latest
    # 20 files then walks closed_at backwards and stops, whatever the size of the history.
    return select(PaperMark.id).where(PaperMark.file_id == WorkFile.id).limit(1).scalar_subquery()


def _file_list_query(period, selection, which):
    query = select(WorkFile.id).where(closed_in(period), selection.restrict(WorkFile.owner_unit_id))
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


def drill_down(period, selection, *, viewer, which='all', limit=200, offset=0):
    """The files behind a figure: (rows, total); each row has the file's facts and its reasons.

    A figure counts every file of the selection, but a row shows the title (and the reasons' details,
    which may name documents) only of a file `viewer` may open (policy.visible_files); the others keep
    their number, unit, dates and reasons, with `visible` False."""
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
    visible = set(db.session.scalars(select(WorkFile.id).where(WorkFile.id.in_(ids), visible_files(viewer))))
    marks = reasons_for(ids)
    rows = []
    for file_id in ids:
        row = by_id[file_id]
        shown = row.id in visible
        rows.append({'file_id': row.id, 'title': row.title if shown else None, 'visible': shown,
                     'number': row.number or '', 'doc_type': row.doc_type,
                     'direction': row.direction, 'unit_id': row.owner_unit_id, 'unit_name': row.name,
                     'level': row.level_code, 'created_at': row.created_at, 'closed_at': row.closed_at,
                     'deadline': row.deadline, 'fully_electronic': not marks[file_id],
                     'reasons': [{'code': code, 'label': reason_label(code), 'detail': detail if shown else ''}
                                 for code, detail in marks[file_id]]})
    return rows, total
