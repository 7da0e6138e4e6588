"""Builders for tests that drive the service layer directly (no HTTP)."""
import pytest

from tests.conftest import pdf
from workflow.directory.models import Unit, User
from workflow.extensions import db
from workflow.files.models import WorkFile
from workflow.files.operations import Upload, create_file


class Org:
    """A small district: UBND with its office (VP) and a department, and a commune UBND."""

    def __init__(self):
        self.district = self._unit('H17', 'UBND huyện Cờ Đỏ', 'UBND', 'district')
        self.office = self._unit('H17.01', 'Văn phòng HĐND và UBND', 'VP', 'district', self.district)
        self.finance = self._unit('H17.02', 'Phòng Tài chính - Kế hoạch', 'TCKH', 'district', self.district)
        self.commune = self._unit('H17.10', 'UBND xã Đông Hiệp', 'UBND', 'commune', self.district)
        self.commune2 = self._unit('H17.11', 'UBND xã Đông Thắng', 'UBND', 'commune', self.district)
        self.specialist = self._user('cv.vp', self.office, ['specialist'], 'Chuyên viên')
        self.chairman = self._user('ct.huyen', self.district, ['leader'], 'Chủ tịch')
        self.clerk = self._user('vt.huyen', self.district, ['clerk'], 'Văn thư')
        self.finance_clerk = self._user('vt.tckh', self.finance, ['clerk'], 'Văn thư')
        self.finance_leader = self._user('tp.tckh', self.finance, ['leader'], 'Trưởng phòng')
        self.commune_clerk = self._user('vt.dh', self.commune, ['clerk'], 'Văn thư')
        self.commune_leader = self._user('ct.dh', self.commune, ['leader'], 'Chủ tịch')
        self.commune_officer = self._user('cv.dh', self.commune, ['specialist'], 'Công chức')
        self.commune_officer2 = self._user('cv2.dh', self.commune, ['specialist'], 'Công chức')
        self.commune2_clerk = self._user('vt.dt', self.commune2, ['clerk'], 'Văn thư')
        self.admin = self._user('qt', self.district, ['admin'], 'Quản trị')
        db.session.flush()

    @staticmethod
    def _unit(code, name, abbreviation, level, parent=None):
        unit = Unit(code=code, name=name, abbreviation=abbreviation, level_code=level, parent=parent)
        db.session.add(unit)
        return unit

    @staticmethod
    def _user(username, unit, roles, title):
        user = User(username=username, full_name=username, title=title, unit=unit, password_hash='x')
        user.roles = roles
        db.session.add(user)
        return user

    def draft(self, actor=None, *, title='Kế hoạch chuyển đổi số năm 2026', doc_type='QĐ', **kwargs):
        file, _dup = create_file(actor or self.specialist, title=title, doc_type=doc_type,
                                 upload=Upload('du-thao.pdf', kwargs.pop('data', None) or pdf()), **kwargs)
        return file

    def reload(self, file):
        return db.session.get(WorkFile, file.id)


@pytest.fixture
def org(ctx):
    return Org()
