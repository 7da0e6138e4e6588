"""Forms of the metrics pages: a target, a dossier CSV upload."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DecimalField, IntegerField, SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from ..directory.operations import levels
from .labels import INDICATOR_LABELS


class TargetForm(FlaskForm):
    indicator = SelectField(_l('Chỉ tiêu'), validators=[DataRequired()])
    level = SelectField(_l('Cấp'), validators=[DataRequired()])
    year = IntegerField(_l('Áp dụng từ năm'), validators=[DataRequired(), NumberRange(2000, 2100)])
    value = DecimalField(_l('Giá trị (%)'), places=2,
                         validators=[InputRequired(), NumberRange(0, 100, message=_l('Từ 0 đến 100 %%.'))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator.choices = [(code, str(label)) for code, label in INDICATOR_LABELS.items()]
        self.level.choices = [(level.code, level.name) for level in levels()]


class DossierImportForm(FlaskForm):
    file = FileField(_l('Tệp CSV'), validators=[FileRequired(message=_l('Hãy chọn tệp CSV.'))])
