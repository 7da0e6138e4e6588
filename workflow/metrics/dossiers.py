"""TTHC dossiers: the share of administrative-procedure dossiers received online, per level and per
unit against the targets, from the counts imported by CSV (imports.py)."""
from sqlalchemy import and_, func, select

from ..directory.models import Unit
from ..extensions import db
from .counts import rate
from .models import INDICATOR_TTHC_ONLINE, DossierCount
from .targets import Targets


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
