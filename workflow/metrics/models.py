"""Tables of the metrics room: targets, imported TTHC dossier counts, and the daily counts the
dashboard reads instead of scanning work files.

The metrics never add columns to other rooms' tables. The few indexes on `work_files` that the
metrics queries need are declared here, on that table, so that they live next to the queries
that rely on them.
"""
from ..extensions import db
from ..files.models import WorkFile
from ..timeutil import now
from ..vocabulary import (  # noqa: F401  (the indicators a target is set for: codes and labels live there)
    INDICATOR_DIGITAL_SIGNATURE,
    INDICATOR_PAPERLESS,
    INDICATOR_TTHC_ONLINE,
    INDICATORS,
)

# Handling-time histogram kept with the daily counts: bucket i holds files handled in
# [edge[i], edge[i+1]) hours; the last bucket is open-ended (30 days and more). The buckets are
# log-spaced, so the median read from them is approximate to the width of the bucket(s) holding the
# middle file(s): 1–4 h below 12 h, 12 h up to 2 days, 1 day up to 5 days, then 2, 3, 4, 7 and 9 days
# up to 30 days; past 30 days only "30 days or more" is known (the median is then given as 30 days).
HANDLING_BUCKET_EDGES_HOURS = (0, 1, 2, 4, 8, 12, 24, 36, 48, 72, 96, 120, 168, 240, 336, 504, 720)
HANDLING_BUCKET_COLUMNS = tuple(f'handled_{low}_{high}h' for low, high in
                                zip(HANDLING_BUCKET_EDGES_HOURS, HANDLING_BUCKET_EDGES_HOURS[1:], strict=False)) + \
    (f'handled_{HANDLING_BUCKET_EDGES_HOURS[-1]}h_up',)


class Target(db.Model):
    """What a level must reach for an indicator, from a year on (see targets.Targets)."""
    __tablename__ = 'metric_targets'
    id = db.Column(db.Integer, primary_key=True)
    level_code = db.Column(db.String(20), db.ForeignKey('levels.code'), nullable=False)
    year = db.Column(db.Integer, nullable=False)
    indicator = db.Column(db.String(30), nullable=False)
    value = db.Column(db.Float, nullable=False)  # a fraction: 0.8 = 80 %
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=now)
    updated_by_id = db.Column(db.Integer, db.ForeignKey('users.id'))

    level = db.relationship('Level')

    __table_args__ = (
        db.UniqueConstraint('level_code', 'year', 'indicator', name='uq_metric_targets_level_year_indicator'),
    )


class DossierImport(db.Model):
    """One accepted CSV of TTHC counts from the one-stop-shop system."""
    __tablename__ = 'metric_dossier_imports'
    id = db.Column(db.Integer, primary_key=True)
    filename = db.Column(db.String(255), nullable=False, default='')
    row_count = db.Column(db.Integer, nullable=False, default=0)
    imported_at = db.Column(db.DateTime(timezone=True), nullable=False, default=now)
    imported_by_id = db.Column(db.Integer, db.ForeignKey('users.id'))


class DossierCount(db.Model):
    """TTHC dossiers resolved by one unit over one period: all, online, with fees paid online.

    One row per (unit, period): importing the same unit and period again replaces the counts
    (a corrected report from the one-stop shop), it does not add to them."""
    __tablename__ = 'metric_dossier_counts'
    id = db.Column(db.Integer, primary_key=True)
    unit_id = db.Column(db.Integer, db.ForeignKey('units.id'), nullable=False, index=True)
    period_start = db.Column(db.Date, nullable=False)
    period_end = db.Column(db.Date, nullable=False)
    total = db.Column(db.Integer, nullable=False)
    online = db.Column(db.Integer, nullable=False)
    paid_online = db.Column(db.Integer, nullable=False, default=0)
    import_id = db.Column(db.Integer, db.ForeignKey('metric_dossier_imports.id'), nullable=False)

    unit = db.relationship('Unit')

    __table_args__ = (
        db.UniqueConstraint('unit_id', 'period_start', 'period_end', name='uq_metric_dossier_counts_unit_period'),
        db.Index('ix_metric_dossier_counts_period', 'period_start', 'period_end'),
    )


class DailyCount(db.Model):
    """Per unit and Vietnamese calendar day: files closed (by the owning unit, on the day of
    `closed_at`) and documents issued (by the issuing unit, on the day of `issued_at`).

    Kept exact by operations.refresh_daily_counts whenever a file closes, reopens, changes owner,
    deadline or paper marks, or is issued; rebuilt from scratch by operations.rebuild_daily_counts.
    Levels are not stored: a unit's level is joined at query time."""
    __tablename__ = 'metric_daily_counts'
    unit_id = db.Column(db.Integer, db.ForeignKey('units.id'), primary_key=True)
    day = db.Column(db.Date, primary_key=True)
    closed = db.Column(db.Integer, nullable=False, default=0)
    fully_electronic = db.Column(db.Integer, nullable=False, default=0)
    with_deadline = db.Column(db.Integer, nullable=False, default=0)
    on_time = db.Column(db.Integer, nullable=False, default=0)
    handling_seconds = db.Column(db.BigInteger, nullable=False, default=0)
    issued = db.Column(db.Integer, nullable=False, default=0)
    issued_signed = db.Column(db.Integer, nullable=False, default=0)
    # The closed files' handling times (closed_at − created_at) as a histogram, one column per
    # bucket of HANDLING_BUCKET_EDGES_HOURS: handled_4_8h counts files handled in [4 h, 8 h).
    # The median handling time is read from these (indicators.median_from_buckets).
    handled_0_1h = db.Column(db.Integer, nullable=False, default=0)
    handled_1_2h = db.Column(db.Integer, nullable=False, default=0)
    handled_2_4h = db.Column(db.Integer, nullable=False, default=0)
    handled_4_8h = db.Column(db.Integer, nullable=False, default=0)
    handled_8_12h = db.Column(db.Integer, nullable=False, default=0)
    handled_12_24h = db.Column(db.Integer, nullable=False, default=0)
    handled_24_36h = db.Column(db.Integer, nullable=False, default=0)
    handled_36_48h = db.Column(db.Integer, nullable=False, default=0)
    handled_48_72h = db.Column(db.Integer, nullable=False, default=0)
    handled_72_96h = db.Column(db.Integer, nullable=False, default=0)
    handled_96_120h = db.Column(db.Integer, nullable=False, default=0)
    handled_120_168h = db.Column(db.Integer, nullable=False, default=0)
    handled_168_240h = db.Column(db.Integer, nullable=False, default=0)
    handled_240_336h = db.Column(db.Integer, nullable=False, default=0)
    handled_336_504h = db.Column(db.Integer, nullable=False, default=0)
    handled_504_720h = db.Column(db.Integer, nullable=False, default=0)
    handled_720h_up = db.Column(db.Integer, nullable=False, default=0)

    __table_args__ = (db.Index('ix_metric_daily_counts_day', 'day'),)


assert all(hasattr(DailyCount, name) for name in HANDLING_BUCKET_COLUMNS)


# Indexes on work_files used only by the metrics: a unit's closures over a time range (drill-down,
# refreshing one day), a unit's issuances, and the few open files with a deadline (overdue now).
db.Index('ix_work_files_metrics_owner_closed', WorkFile.owner_unit_id, WorkFile.closed_at)
# Reading (closed_at, created_at, owner) of a period's files from the index alone (an index-only scan on
# PostgreSQL): the files closed in a period (drill-downs) and the exact median that checks the histogram's.
db.Index('ix_work_files_metrics_closed_cover', WorkFile.closed_at,
         postgresql_include=['owner_unit_id', 'created_at'])
db.Index('ix_work_files_metrics_issuer_issued', WorkFile.issuing_unit_id, WorkFile.issued_at)
db.Index('ix_work_files_metrics_open_deadline', WorkFile.deadline,
         postgresql_where=WorkFile.closed_at.is_(None), sqlite_where=WorkFile.closed_at.is_(None))
