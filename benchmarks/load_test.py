"""Load test: gunicorn on PostgreSQL holding 100 k work files, 50 concurrent users for 60 s.

    .venv/bin/python benchmarks/load_test.py [--files 100000] [--users 50] [--duration 60]
                                             [--workers 4 1] [--json results.json]

What it does, all on 127.0.0.1:
1. creates a throwaway PostgreSQL database, `init-db`, `pki init`;
2. builds 10 units of 5 people (a leader with a key and signature image, a clerk, three
   specialists) and bulk-generates the work files with SQL (documents, access rows, timeline);
3. for each worker count, starts `gunicorn -c gunicorn.conf.py wsgi:app` as `make serve` does and runs
   three phases with the same client: the mix (inbox, search, file page, forward, sign) for
   --duration seconds, then a bare endpoint (/healthz: the ceiling) and the inbox page alone for
   --phase seconds each, in halves ordered ceiling, inbox, inbox, ceiling (so that a drift in what
   the shared machine gives weighs on both alike);
4. prints throughput, p50/p95/p99 latency and errors per request kind, how many inbox pages came
   from the page cache (hit / miss / bypass, from the X-Page-Cache header), and drops the database.

`--page-cache off` serves every inbox afresh (the figure before the page cache); `--page-cache
redis` shares kept pages between the workers (then REDIS_URL is set, so jobs would go to RQ too;
the load test starts no jobs).

The client is hand-rolled: two processes (one per core) of keep-alive HTTP/1.1 connections, one
thread per virtual user. Each user signs in through the login form (CSRF token and all) and gets
an API token; forwards and signatures go through the JSON API, pages through the browser routes.
A user forwards only files they hold, to a colleague of the same unit, so the run makes no
conflicting requests and every error is a real one. Login rate limiting is switched off for the
run (50 sign-ins from one address in a second would trip it).
"""
import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PG = 'postgresql+psycopg://postgres@127.0.0.1:5432/'
PASSWORD = 'Matkhau@123'
PIN = '2468'
TEAMS = 10
TEAM_SHAPE = (('leader', 'Chủ tịch', 1), ('clerk', 'Văn thư', 1), ('specialist', 'Chuyên viên', 3))
WORDS = ('kế hoạch', 'chuyển đổi số', 'báo cáo', 'quyết định', 'ngân sách', 'đất đai', 'giáo dục', 'y tế',
         'nông nghiệp', 'giao thông', 'thủy lợi', 'dân số', 'an ninh', 'văn hóa', 'môi trường')
SEARCH_TERMS = ('chuyen doi so', 'ngan sach', 'dat dai', 'giao duc', 'thuy loi', 'ke hoach 2026', 'bao cao')
# Partial indexes for the inbox: open files by holder (see docs/performance.md).
RECOMMENDED_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_work_files_open_by_holder ON work_files (holder_user_id, held_since) "
    "WHERE status NOT IN ('issued', 'completed', 'refused')",
    "CREATE INDEX IF NOT EXISTS ix_work_files_open_by_unit ON work_files (holder_unit_id, held_since) "
    "WHERE holder_user_id IS NULL AND status NOT IN ('issued', 'completed', 'refused')",
)
MIX = {  # request kind -> weight, per role
    'leader': {'inbox': 35, 'search': 15, 'file_page': 25, 'sign': 25},
    'other': {'inbox': 40, 'search': 20, 'file_page': 25, 'forward': 15},
}


# ---------------------------------------------------------------- the deployment

def run(*args, env, check=True):
    return subprocess.run(args, cwd=ROOT, env=env, check=check, capture_output=True, text=True)


def psql(sql, db='postgres'):
    subprocess.run(['psql', '-h', '127.0.0.1', '-U', 'postgres', '-qAtc', sql, db], check=True,
                   capture_output=True, text=True)


def environment(database_url, workdir):
    env = dict(os.environ, DATABASE_URL=database_url, KEYS_DIR=str(workdir / 'keys'),
               STORAGE_URL=f'file://{workdir}/storage', SECRET_KEY=secrets.token_hex(16), RATELIMIT_ENABLED='0',
               PUBLIC_BASE_URL=os.environ.get('PUBLIC_BASE_URL', 'http://127.0.0.1:5000'))
    env.pop('REDIS_URL', None)
    return env


def seed(env, files):
    """People through the service layer, work files in bulk through SQL; returns the plan for the client."""
    os.environ.update({k: env[k] for k in ('DATABASE_URL', 'KEYS_DIR', 'STORAGE_URL', 'SECRET_KEY', 'PUBLIC_BASE_URL')})
    from sqlalchemy import text

    from workflow import create_app
    from workflow.directory.models import Unit, User, use_light_password_hashing
    from workflow.extensions import db
    from workflow.signing import credentials, stamps, trust
    from workflow.storage import blobs

    use_light_password_hashing()
    app = create_app({'TESTING': False})
    pdf = (ROOT / 'tests/fixtures/quyet-dinh-ke-hoach-cds-2026.pdf').read_bytes()
    png = (ROOT / 'tests/fixtures/chu-ky-nguyen-van-men.png').read_bytes()
    teams = []
    with app.app_context():
        district = Unit(code='H17', name='UBND huyện Cờ Đỏ', abbreviation='UBND', level_code='district')
        db.session.add(district)
        admin = User(username='quantri', full_name='Quản trị', title='Quản trị', unit=district, roles=['admin'])
        admin.set_password(PASSWORD)
        db.session.add(admin)
        trust.ensure_pki()
        for t in range(TEAMS):
            unit = Unit(code=f'H17.{t + 1:02d}', name=f'Phòng {t + 1}', abbreviation=f'P{t + 1}',
                        level_code='district', parent=district)
            db.session.add(unit)
            people = []
            for role, title, n in TEAM_SHAPE:
                for k in range(n):
                    user = User(username=f'u{t}{role[:2]}{k}', full_name=f'Người dùng {t}-{role}-{k}', title=title,
                                unit=unit, roles=[role])
                    user.set_password(PASSWORD)
                    db.session.add(user)
                    people.append(user)
            db.session.flush()
            leader = people[0]
            stamps.set_signature_image(admin, leader, png)
            credentials.issue_user_certificate(admin, leader, PIN)
            teams.append({'unit': unit.id, 'leader': leader.id, 'others': [p.id for p in people[1:]],
                          'names': {p.id: p.username for p in people}})
        digest = blobs().put(pdf)
        db.session.commit()
        started = time.monotonic()
        _bulk_files(db, text, teams, files, digest, len(pdf))
        db.session.commit()
        seconds = time.monotonic() - started
        db.session.execute(text('ANALYZE'))
        db.session.commit()
    return teams, seconds


def refresh_plan(database_url, teams):
    """What each user holds now (files to forward or to sign) and files their unit may open: taken
    afresh before every run, since the previous run forwarded and signed some of them."""
    import psycopg

    with psycopg.connect(database_url.replace('+psycopg', '')) as conn:
        for team in teams:
            team['holding'] = {}
            rows = conn.execute(
                "SELECT holder_user_id, id FROM work_files WHERE owner_unit_id = %s AND holder_user_id IS NOT NULL "
                "AND status IN ('in_progress', 'awaiting_signature') ORDER BY id DESC", (team['unit'],))
            for user_id, file_id in rows:
                team['holding'].setdefault(str(user_id), []).append(file_id)
            team['visible'] = [row[0] for row in conn.execute(
                'SELECT file_id FROM file_access WHERE unit_id = %s ORDER BY random() LIMIT 400', (team['unit'],))]
    return json.loads(json.dumps(teams))  # ids as the client processes will see them


def _bulk_files(db, text, teams, count, digest, size):
    """`count` work files spread over the teams, with a document, an access row and a 'create' step each."""
    statuses = ("CASE WHEN (i / 10) % 20 = 0 THEN 'awaiting_signature' WHEN (i / 10) % 4 = 1 THEN 'in_progress' "
                "ELSE 'completed' END")
    units = '(ARRAY[' + ','.join(str(t['unit']) for t in teams) + '])'
    leaders = '(ARRAY[' + ','.join(str(t['leader']) for t in teams) + '])'
    others = '(ARRAY[' + ','.join(str(o) for t in teams for o in t['others']) + '])'
    from workflow.files.search import fold

    words = '(ARRAY[' + ','.join(f"'{w}'" for w in WORDS) + '])'
    folded = '(ARRAY[' + ','.join(f"'{fold(w)}'" for w in WORDS) + '])'
    db.session.execute(text(f"""
        INSERT INTO work_files (id, title, summary, doc_type, urgency, direction, status, owner_unit_id, creator_id,
            holder_unit_id, holder_user_id, held_since, paper_origin, search_text, created_at, closed_at, version,
            deadline)
        SELECT i, initcap(w1) || ' ' || w2 || ' số ' || i, '', 'KH', 'normal', 'outgoing', st,
            {units}[1 + t], {others}[1 + t * 4 + (i / 80) % 4], {units}[1 + t],
            CASE WHEN st = 'awaiting_signature' THEN {leaders}[1 + t] ELSE {others}[1 + t * 4 + (i / 80) % 4] END,
            now() - (i % 5000) * interval '7 minutes', false,
            folded || ' ' || i, now() - (i % 5000) * interval '7 minutes',
            CASE WHEN st = 'completed' THEN now() - (i % 4000) * interval '5 minutes' END, 1,
            CASE WHEN i % 7 = 0 THEN now() + (i % 30 - 10) * interval '1 day' END
        FROM (SELECT i, i % {TEAMS} AS t, {statuses} AS st,
                     {words}[1 + i % {len(WORDS)}] AS w1, {words}[1 + (i / 3) % {len(WORDS)}] AS w2,
                     {folded}[1 + i % {len(WORDS)}] || ' ' || {folded}[1 + (i / 3) % {len(WORDS)}] AS folded
              FROM generate_series(1, {count}) AS i) AS g"""))
    db.session.execute(text(f"""
        INSERT INTO documents (file_id, kind, filename, sha256, size, pages, paper_origin, uploaded_by_id, unit_id,
            created_at)
        SELECT id, 'main', 'van-ban-' || id || '.pdf', '{digest}', {size}, 1, false, creator_id, owner_unit_id,
            created_at FROM work_files"""))
    db.session.execute(text('INSERT INTO file_access (file_id, unit_id) SELECT id, owner_unit_id FROM work_files'))
    db.session.execute(text("""
        INSERT INTO file_events (file_id, at, actor_id, action, to_unit_id, to_user_id, note, on_paper)
        SELECT id, created_at, creator_id, 'create', owner_unit_id, holder_user_id, title, false FROM work_files"""))
    db.session.execute(text("SELECT setval(pg_get_serial_sequence('work_files', 'id'), "
                            "(SELECT max(id) FROM work_files))"))


class Server:
    """gunicorn as `make serve` runs it, with WEB_CONCURRENCY workers."""

    def __init__(self, env, workers, log_path):
        self.port, self.log_path = _free_port(), log_path
        self.env = dict(env, PORT=str(self.port), HOST='127.0.0.1', WEB_CONCURRENCY=str(workers))
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen([str(BIN / 'gunicorn'), '-c', 'gunicorn.conf.py', '--access-logfile',
                                         '/dev/null', 'wsgi:app'], cwd=ROOT, env=self.env,
                                        stdout=open(self.log_path, 'a'), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection('127.0.0.1', self.port, timeout=2)
                connection.request('GET', '/healthz')
                if connection.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError('gunicorn did not start')

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def _free_port():
    import socket
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------- the client

class VirtualUser:
    def __init__(self, port, user_id, username, role, team, holdings, lock):
        self.port, self.user_id, self.username, self.role = port, user_id, username, role
        self.team, self.holdings, self.lock = team, holdings, lock
        self.connection = http.client.HTTPConnection('127.0.0.1', port, timeout=120)
        self.cookie, self.token = '', None
        self.page_cache = None

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookie:
            headers['Cookie'] = self.cookie
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()  # the worker recycled the keep-alive connection (max_requests)
                self.connection = http.client.HTTPConnection('127.0.0.1', self.port, timeout=120)
                if attempt == 2:
                    raise
        self.page_cache = response.getheader('X-Page-Cache')
        cookie = response.getheader('Set-Cookie')
        if cookie and cookie.startswith('session='):
            self.cookie = cookie.split(';', 1)[0]
        return response.status, data

    def sign_in(self):
        _status, page = self.request('GET', '/login')
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        form = urllib.parse.urlencode({'username': self.username, 'password': PASSWORD, 'csrf_token': token})
        status, _ = self.request('POST', '/login', form, {'Content-Type': 'application/x-www-form-urlencoded'})
        assert status == 302, f'login of {self.username} gave {status}'
        status, body = self.request('POST', '/api/v1/tokens', json.dumps({'username': self.username,
                                                                          'password': PASSWORD}),
                                    {'Content-Type': 'application/json'})
        assert status == 201, body
        self.token = json.loads(body)['token']

    def api(self, path, payload):
        return self.request('POST', '/api/v1' + path, json.dumps(payload),
                            {'Content-Type': 'application/json', 'Authorization': f'Bearer {self.token}'})

    def take(self, user_id):
        with self.lock:
            pool = self.holdings.get(user_id) or []
            return pool.pop() if pool else None

    def give(self, user_id, file_id):
        with self.lock:
            self.holdings.setdefault(user_id, []).append(file_id)

    def act(self, kind):
        if kind == 'inbox':
            return self.request('GET', '/')
        if kind == 'healthz':
            return self.request('GET', '/healthz')
        if kind == 'search':
            return self.request('GET', '/files?q=' + urllib.parse.quote(random.choice(SEARCH_TERMS)))
        if kind == 'file_page':
            return self.request('GET', f'/files/{random.choice(self.team["visible"])}')
        if kind == 'forward':
            file_id = self.take(self.user_id)
            if file_id is None:
                return self.act('inbox')
            colleague = random.choice([o for o in self.team['others'] if o != self.user_id])
            status, body = self.api(f'/files/{file_id}/forward', {'to_user_id': colleague, 'purpose': 'handle',
                                                                  'note': 'Chuyển xử lý'})
            self.give(colleague if status == 200 else self.user_id, file_id)
            return status, body
        if kind == 'sign':
            file_id = self.take(self.user_id)
            if file_id is None:
                return self.act('inbox')
            return self.api(f'/files/{file_id}/sign', {'pin': PIN})
        raise ValueError(kind)


def _client_process(port, teams, mix_kind, seconds, results):
    """One client process: a thread per virtual user of its teams, for `seconds`."""
    lock = threading.Lock()
    users = []
    for team in teams:
        holdings = {int(k): v for k, v in team['holding'].items()}
        for user_id in [team['leader']] + team['others']:
            role = 'leader' if user_id == team['leader'] else 'other'
            users.append(VirtualUser(port, user_id, team['names'][str(user_id)], role, team, holdings, lock))
    for user in users:
        user.sign_in()
    samples, errors, cache = [], [], {}
    start_barrier = threading.Barrier(len(users) + 1)

    def loop(user):
        rng = random.Random(user.user_id)
        weights = MIX[user.role] if mix_kind == 'mix' else {mix_kind: 1}
        kinds, cumulative = list(weights), list(weights.values())
        start_barrier.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            kind = rng.choices(kinds, cumulative)[0]
            began = time.perf_counter()
            try:
                status, body = user.act(kind)
            except Exception as exc:  # noqa: BLE001 - every failure is counted as an error
                status, body = 599, repr(exc).encode()
            elapsed = time.perf_counter() - began
            samples.append((kind, elapsed))
            if kind == 'inbox' and user.page_cache:
                cache[user.page_cache] = cache.get(user.page_cache, 0) + 1
            if status >= 400:
                errors.append((kind, status, body[:300].decode(errors='replace')))

    threads = [threading.Thread(target=loop, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    start_barrier.wait()
    for thread in threads:
        thread.join()
    results.put({'samples': samples, 'errors': errors, 'cache': cache})


def load(port, teams, mix_kind, seconds, processes=2):
    return summarise_collected(load_raw(port, teams, mix_kind, seconds, processes), seconds)


def load_abba(port, teams, seconds):
    """The ceiling and the inbox alone, `seconds` each, as four half-phases in the order ceiling,
    inbox, inbox, ceiling: a drift in what the machine gives (other work, PostgreSQL's background
    writer after the mix) weighs on both alike instead of on whichever ran first."""
    half = seconds / 2
    parts = {'healthz': [], 'inbox': []}
    for kind in ('healthz', 'inbox', 'inbox', 'healthz'):
        parts[kind].extend(load_raw(port, teams, kind, half))
    return (summarise_collected(parts['healthz'], seconds), summarise_collected(parts['inbox'], seconds))


def load_raw(port, teams, mix_kind, seconds, processes=2):
    """Run the client processes; what each one reported."""
    results = multiprocessing.Queue()
    share = [teams[i::processes] for i in range(processes)]
    workers = [multiprocessing.Process(target=_client_process, args=(port, part, mix_kind, seconds, results))
               for part in share]
    for worker in workers:
        worker.start()
    collected = []
    while len(collected) < len(workers):
        try:
            collected.append(results.get(timeout=5))
        except Exception:  # queue.Empty: a client process that died never reports
            if any(w.exitcode not in (None, 0) for w in workers):
                raise RuntimeError('a client process failed (see above)') from None
    for worker in workers:
        worker.join()
    return collected


def summarise_collected(collected, seconds):
    samples = [s for c in collected for s in c['samples']]
    errors = [e for c in collected for e in c['errors']]
    report = summarise(samples, errors, seconds)
    report['inbox_page_cache'] = {outcome: sum(c['cache'].get(outcome, 0) for c in collected)
                                  for outcome in ('hit', 'miss', 'bypass')}
    return report


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def summarise(samples, errors, seconds):
    by_kind = {}
    for kind, elapsed in samples:
        by_kind.setdefault(kind, []).append(elapsed)
    rows = {'all': [e for _k, e in samples], **by_kind}
    report = {}
    for kind, values in rows.items():
        report[kind] = {'requests': len(values), 'rps': len(values) / seconds,
                        'p50_ms': _percentile(values, 0.50), 'p95_ms': _percentile(values, 0.95),
                        'p99_ms': _percentile(values, 0.99), 'mean_ms': statistics.fmean(values) * 1000,
                        'errors': sum(1 for e in errors if kind in ('all', e[0]))}
    report['error_samples'] = errors[:5]
    return report


def table(title, report):
    lines = [f'### {title}', '', '| request | requests | req/s | p50 ms | p95 ms | p99 ms | errors |',
             '|---|---:|---:|---:|---:|---:|---:|']
    for kind, row in report.items():
        if kind in ('error_samples', 'inbox_page_cache'):
            continue
        lines.append(f"| {kind} | {row['requests']} | {row['rps']:.1f} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} | "
                     f"{row['p99_ms']:.0f} | {row['errors']} |")
    if any(report.get('inbox_page_cache', {}).values()):
        lines.append('')
        lines.append(f"inbox pages from the page cache: {report['inbox_page_cache']}")
    if report.get('error_samples'):
        lines.append('')
        lines.append(f"errors, first few: {report['error_samples']}")
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--files', type=int, default=100_000)
    parser.add_argument('--duration', type=int, default=60, help='seconds of the mixed load')
    parser.add_argument('--phase', type=int, default=60,
                        help='seconds of the ceiling and of the inbox-only phase (each, in two halves)')
    parser.add_argument('--workers', type=int, nargs='+', default=[4, 1])
    parser.add_argument('--json', default=None, help='also write the figures to this file')
    parser.add_argument('--keep-db', action='store_true')
    parser.add_argument('--page-cache', choices=('memory', 'redis', 'off'), default='memory',
                        help='PAGE_CACHE of the served app (redis: on 127.0.0.1:6379)')
    parser.add_argument('--recommended-indexes', action='store_true',  # now part of the schema; kept for old runs
                        help='add the partial indexes docs/performance.md recommends for the inbox')
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # clean up (servers, database) when stopped
    name = f'wf_load_{secrets.token_hex(4)}'
    workdir = Path(f'/tmp/{name}')
    workdir.mkdir()
    psql(f'CREATE DATABASE {name}')
    results = {'files': args.files, 'users': TEAMS * 5, 'duration': args.duration, 'page_cache': args.page_cache,
               'runs': {}}
    try:
        env = environment(PG + name, workdir)
        env['PAGE_CACHE'] = args.page_cache
        if args.page_cache == 'redis':
            env['REDIS_URL'] = 'redis://127.0.0.1:6379/0'
        run(str(BIN / 'flask'), '--app', 'wsgi', 'init-db', env=env)
        run(str(BIN / 'flask'), '--app', 'wsgi', 'pki', 'init', env=env)
        teams, seconds = seed(env, args.files)
        if args.recommended_indexes:
            for statement in RECOMMENDED_INDEXES:
                psql(statement, name)
            psql('ANALYZE work_files', name)
        print(f'seeded {args.files} work files in {seconds:.1f} s', flush=True)
        for workers in args.workers:
            plan = refresh_plan(PG + name, teams)
            with Server(env, workers, workdir / f'gunicorn-{workers}.log') as server:
                load(server.port, plan, 'inbox', 3)  # warm-up: imports, pools, template caches
                mix = load(server.port, plan, 'mix', args.duration)
                ceiling, inbox_only = load_abba(server.port, plan, args.phase)
                run_results = {'mix': mix, 'ceiling_healthz': ceiling, 'inbox_only': inbox_only}
            results['runs'][workers] = run_results
            boots = (workdir / f'gunicorn-{workers}.log').read_text().count('Booting worker')
            run_results['worker_starts'] = boots
            print(f'{workers} worker(s): {boots} worker starts during the run (recycled after '
                  f'GUNICORN_MAX_REQUESTS requests)', flush=True)
            for phase, report in ((k, v) for k, v in run_results.items() if k != 'worker_starts'):
                print(table(f'{workers} worker(s), {phase}', report), '\n', flush=True)
            ceiling = run_results['ceiling_healthz']['all']['rps']
            inbox = run_results['inbox_only']['all']['rps']
            print(f'{workers} worker(s): inbox {inbox:.0f} req/s = {inbox / ceiling:.0%} of the ceiling '
                  f'({ceiling:.0f} req/s)\n', flush=True)
    finally:
        if not args.keep_db:
            psql(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')
            logs = sorted(workdir.glob('gunicorn-*.log'))
            for log in logs:
                errors = [line for line in log.read_text().splitlines() if 'Error' in line or 'error' in line]
                if errors:
                    print(f'{log.name}: {len(errors)} error lines, e.g. {errors[:3]}')
            subprocess.run(['rm', '-rf', str(workdir)])
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))


if __name__ == '__main__':
    main()
