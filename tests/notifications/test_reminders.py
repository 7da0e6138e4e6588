"""Deadline reminders: in-app notifications and e-mail through a real SMTP server process."""
import mailbox
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select

from tests.support.pages import login
from workflow.directory.models import User
from workflow.extensions import db
from workflow.files.models import WorkFile
from workflow.files.operations import complete_file
from workflow.timeutil import now

pytestmark = pytest.mark.committing  # other connections (threads, processes, the fast path) must see the data


def _messages(maildir):
    return [(str(make_header(decode_header(m['Subject']))), m['To'], m.get_payload(decode=True).decode())
            for m in mailbox.Maildir(maildir, create=False)]


def _with_email(app, user, address):
    with app.app_context():
        db.session.get(User, user.id).email = address
        db.session.commit()


def test_reminders_reach_the_holder_by_mail_and_in_the_app_once_a_day(app, make_unit, make_user, make_file,
                                                                      smtp_server, monkeypatch):
    unit = make_unit('UBND xã Đông Hiệp', level='commune', code='H17')
    handler, other = make_user(unit), make_user(unit)
    _with_email(app, handler, 'cv.donghiep@example.vn')
    overdue = make_file(handler, title='Báo cáo tiến độ chuyển đổi số', deadline=now() - timedelta(days=1))
    soon = make_file(handler, title='Kế hoạch ứng dụng công nghệ thông tin', deadline=now() + timedelta(hours=20))
    make_file(handler, title='Đề án lâu dài', deadline=now() + timedelta(days=30))
    done = make_file(handler, title='Việc đã xong', deadline=now() - timedelta(days=3))
    with app.app_context():
        complete_file(db.session.get(WorkFile, done), db.session.get(User, handler.id), note='xong')
        db.session.commit()
    monkeypatch.setitem(app.config, 'SMTP_HOST', '127.0.0.1')
    monkeypatch.setitem(app.config, 'SMTP_PORT', smtp_server.port)
    monkeypatch.setitem(app.config, 'MAIL_FROM', 'vanphong@codo.cantho.gov.vn')

    result = app.test_cli_runner().invoke(args=['send-reminders'])
    assert result.exit_code == 0, result.output
    assert '2 notifications, 1 e-mails sent' in result.output

    [(subject, to, body)] = _messages(smtp_server.maildir)
    assert to == 'cv.donghiep@example.vn'
    assert subject == '[Văn phòng điện tử] 2 hồ sơ sắp đến hạn hoặc quá hạn'
    assert 'Báo cáo tiến độ chuyển đổi số" đã quá hạn xử lý' in body
    assert 'Kế hoạch ứng dụng công nghệ thông tin" sắp đến hạn xử lý' in body
    assert 'Đề án lâu dài' not in body and 'Việc đã xong' not in body

    browser = login(app.test_client(), handler)
    assert browser.get('/notifications/count').get_json() == {'unread': 2}
    assert login(app.test_client(), other).get('/notifications/count').get_json() == {'unread': 0}
    page = browser.get('/notifications').get_data(as_text=True)
    assert f'/files/{overdue}' in page and f'/files/{soon}' in page

    again = app.test_cli_runner().invoke(args=['send-reminders'])
    assert '0 notifications, 0 e-mails sent' in again.output
    assert len(_messages(smtp_server.maildir)) == 1
    browser.post('/notifications/read')
    assert browser.get('/notifications/count').get_json() == {'unread': 0}


def test_without_an_smtp_server_reminders_still_appear_in_the_app(app, make_unit, make_user, make_file):
    unit = make_unit(code='H18')
    handler = make_user(unit)
    _with_email(app, handler, 'cv@example.vn')
    make_file(handler, deadline=now() - timedelta(days=2))
    assert not app.config['SMTP_HOST']
    result = app.test_cli_runner().invoke(args=['send-reminders'])
    assert '1 notifications, 0 e-mails sent' in result.output
    assert login(app.test_client(), handler).get('/notifications/count').get_json() == {'unread': 1}
    with app.app_context():
        from workflow.notifications.models import Notification
        assert db.session.scalars(select(Notification.emailed_at)).all() == [None]
