"""Background work: bulk signing on a real RQ worker (Redis at 127.0.0.1:6379), the embedded mode's
thread, and progress visible through the JSON endpoint the page polls."""
import os
import secrets
import subprocess
import sys

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import select

from tests.builders import LEADER_PIN, PASSWORD, build, signing_district
from tests.support.pages import login
from tests.support.services import ROOT, app_environment
from workflow.directory.models import use_light_password_hashing
from workflow.extensions import db
from workflow.files.models import WorkFile
from workflow.files.operations import forward_file
from workflow.jobs.models import JobRun
from workflow.jobs.queue import wait_for_embedded_jobs
from workflow.signing.models import Credential, SignatureRecord
from workflow.signing.verification import verify_bytes
from workflow.storage import blobs

pytestmark = pytest.mark.committing  # other connections (threads, processes, the fast path) must see the data

REDIS_URL = 'redis://127.0.0.1:6379/0'


def _awaiting_signature(org, count):
    """`count` drafts sent to the chairman for signature, committed so other processes see them."""
    ids = []
    for n in range(count):
        file = org.draft(title=f'Quyết định số {n + 1} về chuyển đổi số')
        forward_file(file, org.specialist, purpose='sign', to_user=org.chairman)
        ids.append(file.id)
    org.chairman.set_password(PASSWORD)
    org.specialist.set_password(PASSWORD)
    db.session.commit()
    return ids


@pytest.fixture
def signing_org(ctx):
    use_light_password_hashing()
    return build(signing_district)


def _assert_signed_by_chairman(file_ids):
    for file_id in file_ids:
        file = db.session.get(WorkFile, file_id)
        assert file.status == 'signed'
        report = verify_bytes(blobs().get(file.main_document.sha256))
        assert report['valid'], report
        assert len(report['signatures']) == 1
        records = db.session.scalars(select(SignatureRecord).where(
            SignatureRecord.document_id == file.main_document.id)).all()
        assert [r.role for r in records] == ['signer']


def test_a_leader_bulk_signs_50_documents_on_a_real_rq_worker(app, signing_org, tmp_path, monkeypatch):
    file_ids = _awaiting_signature(signing_org, 50)
    queue_name = f'workflow-test-{secrets.token_hex(4)}'
    monkeypatch.setitem(app.config, 'REDIS_URL', REDIS_URL)
    monkeypatch.setitem(app.config, 'JOBS_QUEUE', queue_name)
    browser = login(app.test_client(), signing_org.chairman)
    page = browser.get('/jobs/bulk-sign')
    assert page.status_code == 200 and page.get_data(as_text=True).count('name="file_ids"') == 50

    response = browser.post('/jobs/bulk-sign', data={'file_ids': file_ids, 'pin': LEADER_PIN})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    run_id = int(response.headers['Location'].rstrip('/').rsplit('/', 1)[1])
    queue = Queue(queue_name, connection=Redis.from_url(REDIS_URL))
    try:
        assert queue.count == 1
        assert LEADER_PIN.encode() not in b''.join(  # the PIN travels sealed, never in clear
            v for v in Redis.from_url(REDIS_URL).hgetall(f'rq:job:{queue.job_ids[0]}').values())
        assert browser.get(f'/jobs/{run_id}/progress').get_json()['state'] == 'queued'

        env = app_environment(tmp_path, DATABASE_URL=app.config['SQLALCHEMY_DATABASE_URI'],
                              STORAGE_URL=app.config['STORAGE_URL'], KEYS_DIR=app.config['KEYS_DIR'],
                              SECRET_KEY=app.config['SECRET_KEY'], REDIS_URL=REDIS_URL, JOBS_QUEUE=queue_name)
        worker = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'flask'), '--app', 'wsgi', 'worker',
                                 '--burst'], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert worker.returncode == 0, worker.stderr[-3000:]
    finally:
        queue.delete(delete_jobs=True)

    progress = browser.get(f'/jobs/{run_id}/progress').get_json()
    assert (progress['state'], progress['done'], progress['failed'], progress['percent']) == ('finished', 50, 0, 100)
    assert all(item['ok'] for item in progress['results']) and len(progress['results']) == 50
    db.session.expire_all()
    _assert_signed_by_chairman(file_ids)


def test_in_the_embedded_mode_the_same_job_runs_on_a_thread_with_visible_progress(app, signing_org):
    assert not app.config.get('REDIS_URL')
    file_ids = _awaiting_signature(signing_org, 3)
    browser = login(app.test_client(), signing_org.chairman)
    response = browser.post('/jobs/bulk-sign', data={'file_ids': file_ids, 'pin': LEADER_PIN})
    assert response.status_code == 302
    page = browser.get(response.headers['Location'])
    html = page.get_data(as_text=True)
    assert 'data-progress-url="/jobs/' in html and 'js/job-progress.js' in html and '<script>' not in html
    wait_for_embedded_jobs(app, timeout=120)
    run_id = int(response.headers['Location'].rsplit('/', 1)[1])
    progress = browser.get(f'/jobs/{run_id}/progress').get_json()
    assert (progress['state'], progress['done'], progress['failed']) == ('finished', 3, 0)
    db.session.expire_all()
    _assert_signed_by_chairman(file_ids)


def test_a_wrong_pin_is_refused_before_anything_is_queued_and_costs_one_attempt(app, signing_org):
    file_ids = _awaiting_signature(signing_org, 2)
    browser = login(app.test_client(), signing_org.chairman)
    response = browser.post('/jobs/bulk-sign', data={'file_ids': file_ids, 'pin': '0000'})
    assert response.status_code == 422
    assert 'Mã PIN không đúng' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count(JobRun.id))) == 0
    credential = db.session.scalars(select(Credential).where(Credential.user_id == signing_org.chairman.id,
                                                             Credential.active)).one()
    assert credential.failed_pins == 1


def test_more_than_the_limit_or_files_not_awaiting_the_leader_are_refused(app, signing_org, monkeypatch):
    file_ids = _awaiting_signature(signing_org, 3)
    monkeypatch.setitem(app.config, 'BULK_SIGN_MAX', 2)
    browser = login(app.test_client(), signing_org.chairman)
    response = browser.post('/jobs/bulk-sign', data={'file_ids': file_ids, 'pin': LEADER_PIN})
    assert response.status_code == 400 and 'Chọn từ 1 đến 2 văn bản' in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(JobRun.id))) == 0


def test_only_leaders_may_bulk_sign(app, signing_org):
    _awaiting_signature(signing_org, 1)
    specialist = login(app.test_client(), signing_org.specialist)
    assert specialist.get('/jobs/bulk-sign').status_code == 403

