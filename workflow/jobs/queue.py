"""Where jobs run: RQ on Redis when REDIS_URL is set, otherwise a background thread in this process.

The embedded mode uses one worker thread per process (a ThreadPoolExecutor), not synchronous
execution: the page that started a bulk signing returns at once and shows progress exactly as in
production, and no extra service is needed. Jobs started that way do not survive a restart of the
process; production deployments set REDIS_URL and run `flask --app wsgi worker`.
"""
import base64
import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, has_app_context

from ..extensions import db
from ..unit_of_work import after_commit

log = logging.getLogger(__name__)

JOB_TIMEOUT = 3600
SEALED_SECONDS = 3600  # a sealed PIN is useless after an hour, whatever happens to the queue


def redis_connection(app=None):
    from redis import Redis

    app = app or current_app
    return Redis.from_url(app.config['REDIS_URL'])


def rq_queue(app=None):
    from rq import Queue

    app = app or current_app
    return Queue(app.config['JOBS_QUEUE'], connection=redis_connection(app))


def _executor(app):
    executor = app.extensions.get('jobs_executor')
    if executor is None:
        executor = app.extensions['jobs_executor'] = ThreadPoolExecutor(max_workers=1,
                                                                         thread_name_prefix='workflow-job')
    return executor


def _run_embedded(app, task, args):
    try:
        with app.app_context():
            task(*args)
    except Exception:  # the task records its own failure on its JobRun; this is the last resort
        log.exception('background job %s failed', getattr(task, '__name__', task))


def enqueue(task, *args, job_id=None):
    """Run `task(*args)` in the background now; returns the RQ job id, or None in the embedded mode.
    Inside a transaction, use `enqueue_after_commit`: the job must see what the transaction wrote."""
    app = current_app._get_current_object()
    if app.config.get('REDIS_URL'):
        job = rq_queue(app).enqueue(task, *args, job_timeout=JOB_TIMEOUT, result_ttl=0,
                                    failure_ttl=24 * 3600, job_id=job_id)
        return job.id
    future = _executor(app).submit(_run_embedded, app, task, args)
    app.extensions.setdefault('jobs_futures', []).append(future)
    return None


def enqueue_after_commit(run, task, *args):
    """Queue `task(run.id, *args)` once the transaction that created `run` (a JobRun) has committed;
    never if it rolls back. Returns the RQ job id the run is known by (None in the embedded mode)."""
    app = current_app._get_current_object()
    db.session.flush()
    job_id = f'workflow-run-{run.id}' if app.config.get('REDIS_URL') else None
    after_commit(lambda: enqueue(task, run.id, *args, job_id=job_id))
    return job_id


def wait_for_embedded_jobs(app, timeout=None):
    """Block until the jobs started in this process have finished (tests, graceful shutdown)."""
    for future in app.extensions.pop('jobs_futures', []):
        future.result(timeout=timeout)


def task_app():
    """The Flask app a task runs in: the current one (worker command, embedded thread) or a new one."""
    if has_app_context():
        return current_app._get_current_object()
    from .. import create_app

    return create_app()


def _fernet(app):
    key = hashlib.sha256(b'workflow-jobs-pin:' + app.config['SECRET_KEY'].encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal_secret(app, secret):
    """A PIN travels through Redis only encrypted under the app's SECRET_KEY, and expires."""
    return _fernet(app).encrypt(secret.encode()).decode()


def unseal_secret(app, token):
    try:
        return _fernet(app).decrypt(token.encode(), ttl=SEALED_SECONDS).decode()
    except InvalidToken:
        return None
