"""What one public verification can cost (issue 11, finding 3), before and after its bounds.

Builds the hostile PDFs of the finding (tests/support/hostile_pdfs.py: 100 signatures ~0.8 MB,
99 000 pages ~1 MB) and a file just under every count limit (30 signatures), then measures CPU
seconds:

- before: what the old request did in the web worker, in process: the upload check (pypdf, every
  page) and verify_pdf;
- after: POST /api/v1/verify on an app built here (SQLite, local PKI): the web worker's CPU plus
  the verification child's (counted by the forkserver that reaps it), first and second time (the
  second is a cache hit), with the default limits and with the count limits lifted so that only
  the time budget (VERIFY_TIMEOUT_SECONDS) stops the work.

    .venv/bin/python benchmarks/verify_bench.py
"""
import io
import logging
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from tests.support import hostile_pdfs  # noqa: E402
from workflow import create_app  # noqa: E402
from workflow.pdfcheck import inspect_pdf  # noqa: E402
from workflow.signing.lib import budget  # noqa: E402
from workflow.signing.lib.validation import verify_pdf  # noqa: E402

TICKS = os.sysconf('SC_CLK_TCK')


def own_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def forkserver_children_cpu():
    """CPU of the children the forkserver has reaped (the verification children)."""
    from multiprocessing import forkserver
    pid = forkserver._forkserver._forkserver_pid
    if pid is None:
        return 0.0
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / TICKS  # cutime, cstime


def before(data):
    start = own_cpu()
    try:
        inspect_pdf(data, 60 * 1024 * 1024)
    except Exception as refused:  # noqa: BLE001
        print('   (upload check refused:', refused, ')')
    verify_pdf(data, [])
    return own_cpu() - start


def after(client, data):
    time.sleep(0.3)  # let the last child be reaped
    start_own, start_child, start_wall = own_cpu(), forkserver_children_cpu(), time.monotonic()
    answer = client.post('/api/v1/verify', data={'file': (io.BytesIO(data), 'x.pdf')},
                         content_type='multipart/form-data')
    wall = time.monotonic() - start_wall
    time.sleep(0.5)
    body = answer.get_json()
    return (own_cpu() - start_own, forkserver_children_cpu() - start_child, wall,
            f'{answer.status_code} {body.get("headline") or body.get("error")}')


def main():
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger('pyhanko').setLevel(logging.CRITICAL)
    root = Path(tempfile.mkdtemp())
    app = create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': f'sqlite:///{root}/db.sqlite',
                      'STORAGE_URL': f'file://{root}/storage', 'KEYS_DIR': str(root / 'keys'),
                      'SECRET_KEY': 'bench', 'RATELIMIT_ENABLED': False})
    with app.app_context():
        from workflow.extensions import db
        from workflow.signing import trust
        db.create_all()
        trust.ensure_pki()
    started = time.monotonic()
    files = {'100 signatures': hostile_pdfs.many_signatures(100),
             '99 000 pages': hostile_pdfs.many_pages(99_000),
             '30 signatures': hostile_pdfs.many_signatures(30)}
    print(f'built in {time.monotonic() - started:.1f} s: '
          + ', '.join(f'{name} {len(data) / 1e6:.2f} MB' for name, data in files.items()))
    limits = budget.Limits()
    print(f'limits: {limits}; VERIFY_TIMEOUT_SECONDS={app.config["VERIFY_TIMEOUT_SECONDS"]}')
    print('\nbefore (in the web worker): CPU s')
    for name, data in files.items():
        print(f'  {name:16} {before(data):6.2f}')
    for lifted in (False, True):
        if lifted:
            app.config.update(VERIFY_MAX_SIGNATURES=10_000, VERIFY_MAX_REVISIONS=10_000, VERIFY_MAX_PAGES=10**6)
            app.extensions.pop('verification_cache', None)
        print(f'\nafter, {"count limits lifted (only the time budget)" if lifted else "default limits"}: '
              'worker CPU s + child CPU s (wall s) -> answer')
        client = app.test_client()
        for name, data in files.items():
            for attempt in ('first', 'again'):
                own, child, wall, said = after(client, data)
                print(f'  {name:16} {attempt:5} {own:6.2f} + {child:6.2f} ({wall:5.2f}) -> {said}')


if __name__ == '__main__':
    main()
