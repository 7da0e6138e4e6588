"""Production serving: `make serve` or `gunicorn -c gunicorn.conf.py wsgi:app`. Settings from the environment."""
import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get('WEB_CONCURRENCY', min(4, multiprocessing.cpu_count() * 2)))
threads = int(os.environ.get('GUNICORN_THREADS', '4'))
worker_class = 'gthread'
timeout = int(os.environ.get('GUNICORN_TIMEOUT', '120'))  # signing a large PDF with a remote TSA can take a while
graceful_timeout = 30
# Recycle a worker now and then (a slow leak cannot grow for ever), but not so often that a busy
# worker spends its time starting up (~1.5 s of CPU each) and losing its page cache: at 2 000 a
# worker under full load restarted every few seconds.
max_requests = int(os.environ.get('GUNICORN_MAX_REQUESTS', '20000'))
max_requests_jitter = max_requests // 10
accesslog = '-'
preload_app = False  # each worker opens its own database pool
