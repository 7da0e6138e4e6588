"""Composable fixtures: one app and schema per session, a clean database per test, builders."""
import os
import re
import secrets
import socket
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from workflow import create_app
from workflow.directory.models import Unit, User, use_light_password_hashing
from workflow.directory.operations import ensure_levels
from workflow.extensions import db
from workflow.files.operations import Upload, create_file
from workflow.files.page_cache import forget_everything

FIXTURES = Path(__file__).parent / 'fixtures'
PASSWORD = 'Matkhau@123'


def database_url(tmp_root):
    return os.environ.get('TEST_DATABASE_URL') or f'sqlite:///{tmp_root}/test.db'


def _free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


LIVE_PORT = _free_port()


@pytest.fixture(scope='session')
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp('app')
    use_light_password_hashing()
    app = create_app({
        'PUBLIC_BASE_URL': f'http://127.0.0.1:{LIVE_PORT}',
        'TESTING': True,
        'SQLALCHEMY_DATABASE_URI': database_url(root),
        'STORAGE_URL': f'file://{root}/storage',
        'KEYS_DIR': str(root / 'keys'),
        'RATELIMIT_ENABLED': False,
        'WTF_CSRF_ENABLED': False,
        'SECRET_KEY': secrets.token_hex(16),
        'SERVER_NAME': None,
    })
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope='session')
def live_server(app):
    """The same app served over real HTTP on 127.0.0.1 (browsers, pdfsig's OCSP look-ups)."""
    server = make_server('127.0.0.1', LIVE_PORT, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f'http://127.0.0.1:{LIVE_PORT}'
    yield server
    server.shutdown()


def _wipe():
    # DELETE beats TRUNCATE on the nearly empty tables a test leaves behind.
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    forget_everything()  # pages kept for people who no longer exist


@pytest.fixture(autouse=True)
def clean_db(app, request):
    if request.node.get_closest_marker('nodb'):
        yield  # a test of pure logic: nothing to clean
        return
    with app.app_context():
        ensure_levels()
        db.session.commit()
    yield
    with app.app_context():
        db.session.rollback()
        _wipe()


@pytest.fixture
def ctx(app):
    """An application context for tests that call operations directly."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


def pdf(name='quyet-dinh-ke-hoach-cds-2026.pdf'):
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def make_unit(app):
    counter = {'n': 0}

    def build(name=None, *, level='district', parent=None, abbreviation='UBND', code=None):
        with app.app_context():
            counter['n'] += 1
            n = counter['n']
            parent_id = parent.id if isinstance(parent, Unit) else parent
            if code is None:
                code = f'H{n:02d}' if parent_id is None else f'{db.session.get(Unit, parent_id).code}.{n:02d}'
            unit = Unit(code=code, name=name or f'Đơn vị {n}', abbreviation=abbreviation, level_code=level,
                        parent_id=parent_id)
            db.session.add(unit)
            db.session.commit()
            db.session.refresh(unit)
            db.session.expunge(unit)
            return unit
    return build


@pytest.fixture
def make_user(app):
    counter = {'n': 0}

    def build(unit, roles=('specialist',), *, username=None, full_name=None, title='Chuyên viên'):
        with app.app_context():
            counter['n'] += 1
            user = User(username=username or f'user{counter["n"]}', full_name=full_name or f'Nguyễn Văn {counter["n"]}',
                        title=title, unit_id=unit.id)
            user.roles = list(roles)
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user
    return build


@pytest.fixture
def make_file(app):
    def build(actor, *, title='Kế hoạch chuyển đổi số năm 2026', doc_type='QĐ', data=None, **kwargs):
        with app.app_context():
            user = db.session.get(User, actor.id)
            file, _dup = create_file(user, title=title, doc_type=doc_type,
                                     upload=Upload('du-thao.pdf', data or pdf()), **kwargs)
            db.session.commit()
            return file.id
    return build


def login(client, user, password=PASSWORD):
    response = client.post('/login', data={'username': user.username, 'password': password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def api_token(client, user, password=PASSWORD):
    response = client.post('/api/v1/tokens', json={'username': user.username, 'password': password})
    assert response.status_code == 201, response.get_json()
    return {'Authorization': f'Bearer {response.get_json()["token"]}'}


def text_of(response):
    return re.sub(r'\s+', ' ', response.get_data(as_text=True))
