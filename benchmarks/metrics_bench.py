"""How the metrics dashboard scales: 10 k, 100 k and 1 M closed work files on PostgreSQL.

    .venv/bin/python benchmarks/metrics_bench.py [--sizes 10000,100000,1000000] [--runs 15]

Creates a throwaway database (psql -h 127.0.0.1 -U postgres), builds the schema with the
migrations, a district of ~70 units, then grows the work files to each size with INSERT … SELECT
generate_series (closed over 2021–2025, a quarter of them with paper marks, some issued and
signed, most with deadlines), rebuilds the daily counts once, and times the dashboard's JSON
(`GET /api/v1/metrics/dashboard`, a whole year), `GET /api/v1/metrics/paperless` and
`GET /api/v1/metrics/indicators` (a year, with the median handling time from the daily counts'
histogram) through the app. Prints the median of each, and how far the histogram's median handling
time of each level is from the exact one (percentile_cont over the year's files, timed once); drops
the database at the end.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PG = os.environ.get('BENCH_PG', 'postgresql+psycopg://postgres@127.0.0.1:5432')
FILES_SQL = """
INSERT INTO work_files (title, summary, doc_type, urgency, direction, status, owner_unit_id, creator_id,
                        held_since, paper_origin, search_text, created_at, closed_at, deadline, version,
                        issued_at, issuing_unit_id, signature_check)
SELECT 'Hồ sơ ' || g, '', 'CV', 'normal', CASE WHEN g % 3 = 0 THEN 'outgoing' ELSE 'incoming' END, 'completed',
       u.id, CAST(:creator AS integer), c.closed - c.handling, false, '', c.closed - c.handling, c.closed,
       CASE WHEN g % 10 < 7 THEN c.closed - c.handling + interval '10 days' END, 1,
       CASE WHEN g % 3 = 0 THEN c.closed END, CASE WHEN g % 3 = 0 THEN u.id END,
       CASE WHEN g % 3 = 0 THEN (CASE WHEN g % 20 = 0 THEN 'unsigned' ELSE 'valid' END) END
FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g
CROSS JOIN LATERAL (SELECT timestamptz '2021-01-01 00:00+07' + (hashint4(g)::bigint & 2147483647) % (5 * 365 * 86400)
                           * interval '1 second' AS closed,
                           ((hashint4(g + 7)::bigint & 2147483647) % (30 * 86400)) * interval '1 second' AS handling) c
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM units) u
  ON u.n = (hashint4(g + 13)::bigint & 2147483647) % CAST(:unit_count AS integer)
"""
MARKS_SQL = """
INSERT INTO paper_marks (file_id, reason, detail, at)
SELECT id, (ARRAY['paper_origin', 'paper_step', 'unsigned_issuance'])[1 + id % 3], '', created_at
FROM work_files WHERE id > CAST(:after AS integer) AND hashint4(id + 99) % 4 = 0
"""


def psql(sql):
    subprocess.run(['psql', '-h', '127.0.0.1', '-U', 'postgres', '-qc', sql, 'postgres'], check=True)


def build_district():
    from workflow.directory.models import Unit, User
    from workflow.directory.operations import ensure_levels
    from workflow.extensions import db
    from workflow.metrics.operations import seed_default_targets
    ensure_levels()
    district = Unit(code='H17', name='UBND huyện Cờ Đỏ', abbreviation='UBND', level_code='district')
    db.session.add(district)
    for n in range(1, 13):
        db.session.add(Unit(code=f'H17.{n:02d}', name=f'Phòng {n}', abbreviation=f'P{n}', level_code='district',
                            parent=district))
    for n in range(21, 31):
        commune = Unit(code=f'H17.{n}', name=f'UBND xã {n}', abbreviation='UBND', level_code='commune', parent=district)
        db.session.add(commune)
        for m in range(1, 6):
            db.session.add(Unit(code=f'H17.{n}.{m:02d}', name=f'Bộ phận {m} xã {n}', abbreviation=f'BP{m}',
                                level_code='commune', parent=commune))
    admin = User(username='bench', full_name='Benchmark', unit=district, roles=['admin'])
    admin.set_password('Bench@12345')
    db.session.add(admin)
    seed_default_targets()
    db.session.commit()
    return admin.id, db.session.query(Unit).count()


def grow(to_size, have, creator, unit_count):
    from sqlalchemy import text

    from workflow.extensions import db
    from workflow.metrics.operations import rebuild_daily_counts
    started = time.perf_counter()
    after = db.session.scalar(text('SELECT coalesce(max(id), 0) FROM work_files'))
    step = 200_000
    for first in range(have + 1, to_size + 1, step):
        last = min(first + step - 1, to_size)
        db.session.execute(text(FILES_SQL), {'first': first, 'last': last, 'creator': creator,
                                             'unit_count': unit_count})
        db.session.commit()
    db.session.execute(text(MARKS_SQL), {'after': after})
    db.session.commit()
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    rebuild_daily_counts()
    db.session.commit()
    rebuilt = time.perf_counter() - started
    with db.engine.connect().execution_options(isolation_level='AUTOCOMMIT') as connection:
        connection.execute(text('VACUUM ANALYZE'))  # what autovacuum does after a bulk load
    return loaded, rebuilt


def timed(client, path, headers, runs):
    client.get(path, headers=headers)  # warm the caches once
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return statistics.median(times), response.get_json()


def exact_medians():
    """(ms, {level: exact median seconds}) for 2024, straight from the work files, as a check."""
    from workflow.directory.models import User
    from workflow.extensions import db
    from workflow.metrics import periods
    from workflow.metrics.indicators import exact_median_handling_seconds
    from workflow.metrics.scope import select_units
    selection = select_units(db.session.query(User).filter_by(username='bench').one())
    started = time.perf_counter()
    exact = exact_median_handling_seconds(periods.whole_year(2024), selection, by='level')
    return (time.perf_counter() - started) * 1000, exact


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', default='10000,100000,1000000')
    parser.add_argument('--runs', type=int, default=15)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(',')]
    name = f'metrics_bench_{os.getpid()}'
    psql(f'CREATE DATABASE {name}')
    try:
        run(name, sizes, args.runs)
    finally:
        psql(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')


def run(name, sizes, runs):
    import logging

    from flask_migrate import upgrade

    from workflow import create_app
    from workflow.directory.models import use_light_password_hashing
    from workflow.extensions import db
    logging.disable(logging.INFO)
    use_light_password_hashing()
    app = create_app({'SQLALCHEMY_DATABASE_URI': f'{PG}/{name}', 'TESTING': True, 'RATELIMIT_ENABLED': False,
                      'WTF_CSRF_ENABLED': False, 'SECRET_KEY': 'bench',
                      'PUBLIC_BASE_URL': 'http://127.0.0.1:5000'})
    with app.app_context():
        upgrade()
        creator, unit_count = build_district()
    client = app.test_client()
    token = client.post('/api/v1/tokens', json={'username': 'bench', 'password': 'Bench@12345'}).get_json()['token']
    headers = {'Authorization': f'Bearer {token}'}
    dashboard = '/api/v1/metrics/dashboard?period=year&year=2024'
    paperless = '/api/v1/metrics/paperless?period=month&year=2024&number=6'
    indicators = '/api/v1/metrics/indicators?period=year&year=2024'
    print(f'{"files":>9} {"load s":>8} {"rebuild s":>9} {"dashboard ms":>13} {"paperless ms":>13} '
          f'{"indicators ms":>14} {"exact-median ms":>16}  closed in 2024; median ≈ vs exact (h)')
    have, rows = 0, []
    for size in sizes:
        with app.app_context():
            loaded, rebuilt = grow(size, have, creator, unit_count)
        have = size
        dash_ms, body = timed(client, dashboard, headers, runs)
        pl_ms, _body = timed(client, paperless, headers, runs)
        ind_ms, ind_body = timed(client, indicators, headers, runs)
        with app.app_context():
            exact_ms, exact = exact_medians()
        closed = sum(level['closed'] for level in body['paperless']['levels'].values())
        rows.append((size, dash_ms, pl_ms, ind_ms))
        compared = ', '.join(f'{code} {entry["median_handling_seconds"] / 3600:.1f} vs {exact[code] / 3600:.1f}'
                             for code, entry in ind_body['levels'].items() if code in exact)
        print(f'{size:>9} {loaded:>8.1f} {rebuilt:>9.1f} {dash_ms:>13.1f} {pl_ms:>13.1f} {ind_ms:>14.1f} '
              f'{exact_ms:>16.1f}  {closed}; {compared}', flush=True)
    for (small, d1, p1, i1), (big, d2, p2, i2) in zip(rows, rows[1:], strict=False):
        print(f'{small} → {big} files (×{big // small}): dashboard ×{d2 / d1:.2f}, paperless ×{p2 / p1:.2f}, '
              f'indicators ×{i2 / i1:.2f}')
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


if __name__ == '__main__':
    main()
