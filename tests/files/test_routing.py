"""Journeys at the service layer: deliveries, statuses seen by the sender, paper marks, visibility."""
import pytest

from tests.builders import pdf
from workflow.errors import BadInput, NotAllowed
from workflow.files.operations import (
    Upload,
    assign_file,
    complete_file,
    forward_file,
    issue_file,
    refuse_file,
    register_file,
    register_paper_document,
    reopen_file,
    return_file,
    start_handling,
)
from workflow.policy import may_view_file
from workflow.vocabulary import REASON_PAPER_ORIGIN, REASON_PAPER_STEP, REASON_UNSIGNED_ISSUANCE


@pytest.fixture
def org(small_district_org):
    """A small district (tests/builders.py: small_district), in the test's own session."""
    return small_district_org


def _issued(org, recipients):
    file = org.draft()
    forward_file(file, org.specialist, purpose='sign', to_user=org.chairman, note='Kính trình ký')
    forward_file(file, org.chairman, purpose='handle', to_user=org.clerk, note='Phát hành')
    deliveries = issue_file(file, org.clerk, recipient_units=recipients)
    return file, deliveries


def test_sender_sees_each_recipients_processing_status(org):
    file, (to_dh, to_dt) = _issued(org, [org.commune, org.commune2])
    incoming = to_dh.file
    assert [d.status for d in file.deliveries] == ['delivered', 'delivered']
    register_file(incoming, org.commune_clerk)
    forward_file(incoming, org.commune_clerk, purpose='handle', to_user=org.commune_leader)
    assert to_dh.status == 'registered'
    assign_file(incoming, org.commune_leader, lead=org.commune_officer, cooperate=[org.commune_officer2],
                inform=[org.commune_clerk], note='Đ/c Sơn chủ trì')
    assert to_dh.status == 'assigned'
    start_handling(incoming, org.commune_officer)
    assert to_dh.status == 'in_progress'
    complete_file(incoming, org.commune_officer, note='Đã triển khai')
    assert to_dh.status == 'completed' and incoming.closed_at is not None
    refuse_file(to_dt.file, org.commune2_clerk, note='Sai tên đơn vị nhận')
    assert to_dt.status == 'refused'
    assert any(e.action == 'refused_by_recipient' for e in file.events)


def test_return_goes_back_to_whoever_sent_it(org):
    file = org.draft()
    forward_file(file, org.specialist, purpose='sign', to_user=org.chairman)
    sender = return_file(file, org.chairman, note='Sửa lại căn cứ pháp lý')
    assert sender.id == org.specialist.id and file.holder_user_id == org.specialist.id
    assert file.status == 'returned'
    with pytest.raises(BadInput):
        return_file(file, org.specialist, note='  ')


def test_signature_requests_go_to_leaders_only(org):
    file = org.draft()
    with pytest.raises(BadInput):
        forward_file(file, org.specialist, purpose='sign', to_user=org.clerk)


def test_only_the_holder_acts(org):
    file = org.draft()
    with pytest.raises(NotAllowed):
        forward_file(file, org.chairman, purpose='handle', to_user=org.clerk)


def test_only_a_clerk_of_the_receiving_unit_registers(org):
    _file, (delivery,) = _issued(org, [org.commune])
    with pytest.raises(NotAllowed):
        register_file(delivery.file, org.commune2_clerk)
    with pytest.raises(NotAllowed):
        register_file(delivery.file, org.commune_officer)
    assert register_file(delivery.file, org.commune_clerk) == 1


def test_only_a_clerk_of_the_issuing_unit_issues(org):
    file = org.draft()
    forward_file(file, org.specialist, purpose='handle', to_user=org.finance_clerk)
    with pytest.raises(NotAllowed):
        issue_file(file, org.clerk, recipient_units=[org.commune])


def test_visibility_follows_the_files_path(org):
    file, (delivery,) = _issued(org, [org.commune])
    assert may_view_file(org.specialist, file) and may_view_file(org.chairman, file)
    assert not may_view_file(org.finance_clerk, file)  # never held it
    assert not may_view_file(org.commune_clerk, file)  # the commune sees its own copy
    assert may_view_file(org.commune_officer, delivery.file)
    assert not may_view_file(org.commune2_clerk, delivery.file)
    assert may_view_file(org.admin, file)


def test_paper_origin_and_paper_steps_are_kept_as_reasons(org):
    scan, _ = register_paper_document(org.commune_clerk, title='Công văn giấy của Sở', doc_type='CV',
                                      upload=Upload('scan.pdf', pdf('ban-scan-giay.pdf')), sender_name='Sở TT&TT')
    assert scan.status == 'registered' and scan.incoming_number == 1
    assert [m.reason for m in scan.paper_marks] == [REASON_PAPER_ORIGIN] and not scan.fully_electronic
    file = org.draft()
    forward_file(file, org.specialist, purpose='sign', to_user=org.chairman, on_paper=True)
    assert {m.reason for m in file.paper_marks} == {REASON_PAPER_STEP}
    forward_file(file, org.chairman, purpose='handle', to_user=org.clerk)
    issue_file(file, org.clerk, recipient_units=[org.commune])
    assert {m.reason for m in file.paper_marks} == {REASON_PAPER_STEP, REASON_UNSIGNED_ISSUANCE}


def test_a_completed_file_can_be_reopened_and_no_longer_counts_as_closed(org):
    file = org.draft()
    complete_file(file, org.specialist, note='Lưu hồ sơ')
    assert file.closed_at is not None and file.status == 'completed'
    reopen_file(file, org.specialist, note='Bổ sung')
    assert file.closed_at is None and file.status == 'in_progress'


def test_timeline_records_from_and_to_units(org):
    file, _ = _issued(org, [org.commune])
    steps = [(e.action, e.from_unit_id, e.to_unit_id) for e in file.events]
    assert steps[0] == ('create', org.office.id, org.office.id)
    assert steps[1] == ('forward', org.office.id, org.district.id)
    assert steps[-1][0] == 'issue'


def test_a_two_tier_deployment_province_and_commune_works_the_same(ctx):
    """After the 2025 reform many provinces have two tiers: nothing in the workflow assumes a district."""
    from tests.builders import Organisation
    org = Organisation()
    province = org.unit('UBND thành phố Cần Thơ', code='T92', level='province')
    commune = org.unit('UBND xã Cờ Đỏ', code='T92.01', level='commune', parent=province)
    people = {name: org.person(unit, role, username=name, full_name=name)
              for name, unit, role in (('cv.tp', province, 'specialist'), ('ld.tp', province, 'leader'),
                                       ('vt.tp', province, 'clerk'), ('vt.xa', commune, 'clerk'))}
    file = org.draft(people['cv.tp'], title='Kế hoạch chuyển đổi số cấp xã', doc_type='KH')
    forward_file(file, people['cv.tp'], purpose='sign', to_user=people['ld.tp'])
    forward_file(file, people['ld.tp'], purpose='handle', to_user=people['vt.tp'])
    (delivery,) = issue_file(file, people['vt.tp'], recipient_units=[commune])
    assert file.number == '01/KH-UBND'
    assert register_file(delivery.file, people['vt.xa']) == 1
    assert delivery.status == 'registered'


def test_a_clerk_who_just_lost_the_file_to_a_colleague_gets_a_conflict_not_a_refusal(org):
    from workflow.errors import Conflict
    from workflow.files.transitions import JUST_NOW
    from workflow.timeutil import clock_at, now
    colleague = org.person(org.district, 'clerk', username='vt2.huyen', full_name='vt2.huyen', title='Văn thư')
    file = org.draft()
    forward_file(file, org.specialist, purpose='handle', to_unit=org.district)
    forward_file(file, org.clerk, purpose='handle', to_user=org.chairman)
    with pytest.raises(Conflict) as lost:
        forward_file(file, colleague, purpose='handle', to_user=org.finance_leader)
    assert lost.value.code == 'concurrent_change'
    with clock_at(now() + JUST_NOW * 2), pytest.raises(NotAllowed) as refused:
        forward_file(file, colleague, purpose='handle', to_user=org.finance_leader)
    assert refused.value.status == 403  # long after: simply not theirs
