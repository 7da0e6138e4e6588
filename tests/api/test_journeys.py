"""The product's journeys, end to end through the JSON API only."""
import re
from datetime import date, datetime

from tests.builders import pdf
from tests.support.api import delivery_for, issued_file
from workflow.timeutil import VN, clock_at


def statuses_by_unit(file_json):
    return {d['unit_id']: d['status'] for d in file_json['deliveries']}


def test_outgoing_then_incoming_journey(api, org):
    a, b, c = org.communes[:3]
    # A specialist drafts and sends it to the chairman for signature.
    draft = api.create_file(org.vp_spec, urgency='urgent', summary='Triển khai chuyển đổi số cấp xã')
    assert draft['status'] == 'draft' and draft['holder_user_id'] == org.vp_spec.id
    assert [d['filename'] for d in draft['documents']] == ['du-thao.pdf']
    file_id = draft['id']
    sent = api.act(org.vp_spec, file_id, 'forward',
                   {'to_user_id': org.chairman.id, 'purpose': 'sign', 'note': 'Kính trình Chủ tịch ký'})
    assert (sent['status'], sent['holder_user_id'], sent['holder_unit_id']) == (
        'awaiting_signature', org.chairman.id, org.ubnd.id)
    assert 'forward' not in sent['available_actions']  # the specialist no longer holds it

    # The chairman sees it in his inbox and returns it with a comment.
    inbox = api.get(org.chairman, '/files?box=inbox').get_json()
    assert [f['id'] for f in inbox['items']] == [file_id]
    returned = api.act(org.chairman, file_id, 'return', {'note': 'Sửa lại điều 2'})
    assert (returned['status'], returned['holder_user_id']) == ('returned', org.vp_spec.id)
    assert returned['timeline'][-1] == {**returned['timeline'][-1], 'action': 'return', 'actor_id': org.chairman.id,
                                        'from_unit_id': org.ubnd.id, 'to_unit_id': org.vp.id,
                                        'note': 'Sửa lại điều 2'}

    # The specialist fixes the draft (a new version of the main document) and sends it again.
    new_version = api.upload(org.vp_spec, f'/files/{file_id}/documents', kind='main',
                             data=pdf('phu-luc-chi-tieu.pdf'), filename='du-thao-v2.pdf')
    assert new_version.status_code == 201
    api.act(org.vp_spec, file_id, 'forward', {'to_user_id': org.chairman.id, 'purpose': 'sign'})

    # The chairman hands it to the clerk, who issues it to three communes.
    api.act(org.chairman, file_id, 'forward', {'to_user_id': org.ubnd_clerk.id, 'purpose': 'handle'})
    issued = api.act(org.ubnd_clerk, file_id, 'issue',
                     {'recipient_unit_ids': [a.unit.id, b.unit.id, c.unit.id], 'pin': '123456'})
    assert issued['number'] == '01/QĐ-UBND'
    assert issued['status'] == 'issued'
    assert statuses_by_unit(issued) == {a.unit.id: 'delivered', b.unit.id: 'delivered', c.unit.id: 'delivered'}
    assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$', issued['issued_at'])

    # Each recipient clerk finds it and registers it with the unit's first incoming number.
    incoming = {}
    for commune in (a, b, c):
        waiting = api.get(commune.clerk, '/files?box=inbox').get_json()
        assert [f['number'] for f in waiting['items']] == ['01/QĐ-UBND']
        incoming_id = delivery_for(issued, commune.unit)['file_id']
        registered = api.act(commune.clerk, incoming_id, 'register')
        assert registered['incoming_number'] == 1
        assert registered['source_file_id'] == file_id
        incoming[commune.unit.id] = incoming_id

    # Commune A: clerk presents it to the leader, who assigns it with a deadline; the lead handler
    # starts, drafts a reply and completes with it.
    file_a = incoming[a.unit.id]
    api.act(a.clerk, file_a, 'forward', {'to_user_id': a.leader.id, 'purpose': 'handle'})
    assigned = api.act(a.leader, file_a, 'assign', {
        'lead_user_id': a.spec.id, 'cooperate_user_ids': [a.spec2.id], 'inform_user_ids': [a.clerk.id],
        'deadline': '2031-12-31', 'note': 'Đồng chí chủ trì tham mưu'})
    assert assigned['status'] == 'assigned' and assigned['holder_user_id'] == a.spec.id
    assert assigned['deadline'] == '2031-12-31T23:59:59+07:00'
    assert sorted((x['role'], x['user_id']) for x in assigned['assignments']) == sorted(
        [('lead', a.spec.id), ('cooperate', a.spec2.id), ('inform', a.clerk.id)])
    assert api.act(a.spec, file_a, 'start')['status'] == 'in_progress'
    reply = api.create_file(a.spec, title='Báo cáo kết quả triển khai chuyển đổi số', doc_type='BC')
    done = api.act(a.spec, file_a, 'complete', {'note': 'Đã triển khai', 'reply_file_id': reply['id']})
    assert (done['status'], done['reply_file_id']) == ('completed', reply['id'])
    assert done['closed_at'] is not None

    # Commune B: assigned and started, not yet finished. Commune C: only registered.
    file_b = incoming[b.unit.id]
    api.act(b.clerk, file_b, 'forward', {'to_user_id': b.leader.id, 'purpose': 'handle'})
    api.act(b.leader, file_b, 'assign', {'lead_user_id': b.spec.id, 'deadline_working_days': 5})
    api.act(b.spec, file_b, 'start')

    # The sender sees each recipient's processing status.
    seen = api.file(org.vp_spec, file_id)
    assert statuses_by_unit(seen) == {a.unit.id: 'completed', b.unit.id: 'in_progress', c.unit.id: 'registered'}
    assert {d['file_id'] for d in seen['deliveries']} == set(incoming.values())

    # The next decision from the same organisation gets the next number.
    second = issued_file(api, org, [a])
    assert second['number'] == '02/QĐ-UBND'
    assert api.act(a.clerk, delivery_for(second, a.unit)['file_id'], 'register')['incoming_number'] == 2


def test_every_delivery_status_is_visible_to_the_sender(api, org):
    registered, assigned, in_progress, completed, refused = org.communes
    issued = issued_file(api, org, org.communes)
    incoming = {c.unit.id: delivery_for(issued, c.unit)['file_id'] for c in org.communes}

    for commune in (registered, assigned, in_progress, completed):
        api.act(commune.clerk, incoming[commune.unit.id], 'register')
    for commune in (assigned, in_progress, completed):
        api.act(commune.clerk, incoming[commune.unit.id], 'forward',
                {'to_user_id': commune.leader.id, 'purpose': 'handle'})
        api.act(commune.leader, incoming[commune.unit.id], 'assign', {'lead_user_id': commune.spec.id})
    for commune in (in_progress, completed):
        api.act(commune.spec, incoming[commune.unit.id], 'start')
    api.act(completed.spec, incoming[completed.unit.id], 'complete', {'note': 'Xong'})
    refusal = api.act(refused.clerk, incoming[refused.unit.id], 'refuse',
                      {'note': 'Văn bản gửi nhầm đơn vị'})
    assert refusal['status'] == 'refused'

    seen = api.file(org.ubnd_clerk, issued['id'])
    assert statuses_by_unit(seen) == {
        registered.unit.id: 'registered', assigned.unit.id: 'assigned', in_progress.unit.id: 'in_progress',
        completed.unit.id: 'completed', refused.unit.id: 'refused'}
    refused_delivery = delivery_for(seen, refused.unit)
    assert refused_delivery['note'] == 'Văn bản gửi nhầm đơn vị'
    assert any(e['action'] == 'refused_by_recipient' and e['note'] == 'Văn bản gửi nhầm đơn vị'
               for e in seen['timeline'])


def test_refuse_needs_a_reason(api, org):
    commune = org.communes[0]
    issued = issued_file(api, org, [commune])
    incoming_id = delivery_for(issued, commune.unit)['file_id']
    response = api.post(commune.clerk, f'/files/{incoming_id}/refuse', {'note': '  '})
    assert response.status_code == 400
    assert response.get_json()['error']['code'] == 'note_required'
    assert api.file(commune.clerk, incoming_id)['status'] == 'delivered'


def test_cong_van_is_numbered_issuing_then_drafting_unit(api, org):
    issued = issued_file(api, org, [org.communes[0]], title='Về việc báo cáo số liệu', doc_type='CV')
    assert issued['number'] == '01/UBND-VP'


def test_timeline_records_who_what_when_where(api, org):
    issued = issued_file(api, org, [org.communes[0]])
    timeline = api.file(org.vp_spec, issued['id'])['timeline']
    assert [e['action'] for e in timeline] == ['create', 'forward', 'forward', 'issue']
    forward = timeline[1]
    assert (forward['actor_id'], forward['from_unit_id'], forward['to_unit_id'], forward['purpose']) == (
        org.vp_spec.id, org.vp.id, org.ubnd.id, 'sign')
    assert all(re.match(r'.*\+07:00$', e['at']) for e in timeline)


def test_forward_to_a_unit_lands_with_its_clerks(api, org):
    draft = api.create_file(org.spec)
    moved = api.act(org.spec, draft['id'], 'forward', {'to_unit_id': org.ubnd.id, 'purpose': 'handle'})
    assert (moved['holder_unit_id'], moved['holder_user_id']) == (org.ubnd.id, None)
    inbox = api.get(org.ubnd_clerk, '/files?box=inbox').get_json()
    assert [f['id'] for f in inbox['items']] == [draft['id']]
    sent = api.get(org.spec, '/files?box=sent').get_json()
    assert [f['id'] for f in sent['items']] == [draft['id']]


def test_paper_origin_upload_is_not_fully_electronic(api, org):
    scanned = api.create_file(org.spec, data=pdf('ban-scan-giay.pdf'), paper_origin='true')
    assert scanned['fully_electronic'] is False
    assert [r['reason'] for r in scanned['paper_reasons']] == ['paper_origin']
    born_digital = api.create_file(org.spec)
    assert born_digital['fully_electronic'] is True and born_digital['paper_reasons'] == []


def test_forward_on_paper_is_a_paper_step(api, org):
    draft = api.create_file(org.spec)
    moved = api.act(org.spec, draft['id'], 'forward',
                    {'to_user_id': org.tckh_leader.id, 'purpose': 'sign', 'on_paper': True})
    assert moved['fully_electronic'] is False
    assert [r['reason'] for r in moved['paper_reasons']] == ['paper_step']
    assert moved['timeline'][-1]['on_paper'] is True


def test_issuing_without_a_signature_is_marked_unsigned(api, org):
    issued = issued_file(api, org, [org.communes[0]])
    assert issued['fully_electronic'] is False
    assert [r['reason'] for r in issued['paper_reasons']] == ['unsigned_issuance']
    assert issued['paper_reasons'][0]['detail']


def test_deadline_in_working_days_skips_weekends(api, org):
    created = api.create_file(org.spec, deadline_working_days=3)
    deadline = date.fromisoformat(created['deadline'][:10])
    assert created['deadline'].endswith('T23:59:59+07:00')
    assert deadline.weekday() < 5 and deadline > date.today()
    assert created['overdue'] is False


def test_a_deadline_already_passed_is_refused_and_one_that_passes_is_overdue(api, org):
    refused = api.upload(org.spec, '/files', title='Kế hoạch', doc_type='KH', deadline='2020-01-02T08:00:00+07:00')
    assert refused.status_code == 400
    assert refused.get_json()['error'] == {'code': 'deadline_in_past',
                                           'message': 'Hạn xử lý không được ở trong quá khứ.'}
    with clock_at(datetime(2019, 12, 30, 9, 0, tzinfo=VN)):
        created = api.create_file(org.spec, deadline='2020-01-02T08:00:00+07:00')
    assert created['overdue'] is False
    later = api.file(org.spec, created['id'])
    assert later['overdue'] is True
    assert later['deadline'] == '2020-01-02T08:00:00+07:00'


def test_same_pdf_twice_in_a_unit_is_flagged_as_duplicate(api, org):
    first = api.create_file(org.spec)
    second = api.create_file(org.spec2, title='Bản trùng')
    assert 'duplicate_of' not in first
    assert second['duplicate_of'] == {'document_id': first['documents'][0]['id'], 'file_id': first['id']}
    elsewhere = api.create_file(org.vp_spec)
    assert 'duplicate_of' not in elsewhere


def test_document_pdf_bytes_are_served_to_those_who_see_the_file(api, org):
    created = api.create_file(org.spec)
    document = created['documents'][0]
    response = api.get(org.spec2, f'/documents/{document["id"]}/pdf')
    assert response.status_code == 200
    assert response.mimetype == 'application/pdf'
    assert response.data == pdf()
    assert api.get(org.vp_clerk, f'/documents/{document["id"]}/pdf').status_code == 404
    assert api.get(org.spec, '/documents/999999/pdf').status_code == 404
    meta = api.get(org.spec, f'/documents/{document["id"]}').get_json()
    assert meta['sha256'] == document['sha256'] and meta['signatures'] == []


def test_attachment_is_added_by_the_holder(api, org):
    created = api.create_file(org.spec)
    response = api.upload(org.spec, f'/files/{created["id"]}/documents', kind='attachment',
                          data=pdf('phu-luc-chi-tieu.pdf'), filename='phu-luc.pdf')
    assert response.status_code == 201
    assert response.get_json()['kind'] == 'attachment'
    kinds = [(d['filename'], d['kind']) for d in api.file(org.spec, created['id'])['documents']]
    assert kinds == [('du-thao.pdf', 'main'), ('phu-luc.pdf', 'attachment')]


def test_search_ignores_diacritics_and_lists_are_paged(api, org):
    api.create_file(org.spec, title='Kế hoạch chuyển đổi số năm 2026')
    api.create_file(org.spec, title='Báo cáo tài chính quý I', doc_type='BC')
    found = api.get(org.spec, '/files?q=chuyen doi so').get_json()
    assert [f['title'] for f in found['items']] == ['Kế hoạch chuyển đổi số năm 2026']
    assert found['total'] == 1 and found['page'] == 1
    assert api.get(org.spec, '/files?page=2').get_json() == {'items': [], 'total': 2, 'page': 2}
    assert api.get(org.spec, '/files?status=draft').get_json()['total'] == 2
    assert api.get(org.spec, '/files?status=issued').get_json()['total'] == 0
    assert api.get(org.vp_spec, '/files').get_json()['total'] == 0  # another unit sees none of them
    assert api.get(org.admin, '/files').get_json()['total'] == 2


def test_a_completed_file_can_be_reopened(api, org):
    draft = api.create_file(org.spec)
    done = api.act(org.spec, draft['id'], 'complete', {'note': 'Không cần ban hành'})
    assert done['status'] == 'completed'
    again = api.act(org.spec, draft['id'], 'reopen', {'note': 'Cần bổ sung'})
    assert again['status'] == 'in_progress' and again['closed_at'] is None


def test_a_paper_arrival_is_registered_from_its_scan(api, org):
    commune = org.communes[0]
    response = api.upload(commune.clerk, '/files/paper-arrivals', data=pdf('ban-scan-giay.pdf'),
                          title='Đơn kiến nghị của hộ dân ấp Thới Hòa', doc_type='CV', number='15/ĐKN',
                          sender_name='Ông Nguyễn Văn Tư')
    assert response.status_code == 201, response.get_json()
    file = response.get_json()
    assert (file['direction'], file['status'], file['incoming_number'], file['number']) == (
        'incoming', 'registered', 1, '15/ĐKN')
    assert [r['reason'] for r in file['paper_reasons']] == ['paper_origin']
    rows = api.get(commune.clerk, '/registers/incoming').get_json()['rows']
    assert [(r['incoming_number'], r['note']) for r in rows] == [(1, 'Bản giấy')]
    assert api.upload(commune.spec, '/files/paper-arrivals', title='X', doc_type='CV',
                      sender_name='Y').status_code == 403
    assert api.upload(commune.clerk, '/files/paper-arrivals', title='X', doc_type='CV').status_code == 400
