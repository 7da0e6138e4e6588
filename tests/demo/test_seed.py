"""The Cờ Đỏ demo data: a small history built through the service layer, checked for consistency."""
from collections import defaultdict

import pytest
from sqlalchemy import func, select

from tests.support import database
from workflow.audit import AuditEntry, verify_chain
from workflow.demo.organisation import COMMUNES, DEPARTMENTS
from workflow.demo.seed import AlreadySeeded, seed
from workflow.directory.models import Unit, User
from workflow.extensions import db
from workflow.files.models import WorkFile
from workflow.vocabulary import REASON_PAPER_ORIGIN, ROLES

FILE_COUNT = 60
EVERY_STATUS = {'draft', 'awaiting_signature', 'returned', 'in_progress', 'issued', 'delivered', 'registered',
                'assigned', 'completed', 'refused'}


@pytest.fixture(scope='module')
def seeded(app):
    """The demo seeded once for the module, in a transaction its tests share and nothing keeps."""
    with database.shared_rollback(app):
        with app.app_context():
            summary = seed(file_count=FILE_COUNT)
            db.session.commit()
        yield summary


@pytest.fixture
def demo(app, seeded):
    """The seeded demo's summary, inside an application context of the test's own."""
    with app.app_context():
        yield seeded
        db.session.rollback()


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_organisation_units_levels_and_people_in_every_role(demo):
    district = db.session.scalars(select(Unit).where(Unit.parent_id.is_(None))).one()
    assert (district.code, district.level_code, district.abbreviation) == ('H17', 'district', 'UBND')
    departments = {u.abbreviation: u for u in district.children if u.level_code == 'district'}
    assert set(departments) == {abbreviation for abbreviation, _name, _slug in DEPARTMENTS}
    communes = [u for u in district.children if u.level_code == 'commune']
    assert len(communes) == 10
    assert {u.name for u in communes} == {f'UBND {kind} {place}' for place, kind, _slug in COMMUNES}
    for commune in communes:
        assert commune.abbreviation == 'UBND'
        assert commune.code.startswith('H17.') and len(commune.code) <= 35
        assert len(commune.children) == 5
        assert {s.level_code for s in commune.children} == {'commune'}
    _every_role_has_users_and_article_people_are_there(demo)


def _every_role_has_users_and_article_people_are_there(summary):
    users = db.session.scalars(select(User)).all()
    for role in ROLES:
        assert any(u.has_role(role) for u in users), role
    by_name = {u.username: u for u in users}
    assert by_name['chutich.donghiep'].full_name == 'Nguyễn Văn Mến'
    assert by_name['chutich.donghiep'].unit.name == 'UBND xã Đông Hiệp'
    assert by_name['admin'].check_password('demo1234')
    assert 'vanthu.huyen' in summary and 'demo1234' in summary


def test_history_has_every_status_paper_origin_files_and_forward_timelines(demo):
    statuses = set(db.session.scalars(select(WorkFile.status).distinct()))
    assert EVERY_STATUS <= statuses
    assert _count(WorkFile) == FILE_COUNT
    years = {f.created_at.year for f in db.session.scalars(select(WorkFile))}
    assert {2023, 2024, 2025} <= years
    _some_files_are_paper_origin_and_not_fully_electronic()
    _timelines_run_forward_in_time()


def _some_files_are_paper_origin_and_not_fully_electronic():
    paper = db.session.scalars(select(WorkFile).where(WorkFile.paper_origin.is_(True))).all()
    assert paper
    for file in paper:
        assert not file.fully_electronic
        assert REASON_PAPER_ORIGIN in {m.reason for m in file.paper_marks}
        assert file.documents[0].paper_origin
    assert any(f.fully_electronic for f in db.session.scalars(select(WorkFile)))


def test_register_numbers_are_gapless_per_unit_and_year_and_audit_chain_intact(demo):
    outgoing, incoming = defaultdict(list), defaultdict(list)
    for file in db.session.scalars(select(WorkFile).order_by(WorkFile.issued_at, WorkFile.id)):
        if file.direction == 'outgoing' and file.issue_seq is not None:
            outgoing[(file.issuing_unit_id, file.issue_year)].append(file.issue_seq)
            assert file.number.startswith(f'{file.issue_seq:02d}/')
    for file in db.session.scalars(select(WorkFile).order_by(WorkFile.registered_at, WorkFile.id)):
        if file.incoming_number is not None:
            incoming[(file.owner_unit_id, file.incoming_year)].append(file.incoming_number)
    assert outgoing and incoming
    for numbers in list(outgoing.values()) + list(incoming.values()):
        assert numbers == list(range(1, len(numbers) + 1))
    assert _count(AuditEntry) > FILE_COUNT
    assert verify_chain() is None


def _timelines_run_forward_in_time():
    for file in db.session.scalars(select(WorkFile)):
        moments = [e.at for e in file.events]
        assert moments == sorted(moments), file.id


def test_second_run_with_if_empty_adds_nothing(demo):
    before = (_count(Unit), _count(User), _count(WorkFile), _count(AuditEntry))
    summary = seed(file_count=FILE_COUNT, if_empty=True)
    db.session.commit()
    assert (_count(Unit), _count(User), _count(WorkFile), _count(AuditEntry)) == before
    assert 'already' in summary
    with pytest.raises(AlreadySeeded):
        seed(file_count=FILE_COUNT)
