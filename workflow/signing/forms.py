"""HTML forms of the signing pages: what the user typed, validated; nothing more.

(The PDF's own form fields are the library's: lib/acroform.py. The form that signs a file's
main document is the file page's: files/forms.py.) A PIN is only ever read from `form.pin.data`
and handed to the operation: never stored, logged or rendered back into a page.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length

PIN_HINT = _l('Từ 6 đến 64 ký tự. Hệ thống không lưu mã PIN: nếu quên, phải cấp chứng thư mới.')
NO_AUTOFILL = {'autocomplete': 'off'}
NEW_PIN = {'autocomplete': 'new-password'}


def pin_field(label, *, render_kw=None):
    return PasswordField(label, validators=[DataRequired(_l('Vui lòng nhập mã PIN.')), Length(max=64)],
                         render_kw=render_kw or NO_AUTOFILL)


def new_pin_fields():
    """A PIN chosen now, typed twice."""
    pin = PasswordField(_l('Mã PIN'), description=PIN_HINT, render_kw=NEW_PIN, validators=[
        DataRequired(_l('Vui lòng nhập mã PIN.')),
        Length(min=6, max=64, message=_l('Mã PIN phải có từ 6 đến 64 ký tự.'))])
    confirm = PasswordField(_l('Nhập lại mã PIN'), render_kw=NEW_PIN, validators=[
        DataRequired(_l('Vui lòng nhập lại mã PIN.')), EqualTo('pin', _l('Hai mã PIN không khớp.'))])
    return pin, confirm


def png_field(label):
    return FileField(label, validators=[FileRequired(_l('Vui lòng chọn tệp ảnh PNG.'))],
                     render_kw={'accept': 'image/png,.png'})


class CertificateForm(FlaskForm):
    """The administrator starts an enrolment: no PIN here, only the holder chooses it."""


class EnrolmentForm(FlaskForm):
    code = StringField(_l('Mã cấp chứng thư (do quản trị cung cấp)'), render_kw=NO_AUTOFILL, validators=[
        DataRequired(_l('Vui lòng nhập mã cấp chứng thư.')), Length(max=40)])
    pin, confirm = new_pin_fields()


class SealForm(FlaskForm):
    image = png_field(_l('Ảnh con dấu (PNG nền trong suốt, màu đỏ, đúng kích thước)'))
    pin, confirm = new_pin_fields()


class SignatureImageForm(FlaskForm):
    image = png_field(_l('Ảnh chữ ký tay (PNG nền trong suốt)'))


class RevokeForm(FlaskForm):
    """Revocation for cessation of operation (the person left the post); nothing to type."""


class Pkcs12Form(FlaskForm):
    bundle = FileField(_l('Tệp PKCS#12 (.p12, .pfx)'), validators=[FileRequired(_l('Vui lòng chọn tệp PKCS#12.'))],
                       render_kw={'accept': '.p12,.pfx,application/x-pkcs12'})
    password = pin_field(_l('Mật khẩu của tệp'))


class TokenForm(FlaskForm):
    certificate_pem = TextAreaField(_l('Chứng thư số (PEM)'), validators=[
        DataRequired(_l('Vui lòng dán chứng thư số dạng PEM.')), Length(max=20000)],
        render_kw={'rows': 6, 'spellcheck': 'false', 'placeholder': '-----BEGIN CERTIFICATE-----'})
    token_label = StringField(_l('Nhãn thiết bị (token)'), validators=[
        DataRequired(_l('Vui lòng nhập nhãn thiết bị.')), Length(max=100)])
    key_label = StringField(_l('Nhãn khóa trên thiết bị'), validators=[
        DataRequired(_l('Vui lòng nhập nhãn khóa.')), Length(max=100)])


class ApproveAnchorForm(FlaskForm):
    """Approve one pending trust anchor; CSRF only."""
