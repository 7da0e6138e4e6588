"""Outgoing numbers: Decree 30 form, per organisation and year, gapless even under concurrency."""
import threading
from datetime import datetime

import pytest

from tests.builders import SEAL_PIN, build, pdf, signing_district
from workflow.directory.models import Unit, User
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.files.models import WorkFile
from workflow.files.operations import Upload, create_file, forward_file, issue_file
from workflow.registers.numbering import format_number
from workflow.timeutil import VN, clock_at
from workflow.unit_of_work import transaction


@pytest.fixture
def org(small_district_org):
    """A small district (tests/builders.py: small_district), in the test's own session."""
    return small_district_org


def test_format_follows_decree_30():
    assert format_number(15, 'QĐ', 'UBND') == '15/QĐ-UBND'
    assert format_number(1, 'QĐ', 'UBND') == '01/QĐ-UBND'
    assert format_number(12, 'CV', 'UBND', 'VP') == '12/UBND-VP'
    assert format_number(3, 'CV', 'UBND', 'UBND') == '03/UBND'
    assert format_number(120, 'TB', 'TCKH') == '120/TB-TCKH'


def _ready_to_issue(org, doc_type='QĐ', title='Quyết định'):
    file = org.draft(title=title, doc_type=doc_type)
    forward_file(file, org.specialist, purpose='handle', to_user=org.clerk)
    return file


def test_numbers_follow_each_other_and_restart_on_1_january(org):
    numbers = []
    for moment in ('2025-12-31T16:00:00+07:00', '2025-12-31T23:59:00+07:00', '2026-01-01T00:01:00+07:00'):
        with clock_at(datetime.fromisoformat(moment)):
            file = _ready_to_issue(org)
            issue_file(file, org.clerk, recipient_units=[org.commune])
            numbers.append((file.issue_year, file.number))
    assert numbers == [(2025, '01/QĐ-UBND'), (2025, '02/QĐ-UBND'), (2026, '01/QĐ-UBND')]


def test_cong_van_takes_the_drafting_units_abbreviation(org):
    file = _ready_to_issue(org, doc_type='CV', title='V/v hướng dẫn kích hoạt định danh điện tử')
    issue_file(file, org.clerk, recipient_units=[org.commune])
    assert file.number.endswith('/UBND-VP')


def test_each_organisation_has_its_own_register(org):
    district_file = _ready_to_issue(org)
    issue_file(district_file, org.clerk, recipient_units=[org.commune])
    finance_file = org.draft(org.finance_leader, doc_type='TB', title='Thông báo')
    forward_file(finance_file, org.finance_leader, purpose='handle', to_user=org.finance_clerk)
    issue_file(finance_file, org.finance_clerk, recipient_units=[org.commune])
    assert (district_file.number, finance_file.number) == ('01/QĐ-UBND', '01/TB-TCKH')


@pytest.mark.committing
def test_twenty_clerks_issuing_at_once_get_twenty_consecutive_numbers(app, org):
    files = [_ready_to_issue(org, title=f'Quyết định {i}') for i in range(20)]
    file_ids, clerk_id, commune_id = [f.id for f in files], org.clerk.id, org.commune.id
    db.session.commit()
    db.session.close()  # the test's own session must not hold a transaction while the clerks work
    barrier, errors = threading.Barrier(20), []

    def issue(file_id):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                file = db.session.get(WorkFile, file_id)
                issue_file(file, db.session.get(User, clerk_id), recipient_units=[db.session.get(Unit, commune_id)])
                db.session.commit()
            except Exception as exc:  # collected and asserted below
                db.session.rollback()
                errors.append(repr(exc))

    threads = [threading.Thread(target=issue, args=(file_id,)) for file_id in file_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    db.session.expire_all()
    seqs = sorted(db.session.get(WorkFile, i).issue_seq for i in file_ids)
    assert seqs == list(range(1, 21))
    numbers = {db.session.get(WorkFile, i).number for i in file_ids}
    assert len(numbers) == 20


def test_a_failed_issuance_gives_its_number_back(app, ctx, monkeypatch):
    """The seal is opened, then the signature cannot be made (the timestamp authority is down): nothing
    of the issuance is kept, and the next issuance takes the same number."""
    org = build(signing_district)
    file = _ready_to_issue(org)
    db.session.commit()
    monkeypatch.setitem(app.config, 'TSA_URL', 'http://127.0.0.1:9/tsa')
    with pytest.raises(DomainError) as failed:
        with transaction():
            issue_file(file, org.clerk, recipient_units=[org.commune], pin=SEAL_PIN)
    assert failed.value.status == 503 and not failed.value.keep_changes
    file = db.session.get(WorkFile, file.id)
    assert file.number is None and file.status == 'in_progress'
    monkeypatch.setitem(app.config, 'TSA_URL', '')
    issue_file(file, db.session.get(User, org.clerk.id), recipient_units=[db.session.get(Unit, org.commune.id)],
               pin=SEAL_PIN)
    assert file.number == '01/QĐ-UBND' and file.status == 'issued'


def test_incoming_numbers_are_per_receiving_unit(org):
    from workflow.files.operations import register_file
    first, second = _ready_to_issue(org), _ready_to_issue(org, title='Quyết định 2')
    d1 = issue_file(first, org.clerk, recipient_units=[org.commune, org.commune2])
    d2 = issue_file(second, org.clerk, recipient_units=[org.commune])
    assert register_file(d1[0].file, org.commune_clerk) == 1
    assert register_file(d2[0].file, org.commune_clerk) == 2
    assert register_file(d1[1].file, org.commune2_clerk) == 1
    assert d1[0].file.incoming_year == datetime.now(VN).year


def test_upload_helper_accepts_fixture(org):
    file, duplicate = create_file(org.specialist, title='x', doc_type='BC', upload=Upload('a.pdf', pdf()))
    assert duplicate is None and file.documents[0].pages == 2
