from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField(_l('Tên đăng nhập'), validators=[DataRequired(_l('Vui lòng nhập tên đăng nhập.')),
                                                          Length(max=80)])
    password = PasswordField(_l('Mật khẩu'), validators=[DataRequired(_l('Vui lòng nhập mật khẩu.'))])
    remember = BooleanField(_l('Ghi nhớ đăng nhập'))
    next = HiddenField()


class AccountForm(FlaskForm):
    """The user's own preferences."""
    locale = SelectField(_l('Ngôn ngữ giao diện'), choices=[('vi', 'Tiếng Việt'), ('en', 'English')])


class PasswordChangeForm(FlaskForm):
    """The person's own password: the current one first."""
    current = PasswordField(_l('Mật khẩu hiện tại'), validators=[DataRequired(_l('Vui lòng nhập mật khẩu hiện tại.'))])
    password = PasswordField(_l('Mật khẩu mới'), validators=[DataRequired(_l('Vui lòng nhập mật khẩu mới.'))],
                             description=_l('Ít nhất 10 ký tự, không phải mật khẩu phổ biến.'))
    confirm = PasswordField(_l('Nhập lại mật khẩu mới'), validators=[
        EqualTo('password', _l('Hai mật khẩu không khớp.'))])
