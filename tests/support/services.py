"""Real service processes for the production tests: throwaway PostgreSQL databases, gunicorn,
moto's S3 server and an SMTP server, each on a free loopback port and stopped afterwards."""
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = 'postgresql://postgres@127.0.0.1:5432/postgres'
PG_BASE = 'postgresql+psycopg://postgres@127.0.0.1:5432/'
VENV_BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def wait_for_port(port, timeout=20.0, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f'process exited with {process.returncode}')
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if probe.connect_ex(('127.0.0.1', port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f'nothing listening on {port}')


def wait_for_postgres(admin=PG_ADMIN, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(admin, connect_timeout=2) as conn:
                conn.execute('SELECT 1')
                return
        except psycopg.OperationalError:
            time.sleep(0.3)
    raise TimeoutError('PostgreSQL did not come back')


@contextlib.contextmanager
def throwaway_postgres():
    """A new, empty PostgreSQL database for one test; dropped afterwards whatever happens."""
    name = f'wf_prod_{secrets.token_hex(5)}'
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE {name}')
    try:
        yield PG_BASE + name
    finally:
        wait_for_postgres()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')


def _pg_bin():
    versions = sorted(Path('/usr/lib/postgresql').iterdir(), key=lambda p: int(p.name))
    return versions[-1] / 'bin'


class PrivateServer:
    """A PostgreSQL server of the test's own (Debian's binaries, a data directory in /tmp, a free
    loopback port, trust authentication), so that restarting it disturbs no other test of the run."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix='wf-pg-'))
        self.data = self.root / 'data'
        self.port = free_port()
        self.admin = f'postgresql://postgres@127.0.0.1:{self.port}/postgres'
        self.url = f'postgresql+psycopg://postgres@127.0.0.1:{self.port}/app'

    def _run(self, *args, timeout=120):
        command = [str(_pg_bin() / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.root, 'postgres')
            command = ['runuser', '-u', 'postgres', '--', *command]
        subprocess.run(command, check=True, timeout=timeout, capture_output=True)

    def _ctl(self, action):
        options = f'-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off'
        self._run('pg_ctl', action, '-D', str(self.data), '-w', '-m', 'fast', '-o', options,
                  '-l', str(self.root / 'server.log'))

    def start(self):
        self._run('initdb', '-D', str(self.data), '-U', 'postgres', '-A', 'trust', '--no-sync')
        self._ctl('start')
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute('CREATE DATABASE app')

    def restart(self):
        """One quick restart (fast shutdown: every connection is cut); waits until it accepts again."""
        self._ctl('restart')
        wait_for_postgres(self.admin)

    def stop(self):
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
            self._ctl('stop')
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def private_postgres():
    server = PrivateServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def fresh_database(tmp_path):
    """An empty database of the same kind as the suite's: PostgreSQL in the PostgreSQL pass."""
    if os.environ.get('TEST_DATABASE_URL', '').startswith('postgresql'):
        with throwaway_postgres() as url:
            yield url
    else:
        yield f'sqlite:///{tmp_path}/fresh.db'


def stop(process, timeout=10):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def app_environment(tmp_path, **overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(('DATABASE_URL', 'STORAGE_URL', 'REDIS_URL'))}
    env.update({'SECRET_KEY': 'test-' + secrets.token_hex(8), 'KEYS_DIR': str(tmp_path / 'keys'),
                'STORAGE_URL': f'file://{tmp_path}/storage', 'RATELIMIT_ENABLED': '0', 'PYTHONUNBUFFERED': '1',
                # a PostgreSQL deployment refuses to start without it (workflow/config.py)
                'PUBLIC_BASE_URL': 'http://127.0.0.1:5000'})
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def flask_cli(env, *args, check=True):
    return subprocess.run([str(VENV_BIN / 'flask'), '--app', 'wsgi', *args], cwd=ROOT, env=env, check=check,
                          capture_output=True, text=True, timeout=300)


@contextlib.contextmanager
def gunicorn(env, *, workers=2, log_path=None):
    """`gunicorn -c gunicorn.conf.py wsgi:app` as `make serve` runs it, on a free loopback port."""
    port = free_port()
    env = dict(env, PORT=str(port), HOST='127.0.0.1', WEB_CONCURRENCY=str(workers))
    log = open(log_path, 'w') if log_path else subprocess.DEVNULL
    process = subprocess.Popen([str(VENV_BIN / 'gunicorn'), '-c', 'gunicorn.conf.py', '--access-logfile', '/dev/null',
                                'wsgi:app'], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        wait_for_port(port, timeout=30, process=process)
        yield f'http://127.0.0.1:{port}'
    finally:
        stop(process)
        if log_path:
            log.close()


def http(method, url, data=None, headers=None, timeout=30):
    """(status, body bytes) of one request, whatever the status."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def moto_server():
    """moto's standalone S3 server process; yields its endpoint URL (and the process, to stop it)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, '-m', 'moto.server', '-H', '127.0.0.1', '-p', str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, process=process)
        process.endpoint = f'http://127.0.0.1:{port}'
        yield process
    finally:
        stop(process)


@pytest.fixture
def smtp_server(tmp_path):
    """aiosmtpd as a separate process, delivering into a Maildir the test reads."""
    port = free_port()
    maildir = tmp_path / 'maildir'
    process = subprocess.Popen([sys.executable, '-m', 'aiosmtpd', '-n', '-l', f'127.0.0.1:{port}',
                                '-c', 'aiosmtpd.handlers.Mailbox', str(maildir)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, process=process)
        process.port, process.maildir = port, maildir
        yield process
    finally:
        stop(process)
