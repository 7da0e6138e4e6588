"""The demo users: one roster for the district and every commune, all with the one demo password."""
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .. import audit
from ..directory.models import User
from ..extensions import db
from .keys import give_keys

DEMO_PASSWORD = 'demo1234'


# People the article names keep their names; everyone else gets a generated one.
NAMED = {
    'phochutich.huyen': 'Phạm Minh Thuấn',
    'chutich.donghiep': 'Nguyễn Văn Mến',
}

_SURNAMES = ('Nguyễn', 'Trần', 'Lê', 'Phạm', 'Huỳnh', 'Võ', 'Đặng', 'Bùi', 'Dương', 'Lâm', 'Châu', 'Trương',
             'Đỗ', 'Phan', 'Ngô', 'Hồ', 'Tạ', 'Lý')
_MALE = (('Văn', 'Minh', 'Hoàng', 'Quốc', 'Thanh', 'Hữu', 'Công', 'Tấn', 'Trọng', 'Phước'),
         ('Hùng', 'Dũng', 'Tâm', 'Phúc', 'Khang', 'Lộc', 'Tài', 'Nghĩa', 'Trung', 'Hải', 'Thành', 'Hiếu', 'Toàn',
          'Nhân', 'Vũ', 'Khoa', 'Sang', 'Thiện', 'Đức', 'Tùng'))
_FEMALE = (('Thị', 'Ngọc', 'Thị Thu', 'Thị Kim', 'Bích', 'Thị Mỹ', 'Hồng', 'Thanh'),
           ('Lan', 'Hương', 'Thảo', 'Ngân', 'Trang', 'Hạnh', 'Diễm', 'Yến', 'Nhung', 'Mai', 'Hà', 'Loan', 'Trinh',
            'Tuyết', 'Phượng', 'Quyên', 'Vy', 'Hân'))


@dataclass
class Staff:
    """Who does what in one organisation (a district UBND or a commune UBND)."""
    unit: object
    chairman: object = None
    vice_chairman: object = None
    clerk: object = None
    specialists: list = field(default_factory=list)  # commune: section officers
    heads: dict = field(default_factory=dict)  # district: department abbreviation → head
    officers: dict = field(default_factory=dict)  # district: department abbreviation → specialist

    @property
    def leaders(self):
        return [u for u in (self.chairman, self.vice_chairman) if u is not None]


@dataclass
class People:
    district: Staff
    communes: dict  # commune unit id → Staff
    admin: object
    users: list  # every demo user, in creation order

    def staff_of(self, unit):
        return self.district if unit.id == self.district.unit.id else self.communes[unit.id]


class _Names:
    """Distinct, realistic Vietnamese names from a fixed seed (independent of the file history)."""

    def __init__(self):
        self.rng = random.Random(17)
        self.used = set(NAMED.values())

    def __call__(self, username, female=None):
        if username in NAMED:
            return NAMED[username]
        female = self.rng.random() < 0.45 if female is None else female
        middles, givens = _FEMALE if female else _MALE
        while True:
            name = f'{self.rng.choice(_SURNAMES)} {self.rng.choice(middles)} {self.rng.choice(givens)}'
            if name not in self.used:
                self.used.add(name)
                return name


def build_people(org):
    """Create every demo user, audited like any user an admin creates."""
    names, users = _Names(), []

    def add(username, unit, roles, title, female=None):
        user = User(username=username, full_name=names(username, female), title=title, unit=unit)
        user.roles = roles
        users.append(user)
        return user

    vp = org.departments['VP']
    admin = add('admin', vp, ['admin'], 'Quản trị hệ thống')
    district = Staff(unit=org.district)
    district.chairman = add('chutich.huyen', org.district, ['leader'], 'Chủ tịch UBND huyện', female=False)
    district.vice_chairman = add('phochutich.huyen', org.district, ['leader'], 'Phó Chủ tịch Thường trực UBND huyện')
    district.clerk = add('vanthu.huyen', org.district, ['clerk'], 'Văn thư', female=True)
    for abbreviation, unit in org.departments.items():
        slug = org.department_slugs[abbreviation]
        if abbreviation == 'VP':
            head = add('chanhvanphong', unit, ['leader'], 'Chánh Văn phòng HĐND và UBND huyện')
        elif abbreviation == 'TTr':
            head = add('chanhthanhtra', unit, ['leader'], 'Chánh Thanh tra huyện')
        else:
            head = add(f'truongphong.{slug}', unit, ['leader'], f'Trưởng {unit.name[0].lower()}{unit.name[1:]}')
        district.heads[abbreviation] = head
        district.officers[abbreviation] = add(f'chuyenvien.{slug}', unit, ['specialist'], 'Chuyên viên')

    communes = {}
    for commune in org.communes:
        place, slug = commune.full_place, commune.slug
        staff = Staff(unit=commune.unit)
        staff.chairman = add(f'chutich.{slug}', commune.unit, ['leader'], f'Chủ tịch UBND {place}')
        staff.vice_chairman = add(f'phochutich.{slug}', commune.unit, ['leader'], f'Phó Chủ tịch UBND {place}')
        staff.clerk = add(f'vanthu.{slug}', commune.unit, ['clerk'], 'Văn thư')
        staff.specialists = [
            add(f'chuyenvien.{slug}', commune.sections['VP'], ['specialist'], 'Công chức Văn phòng - Thống kê'),
            add(f'vanhoa.{slug}', commune.sections['VHXH'], ['specialist'], 'Công chức Văn hóa - Xã hội'),
        ]
        communes[commune.unit.id] = staff
    _save(users)
    people = People(district=district, communes=communes, admin=admin, users=users)
    give_keys(admin, people, org)
    return people


def _save(users):
    """Hash the passwords in parallel (the normal Argon2 parameters are slow on purpose: Argon2 releases
    the GIL), then store every user in one flush and audit each creation. The published demo password is
    set directly, outside the password policy (directory/passwords.py) on purpose: it would fail it."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda user: user.set_password(DEMO_PASSWORD), users))
    db.session.add_all(users)
    db.session.flush()
    for user in users:
        audit.record(None, 'create_user', user, username=user.username, roles=user.roles, unit_id=user.unit_id)
