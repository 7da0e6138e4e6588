"""The boxes: inbox, sent, all; search that ignores diacritics, status filter, pagination."""
from datetime import UTC

import pytest

from tests.support.pages import act, page


@pytest.fixture
def org(communes_org):
    """The district UBND and two communes, someone in every role (tests/builders.py)."""
    return communes_org


def test_search_ignores_vietnamese_diacritics(app, org, as_user, make_file):
    make_file(org.specialist, title='Kế hoạch chuyển đổi số năm 2026')
    make_file(org.specialist, title='Báo cáo tài chính quý III', doc_type='BC')
    specialist = as_user(org.specialist)
    found = page(specialist, '/files?q=chuyen+doi+so')
    assert 'Kế hoạch chuyển đổi số năm 2026' in found
    assert 'Báo cáo tài chính quý III' not in found
    assert 'value="chuyen doi so"' in found
    both = page(specialist, '/files')
    assert 'Kế hoạch chuyển đổi số năm 2026' in both and 'Báo cáo tài chính quý III' in both
    assert 'Không có hồ sơ nào.' in page(specialist, '/files?q=khong+ton+tai')


def test_status_filter_and_sent_box(app, org, as_user, make_file):
    sent_id = make_file(org.specialist, title='Tờ trình xin ý kiến')
    make_file(org.specialist, title='Dự thảo còn giữ')
    specialist = as_user(org.specialist)
    act(specialist, sent_id, 'forward', purpose='sign', to_user=org.leader.id, to_unit=0)
    waiting = page(specialist, '/files?status=awaiting_signature')
    assert 'Tờ trình xin ý kiến' in waiting and 'Dự thảo còn giữ' not in waiting
    sent = page(specialist, '/sent')
    assert 'Tờ trình xin ý kiến' in sent and 'Dự thảo còn giữ' not in sent
    inbox = page(specialist, '/')
    assert 'Dự thảo còn giữ' in inbox and 'Tờ trình xin ý kiến' not in inbox


def test_inbox_shows_urgency_overdue_and_the_count_badge(app, org, as_user, make_file):
    from datetime import datetime, timedelta
    make_file(org.specialist, title='Việc hỏa tốc', urgency='flash',
              deadline=datetime.now(UTC) - timedelta(days=2))
    inbox = page(as_user(org.specialist), '/')
    assert 'Hỏa tốc' in inbox and 'Quá hạn' in inbox
    assert 'data-testid="inbox-count">1</span>' in inbox


def test_pagination(app, org, as_user, make_file):
    for n in range(27):
        make_file(org.specialist, title=f'Hồ sơ số {n:02d}')
    specialist = as_user(org.specialist)
    first, second = page(specialist, '/files'), page(specialist, '/files?page=2')
    assert first.count('class="file-link"') == 25 and second.count('class="file-link"') == 2
    assert 'href="/files?page=2"' in first
    assert 'Hồ sơ số 00' in second and 'Hồ sơ số 00' not in first


def test_lists_need_a_login(client):
    response = client.get('/')
    assert response.status_code == 302 and '/login' in response.headers['Location']
