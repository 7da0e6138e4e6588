"""`flask --app wsgi seed-demo`: the Cờ Đỏ demo organisation, its people and three years of work files.

Everything is created through the service layer (directory and files operations), so the demo
data obeys the same rules, registers and audit chain as real use. Deterministic: the same
file_count gives the same history.
"""
import logging
import random
from collections import Counter

from sqlalchemy import func, select

from ..directory.models import Unit, User
from ..extensions import db
from ..files.models import PaperMark, WorkFile
from ..vocabulary import ROLE_LABELS, official
from .history import History
from .organisation import build_organisation
from .people import DEMO_PASSWORD, build_people

log = logging.getLogger(__name__)

STATUS_ORDER = ('draft', 'awaiting_signature', 'signed', 'sign_failed', 'returned', 'in_progress', 'issued',
                'delivered', 'registered', 'assigned', 'completed', 'refused')
# The accounts printed for people to try: one of each kind, district and commune.
SHOWCASE = ('admin', 'chutich.huyen', 'phochutich.huyen', 'vanthu.huyen', 'chanhvanphong', 'chuyenvien.vp',
            'truongphong.tckh', 'chuyenvien.vhtt', 'chutich.donghiep', 'phochutich.donghiep', 'vanthu.donghiep',
            'chuyenvien.donghiep', 'vanhoa.donghiep')


class AlreadySeeded(RuntimeError):
    """The database already holds units; the demo only goes into an empty one."""


def seed(file_count=300, if_empty=False):
    """Create the demo in the current database session (the caller commits); return a printable summary.

    With `if_empty`, a database that already has units is left alone (the summary says so).
    """
    if db.session.scalar(select(func.count(Unit.id))):
        if if_empty:
            return 'Demo data not created: the database already has units.\n' + accounts_table()
        raise AlreadySeeded('the database already has units; seed the demo into an empty database')
    rng = random.Random(2023)
    org = build_organisation()
    people = build_people(org)
    history = History(org, people, rng)
    plans = history.plan(file_count)
    history.run(plans)
    db.session.flush()
    log.info('demo: %d plans, %d stories stopped by the horizon', len(plans), history.timeline.cut)
    return summary()


def status_counts():
    rows = db.session.execute(select(WorkFile.status, func.count(WorkFile.id)).group_by(WorkFile.status)).all()
    return Counter(dict(rows))


def summary():
    counts = status_counts()
    total = sum(counts.values())
    not_electronic = db.session.scalar(select(func.count(func.distinct(PaperMark.file_id))))
    by_year = db.session.execute(
        select(WorkFile.issue_year, func.count(WorkFile.id)).where(WorkFile.issue_year.is_not(None))
        .group_by(WorkFile.issue_year).order_by(WorkFile.issue_year)).all()
    units = db.session.scalar(select(func.count(Unit.id)))
    users = db.session.scalar(select(func.count(User.id)))
    headline = (f'Cờ Đỏ demo: {units} units, {users} users, {total} work files '
                f'({total - not_electronic} fully electronic so far).')
    lines = [headline,
             'Files by status: ' + ', '.join(f'{s} {counts[s]}' for s in STATUS_ORDER if counts.get(s)),
             'Documents issued per year: ' + ', '.join(f'{y}: {n}' for y, n in by_year)]
    return '\n'.join(lines) + '\n' + accounts_table()


def accounts_table():
    """The demo logins, as a small fixed-width table."""
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(SHOWCASE)))}
    if not users:
        return ''
    rows = [(name, ', '.join(official(ROLE_LABELS[r]) for r in users[name].roles), users[name].title,
             users[name].unit.name) for name in SHOWCASE if name in users]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ['', f'Demo accounts (password for every demo user: {DEMO_PASSWORD}):']
    for row in rows:
        lines.append('  ' + '  '.join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + '  ' + row[3])
    lines.append('  … and for each commune (codo, donghiep, dongthang, thanhphu, thoidong, thoihung, thoixuan, '
                 'trungan, trunghung, trungthanh): chutich.<xã>, phochutich.<xã>, vanthu.<xã>, chuyenvien.<xã>, '
                 'vanhoa.<xã>;')
    lines.append('  for each department (vp, nv, tckh, tp, ktht, nnptnt, tnmt, vhtt, gddt, ldtbxh, yt, ttr): '
                 'chuyenvien.<phòng>, truongphong.<phòng> (chanhvanphong, chanhthanhtra).')
    return '\n'.join(lines)
