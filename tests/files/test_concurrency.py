"""Parallel requests on the same data: each race ends with one consistent result and a clear
message for the loser (PostgreSQL row locks; SQLite serialises writers — both must pass)."""
import threading

import pytest
from sqlalchemy import func, select

from tests.builders import LEADER_PIN, build, signing_district
from tests.support.api import api_token
from tests.support.pages import login
from workflow.directory.models import User
from workflow.extensions import db
from workflow.files.models import FileEvent, WorkFile
from workflow.files.operations import forward_file
from workflow.inbox.models import InboxVersion
from workflow.signing.models import SignatureRecord
from workflow.signing.verification import verify_bytes
from workflow.storage import blobs

pytestmark = pytest.mark.committing  # other connections (threads, processes, the fast path) must see the data


def in_parallel(*calls):
    """Run the calls at the same instant on separate threads; their results in order."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_clerks_issuing_at_once_get_distinct_numbers_without_gaps(app, make_unit, make_user, make_file):
    district = make_unit('UBND huyện Cờ Đỏ', code='H17')
    commune = make_unit('UBND xã Đông Hiệp', level='commune', parent=district)
    clerks = [make_user(district, ('clerk',)) for _ in range(2)]
    files = {clerk.id: [make_file(clerk, title=f'Thông báo {clerk.id}-{n}', doc_type='TB') for n in range(3)]
             for clerk in clerks}
    clients = [(app.test_client(), clerk) for clerk in clerks]
    tokens = [api_token(client, clerk) for client, clerk in clients]

    def issue_all(index):
        client, clerk = clients[index]
        return [client.post(f'/api/v1/files/{file_id}/issue', headers=tokens[index],
                            json={'recipient_unit_ids': [commune.id]}) for file_id in files[clerk.id]]

    results = in_parallel(lambda: issue_all(0), lambda: issue_all(1))
    responses = [r for batch in results for r in batch]
    assert [r.status_code for r in responses] == [200] * 6, [r.get_json() for r in responses]
    numbers = sorted(r.get_json()['number'] for r in responses)
    assert numbers == [f'{n:02d}/TB-UBND' for n in range(1, 7)]
    with app.app_context():
        assert sorted(db.session.scalars(select(WorkFile.issue_seq).where(WorkFile.issue_seq.isnot(None)))) == \
            [1, 2, 3, 4, 5, 6]


def test_two_clerks_forwarding_the_same_file_at_once_one_wins_and_the_other_gets_409(
        app, make_unit, make_user, make_file):
    district = make_unit('UBND huyện Cờ Đỏ', code='H17')
    office = make_unit('Văn phòng', parent=district, abbreviation='VP')
    specialist = make_user(district)
    clerk_a, clerk_b = make_user(office, ('clerk',)), make_user(office, ('clerk',))
    handler_a, handler_b = make_user(office), make_user(office)
    file_id = make_file(specialist)
    with app.app_context():
        file = db.session.get(WorkFile, file_id)
        forward_file(file, db.session.get(User, specialist.id), purpose='handle',
                     to_unit=db.session.get(type(file.owner_unit), office.id))
        db.session.commit()  # now held by the office: either of its clerks may pass it on
    a, b = app.test_client(), app.test_client()
    headers_a, headers_b = api_token(a, clerk_a), api_token(b, clerk_b)

    first, second = in_parallel(
        lambda: a.post(f'/api/v1/files/{file_id}/forward', headers=headers_a,
                       json={'to_user_id': handler_a.id, 'purpose': 'handle', 'note': 'A'}),
        lambda: b.post(f'/api/v1/files/{file_id}/forward', headers=headers_b,
                       json={'to_user_id': handler_b.id, 'purpose': 'handle', 'note': 'B'}))
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [200, 409], (first.get_json(), second.get_json())
    loser = first if first.status_code == 409 else second
    assert loser.get_json()['error']['code'] == 'concurrent_change'
    assert 'vừa được người khác xử lý' in loser.get_json()['error']['message']
    winner_note = 'A' if first.status_code == 200 else 'B'
    with app.app_context():
        steps = db.session.scalars(select(FileEvent).where(FileEvent.file_id == file_id, FileEvent.action == 'forward',
                                                           FileEvent.from_unit_id == office.id)).all()
        assert [s.note for s in steps] == [winner_note]
        file = db.session.get(WorkFile, file_id)
        assert file.holder_user_id == (handler_a.id if winner_note == 'A' else handler_b.id)


def test_a_double_click_on_sign_gives_one_signature_not_two(app):
    with app.app_context():
        org = build(signing_district)
        file = org.draft()
        forward_file(file, org.specialist, purpose='sign', to_user=org.chairman)
        org.chairman.set_password('Matkhau@123')
        db.session.commit()
        file_id, document_id, chairman = file.id, file.main_document.id, db.session.get(User, org.chairman.id)
        db.session.expunge(chairman)
    clicks = [login(app.test_client(), chairman) for _ in range(2)]

    def click(client):
        return lambda: client.post(f'/files/{file_id}/sign', data={'sign-placement': 'auto', 'sign-pin': LEADER_PIN})

    first, second = in_parallel(click(clicks[0]), click(clicks[1]))
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [302, 409], (statuses, first.get_data(as_text=True)[-3000:])
    loser = first if first.status_code == 409 else second
    assert 'vừa được người khác xử lý' in loser.get_data(as_text=True)
    with app.app_context():
        records = db.session.scalars(select(SignatureRecord).where(SignatureRecord.document_id == document_id)).all()
        assert len(records) == 1
        file = db.session.get(WorkFile, file_id)
        report = verify_bytes(blobs().get(file.main_document.sha256))
        assert report['valid'] and len(report['signatures']) == 1
        assert db.session.scalar(select(func.count(FileEvent.id)).where(
            FileEvent.file_id == file_id, FileEvent.action == 'sign')) == 1


def test_crossed_forwards_raising_the_same_inbox_versions_never_deadlock(app, make_unit, make_user, make_file):
    """Each forward raises the sender's and the recipient's inbox versions at commit: A → B and
    B → A at the same time lock the same two counters, always in the same order."""
    unit = make_unit('Phòng Nội vụ', code='H17')
    people = [make_user(unit, ('specialist',)) for _ in range(2)]
    files = {p.id: [make_file(p, title=f'Hồ sơ {p.id}-{n}') for n in range(6)] for p in people}
    clients = [app.test_client() for _ in people]
    tokens = [api_token(client, person) for client, person in zip(clients, people, strict=True)]
    with app.app_context():
        before = dict(db.session.execute(select(InboxVersion.user_id, InboxVersion.version)).all())

    def forward_all(index):
        other = people[1 - index]
        return [clients[index].post(f'/api/v1/files/{file_id}/forward', headers=tokens[index],
                                    json={'to_user_id': other.id, 'purpose': 'handle'}).status_code
                for file_id in files[people[index].id]]

    results = in_parallel(lambda: forward_all(0), lambda: forward_all(1))
    assert results == [[200] * 6, [200] * 6]
    with app.app_context():
        versions = dict(db.session.execute(select(InboxVersion.user_id, InboxVersion.version)).all())
    # every forward reached both inboxes, once
    assert versions == {person.id: before[person.id] + 12 for person in people}
