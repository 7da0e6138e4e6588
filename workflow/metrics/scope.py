"""Who sees which units: the Selection a question is about, and the administrative levels.

An admin sees every unit; a leader sees their own unit and every unit below it in the tree (a
commune chairman sees the commune UBND and its sections, the district chairman the whole district).
Level totals are computed over the units the caller may see.
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import literal, select

from .. import policy
from ..directory.models import Level, Unit
from ..directory.tree import subtree
from ..errors import BadInput, NotAllowed
from ..extensions import db


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


def level_names():
    return dict(db.session.execute(select(Level.code, Level.name)).all())


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
