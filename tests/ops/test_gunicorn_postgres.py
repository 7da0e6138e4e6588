"""`make serve`: gunicorn with several workers on PostgreSQL, surviving a restart of the database."""
import json

import pytest

from tests.support.services import app_environment, flask_cli, gunicorn, http, private_postgres

pytestmark = pytest.mark.committing  # other connections (threads, processes, the fast path) must see the data


def _token(base):
    body = json.dumps({'username': 'quantri', 'password': 'Quan tri Co Do 2026'}).encode()
    return http('POST', f'{base}/api/v1/tokens', body, {'Content-Type': 'application/json'})


def test_gunicorn_workers_serve_postgres_and_survive_a_database_restart(tmp_path):
    with private_postgres() as server:  # restarted below: a server of its own, not the run's
        env = app_environment(tmp_path, DATABASE_URL=server.url)
        flask_cli(env, 'init-db')
        flask_cli(env, 'create-admin', 'quantri', '--password', 'Quan tri Co Do 2026', '--unit-code', 'H17',
                  '--unit-name', 'UBND huyện Cờ Đỏ')
        with gunicorn(env, workers=2, log_path=tmp_path / 'gunicorn.log') as base:
            assert http('GET', f'{base}/healthz') == (200, b'ok\n')
            for _ in range(8):  # enough requests that both workers hold pooled connections
                status, body = _token(base)
                assert status == 201, body
            status, body = http('GET', f'{base}/readyz')
            assert (status, json.loads(body)['database']) == (200, 'postgresql')

            server.restart()

            status, body = _token(base)  # the very next request after PostgreSQL is back
            assert status == 201, body
            for _ in range(8):
                assert _token(base)[0] == 201
                assert http('GET', f'{base}/readyz')[0] == 200
        log = (tmp_path / 'gunicorn.log').read_text()
        assert 'Booting worker' in log and log.count('Booting worker') == 2  # no worker was replaced
