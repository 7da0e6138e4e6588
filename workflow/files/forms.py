"""HTML forms for work files: validation of what the user typed, nothing more.

Choices that come from the database (people, units) are filled in when a form is built, so that a
form validates against what exists now. Business rules stay in operations.py.
"""
from datetime import UTC

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..deadlines import add_working_days, end_of_day
from ..directory.operations import active_users, unit_tree, users_of_unit
from ..form_fields import MultiCheckboxField
from ..signing.credentials import active_credential
from ..signing.forms import pin_field
from ..timeutil import vn_today
from ..vocabulary import DOC_TYPES, PURPOSE_LABELS, URGENCY_LABELS
from . import rules
from .operations import Upload

DATE_FORMATS = ['%Y-%m-%d', '%d/%m/%Y']


def _too_long(kind):
    """The length limit and message the operation applies too (rules.py)."""
    return Length(max=rules.LIMITS[kind], message=rules.too_long_message(kind))


def _user_choices(users, blank=None):
    choices = [(0, blank)] if blank is not None else []
    return choices + [(u.id, _person_label(u, with_unit=True)) for u in users]


def _person_label(user, *, with_unit=False):
    label = f'{user.full_name} — {user.title}' if user.title else user.full_name
    return f'{label} ({user.unit.name})' if with_unit else label


def _unit_choices(exclude_id=None, blank=None):
    choices = [(0, blank)] if blank is not None else []
    return choices + [(unit.id, '\u00a0\u00a0' * depth + unit.name) for unit, depth in unit_tree()
                      if unit.active and unit.id != exclude_id]


class DeadlineMixin:
    """A deadline given as a date or as a number of working days from today."""
    deadline = DateField(_l('Hạn xử lý (ngày)'), format=DATE_FORMATS, validators=[Optional()],
                         render_kw={'type': 'date'})
    deadline_days = IntegerField(_l('hoặc số ngày làm việc'), validators=[
        Optional(), NumberRange(min=1, max=365, message=_l('Số ngày làm việc phải từ 1 đến 365.'))],
        render_kw={'min': 1, 'max': 365, 'inputmode': 'numeric'})

    def validate_deadline(self, field):
        if field.data is not None and field.data < vn_today():
            raise ValidationError(rules.PAST_DEADLINE)

    def deadline_value(self):
        """The end of the chosen Vietnamese day, as an aware UTC moment (SQLite keeps no offset), or None."""
        if self.deadline_days.data:
            day = add_working_days(vn_today(), self.deadline_days.data)
        elif self.deadline.data:
            day = self.deadline.data
        else:
            return None
        return end_of_day(day).astimezone(UTC)


def _upload_of(field):
    storage = field.data
    return Upload(filename=storage.filename or 'van-ban.pdf', data=storage.read())


class NewFileForm(DeadlineMixin, FlaskForm):
    upload = FileField(_l('Tệp PDF'), validators=[FileRequired(_l('Vui lòng chọn tệp PDF.'))],
                       render_kw={'accept': 'application/pdf,.pdf'})
    title = StringField(_l('Trích yếu'), validators=[
        DataRequired(_l('Vui lòng nhập trích yếu (tiêu đề) của văn bản.')), _too_long('title')])
    summary = TextAreaField(_l('Tóm tắt nội dung'), validators=[Optional(), _too_long('summary')])
    doc_type = SelectField(_l('Loại văn bản'), choices=[(code, f'{code} — {name}') for code, name in DOC_TYPES],
                           default='CV')
    urgency = SelectField(_l('Độ khẩn'), choices=list(URGENCY_LABELS.items()), default='normal')
    paper_origin = BooleanField(_l('Văn bản giấy (bản scan)'))

    def upload_value(self):
        return _upload_of(self.upload)


class PaperDocumentForm(NewFileForm):
    """A document that arrived on paper, registered by the clerk from its scan."""
    sender_name = StringField(_l('Nơi gửi (tác giả)'), validators=[
        DataRequired(_l('Vui lòng nhập nơi gửi văn bản.')), _too_long('sender')])
    number = StringField(_l('Số, ký hiệu'), validators=[Optional(), _too_long('number')])


class ReplacementForm(FlaskForm):
    """A new draft replacing an issued document (which stays as issued)."""
    upload = FileField(_l('Tệp PDF của văn bản thay thế'), validators=[FileRequired(_l('Vui lòng chọn tệp PDF.'))],
                       render_kw={'accept': 'application/pdf,.pdf'})
    title = StringField(_l('Trích yếu (để trống: giữ trích yếu cũ)'), validators=[Optional(), Length(max=500)])

    def upload_value(self):
        return _upload_of(self.upload)


class AddDocumentForm(FlaskForm):
    upload = FileField(_l('Tệp PDF'), validators=[FileRequired(_l('Vui lòng chọn tệp PDF.'))],
                       render_kw={'accept': 'application/pdf,.pdf'})
    kind = SelectField(_l('Loại tài liệu'), choices=[('attachment', _l('Phụ lục / tài liệu kèm theo')),
                                                     ('main', _l('Phiên bản mới của văn bản chính'))],
                       default='attachment')
    paper_origin = BooleanField(_l('Văn bản giấy (bản scan)'))

    def upload_value(self):
        return _upload_of(self.upload)


class ForwardForm(DeadlineMixin, FlaskForm):
    to_user = SelectField(_l('Người nhận'), coerce=int, default=0)
    to_unit = SelectField(_l('hoặc đơn vị nhận'), coerce=int, default=0)
    purpose = SelectField(_l('Mục đích'), choices=list(PURPOSE_LABELS.items()), default='sign')
    note = TextAreaField(_l('Ý kiến / ghi chú'), validators=[Optional(), _too_long('note')])
    on_paper = BooleanField(_l('Thực hiện trên giấy'))

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = [u for u in active_users() if actor is None or u.id != actor.id]
        self.to_user.choices = _user_choices(people, blank=_l('— chọn người —'))
        self.to_unit.choices = _unit_choices(blank=_l('— chọn đơn vị —'))

    def validate_to_unit(self, field):
        if not field.data and not self.to_user.data:
            raise ValidationError(_l('Hãy chọn người hoặc đơn vị nhận.'))


class NoteRequiredForm(FlaskForm):
    note = TextAreaField(_l('Lý do'), validators=[DataRequired(_l('Vui lòng ghi lý do.')), _too_long('note')])


class ReturnForm(NoteRequiredForm):
    pass


class RefuseForm(NoteRequiredForm):
    pass


class ReopenForm(NoteRequiredForm):
    pass


class IssueForm(FlaskForm):
    recipients = MultiCheckboxField(_l('Đơn vị nhận'), coerce=int,
                                    validators=[DataRequired(_l('Hãy chọn ít nhất một đơn vị nhận.'))])
    # No Optional(): it would stop the chain before validate_seal_pin, which decides when it is needed.
    seal_pin = PasswordField(_l('Mã PIN con dấu của cơ quan'), validators=[Length(max=64)],
                             render_kw={'autocomplete': 'off'})
    on_paper = BooleanField(_l('Phát hành kèm bản giấy'))

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tree = [(unit, depth) for unit, depth in unit_tree()
                     if unit.active and (actor is None or unit.id != actor.unit_id)]
        self.recipients.choices = [(unit.id, unit.name) for unit, _depth in self.tree]
        # Without an organisation certificate the unit issues unsigned (and the page says so first).
        self.seal_required = actor is not None and active_credential(unit=actor.unit) is not None

    def validate_seal_pin(self, field):
        if self.seal_required and not field.data:
            raise ValidationError(_l('Vui lòng nhập mã PIN con dấu của cơ quan để ký số văn bản phát hành.'))


class RegisterForm(FlaskForm):
    received_on_paper = BooleanField(_l('Nhận bản giấy'))
    note = TextAreaField(_l('Ghi chú'), validators=[Optional(), _too_long('note')])
    override_reason = TextAreaField(_l('Lý do vẫn vào sổ dù chữ ký số không hợp lệ'),
                                    validators=[_too_long('note')])  # required only when the check failed

    def __init__(self, *args, signature_invalid=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.signature_invalid = signature_invalid

    def validate_override_reason(self, field):
        if self.signature_invalid and not (field.data or '').strip():
            raise ValidationError(_l('Chữ ký số không hợp lệ: ghi rõ lý do nếu vẫn vào sổ, hoặc từ chối văn bản.'))


class AssignForm(DeadlineMixin, FlaskForm):
    lead = SelectField(_l('Chủ trì'), coerce=int, default=0)
    cooperate = MultiCheckboxField(_l('Phối hợp'), coerce=int, validate_choice=True)
    inform = MultiCheckboxField(_l('Để biết'), coerce=int, validate_choice=True)
    note = TextAreaField(_l('Ý kiến chỉ đạo'), validators=[Optional(), _too_long('note')])

    def __init__(self, *args, unit_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = users_of_unit(unit_id) if unit_id else []
        self.people = {u.id: u for u in people}
        choices = [(u.id, _person_label(u)) for u in people]
        self.lead.choices = [(0, _l('— chọn người chủ trì —'))] + choices
        self.cooperate.choices = choices
        self.inform.choices = choices

    def validate_lead(self, field):
        if not field.data:
            raise ValidationError(_l('Hãy chọn người chủ trì xử lý.'))

    def assignment_args(self):
        pick = self.people.get
        return {'lead': pick(self.lead.data),
                'cooperate': [pick(i) for i in self.cooperate.data if i != self.lead.data],
                'inform': [pick(i) for i in self.inform.data if i != self.lead.data],
                'deadline': self.deadline_value(), 'note': self.note.data or ''}


class StartForm(FlaskForm):
    pass


class CompleteForm(FlaskForm):
    note = TextAreaField(_l('Kết quả xử lý'), validators=[Optional(), _too_long('result')])
    reply_file_id = IntegerField(_l('Mã hồ sơ trả lời (nếu có)'), validators=[Optional(), NumberRange(min=1)],
                                 render_kw={'inputmode': 'numeric'})


class SearchForm(FlaskForm):
    """The list filters travel in the query string; no CSRF on a GET."""
    class Meta:
        csrf = False

    q = StringField(_l('Tìm kiếm'), validators=[Optional(), Length(max=200)])
    status = SelectField(_l('Trạng thái'), validators=[Optional()], default='')
    page = IntegerField(validators=[Optional(), NumberRange(min=1)], default=1)


class SignForm(FlaskForm):
    """Sign the main document: automatic placement, or the box the user clicked on the page."""
    placement = RadioField(_l('Vị trí chữ ký'), default='auto', choices=[
        ('auto', _l('Đặt tự động (vị trí đề xuất)')),
        ('manual', _l('Vị trí đã chọn trên văn bản'))])
    page = IntegerField(validators=[Optional(), NumberRange(min=1)], widget=HiddenField.widget)
    x1 = FloatField(validators=[Optional()], widget=HiddenField.widget)
    y1 = FloatField(validators=[Optional()], widget=HiddenField.widget)
    x2 = FloatField(validators=[Optional()], widget=HiddenField.widget)
    y2 = FloatField(validators=[Optional()], widget=HiddenField.widget)
    pin = pin_field(_l('Mã PIN chữ ký số'))

    def validate_placement(self, field):
        chosen = (self.page.data, self.x1.data, self.y1.data, self.x2.data, self.y2.data)
        if field.data == 'manual' and any(v is None for v in chosen):
            raise ValidationError(_l('Hãy bấm vào văn bản để chọn vị trí đặt chữ ký, hoặc chọn "Đặt tự động".'))

    def placement_args(self):
        """Keyword arguments for sign_document: none for automatic placement (page is 0-based there)."""
        if self.placement.data != 'manual':
            return {}
        return {'page': self.page.data - 1, 'box': (self.x1.data, self.y1.data, self.x2.data, self.y2.data)}
