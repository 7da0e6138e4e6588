"""The one set of builders the tests share.

- `UnitFactory` and `PersonFactory` (factory-boy): a unit or a person with sensible defaults.
- `Organisation`: units and people built in one go and named as the tests call them
  (`org.chairman`, `org.communes[0].clerk`), either inside the caller's app context (attached, only
  flushed) or committed in one transaction of its own and handed back detached, for tests that
  speak HTTP; also the few file builders (`draft`, `closed_file`) that tests reach through it.
- The organisations themselves, as casts (`small_district`, `district_with_communes`,
  `api_district`, `co_do`): one function each, saying who works where and nothing else.
"""
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import factory
from factory.alchemy import SQLAlchemyModelFactory

from workflow.directory.models import Unit, User
from workflow.extensions import db
from workflow.files.models import PaperMark, WorkFile
from workflow.files.operations import Upload, create_file
from workflow.timeutil import VN

LEADER_PIN, SEAL_PIN = '246813', '135792'

FIXTURES = Path(__file__).parent / 'fixtures'
PASSWORD = 'Matkhau@123'
UTC = timezone.utc


def pdf(name='quyet-dinh-ke-hoach-cds-2026.pdf'):
    return (FIXTURES / name).read_bytes()


def vn_time(*parts):
    """A Vietnamese wall-clock moment, e.g. vn_time(2024, 3, 31, 23, 59)."""
    return datetime(*parts, tzinfo=VN)


# ---------------------------------------------------------------- factories

class UnitFactory(SQLAlchemyModelFactory):
    class Meta:
        model = Unit
        sqlalchemy_session = db.session
        sqlalchemy_session_persistence = None  # added to the session; `build` flushes once for everything

    class Params:
        n = factory.Sequence(lambda n: n + 1)

    name = factory.LazyAttribute(lambda o: f'Đơn vị {o.n}')
    abbreviation = 'UBND'
    level_code = 'district'
    parent = None
    code = factory.LazyAttribute(lambda o: f'{o.parent.code}.{o.n:02d}' if o.parent is not None else f'H{o.n:02d}')


class PersonFactory(SQLAlchemyModelFactory):
    class Meta:
        model = User
        sqlalchemy_session = db.session
        sqlalchemy_session_persistence = None

    class Params:
        n = factory.Sequence(lambda n: n + 1)

    username = factory.LazyAttribute(lambda o: f'user{o.n}')
    full_name = factory.LazyAttribute(lambda o: f'Nguyễn Văn {o.n}')
    title = 'Chuyên viên'
    unit = None
    password_hash = 'x'

    @factory.post_generation
    def roles(user, create, extracted, **kwargs):
        user.roles = list(extracted or ('specialist',))

    @factory.post_generation
    def secret(user, create, extracted, **kwargs):
        user.password_hash = password_hash(extracted or PASSWORD)


_HASHES = {}


def password_hash(password):
    """Argon2 once per password and test run: every person built with it shares the hash."""
    if password not in _HASHES:
        probe = User()
        probe.set_password(password)
        _HASHES[password] = probe.password_hash
    return _HASHES[password]


def restart_numbering():
    """Unit codes and usernames count from 1 again in each test."""
    UnitFactory.reset_sequence(0)
    PersonFactory.reset_sequence(0)


# ---------------------------------------------------------------- an organisation

class Organisation(SimpleNamespace):
    """Units and people named for the tests; `org.unit(...)`/`org.person(...)` add more."""

    def unit(self, name=None, *, code=None, abbreviation='UBND', level='district', parent=None):
        fields = {'abbreviation': abbreviation, 'level_code': level, 'parent': parent}
        if name is not None:
            fields['name'] = name
        if code is not None:
            fields['code'] = code
        return UnitFactory(**fields)

    def person(self, unit, *roles, username=None, full_name=None, title='Chuyên viên', password=None):
        fields = {'unit': unit, 'title': title, 'roles': roles or ('specialist',), 'secret': password}
        if username is not None:
            fields['username'] = username
        if full_name is not None:
            fields['full_name'] = full_name
        return PersonFactory(**fields)

    # -- work files, built through the service layer like real ones

    def draft(self, actor=None, *, title='Kế hoạch chuyển đổi số năm 2026', doc_type='QĐ', **kwargs):
        file, _duplicate = create_file(actor or self.specialist, title=title, doc_type=doc_type,
                                       upload=Upload('du-thao.pdf', kwargs.pop('data', None) or pdf()), **kwargs)
        return file

    def reload(self, file):
        return db.session.get(WorkFile, file.id)

    def closed_file(self, unit, closed_at, *, reasons=(), created_at=None, deadline=None, direction='outgoing',
                    issued_at=None, issuing_unit=None, signature_check=None, title='Hồ sơ công việc'):
        """A work file owned by `unit`, closed at `closed_at` (None: still open), with PaperMarks for `reasons`
        (for the metrics: placed exactly in time, without a history)."""
        created = created_at or ((closed_at or datetime.now(UTC)) - timedelta(days=3))
        file = WorkFile(title=title, doc_type='CV', direction=direction,
                        status='completed' if closed_at else 'in_progress',
                        owner_unit_id=unit.id, creator_id=self.specialist.id, created_at=created.astimezone(UTC),
                        held_since=created.astimezone(UTC), closed_at=closed_at.astimezone(UTC) if closed_at else None,
                        deadline=deadline.astimezone(UTC) if deadline else None,
                        issued_at=issued_at.astimezone(UTC) if issued_at else None,
                        issuing_unit_id=issuing_unit.id if issuing_unit else None, signature_check=signature_check)
        for reason in reasons:
            file.paper_marks.append(PaperMark(reason=reason, detail='', at=created.astimezone(UTC)))
        db.session.add(file)
        db.session.flush()
        return file


def build(cast, **options):
    """The organisation `cast(org, **options)` describes, added to the current session and flushed."""
    org = Organisation()
    cast(org, **options)
    db.session.flush()
    return org


def build_detached(app, cast, extra=None, **options):
    """The same, committed in an app context of its own (then `extra(org)`), handed back detached:
    for tests whose requests must not share the test's session. What was built keeps the values it
    was given and flushed with (no reload): they are readable once detached."""
    with app.app_context():
        session = db.session()
        org = build(cast, **options)
        if extra is not None:
            extra(org)
        session.expire_on_commit = False
        session.commit()
        session.expunge_all()
    return org


# ---------------------------------------------------------------- the casts

def small_district(org):
    """A small district: the UBND with its office (VP) and a department, and two commune UBNDs; one
    person in each role that the service-level tests need."""
    org.district = org.unit('UBND huyện Cờ Đỏ', code='H17')
    org.office = org.unit('Văn phòng HĐND và UBND', code='H17.01', abbreviation='VP', parent=org.district)
    org.finance = org.unit('Phòng Tài chính - Kế hoạch', code='H17.02', abbreviation='TCKH', parent=org.district)
    org.commune = org.unit('UBND xã Đông Hiệp', code='H17.10', level='commune', parent=org.district)
    org.commune2 = org.unit('UBND xã Đông Thắng', code='H17.11', level='commune', parent=org.district)
    for name, unit, role, title in (
            ('specialist', org.office, 'specialist', 'Chuyên viên'), ('chairman', org.district, 'leader', 'Chủ tịch'),
            ('clerk', org.district, 'clerk', 'Văn thư'), ('finance_clerk', org.finance, 'clerk', 'Văn thư'),
            ('finance_leader', org.finance, 'leader', 'Trưởng phòng'),
            ('commune_clerk', org.commune, 'clerk', 'Văn thư'),
            ('commune_leader', org.commune, 'leader', 'Chủ tịch'),
            ('commune_officer', org.commune, 'specialist', 'Công chức'),
            ('commune_officer2', org.commune, 'specialist', 'Công chức'),
            ('commune2_clerk', org.commune2, 'clerk', 'Văn thư'), ('admin', org.district, 'admin', 'Quản trị')):
        username = SMALL_DISTRICT_USERNAMES[name]
        setattr(org, name, org.person(unit, role, username=username, full_name=username, title=title))


SMALL_DISTRICT_USERNAMES = {
    'specialist': 'cv.vp', 'chairman': 'ct.huyen', 'clerk': 'vt.huyen', 'finance_clerk': 'vt.tckh',
    'finance_leader': 'tp.tckh', 'commune_clerk': 'vt.dh', 'commune_leader': 'ct.dh', 'commune_officer': 'cv.dh',
    'commune_officer2': 'cv2.dh', 'commune2_clerk': 'vt.dt', 'admin': 'qt'}


def district_with_communes(org):
    """The Cờ Đỏ district UBND and two of its communes, with someone in every role (the HTML journeys)."""
    org.district = org.unit('UBND huyện Cờ Đỏ', code='H17')
    org.commune = org.unit('UBND xã Đông Hiệp', code='H17.01', level='commune', parent=org.district)
    org.commune2 = org.unit('UBND xã Thạnh Phú', code='H17.02', level='commune', parent=org.district)
    org.specialist = org.person(org.district, 'specialist', username='chuyenvien', full_name='Trần Thị Chuyên')
    org.leader = org.person(org.district, 'leader', username='chutich', full_name='Lê Văn Chủ Tịch', title='Chủ tịch')
    org.clerk = org.person(org.district, 'clerk', username='vanthu', full_name='Phạm Thị Văn Thư', title='Văn thư')
    org.admin = org.person(org.district, 'admin', username='quantri', full_name='Quản Trị Viên', title='Quản trị')
    org.commune_clerk = org.person(org.commune, 'clerk', username='vanthu.dh', full_name='Ngô Văn Thư Xã')
    org.commune_leader = org.person(org.commune, 'leader', username='chutich.dh', full_name='Võ Chủ Tịch Xã',
                                    title='Chủ tịch UBND xã')
    org.handler = org.person(org.commune, 'specialist', username='cv.dh', full_name='Đỗ Xử Lý')
    org.helper = org.person(org.commune, 'specialist', username='cv2.dh', full_name='Bùi Phối Hợp')
    org.commune2_clerk = org.person(org.commune2, 'clerk', username='vanthu.tp', full_name='Huỳnh Văn Thư TP')


API_COMMUNES = ('Đông Hiệp', 'Thới Xuân', 'Trung An', 'Đông Thắng', 'Thạnh Phú')


def api_district(org):
    """Cờ Đỏ in miniature: the district UBND, two departments, five communes, people in every role."""
    org.ubnd = org.unit('UBND huyện Cờ Đỏ')
    org.vp = org.unit('Văn phòng HĐND và UBND huyện', parent=org.ubnd, abbreviation='VP')
    org.tckh = org.unit('Phòng Tài chính - Kế hoạch', parent=org.ubnd, abbreviation='TCKH')
    org.chairman = org.person(org.ubnd, 'leader', full_name='Lê Văn Chủ Tịch', title='Chủ tịch UBND huyện')
    org.ubnd_clerk = org.person(org.ubnd, 'clerk', full_name='Trần Thị Văn Thư', title='Văn thư')
    org.admin = org.person(org.ubnd, 'admin', full_name='Quản Trị Viên', title='Quản trị hệ thống')
    org.vp_spec = org.person(org.vp, 'specialist', full_name='Nguyễn Văn Soạn', title='Chuyên viên')
    org.vp_clerk = org.person(org.vp, 'clerk', full_name='Phạm Thị Văn Phòng', title='Văn thư')
    org.spec = org.person(org.tckh, 'specialist', full_name='Võ Thị Chuyên Viên')
    org.spec2 = org.person(org.tckh, 'specialist', full_name='Đặng Văn Chuyên Viên')
    org.tckh_leader = org.person(org.tckh, 'leader', full_name='Huỳnh Văn Trưởng Phòng', title='Trưởng phòng')
    org.tckh_clerk = org.person(org.tckh, 'clerk', full_name='Lý Thị Văn Thư', title='Văn thư')
    org.communes = []
    for name in API_COMMUNES:
        unit = org.unit(f'UBND xã {name}', level='commune', parent=org.ubnd)
        org.communes.append(SimpleNamespace(
            unit=unit,
            clerk=org.person(unit, 'clerk', full_name=f'Văn thư {name}', title='Văn thư'),
            leader=org.person(unit, 'leader', full_name=f'Chủ tịch {name}', title='Chủ tịch UBND xã'),
            spec=org.person(unit, 'specialist', full_name=f'Chuyên viên {name}'),
            spec2=org.person(unit, 'specialist', full_name=f'Chuyên viên 2 {name}'),
        ))


CO_DO_DEPARTMENTS = (('H17.01', 'VP', 'Văn phòng HĐND và UBND huyện'), ('H17.03', 'TCKH', 'Phòng Tài chính - Kế hoạch'),
                     ('H17.04', 'TP', 'Phòng Tư pháp'), ('H17.05', 'KTHT', 'Phòng Kinh tế và Hạ tầng'),
                     ('H17.07', 'TNMT', 'Phòng Tài nguyên và Môi trường'),
                     ('H17.08', 'VHTT', 'Phòng Văn hóa và Thông tin'),
                     ('H17.10', 'LĐTBXH', 'Phòng Lao động - Thương binh và Xã hội'))
CO_DO_COMMUNES = ('Cờ Đỏ', 'Đông Hiệp', 'Đông Thắng', 'Thạnh Phú', 'Thới Đông', 'Thới Hưng', 'Thới Xuân', 'Trung An',
                  'Trung Hưng', 'Trung Thạnh')


def co_do(org):
    """Cờ Đỏ as the demo builds it (the codes of workflow/demo/organisation.py): UBND huyện, departments,
    the town and nine communes, one commune section, and people in the roles the metrics need."""
    org.district = org.unit('UBND huyện Cờ Đỏ', code='H17')
    org.departments = {abbreviation: org.unit(name, code=code, abbreviation=abbreviation, parent=org.district)
                       for code, abbreviation, name in CO_DO_DEPARTMENTS}
    org.communes = {}
    for n, place in enumerate(CO_DO_COMMUNES, start=21):
        kind = 'thị trấn' if place == 'Cờ Đỏ' else 'xã'
        org.communes[place] = org.unit(f'UBND {kind} {place}', code=f'H17.{n}', level='commune', parent=org.district)
    org.dong_hiep = org.communes['Đông Hiệp']
    org.dong_hiep_section = org.unit('Văn phòng - Thống kê xã Đông Hiệp', code='H17.22.01', abbreviation='VP',
                                     level='commune', parent=org.dong_hiep)
    org.vp = org.departments['VP']
    for name, username, unit, role in (('admin', 'quantri', org.district, 'admin'),
                                       ('chairman', 'chutich.huyen', org.district, 'leader'),
                                       ('dh_leader', 'chutich.donghiep', org.dong_hiep, 'leader'),
                                       ('specialist', 'chuyenvien.vp', org.vp, 'specialist'),
                                       ('clerk', 'vanthu.huyen', org.district, 'clerk')):
        setattr(org, name, org.person(unit, role, username=username, full_name=username, title=''))


def enrol(admin, holder, pin):
    """The administrator starts the enrolment; the holder enters the code and chooses `pin`."""
    from workflow.signing import credentials
    _enrolment, code = credentials.start_enrolment(admin, holder)
    return credentials.complete_enrolment(holder, code, pin)


def signed_and_issued(org):
    """A draft of the signing district signed by the chairman and issued with the seal to the commune,
    committed: the issued WorkFile."""
    from workflow.files.operations import forward_file, issue_file, sign_document
    file = org.draft()
    forward_file(file, org.specialist, purpose='sign', to_user=org.chairman)
    sign_document(file, org.chairman, document=file.main_document, pin=LEADER_PIN)
    forward_file(file, org.chairman, purpose='handle', to_user=org.clerk)
    issue_file(file, org.clerk, recipient_units=[org.commune], pin=SEAL_PIN)
    db.session.commit()
    return file


def signing_district(org):
    """The small district, its chairman with a certificate and a signature image, the UBND with its seal."""
    from workflow.signing import credentials, stamps, trust

    small_district(org)
    db.session.flush()
    org.chairman.full_name = 'Nguyễn Văn Mến'
    org.chairman.title = 'Chủ tịch'
    trust.ensure_pki()
    stamps.set_signature_image(org.admin, org.chairman, (FIXTURES / 'chu-ky-nguyen-van-men.png').read_bytes())
    enrol(org.admin, org.chairman, LEADER_PIN)
    credentials.issue_unit_seal(org.admin, org.district, png=(FIXTURES / 'con-dau-ubnd-huyen-co-do.png').read_bytes(),
                            pin=SEAL_PIN)
