"""Rate limits live in Redis when REDIS_URL is set (issue 11): every worker and every host counts in
the same bucket. Two app instances in two processes, one Redis: what the first spent, the second sees."""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import redis

from workflow.config import settle_rate_limit_storage

REDIS = os.environ.get('TEST_REDIS_URL', 'redis://127.0.0.1:6379/0')
ROOT = Path(__file__).parents[2]
# One app instance in its own process: POSTs /api/v1/verify (30 a minute per address) `count` times
# and prints the statuses.
INSTANCE = '''
import sys, tempfile
from workflow import create_app
root = tempfile.mkdtemp()
app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root}/db.sqlite",
                  "STORAGE_URL": f"file://{root}/storage", "KEYS_DIR": f"{root}/keys", "SECRET_KEY": "x",
                  "RATELIMIT_ENABLED": True, "RATELIMIT_KEY_PREFIX": sys.argv[3], "REDIS_URL": sys.argv[2],
                  "RATELIMIT_STORAGE_URI": "" if sys.argv[2] else "memory://"})
with app.app_context():  # a schema, as init-db makes it (without one every answer is 503)
    from flask_migrate import upgrade
    upgrade()
client = app.test_client()
print(" ".join(str(client.post("/api/v1/verify").status_code) for _ in range(int(sys.argv[1]))))
'''


def _instance(count, redis_url, prefix):
    answer = subprocess.run([sys.executable, '-c', INSTANCE, str(count), redis_url, prefix], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=True)
    return answer.stdout.split()[-count:]


def test_two_instances_share_the_bucket_in_redis():
    prefix = f'test-{uuid.uuid4().hex}'
    try:
        first = _instance(30, REDIS, prefix)
        assert '429' not in first and all(status.startswith('4') for status in first)
        assert _instance(1, REDIS, prefix) == ['429']  # another process: the same bucket, already spent
    finally:
        store = redis.Redis.from_url(REDIS)
        keys = list(store.scan_iter(f'*{prefix}*'))
        assert keys  # the bucket was in Redis
        store.delete(*keys)


def test_without_redis_each_process_has_its_own_bucket():
    prefix = f'test-{uuid.uuid4().hex}'
    assert '429' not in _instance(30, '', prefix)
    assert _instance(1, '', prefix) != ['429']


def test_the_storage_follows_redis_url_unless_set():
    assert settle_rate_limit_storage_of({'REDIS_URL': 'redis://r:6379/1'}) == 'redis://r:6379/1'
    assert settle_rate_limit_storage_of({'REDIS_URL': ''}) == 'memory://'
    assert settle_rate_limit_storage_of({'REDIS_URL': 'redis://r', 'RATELIMIT_STORAGE_URI': 'memcached://m'}) \
        == 'memcached://m'


def settle_rate_limit_storage_of(config):
    settle_rate_limit_storage(config)
    return config['RATELIMIT_STORAGE_URI']
