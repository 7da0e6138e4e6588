"""The journeys of PRODUCT.md walked through the HTML pages, as the people who do them."""
import io
from datetime import timedelta

import pytest

from tests.builders import pdf
from tests.support.pages import (
    act,
    delivered_file_id,
    draft_for_signature,
    file_id_from,
    file_row,
    issued_through_pages,
    page,
    upload_file,
)
from workflow.deadlines import add_working_days
from workflow.timeutil import vn, vn_today


@pytest.fixture
def org(communes_org):
    """The district UBND and two communes, someone in every role (tests/builders.py)."""
    return communes_org


def test_specialist_uploads_a_draft_and_sends_it_to_a_leader_for_signature(app, org, as_user):
    specialist = as_user(org.specialist)
    assert 'name="upload"' in page(specialist, '/files/new')
    response = upload_file(specialist, title='Quyết định ban hành kế hoạch chuyển đổi số', doc_type='QĐ',
                           urgency='urgent', summary='Kế hoạch năm 2026')
    file_id = file_id_from(response)
    text = page(specialist, f'/files/{file_id}')
    assert 'Quyết định ban hành kế hoạch chuyển đổi số' in text
    assert 'Dự thảo' in text and 'Khẩn' in text
    assert 'id="form-forward"' in text

    response = act(specialist, file_id, 'forward', purpose='sign', to_user=org.leader.id, to_unit=0,
                   note='Kính trình Chủ tịch xem xét, ký ban hành.')
    assert response.status_code == 302
    follow = page(specialist, f'/files/{file_id}')
    assert 'Đã chuyển hồ sơ tới Lê Văn Chủ Tịch.' in follow
    assert 'Chờ ký' in follow
    assert 'Kính trình Chủ tịch xem xét, ký ban hành.' in follow
    assert 'Trình ký' in follow
    stored = file_row(app, file_id)
    assert stored.status == 'awaiting_signature' and stored.holder_user_id == org.leader.id

    leader_inbox = page(as_user(org.leader), '/')
    assert 'Quyết định ban hành kế hoạch chuyển đổi số' in leader_inbox
    assert 'data-testid="inbox-count">1<' in leader_inbox.replace(' ', '').replace('data-testid', ' data-testid')


def test_leader_returns_the_draft_with_a_comment(app, org, as_user):
    _specialist, file_id = draft_for_signature(org, as_user)
    leader = as_user(org.leader)

    empty = act(leader, file_id, 'return', note='')
    assert empty.status_code == 400
    assert 'Vui lòng ghi lý do.' in empty.get_data(as_text=True)
    assert file_row(app, file_id).holder_user_id == org.leader.id

    response = act(leader, file_id, 'return', note='Sửa lại căn cứ pháp lý ở Điều 1.')
    assert response.status_code == 302
    stored = file_row(app, file_id)
    assert stored.status == 'returned' and stored.holder_user_id == org.specialist.id
    text = page(as_user(org.specialist), f'/files/{file_id}')
    assert 'Bị trả lại' in text and 'Sửa lại căn cứ pháp lý ở Điều 1.' in text


def test_leader_forwards_to_the_clerk_who_issues_with_consecutive_numbers(app, org, as_user):
    numbers = []
    for title in ('Quyết định thứ nhất', 'Quyết định thứ hai'):
        _specialist, file_id = draft_for_signature(org, as_user, title=title)
        leader = as_user(org.leader)
        response = act(leader, file_id, 'forward', purpose='handle', to_user=org.clerk.id, to_unit=0,
                       note='Chuyển văn thư ban hành.')
        assert response.status_code == 302
        clerk = as_user(org.clerk)
        assert title in page(clerk, '/')
        response = act(clerk, file_id, 'issue', recipients=[org.commune.id, org.commune2.id])
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        stored = file_row(app, file_id)
        numbers.append(stored.number)
        text = page(clerk, f'/files/{file_id}')
        assert f'Đã ban hành văn bản số {stored.number} và gửi tới 2 đơn vị.' in text
        assert 'UBND xã Đông Hiệp' in text and 'UBND xã Thạnh Phú' in text
        assert text.count('Đã gửi đến') == 2
    assert numbers == ['01/QĐ-UBND', '02/QĐ-UBND']


def test_recipient_clerk_registers_with_consecutive_incoming_numbers(app, org, as_user):
    first = issued_through_pages(app, org, as_user, 'Văn bản một')
    second = issued_through_pages(app, org, as_user, 'Văn bản hai')
    clerk = as_user(org.commune_clerk)
    inbox = page(clerk, '/')
    assert 'Văn bản một' in inbox and 'Văn bản hai' in inbox and 'Mới đến' in inbox
    incoming = [delivered_file_id(app, source, org.commune) for source in (first, second)]
    for expected, file_id in enumerate(incoming, start=1):
        assert 'id="form-register"' in page(clerk, f'/files/{file_id}')
        response = act(clerk, file_id, 'register')
        assert response.status_code == 302
        text = page(clerk, f'/files/{file_id}')
        assert f'Đã vào sổ văn bản đến, số đến {expected}.' in text
        assert file_row(app, file_id).incoming_number == expected
    sender_view = page(as_user(org.clerk), f'/files/{first}')
    assert 'Đã vào sổ' in sender_view


def test_recipient_clerk_refuses_an_invalid_document_with_a_reason(app, org, as_user):
    source = issued_through_pages(app, org, as_user)
    file_id = delivered_file_id(app, source, org.commune2)
    clerk = as_user(org.commune2_clerk)
    empty = act(clerk, file_id, 'refuse', note='  ')
    assert empty.status_code == 400 and file_row(app, file_id).status == 'delivered'
    response = act(clerk, file_id, 'refuse', note='Gửi nhầm đơn vị, không thuộc thẩm quyền.')
    assert response.status_code == 302
    assert file_row(app, file_id).status == 'refused'
    sender_view = page(as_user(org.clerk), f'/files/{source}')
    assert 'Từ chối' in sender_view and 'Gửi nhầm đơn vị, không thuộc thẩm quyền.' in sender_view
    assert 'Bị đơn vị nhận từ chối' in sender_view


def test_leader_assigns_and_handler_starts_and_completes_with_a_reply(app, org, as_user):
    source = issued_through_pages(app, org, as_user)
    file_id = delivered_file_id(app, source, org.commune)
    clerk = as_user(org.commune_clerk)
    assert act(clerk, file_id, 'register').status_code == 302
    response = act(clerk, file_id, 'forward', purpose='handle', to_user=org.commune_leader.id, to_unit=0,
                   note='Kính trình Chủ tịch xã cho ý kiến chỉ đạo.')
    assert response.status_code == 302

    leader = as_user(org.commune_leader)
    text = page(leader, f'/files/{file_id}')
    assert 'id="form-assign"' in text and 'Đỗ Xử Lý' in text
    response = act(leader, file_id, 'assign', lead=org.handler.id, cooperate=[org.helper.id],
                   inform=[org.commune_clerk.id], deadline_days='3', note='Triển khai trong tuần.')
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    stored = file_row(app, file_id)
    assert stored.status == 'assigned' and stored.holder_user_id == org.handler.id
    assert vn(stored.deadline).date() == add_working_days(vn_today(), 3)
    text = page(leader, f'/files/{file_id}')
    assert 'Đã giao Đỗ Xử Lý chủ trì xử lý.' in text
    assert 'Chủ trì' in text and 'Phối hợp' in text and 'Bùi Phối Hợp' in text
    assert vn(stored.deadline).strftime('%d/%m/%Y') in text

    handler = as_user(org.handler)
    assert 'Quyết định về chuyển đổi số' in page(handler, '/')
    assert act(handler, file_id, 'start').status_code == 302
    assert file_row(app, file_id).status == 'in_progress'
    reply_id = file_id_from(upload_file(handler, title='Báo cáo kết quả triển khai', doc_type='BC',
                                        data=pdf('cong-van-dong-hiep.pdf')))
    response = act(handler, file_id, 'complete', note='Đã triển khai đến các ấp.', reply_file_id=str(reply_id))
    assert response.status_code == 302
    stored = file_row(app, file_id)
    assert stored.status == 'completed' and stored.reply_file_id == reply_id and stored.closed_at is not None
    text = page(handler, f'/files/{file_id}')
    assert 'Đã triển khai đến các ấp.' in text and 'Báo cáo kết quả triển khai' in text
    assert 'Hoàn thành' in page(as_user(org.clerk), f'/files/{source}')


def test_completing_with_a_reply_file_the_user_cannot_see_is_refused(app, org, as_user, make_file):
    source = issued_through_pages(app, org, as_user)
    file_id = delivered_file_id(app, source, org.commune)
    clerk = as_user(org.commune_clerk)
    act(clerk, file_id, 'register')
    hidden = make_file(org.commune2_clerk, title='Hồ sơ của xã khác')
    response = act(clerk, file_id, 'complete', note='Xong', reply_file_id=str(hidden))
    assert response.status_code == 400
    assert f'Không tìm thấy hồ sơ trả lời số {hidden}.' in response.get_data(as_text=True)
    assert file_row(app, file_id).status == 'registered'


def test_completed_file_can_be_reopened_with_a_reason(app, org, as_user):
    specialist = as_user(org.specialist)
    file_id = file_id_from(upload_file(specialist, title='Báo cáo nội bộ', doc_type='BC'))
    assert act(specialist, file_id, 'complete', note='Lưu hồ sơ').status_code == 302
    assert 'id="form-reopen"' in page(specialist, f'/files/{file_id}')
    assert act(specialist, file_id, 'reopen', note='Bổ sung số liệu').status_code == 302
    stored = file_row(app, file_id)
    assert stored.status == 'in_progress' and stored.closed_at is None


def test_clerk_registers_a_paper_document_from_its_scan(app, org, as_user):
    clerk = as_user(org.commune_clerk)
    assert page(clerk, '/files/paper').count('name="sender_name"') == 1
    response = clerk.post('/files/paper', content_type='multipart/form-data', data={
        'title': 'Công văn về phòng chống lụt bão', 'doc_type': 'CV', 'urgency': 'flash',
        'sender_name': 'Sở Nông nghiệp và Môi trường', 'number': '123/SNN-TL',
        'upload': (io.BytesIO(pdf('ban-scan-giay.pdf')), 'scan.pdf')})
    file_id = file_id_from(response)
    stored = file_row(app, file_id)
    assert stored.incoming_number == 1 and stored.paper_origin and stored.direction == 'incoming'
    text = page(clerk, f'/files/{file_id}')
    assert 'Không hoàn toàn điện tử' in text and 'Có văn bản gốc giấy (scan từ bản giấy)' in text
    assert 'Hỏa tốc' in text and '123/SNN-TL' in text

    specialist = as_user(org.handler)
    refused = specialist.post('/files/paper', content_type='multipart/form-data', data={
        'title': 'X', 'doc_type': 'CV', 'urgency': 'normal', 'sender_name': 'Y',
        'upload': (io.BytesIO(pdf()), 'x.pdf')})
    assert refused.status_code == 403
    assert 'Chỉ văn thư mới được vào sổ văn bản đến.' in refused.get_data(as_text=True)


def test_a_step_done_on_paper_marks_the_file_not_fully_electronic(app, org, as_user):
    specialist = as_user(org.specialist)
    file_id = file_id_from(upload_file(specialist))
    assert 'Hoàn toàn điện tử' in page(specialist, f'/files/{file_id}')
    act(specialist, file_id, 'forward', purpose='sign', to_user=org.leader.id, to_unit=0, on_paper='y')
    text = page(specialist, f'/files/{file_id}')
    assert 'Có bước xử lý thực hiện trên giấy' in text and 'trên giấy' in text
    with app.app_context():
        from workflow.extensions import db
        from workflow.files.models import WorkFile
        assert [m.reason for m in db.session.get(WorkFile, file_id).paper_marks] == ['paper_step']


def test_attachment_added_from_the_file_page(app, org, as_user):
    specialist = as_user(org.specialist)
    file_id = file_id_from(upload_file(specialist))
    response = specialist.post(f'/files/{file_id}/documents', content_type='multipart/form-data', data={
        'add_document-kind': 'attachment',
        'add_document-upload': (io.BytesIO(pdf('phu-luc-chi-tieu.pdf')), 'phu-luc.pdf')})
    assert response.status_code == 302
    text = page(specialist, f'/files/{file_id}')
    assert 'phu-luc.pdf' in text and 'Tài liệu kèm theo' in text


def test_duplicate_upload_in_the_same_unit_is_flagged(app, org, as_user):
    specialist = as_user(org.specialist)
    upload_file(specialist, title='Bản đầu')
    response = upload_file(specialist, title='Bản thứ hai')
    text = page(specialist, response.headers['Location'])
    assert 'có thể là bản trùng' in text


def test_deadline_given_as_a_date_shows_as_dd_mm_yyyy_and_past_dates_are_refused(app, org, as_user):
    specialist = as_user(org.specialist)
    day = vn_today() + timedelta(days=10)
    file_id = file_id_from(upload_file(specialist, deadline=day.isoformat()))
    assert day.strftime('%d/%m/%Y') in page(specialist, f'/files/{file_id}')
    past = upload_file(specialist, title='Hạn cũ', deadline=(vn_today() - timedelta(days=1)).isoformat())
    assert past.status_code == 400
    body = past.get_data(as_text=True)
    assert 'Hạn xử lý không được ở trong quá khứ.' in body and 'value="Hạn cũ"' in body
