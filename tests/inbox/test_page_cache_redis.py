"""PAGE_CACHE=redis: the gunicorn workers of one deployment share kept pages (real Redis on
127.0.0.1:6379); the inbox versions in the database tell every worker when a page is stale."""
import re

import pytest

from tests.support.pages import login
from workflow import create_app
from workflow.config import ConfigError, from_environment
from workflow.directory.models import User
from workflow.extensions import db
from workflow.files.models import WorkFile
from workflow.files.operations import forward_file

pytestmark = pytest.mark.committing  # other connections (threads, processes, the fast path) must see the data

REDIS_URL = 'redis://127.0.0.1:6379/0'


@pytest.fixture
def two_workers(app):
    """Two app instances on the test database, as two worker processes would be."""
    settings = {key: app.config[key] for key in ('SQLALCHEMY_DATABASE_URI', 'STORAGE_URL', 'KEYS_DIR',
                                                 'SECRET_KEY', 'PUBLIC_BASE_URL')}
    workers = [create_app(dict(settings, TESTING=True, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False,
                               PAGE_CACHE='redis', REDIS_URL=REDIS_URL)) for _ in range(2)]
    yield workers
    with workers[0].app_context():
        workers[0].extensions['page_cache'].clear()


def outcome(client):
    response = client.get('/')
    assert response.status_code == 200
    return response.headers['X-Page-Cache'], re.sub(r'\s+', ' ', response.get_data(as_text=True))


def test_a_page_kept_by_one_worker_is_served_by_another_until_it_changes(
        app, two_workers, make_unit, make_user, make_file):
    unit = make_unit('Phòng Tài chính - Kế hoạch')
    sender, recipient = make_user(unit), make_user(unit, ('leader',))
    file_id = make_file(sender, title='Dự toán ngân sách năm 2027')
    first, second = (login(worker.test_client(), recipient) for worker in two_workers)
    assert outcome(first)[0] == 'miss'
    assert outcome(second)[0] == 'hit'  # kept by the first worker, in Redis

    with two_workers[0].app_context():
        forward_file(db.session.get(WorkFile, file_id), db.session.get(User, sender.id), purpose='sign',
                     to_user=db.session.get(User, recipient.id))
        db.session.commit()

    kind, html = outcome(second)
    assert kind == 'miss' and 'Dự toán ngân sách năm 2027' in html
    kind, again = outcome(first)
    assert kind == 'hit' and without_tokens(again) == without_tokens(html)  # each session has its own token


def without_tokens(html):
    return re.sub(r'name="csrf_token" value="[^"]+"', '', html)


def test_a_page_cache_setting_that_cannot_work_is_refused_at_start(monkeypatch):
    monkeypatch.setenv('PAGE_CACHE', 'disk')
    with pytest.raises(ConfigError, match='PAGE_CACHE'):
        from_environment()
    monkeypatch.setenv('PAGE_CACHE', 'redis')
    monkeypatch.delenv('REDIS_URL', raising=False)
    with pytest.raises(ConfigError, match='REDIS_URL'):
        from_environment()


def test_with_the_cache_off_every_look_renders_afresh(app, make_unit, make_user):
    settings = {key: app.config[key] for key in ('SQLALCHEMY_DATABASE_URI', 'STORAGE_URL', 'KEYS_DIR', 'SECRET_KEY',
                                                 'PUBLIC_BASE_URL')}
    worker = create_app(dict(settings, TESTING=True, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False, PAGE_CACHE='off'))
    client = login(worker.test_client(), make_user(make_unit()))
    assert [outcome(client)[0] for _ in range(2)] == ['miss', 'miss']
