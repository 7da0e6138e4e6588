"""Wrong passwords sent in parallel are each counted (PostgreSQL: the count's row is created once and
updated under a row lock; SQLite serialises its writers), so a burst cannot slip past the delays uncounted."""
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from workflow.auth.models import LoginThrottle
from workflow.auth.throttle import account_key, source_key
from workflow.extensions import db

pytestmark = pytest.mark.committing


def test_parallel_failures_are_each_counted(app, make_unit, make_user):
    make_user(make_unit('UBND huyện Cờ Đỏ'), ('specialist',), username='cv.an')

    def guess(number):
        client = app.test_client()
        client.environ_base['REMOTE_ADDR'] = '203.0.113.66'
        return client.post('/api/v1/tokens', json={'username': 'cv.an', 'password': f'sai-{number}'}).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(guess, range(4)))
    assert codes == [401] * 4
    with app.app_context():
        counts = dict(db.session.execute(select(LoginThrottle.key, LoginThrottle.failures)).all())
    assert counts == {account_key('cv.an').name: 4, source_key('203.0.113.66').name: 4}
