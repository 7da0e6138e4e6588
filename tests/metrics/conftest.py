"""Builders for the metrics tests: the Cờ Đỏ unit codes, and closed work files placed exactly in time."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from workflow.directory.models import Unit, User
from workflow.extensions import db
from workflow.files.models import PaperMark, WorkFile
from workflow.timeutil import VN

UTC = timezone.utc


def vn_time(*parts):
    """A Vietnamese wall-clock moment, e.g. vn_time(2024, 3, 31, 23, 59)."""
    return datetime(*parts, tzinfo=VN)


class District:
    """Cờ Đỏ as the demo builds it: UBND huyện, departments, the town and nine communes (codes as in
    workflow/demo/organisation.py), plus one commune section and people in the roles that matter."""

    DEPARTMENTS = (('H17.01', 'VP', 'Văn phòng HĐND và UBND huyện'), ('H17.03', 'TCKH', 'Phòng Tài chính - Kế hoạch'),
                   ('H17.04', 'TP', 'Phòng Tư pháp'), ('H17.05', 'KTHT', 'Phòng Kinh tế và Hạ tầng'),
                   ('H17.07', 'TNMT', 'Phòng Tài nguyên và Môi trường'),
                   ('H17.08', 'VHTT', 'Phòng Văn hóa và Thông tin'),
                   ('H17.10', 'LĐTBXH', 'Phòng Lao động - Thương binh và Xã hội'))
    COMMUNES = ('Cờ Đỏ', 'Đông Hiệp', 'Đông Thắng', 'Thạnh Phú', 'Thới Đông', 'Thới Hưng', 'Thới Xuân', 'Trung An',
                'Trung Hưng', 'Trung Thạnh')

    def __init__(self):
        self.district = self._unit('H17', 'UBND huyện Cờ Đỏ', 'UBND', 'district')
        self.departments = {abbr: self._unit(code, name, abbr, 'district', self.district)
                            for code, abbr, name in self.DEPARTMENTS}
        self.communes = {}
        for n, place in enumerate(self.COMMUNES, start=21):
            kind = 'thị trấn' if place == 'Cờ Đỏ' else 'xã'
            self.communes[place] = self._unit(f'H17.{n}', f'UBND {kind} {place}', 'UBND', 'commune', self.district)
        self.dong_hiep = self.communes['Đông Hiệp']
        self.dong_hiep_section = self._unit('H17.22.01', 'Văn phòng - Thống kê xã Đông Hiệp', 'VP', 'commune',
                                            self.dong_hiep)
        self.vp = self.departments['VP']
        self.admin = self._user('quantri', self.district, ['admin'])
        self.chairman = self._user('chutich.huyen', self.district, ['leader'])
        self.dh_leader = self._user('chutich.donghiep', self.dong_hiep, ['leader'])
        self.specialist = self._user('chuyenvien.vp', self.vp, ['specialist'])
        self.clerk = self._user('vanthu.huyen', self.district, ['clerk'])
        db.session.commit()

    @staticmethod
    def _unit(code, name, abbreviation, level, parent=None):
        unit = Unit(code=code, name=name, abbreviation=abbreviation, level_code=level, parent=parent)
        db.session.add(unit)
        db.session.flush()
        return unit

    @staticmethod
    def _user(username, unit, roles):
        from tests.conftest import PASSWORD
        user = User(username=username, full_name=username, title='', unit=unit)
        user.roles = roles
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
        return user

    def closed_file(self, unit, closed_at, *, reasons=(), created_at=None, deadline=None, direction='outgoing',
                    issued_at=None, issuing_unit=None, signature_check=None, title='Hồ sơ công việc'):
        """A work file owned by `unit`, closed at `closed_at` (None: still open), with PaperMarks for `reasons`."""
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


def frozen(value):
    """A detached stand-in (id, code, username, name) for a unit or user, usable after the context closes."""
    if isinstance(value, (Unit, User)):
        return SimpleNamespace(id=value.id, code=getattr(value, 'code', None), name=getattr(value, 'name', None),
                               username=getattr(value, 'username', None))
    if isinstance(value, dict):
        return {key: frozen(item) for key, item in value.items()}
    return value


@pytest.fixture
def cd(ctx):
    """The district, for tests that call queries and operations directly (inside one app context)."""
    return District()


@pytest.fixture
def district(app):
    """Build the district (and whatever `build(d)` adds) in its own app context, committed, and hand
    back detached ids: for tests that go through HTTP, whose requests must not share our session."""
    def make(build=None):
        with app.app_context():
            d = District()
            if build:
                build(d)
            db.session.commit()
            names = {name: frozen(value) for name, value in vars(d).items()}
            names['vn_time'] = vn_time
            return SimpleNamespace(**names)
    return make
