"""One inbox request at a time, in-process: what a kept page costs against a bare endpoint.

    .venv/bin/python benchmarks/inbox_bench.py [--rounds 1000] [--files 25] [--sqlite]

Builds a throwaway PostgreSQL database (or a SQLite file with --sqlite), one unit and a clerk whose
inbox lists --files work files (created through the service layer), signs the clerk in through the
login form with Flask's test client, and times, each as the median of --rounds requests:
- `/healthz`: the same app, no database, no template (the floor);
- the inbox served from the page cache (`X-Page-Cache: hit`);
- the inbox rendered (the page cache emptied before each request).
No network and no server process: the figures are the application's own CPU and database time per
request, which the load test (load_test.py) turns into throughput under concurrency.
"""
import argparse
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = 'postgresql+psycopg://postgres@127.0.0.1:5432/'
PASSWORD = 'Matkhau@123'


def psql(sql):
    subprocess.run(['psql', '-h', '127.0.0.1', '-U', 'postgres', '-qAtc', sql, 'postgres'], check=True,
                   capture_output=True, text=True)


def build(app, files):
    from flask_migrate import upgrade

    from workflow.directory.models import Unit, User, use_light_password_hashing
    from workflow.directory.operations import ensure_levels
    from workflow.extensions import db
    from workflow.files.operations import Upload, create_file

    use_light_password_hashing()
    pdf = (ROOT / 'tests/fixtures/quyet-dinh-ke-hoach-cds-2026.pdf').read_bytes()
    with app.app_context():
        upgrade()
        ensure_levels()
        unit = Unit(code='H17', name='UBND huyện Cờ Đỏ', abbreviation='UBND', level_code='district')
        clerk = User(username='vanthu', full_name='Phạm Thị Văn Thư', title='Văn thư', unit=unit)
        clerk.roles = ['clerk', 'specialist']
        clerk.set_password(PASSWORD)
        db.session.add_all([unit, clerk])
        db.session.flush()
        for n in range(files):
            create_file(clerk, title=f'Kế hoạch chuyển đổi số số {n + 1}', doc_type='KH',
                        upload=Upload(f'ke-hoach-{n}.pdf', pdf + f'%{n}\n'.encode()))
        db.session.commit()


def median_ms(client, path, rounds, before=None, expect=None):
    times = []
    for _ in range(rounds):
        if before:
            before()
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
        if expect:
            assert response.headers.get('X-Page-Cache') == expect, response.headers.get('X-Page-Cache')
    return statistics.median(times) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=1000)
    parser.add_argument('--files', type=int, default=25)
    parser.add_argument('--sqlite', action='store_true')
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix='wf-inbox-bench-'))
    name = f'wf_inbox_{secrets.token_hex(4)}'
    url = f'sqlite:///{workdir}/bench.db' if args.sqlite else PG + name
    if not args.sqlite:
        psql(f'CREATE DATABASE {name}')
    try:
        from workflow import create_app
        app = create_app({'SQLALCHEMY_DATABASE_URI': url, 'KEYS_DIR': str(workdir / 'keys'),
                          'STORAGE_URL': f'file://{workdir}/storage', 'SECRET_KEY': secrets.token_hex(16),
                          'RATELIMIT_ENABLED': False, 'WTF_CSRF_ENABLED': False,
                          'PUBLIC_BASE_URL': 'http://127.0.0.1:5000'})
        logging_off()
        build(app, args.files)
        client = app.test_client()
        response = client.post('/login', data={'username': 'vanthu', 'password': PASSWORD})
        assert response.status_code == 302, response.status_code
        client.get('/')  # the first render: templates compiled, the page kept
        store = app.extensions['page_cache']
        warm = max(50, args.rounds // 10)
        for path in ('/healthz', '/'):
            median_ms(client, path, warm)
        figures = {
            'healthz': median_ms(client, '/healthz', args.rounds),
            'inbox_kept': median_ms(client, '/', args.rounds, expect='hit'),
            'inbox_rendered': median_ms(client, '/', max(50, args.rounds // 10), before=store.clear, expect='miss'),
        }
        database = 'SQLite' if args.sqlite else 'PostgreSQL'
        print(f'{database}, {args.files} files in the inbox, median of {args.rounds} requests '
              f'({max(50, args.rounds // 10)} for the rendered inbox):')
        for label, value in figures.items():
            print(f'  {label:15s} {value:7.3f} ms')
        print(f'  kept inbox / healthz: {figures["inbox_kept"] / figures["healthz"]:.2f}×')
        with app.app_context():
            from workflow.extensions import db
            db.session.remove()
            db.engine.dispose()
    finally:
        if not args.sqlite:
            psql(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')
        subprocess.run(['rm', '-rf', str(workdir)])


def logging_off():
    import logging
    logging.getLogger().setLevel(logging.WARNING)


if __name__ == '__main__':
    main()
