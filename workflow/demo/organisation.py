"""The Cờ Đỏ (Cần Thơ) unit tree: the district UBND, its departments, the town and nine communes."""
from dataclasses import dataclass, field

from ..directory.operations import create_unit, ensure_levels
from ..policy import SYSTEM

DISTRICT_CODE = 'H17'
DISTRICT_NAME = 'UBND huyện Cờ Đỏ'

# (abbreviation, name, slug used in usernames)
DEPARTMENTS = (
    ('VP', 'Văn phòng HĐND và UBND huyện', 'vp'),
    ('NV', 'Phòng Nội vụ', 'nv'),
    ('TCKH', 'Phòng Tài chính - Kế hoạch', 'tckh'),
    ('TP', 'Phòng Tư pháp', 'tp'),
    ('KTHT', 'Phòng Kinh tế và Hạ tầng', 'ktht'),
    ('NNPTNT', 'Phòng Nông nghiệp và Phát triển nông thôn', 'nnptnt'),
    ('TNMT', 'Phòng Tài nguyên và Môi trường', 'tnmt'),
    ('VHTT', 'Phòng Văn hóa và Thông tin', 'vhtt'),
    ('GDĐT', 'Phòng Giáo dục và Đào tạo', 'gddt'),
    ('LĐTBXH', 'Phòng Lao động - Thương binh và Xã hội', 'ldtbxh'),
    ('YT', 'Phòng Y tế', 'yt'),
    ('TTr', 'Thanh tra huyện', 'ttr'),
)

# (place name, 'thị trấn' or 'xã', slug used in usernames)
COMMUNES = (
    ('Cờ Đỏ', 'thị trấn', 'codo'),
    ('Đông Hiệp', 'xã', 'donghiep'),
    ('Đông Thắng', 'xã', 'dongthang'),
    ('Thạnh Phú', 'xã', 'thanhphu'),
    ('Thới Đông', 'xã', 'thoidong'),
    ('Thới Hưng', 'xã', 'thoihung'),
    ('Thới Xuân', 'xã', 'thoixuan'),
    ('Trung An', 'xã', 'trungan'),
    ('Trung Hưng', 'xã', 'trunghung'),
    ('Trung Thạnh', 'xã', 'trungthanh'),
)

# The sections (bộ phận chuyên môn) of every commune UBND.
COMMUNE_SECTIONS = (
    ('VP', 'Văn phòng - Thống kê'),
    ('TPHT', 'Tư pháp - Hộ tịch'),
    ('ĐCXD', 'Địa chính - Xây dựng'),
    ('VHXH', 'Văn hóa - Xã hội'),
    ('TCKT', 'Tài chính - Kế toán'),
)


@dataclass
class Commune:
    unit: object
    place: str
    kind: str
    slug: str
    sections: dict = field(default_factory=dict)  # abbreviation → Unit

    @property
    def full_place(self):
        """'xã Đông Hiệp', 'thị trấn Cờ Đỏ' — as used inside document titles."""
        return f'{self.kind} {self.place}'


@dataclass
class Organisation:
    district: object
    departments: dict  # abbreviation → Unit
    department_slugs: dict  # abbreviation → slug
    communes: list  # [Commune]

    def commune(self, slug):
        return next(c for c in self.communes if c.slug == slug)


def build_organisation():
    """Create the whole unit tree; codes follow QĐ 20/2020/QĐ-TTg (H17, H17.01, H17.21.01 …)."""
    ensure_levels()
    district = create_unit(SYSTEM, code=DISTRICT_CODE, name=DISTRICT_NAME, abbreviation='UBND', level='district')
    departments, slugs = {}, {}
    for n, (abbreviation, name, slug) in enumerate(DEPARTMENTS, start=1):
        departments[abbreviation] = create_unit(SYSTEM, code=f'{DISTRICT_CODE}.{n:02d}', name=name,
                                                abbreviation=abbreviation, level='district', parent=district)
        slugs[abbreviation] = slug
    communes = []
    for n, (place, kind, slug) in enumerate(COMMUNES, start=21):
        code = f'{DISTRICT_CODE}.{n:02d}'
        unit = create_unit(SYSTEM, code=code, name=f'UBND {kind} {place}', abbreviation='UBND', level='commune',
                           parent=district)
        commune = Commune(unit=unit, place=place, kind=kind, slug=slug)
        for m, (abbreviation, name) in enumerate(COMMUNE_SECTIONS, start=1):
            commune.sections[abbreviation] = create_unit(
                SYSTEM, code=f'{code}.{m:02d}', name=f'{name} {kind} {place}', abbreviation=abbreviation,
                level='commune', parent=unit)
        communes.append(commune)
    return Organisation(district=district, departments=departments, department_slugs=slugs, communes=communes)
