"""Admin forms for units and users."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from ..form_fields import MultiCheckboxField
from ..vocabulary import ROLE_LABELS
from .operations import levels, unit_tree


def _unit_choices(blank=None, exclude_id=None):
    choices = [(0, blank)] if blank is not None else []
    return choices + [(unit.id, '\u00a0\u00a0' * depth + f'{unit.name} ({unit.code})')
                      for unit, depth in unit_tree() if unit.id != exclude_id]


class UnitForm(FlaskForm):
    code = StringField(_l('Mã định danh'), validators=[DataRequired(_l('Vui lòng nhập mã định danh.')),
                                                       Length(max=35)],
                       description=_l('Theo QĐ 20/2020/QĐ-TTg, ví dụ H17.07.03'))
    name = StringField(_l('Tên đơn vị'), validators=[DataRequired(_l('Vui lòng nhập tên đơn vị.')),
                                                     Length(max=200)])
    abbreviation = StringField(_l('Tên viết tắt'), validators=[
        DataRequired(_l('Vui lòng nhập tên viết tắt.')), Length(max=20)],
        description=_l('Dùng trong ký hiệu văn bản, ví dụ UBND, VP, TCKH'))
    level = SelectField(_l('Cấp hành chính'))
    parent = SelectField(_l('Đơn vị cấp trên'), coerce=int, default=0)
    active = BooleanField(_l('Đang hoạt động'), default=True)

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = [(lv.code, lv.name) for lv in levels()]
        self.parent.choices = _unit_choices(blank=_l('— không có (cấp cao nhất) —'),
                                            exclude_id=unit.id if unit else None)


class UserForm(FlaskForm):
    username = StringField(_l('Tên đăng nhập'), validators=[
        DataRequired(_l('Vui lòng nhập tên đăng nhập.')), Length(max=80)])
    password = PasswordField(_l('Mật khẩu'), validators=[Optional()],
                             description=_l('Ít nhất 10 ký tự, không phải mật khẩu phổ biến.'))
    full_name = StringField(_l('Họ tên'), validators=[DataRequired(_l('Vui lòng nhập họ tên.')),
                                                      Length(max=120)])
    title = StringField(_l('Chức danh'), validators=[Optional(), Length(max=120)])
    email = StringField(_l('Thư điện tử'), validators=[
        Optional(), Regexp(r'^[^@\s]+@[^@\s]+\.[^@\s]+$', message=_l('Địa chỉ thư không hợp lệ.')), Length(max=200)])
    unit = SelectField(_l('Đơn vị'), coerce=int)
    roles = MultiCheckboxField(_l('Vai trò'), choices=list(ROLE_LABELS.items()),
                               validators=[DataRequired(_l('Chọn ít nhất một vai trò.'))])
    active = BooleanField(_l('Đang hoạt động'), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit.choices = _unit_choices()


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l('Mật khẩu mới'), validators=[
        DataRequired(_l('Vui lòng nhập mật khẩu mới.'))])  # the policy: directory/passwords.py
    confirm = PasswordField(_l('Nhập lại mật khẩu mới'), validators=[
        EqualTo('password', _l('Hai mật khẩu không khớp.'))])


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False

    unit = SelectField(_l('Đơn vị'), coerce=int, default=0, validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit.choices = _unit_choices(blank=_l('— mọi đơn vị —'))

