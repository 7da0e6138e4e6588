"""Composable fixtures: one app and schema per session, each test isolated in its own transaction,
the organisations of tests/builders.py, and clients that speak HTML and the API as a given person.
Every answer a test gets from /api/v1 must fit the OpenAPI document (tests/support/contract.py)."""
import os
import secrets
import socket
import threading
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from tests.builders import (  # noqa: F401  (FIXTURES, PASSWORD, pdf: imported by tests from here too)
    FIXTURES,
    PASSWORD,
    Organisation,
    api_district,
    build,
    build_detached,
    co_do,
    district_with_communes,
    pdf,
    restart_numbering,
    small_district,
    vn_time,
)
from tests.support import database
from tests.support.api import ApiClient, api_token  # noqa: F401
from tests.support.chromium import chromium
from tests.support.contract import CONTRACT, RECORDER
from tests.support.pages import login, text_of  # noqa: F401
from tests.support.services import moto_server, smtp_server  # noqa: F401  (fixtures)
from workflow import create_app
from workflow.directory.models import Unit, User, use_light_password_hashing
from workflow.directory.operations import ensure_levels
from workflow.extensions import db
from workflow.files.operations import Upload, create_file
from workflow.timeutil import aware, clock_at, now


def database_url(tmp_root):
    return os.environ.get('TEST_DATABASE_URL') or f'sqlite:///{tmp_root}/test.db'


@contextmanager
def database_of_this_worker(url):
    """Under pytest-xdist each worker gets its own throwaway PostgreSQL database beside the run's
    (`<run>_gw0`, …), dropped when the worker ends; SQLite files already live in the worker's tmp."""
    worker = os.environ.get('PYTEST_XDIST_WORKER')
    if not worker or not url.startswith('postgresql'):
        yield url
        return
    base, name = url.rsplit('/', 1)
    own = f'{name}_{worker}'
    admin = base.replace('+psycopg', '') + '/postgres'
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS {own} WITH (FORCE)')
        conn.execute(f'CREATE DATABASE {own}')
    try:
        yield f'{base}/{own}'
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS {own} WITH (FORCE)')


def _free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


LIVE_PORT = _free_port()


@pytest.fixture(scope='session')
def suite_database(tmp_path_factory):
    with database_of_this_worker(database_url(tmp_path_factory.mktemp('db'))) as url:
        yield url


@pytest.fixture(scope='session')
def app(tmp_path_factory, suite_database):
    root = tmp_path_factory.mktemp('app')
    use_light_password_hashing()
    app = create_app({
        'PUBLIC_BASE_URL': f'http://127.0.0.1:{LIVE_PORT}',
        'TESTING': True,
        'SQLALCHEMY_DATABASE_URI': suite_database,
        'STORAGE_URL': f'file://{root}/storage',
        'KEYS_DIR': str(root / 'keys'),
        'RATELIMIT_ENABLED': False,
        'WTF_CSRF_ENABLED': False,
        'SECRET_KEY': secrets.token_hex(16),
        'SERVER_NAME': None,
    })
    with app.app_context():
        upgrade()
        ensure_levels()
        db.session.commit()
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


@pytest.fixture
def browser():
    """Debian's chromium for one browser journey (tests/support/chromium.py). Not kept for the session:
    while Playwright runs, its event loop is the thread's, and signing in the test thread needs its own."""
    with chromium() as launched:
        yield launched


@pytest.fixture(autouse=True)
def limiter_as_the_suite_has_it():
    """A test that builds a second app switches Flask-Limiter (one object for every app) on for all of
    them; the suite's app has it off, and gets it back off after such a test."""
    from workflow.extensions import limiter
    enabled, initialized = limiter.enabled, limiter.initialized
    yield
    limiter.enabled, limiter.initialized = enabled, initialized


@pytest.fixture(autouse=True)
def isolation(app, request):
    """Each test's database: rolled back afterwards, or committed and wiped (tests/support/database.py)."""
    if request.node.get_closest_marker('nodb'):
        yield  # a test of pure logic: nothing to clean
        return
    restart_numbering()
    committing = request.node.get_closest_marker('committing') or 'live_server' in request.fixturenames
    with (database.committed(app) if committing else database.rolled_back(app)):
        yield


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    RECORDER.clear()  # what the previous test's teardown asked is not this test's


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """The test fails when an answer it (or its fixtures) got from /api/v1 does not fit the document."""
    result = yield
    problems = CONTRACT.problems(RECORDER.taken())
    if problems:
        pytest.fail('answers that do not fit the OpenAPI document:\n  ' + '\n  '.join(problems), pytrace=False)
    return result


@pytest.fixture
def ctx(app):
    """An application context for tests that call operations directly."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_unit(app):
    """A unit committed on its own and handed back detached (for tests that speak HTTP)."""
    def build(name=None, *, level='district', parent=None, abbreviation='UBND', code=None):
        with app.app_context():
            parent = db.session.get(Unit, parent.id if isinstance(parent, Unit) else parent) if parent else None
            unit = Organisation().unit(name, code=code, abbreviation=abbreviation, level=level, parent=parent)
            return _committed_and_detached(unit)
    return build


@pytest.fixture
def make_user(app):
    """A person committed on their own and handed back detached, with the test password."""
    def build(unit, roles=('specialist',), *, username=None, full_name=None, title='Chuyên viên'):
        with app.app_context():
            person = Organisation().person(db.session.get(Unit, unit.id), *roles, username=username,
                                           full_name=full_name, title=title)
            return _committed_and_detached(person)
    return build


def _committed_and_detached(thing):
    db.session.commit()
    db.session.refresh(thing)
    db.session.expunge(thing)
    return thing


@pytest.fixture
def make_file(app):
    """A draft created through the service layer, committed; its id. A file whose deadline has passed
    is created the day before that deadline (no one may give a new file a deadline in the past)."""
    def build(actor, *, title='Kế hoạch chuyển đổi số năm 2026', doc_type='QĐ', data=None, deadline=None, **kwargs):
        moment = now() if deadline is None else min(now(), aware(deadline) - timedelta(days=1))
        with app.app_context(), clock_at(moment):
            user = db.session.get(User, actor.id)
            file, _dup = create_file(user, title=title, doc_type=doc_type, deadline=deadline,
                                     upload=Upload('du-thao.pdf', data or pdf()), **kwargs)
            db.session.commit()
            return file.id
    return build


@pytest.fixture
def as_user(app):
    """A fresh browser session signed in as `user`."""
    def sign_in(user, password=PASSWORD):
        return login(app.test_client(), user, password)
    return sign_in


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def english(app):
    """The catalog's English for a Vietnamese source message; fails if it has no translation."""
    from flask_babel import force_locale, gettext

    def translate(vietnamese, **params):
        with app.test_request_context('/'), force_locale('en'):
            text = gettext(vietnamese, **params)
        assert text != (vietnamese % params if params else vietnamese), f'no English for {vietnamese!r}'
        return text
    return translate


# ---------------------------------------------------------------- the organisations (tests/builders.py)

@pytest.fixture
def small_district_org(ctx):
    """A small district, in the test's own session (service-level tests)."""
    return build(small_district)


@pytest.fixture
def communes_org(app):
    """The district UBND and two communes, someone in every role; committed and detached (HTML tests)."""
    return build_detached(app, district_with_communes)


@pytest.fixture
def api_org(app):
    """Cờ Đỏ in miniature, five communes; committed and detached (API tests)."""
    return build_detached(app, api_district)


@pytest.fixture
def cd(ctx):
    """Cờ Đỏ with the demo's unit codes, for tests that call queries and operations directly."""
    district = build(co_do)
    db.session.commit()
    return district


@pytest.fixture
def district(app):
    """Cờ Đỏ with the demo's unit codes (and whatever `extra(org)` adds), committed in its own app
    context and handed back detached: for tests that go through HTTP."""
    def make(extra=None):
        org = build_detached(app, co_do, extra)
        org.vn_time = vn_time
        return org
    return make
