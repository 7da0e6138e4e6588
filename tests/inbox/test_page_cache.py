"""The inbox page kept per person and inbox version: served again only while nothing on it changed."""
import re
import time
from datetime import timedelta

import pytest
from flask_login.signals import user_accessed
from sqlalchemy import select

from tests.support.pages import act, delivered_file_id, file_id_from, issued_through_pages, page, upload_file
from workflow.directory.models import Unit, User
from workflow.directory.operations import update_user
from workflow.extensions import db
from workflow.files.models import WorkFile
from workflow.files.operations import assign_file, forward_file
from workflow.inbox.models import InboxVersion
from workflow.inbox.pages import CSRF_SLOT, seconds_fresh
from workflow.inbox.versions import inbox_version
from workflow.notifications.models import Notification
from workflow.timeutil import now, vn_today


@pytest.fixture
def org(communes_org):
    """The district UBND and two communes, someone in every role (tests/builders.py)."""
    return communes_org

pytestmark = pytest.mark.committing  # other connections (threads, processes, the fast path) must see the data


def inbox(client):
    response = client.get('/')
    assert response.status_code == 200
    return response.headers['X-Page-Cache'], re.sub(r'\s+', ' ', response.get_data(as_text=True))


def acting(app, work):
    """Run `work()` in its own transaction, as a request would."""
    with app.app_context():
        result = work()
        db.session.commit()
        return result


def version_of(app, user):
    with app.app_context():
        return db.session.scalar(select(InboxVersion.version).where(InboxVersion.user_id == user.id)) or 0


def test_a_second_look_is_served_from_the_cache_with_the_same_content(org, as_user, make_file):
    file_id = make_file(org.specialist, title='Kế hoạch số hóa hồ sơ')
    client = as_user(org.specialist)
    first, html = inbox(client)
    second, again = inbox(client)
    assert (first, second) == ('miss', 'hit')
    assert again == html and 'Kế hoạch số hóa hồ sơ' in again and f'/files/{file_id}' in again
    assert CSRF_SLOT not in again


def test_forwarding_refreshes_both_the_senders_and_the_recipients_inbox(app, org, as_user, make_file):
    file_id = make_file(org.specialist, title='Tờ trình mua sắm thiết bị')
    sender, recipient = as_user(org.specialist), as_user(org.leader)
    assert 'Tờ trình mua sắm thiết bị' in inbox(sender)[1]
    assert 'Tờ trình mua sắm thiết bị' not in inbox(recipient)[1]
    assert inbox(sender)[0] == inbox(recipient)[0] == 'hit'

    acting(app, lambda: forward_file(db.session.get(WorkFile, file_id), db.session.get(User, org.specialist.id),
                                     purpose='sign', to_user=db.session.get(User, org.leader.id)))

    outcome, html = inbox(sender)
    assert outcome == 'miss' and 'Tờ trình mua sắm thiết bị' not in html
    outcome, html = inbox(recipient)
    assert outcome == 'miss' and 'Tờ trình mua sắm thiết bị' in html
    assert 'data-testid="inbox-count">1<' in html.replace(' ', '')


def test_a_change_elsewhere_leaves_other_peoples_pages_alone(app, org, as_user, make_file):
    make_file(org.specialist)
    bystander = as_user(org.handler)
    inbox(bystander)
    before = version_of(app, org.handler)
    file_id = make_file(org.specialist, title='Văn bản khác')
    acting(app, lambda: forward_file(db.session.get(WorkFile, file_id), db.session.get(User, org.specialist.id),
                                     purpose='sign', to_user=db.session.get(User, org.leader.id)))
    assert version_of(app, org.handler) == before
    assert inbox(bystander)[0] == 'hit'


def test_a_file_sent_to_a_unit_reaches_its_clerks_cached_inbox(app, org, as_user, make_file):
    file_id = make_file(org.specialist, title='Công văn gửi xã Đông Hiệp')
    clerk = as_user(org.commune_clerk)
    assert 'Công văn gửi xã Đông Hiệp' not in inbox(clerk)[1]
    acting(app, lambda: forward_file(db.session.get(WorkFile, file_id), db.session.get(User, org.specialist.id),
                                     purpose='handle', to_unit=db.session.get(Unit, org.commune.id)))
    outcome, html = inbox(clerk)
    assert outcome == 'miss' and 'Công văn gửi xã Đông Hiệp' in html


def assigned_in_commune(app, org, as_user, title):
    """An issued document arrived at the commune, registered, assigned: handler leads, helper co-operates."""
    file_id = delivered_file_id(app, issued_through_pages(app, org, as_user, title), org.commune)
    clerk = as_user(org.commune_clerk)
    assert act(clerk, file_id, 'register').status_code == 302
    assert act(clerk, file_id, 'forward', purpose='handle', to_user=org.commune_leader.id, to_unit=0,
               note='Kính trình').status_code == 302
    acting(app, lambda: assign_file(db.session.get(WorkFile, file_id), db.session.get(User, org.commune_leader.id),
                                    lead=db.session.get(User, org.handler.id),
                                    cooperate=[db.session.get(User, org.helper.id)]))
    return file_id


def test_an_assignee_sees_the_files_new_state(app, org, as_user):
    file_id = assigned_in_commune(app, org, as_user, 'Kế hoạch phòng chống lụt bão')
    helper = as_user(org.helper)
    assert 'Kế hoạch phòng chống lụt bão' in inbox(helper)[1]
    assert inbox(helper)[0] == 'hit'
    handler = as_user(org.handler)
    act(handler, file_id, 'start')  # the lead takes it up: the status column changes for the co-handler too
    outcome, html = inbox(helper)
    assert outcome == 'miss' and 'Kế hoạch phòng chống lụt bão' in html


def test_the_notification_badge_follows_new_and_read_notifications(app, org, as_user, make_file):
    file_id = make_file(org.specialist)
    client = as_user(org.specialist)
    assert 'data-testid="notification-count">0<' in inbox(client)[1].replace(' ', '')
    acting(app, lambda: db.session.add(Notification(user_id=org.specialist.id, file_id=file_id, kind='overdue',
                                                    day=vn_today(), message='Hồ sơ đã quá hạn xử lý.')))
    outcome, html = inbox(client)
    assert outcome == 'miss' and 'data-testid="notification-count">1<' in html.replace(' ', '')
    assert client.post('/notifications/read').status_code == 302
    assert 'data-testid="notification-count">0<' in inbox(client)[1].replace(' ', '')


def test_renaming_a_person_refreshes_every_page_that_shows_the_name(app, org, as_user):
    assigned_in_commune(app, org, as_user, 'Báo cáo tổng kết')
    helper = as_user(org.helper)
    assert 'Đỗ Xử Lý' in inbox(helper)[1]  # the lead handler holds it: their name is in the row
    acting(app, lambda: update_user(db.session.get(User, org.admin.id), db.session.get(User, org.handler.id),
                                    full_name='Đỗ Văn Tân', title='Chuyên viên',
                                    unit=db.session.get(Unit, org.commune.id), roles=['specialist'], active=True))
    outcome, html = inbox(helper)
    assert outcome == 'miss' and 'Đỗ Văn Tân' in html and 'Đỗ Xử Lý' not in html


def test_a_row_turns_overdue_when_its_deadline_passes_without_any_change(app, org, as_user, make_file):
    file_id = make_file(org.specialist, title='Việc sắp đến hạn')

    def near_deadline():
        db.session.get(WorkFile, file_id).deadline = now() + timedelta(seconds=1.5)
    acting(app, near_deadline)
    client = as_user(org.specialist)
    outcome, html = inbox(client)
    assert outcome == 'miss' and 'Quá hạn' not in html
    time.sleep(2.6)
    outcome, html = inbox(client)
    assert outcome == 'miss' and 'Quá hạn' in html


@pytest.mark.nodb
def test_a_page_lives_until_the_next_deadline_among_its_rows():
    class Row:
        def __init__(self, deadline, closed_at=None):
            self.deadline, self.closed_at = deadline, closed_at
    moment = now()
    assert seconds_fresh([]) == 3600
    assert seconds_fresh([Row(None), Row(moment - timedelta(days=1))]) == 3600  # already overdue: no change ahead
    assert 295 <= seconds_fresh([Row(moment + timedelta(minutes=5)), Row(moment + timedelta(days=2))]) <= 300
    assert seconds_fresh([Row(moment + timedelta(seconds=30), closed_at=moment)]) == 3600


def test_each_session_gets_its_own_working_csrf_token_in_a_cached_page(app, org, as_user, make_file):
    make_file(org.specialist)
    app.config['WTF_CSRF_ENABLED'] = True
    try:
        first, second = as_user_with_csrf(app, org.specialist), as_user_with_csrf(app, org.specialist)
        _, html_one = inbox(first)
        outcome, html_two = inbox(second)
        assert outcome == 'hit'
        token_one = re.search(r'name="csrf_token" value="([^"]+)"', html_one).group(1)
        token_two = re.search(r'name="csrf_token" value="([^"]+)"', html_two).group(1)
        assert token_one != token_two
        assert second.post('/logout', data={'csrf_token': token_one}).status_code == 400  # not this session's
        assert second.post('/logout', data={'csrf_token': token_two}).status_code == 302
    finally:
        app.config['WTF_CSRF_ENABLED'] = False


def as_user_with_csrf(app, user):
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get('/login').get_data(as_text=True)).group(1)
    response = client.post('/login', data={'username': user.username, 'password': 'Matkhau@123',
                                           'csrf_token': token})
    assert response.status_code == 302
    return client


def test_a_page_with_a_message_is_neither_kept_nor_served_from_the_cache(app, org, as_user):
    client = as_user(org.specialist)
    inbox(client)
    assert inbox(client)[0] == 'hit'
    file_id = file_id_from(upload_file(client, title='Hồ sơ mới tạo'))
    with client.session_transaction() as session:
        session['_flashes'] = [('success', 'Thông báo một lần')]
    outcome, html = inbox(client)
    assert outcome == 'bypass' and 'Thông báo một lần' in html and f'/files/{file_id}' in html
    outcome, html = inbox(client)
    assert outcome in ('miss', 'hit') and 'Thông báo một lần' not in html


def test_the_language_is_part_of_the_key(app, org, as_user):
    client = as_user(org.specialist)
    assert 'Hộp đến' in inbox(client)[1]
    assert client.post('/locale/en').status_code == 302
    outcome, html = inbox(client)
    assert outcome == 'miss' and 'Inbox' in html and 'Hộp đến' not in html


def test_a_refused_action_leaves_the_versions_untouched(app, org, as_user, make_file):
    file_id = make_file(org.specialist)
    before = (version_of(app, org.specialist), version_of(app, org.leader))
    leader = as_user(org.leader)  # not the holder: refused, rolled back
    response = act(leader, file_id, 'forward', purpose='handle', to_user=str(org.handler.id), note='x')
    assert response.status_code in (403, 404, 409)
    assert (version_of(app, org.specialist), version_of(app, org.leader)) == before


def test_the_version_rises_with_the_change_in_one_transaction(app, org, make_file):
    file_id = make_file(org.specialist)
    before = version_of(app, org.leader)
    with app.app_context():
        forward_file(db.session.get(WorkFile, file_id), db.session.get(User, org.specialist.id), purpose='sign',
                     to_user=db.session.get(User, org.leader.id))
        db.session.flush()
        db.session.rollback()
    assert version_of(app, org.leader) == before
    acting(app, lambda: forward_file(db.session.get(WorkFile, file_id), db.session.get(User, org.specialist.id),
                                     purpose='sign', to_user=db.session.get(User, org.leader.id)))
    assert version_of(app, org.leader) == before + 1
    with app.app_context():
        assert inbox_version(db.session.get(User, org.leader.id)) == before + 1


def test_other_pages_show_badges_from_the_same_versions(app, org, as_user, make_file):
    file_id = make_file(org.specialist)
    client = as_user(org.leader)
    assert 'data-testid="inbox-count">0<' in page(client, '/files').replace(' ', '')
    acting(app, lambda: forward_file(db.session.get(WorkFile, file_id), db.session.get(User, org.specialist.id),
                                     purpose='sign', to_user=db.session.get(User, org.leader.id)))
    assert 'data-testid="inbox-count">1<' in page(client, '/files').replace(' ', '')


def test_a_kept_page_is_not_served_to_a_person_who_was_deactivated(app, org, as_user):
    client = as_user(org.specialist)
    inbox(client)
    assert inbox(client)[0] == 'hit'
    acting(app, lambda: update_user(db.session.get(User, org.admin.id), db.session.get(User, org.specialist.id),
                                    full_name=org.specialist.full_name, title='Chuyên viên',
                                    unit=db.session.get(Unit, org.district.id), roles=['specialist'], active=False))
    response = client.get('/')
    assert response.status_code == 302 and '/login' in response.headers['Location']


def test_a_session_seen_from_another_browser_goes_through_flask_logins_protection(app, org, as_user):
    client = as_user(org.specialist)
    inbox(client)
    response = client.get('/', headers={'User-Agent': 'another browser'})
    assert response.status_code == 200 and 'X-Page-Cache' in response.headers
    with client.session_transaction() as session:
        assert session['_fresh'] is False  # Flask-Login's "basic" protection ran: the full path answered


def test_a_kept_page_is_answered_only_after_flask_login_has_loaded_the_person(app, org, as_user):
    """Kept or rendered, the inbox is served behind Flask-Login's public door (user_loader, session
    protection, login_required): the cache never decides who is signed in."""
    client = as_user(org.specialist)
    loads = []

    def loaded(_sender, **_extra):
        loads.append(1)
    user_accessed.connect(loaded, app)
    try:
        assert inbox(client)[0] == 'miss' and len(loads) == 1
        assert inbox(client)[0] == 'hit' and len(loads) == 2
    finally:
        user_accessed.disconnect(loaded, app)
