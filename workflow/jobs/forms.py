"""Forms for starting background work."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectMultipleField, widgets
from wtforms.validators import DataRequired, Length

from ..form_fields import ButtonForm


class BulkSignForm(FlaskForm):
    file_ids = SelectMultipleField(_l('Văn bản cần ký'), coerce=int,
                                   option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False),
                                   validators=[DataRequired(_l('Hãy chọn ít nhất một văn bản.'))])
    pin = PasswordField(_l('Mã PIN khóa ký'), validators=[DataRequired(_l('Hãy nhập mã PIN.')), Length(max=64)])


StartJobForm = ButtonForm  # a button that starts a job
