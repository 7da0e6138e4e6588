"""HTML pages for signing keys: admins manage certificates, signature and seal images and trust
anchors; anyone sees their own certificate and signature image. (Signing a file's document is an
action of the file page: files/views/actions.py.)

Load, check, act: each handler loads its objects (404), checks permission with policy.py (403), then
calls one function of credentials.py or stamps.py, inside `attempt()` when it shows the refusal itself.
"""
from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import policy
from ..directory.models import Unit, User
from ..errors import DomainError
from ..extensions import db
from ..storage import blobs
from ..timeutil import vn
from ..unit_of_work import attempt
from . import credentials, stamps, trust
from .forms import (
    ApproveAnchorForm,
    CertificateForm,
    EnrolmentForm,
    Pkcs12Form,
    RevokeForm,
    SealForm,
    SignatureImageForm,
    TokenForm,
)
from .models import TrustAnchor

bp = Blueprint('signing', __name__)

REVOCATION_REASON = 'cessationOfOperation'


def _get_or_404(model, object_id):
    found = db.session.get(model, object_id)
    if found is None:
        abort(404)
    return found


# ---------------------------------------------------------------- a person's certificate and signature image

def _credential_page(user, *, status=200, error=None, **forms):
    """The admin's page for one person's keys (admin=True) or the person's own (admin=False)."""
    admin = policy.may_manage_keys(current_user)
    if admin:
        for name, form_class in (('certificate', CertificateForm), ('revoke', RevokeForm),
                                 ('pkcs12', Pkcs12Form), ('token', TokenForm)):
            forms.setdefault(name, form_class(formdata=None, prefix=name))
    forms.setdefault('image', SignatureImageForm(formdata=None, prefix='image'))
    enrolment = credentials.open_enrolment(user)
    if enrolment is not None and user.id == current_user.id:
        forms.setdefault('enrolment', EnrolmentForm(formdata=None, prefix='enrolment'))
    credential = credentials.active_credential(user=user)
    history = credentials.user_credentials(user) if admin else []
    return render_template('signing/user_keys.html', person=user, admin=admin, forms=forms, error=error,
                           certificate=credentials.certificate_summary(credential), credential=credential,
                           image=stamps.stamp_image(user=user), history=history, enrolment=enrolment), status


@bp.get('/admin/users/<int:user_id>/signing')
@login_required
def user_keys(user_id):
    policy.require(policy.may_manage_keys, current_user)
    return _credential_page(_get_or_404(User, user_id))


@bp.get('/account/signing')
@login_required
def my_keys():
    return _credential_page(current_user)


def _back_to(user):
    if policy.may_manage_keys(current_user):
        return redirect(url_for('signing.user_keys', user_id=user.id))
    return redirect(url_for('signing.my_keys'))


def _admin_action(user_id, name, form_class, act):
    """Load, check, act for one form posted from a person's keys page."""
    policy.require(policy.may_manage_keys, current_user)
    user = _get_or_404(User, user_id)
    form = form_class(prefix=name)
    if not form.validate_on_submit():
        return _credential_page(user, status=400, **{name: form})
    try:
        with attempt():
            message = act(user, form)
    except DomainError as exc:
        return _credential_page(user, status=exc.status, error=exc.message, **{name: form})
    flash(message, 'success')
    return _back_to(user)


@bp.post('/admin/users/<int:user_id>/certificate')
@login_required
def issue_certificate(user_id):
    """Start an enrolment: the code is shown once, to hand to the person, who chooses the PIN."""
    def act(user, form):
        enrolment, code = credentials.start_enrolment(current_user, user)
        return _('Mã cấp chứng thư cho %(name)s: %(code)s (dùng một lần, hết hạn lúc %(t)s). Hãy trao mã này '
                 'trực tiếp cho người dùng; họ tự đặt mã PIN tại trang Chữ ký số của mình.', name=user.full_name,
                 code=code, t=vn(enrolment.expires_at).strftime('%H:%M %d/%m/%Y'))
    return _admin_action(user_id, 'certificate', CertificateForm, act)


@bp.post('/account/signing/enrolment')
@login_required
def complete_enrolment():
    """The holder enters the code and chooses the PIN: the key is made under it."""
    form = EnrolmentForm(prefix='enrolment')
    if not form.validate_on_submit():
        return _credential_page(current_user, status=400, enrolment=form)
    try:
        with attempt():
            credential = credentials.complete_enrolment(current_user, form.code.data, form.pin.data)
    except DomainError as exc:
        return _credential_page(current_user, status=exc.status, error=exc.message, enrolment=form)
    flash(_('Đã cấp chứng thư số (số hiệu %(serial)s). Chứng thư cũ (nếu có) đã bị thu hồi.',
            serial=credential.serial), 'success')
    return redirect(url_for('signing.my_keys'))


@bp.post('/admin/users/<int:user_id>/revoke')
@login_required
def revoke_certificate(user_id):
    def act(user, form):
        credentials.revoke_user_certificate(current_user, user, REVOCATION_REASON)
        return _('Đã thu hồi chứng thư số của %(name)s.', name=user.full_name)
    return _admin_action(user_id, 'revoke', RevokeForm, act)


@bp.post('/admin/users/<int:user_id>/pkcs12')
@login_required
def import_pkcs12(user_id):
    def act(user, form):
        credential = credentials.import_pkcs12_credential(current_user, user, pkcs12=form.bundle.data.read(),
                                                         password=form.password.data)
        return _('Đã nhập chứng thư số do %(issuer)s cấp. Chứng thư gốc của tổ chức cấp cần được duyệt tin cậy.',
                 issuer=credential.issuer)
    return _admin_action(user_id, 'pkcs12', Pkcs12Form, act)


@bp.post('/admin/users/<int:user_id>/token')
@login_required
def register_token(user_id):
    def act(user, form):
        credentials.register_token_credential(current_user, user, certificate_pem=form.certificate_pem.data.strip(),
                                             token_label=form.token_label.data.strip(),
                                             key_label=form.key_label.data.strip())
        return _('Đã đăng ký khóa trên thiết bị ký số "%(token)s".', token=form.token_label.data.strip())
    return _admin_action(user_id, 'token', TokenForm, act)


@bp.post('/users/<int:user_id>/signature-image')
@login_required
def upload_signature_image(user_id):
    user = _get_or_404(User, user_id)
    policy.require(policy.may_manage_own_stamp, current_user, user)
    form = SignatureImageForm(prefix='image')
    if not form.validate_on_submit():
        return _credential_page(user, status=400, image=form)
    try:
        with attempt():
            stamps.set_signature_image(current_user, user, form.image.data.read())
    except DomainError as exc:
        return _credential_page(user, status=exc.status, error=exc.message, image=form)
    flash(_('Đã cập nhật ảnh chữ ký.'), 'success')
    return _back_to(user)


def _png(stamp):
    if stamp is None:
        abort(404)
    return Response(blobs().get(stamp.sha256), mimetype='image/png',
                    headers={'Cache-Control': 'private, no-store'})


@bp.get('/users/<int:user_id>/signature.png')
@login_required
def signature_image(user_id):
    user = _get_or_404(User, user_id)
    policy.require(policy.may_manage_own_stamp, current_user, user)
    return _png(stamps.stamp_image(user=user))


# ---------------------------------------------------------------- a unit's seal

def _seal_page(unit, form=None, *, status=200, error=None):
    credential = credentials.active_credential(unit=unit)
    return render_template('signing/unit_seal.html', unit=unit, form=form or SealForm(formdata=None, prefix='seal'),
                           certificate=credentials.certificate_summary(credential), credential=credential,
                           image=stamps.stamp_image(unit=unit), error=error), status


@bp.route('/admin/units/<int:unit_id>/seal', methods=['GET', 'POST'])
@login_required
def unit_seal(unit_id):
    policy.require(policy.may_manage_keys, current_user)
    unit = _get_or_404(Unit, unit_id)
    form = SealForm(prefix='seal')
    if not form.validate_on_submit():
        return _seal_page(unit, form, status=400 if form.is_submitted() else 200)
    try:
        with attempt():
            credential = credentials.issue_unit_seal(current_user, unit, png=form.image.data.read(),
                                                    pin=form.pin.data)
    except DomainError as exc:
        return _seal_page(unit, form, status=exc.status, error=exc.message)
    flash(_('Đã cập nhật con dấu và cấp chứng thư số của cơ quan (số hiệu %(serial)s) cho %(name)s.',
            serial=credential.serial, name=unit.name), 'success')
    return redirect(url_for('signing.unit_seal', unit_id=unit.id))


@bp.get('/units/<int:unit_id>/seal.png')
@login_required
def seal_image(unit_id):
    unit = _get_or_404(Unit, unit_id)
    policy.require(policy.may_see_seal, current_user, unit)
    return _png(stamps.stamp_image(unit=unit))


# ---------------------------------------------------------------- the local PKI and trust anchors

@bp.get('/admin/trust-anchors')
@login_required
def trust_anchors():
    policy.require(policy.may_manage_keys, current_user)
    anchors = db.session.query(TrustAnchor).order_by(TrustAnchor.approved_at.isnot(None), TrustAnchor.id).all()
    return render_template('signing/trust_anchors.html', anchors=anchors, form=ApproveAnchorForm(),
                           addresses=trust.public_addresses(), services=trust.service_certificates(),
                           elsewhere=credentials.pointing_elsewhere())


@bp.post('/admin/pki/reissue')
@login_required
def reissue_for_public_address():
    policy.require(policy.may_manage_keys, current_user)
    if not ApproveAnchorForm().validate_on_submit():
        abort(400)
    tsa, renewed = credentials.reissue_for_public_address(current_user)
    flash(_('Đã cấp lại %(count)d chứng thư theo địa chỉ %(url)s.', count=len(renewed) + (tsa is not None),
            url=trust.base_url()), 'success')
    return redirect(url_for('signing.trust_anchors'))


@bp.post('/admin/trust-anchors/<int:anchor_id>/approve')
@login_required
def approve_anchor(anchor_id):
    policy.require(policy.may_manage_keys, current_user)
    anchor = _get_or_404(TrustAnchor, anchor_id)
    if not ApproveAnchorForm().validate_on_submit():
        abort(400)
    if anchor.approved_at is None:
        credentials.approve_anchor(current_user, anchor)
        flash(_('Đã duyệt tin cậy chứng thư gốc: %(subject)s.', subject=anchor.subject), 'success')
    return redirect(url_for('signing.trust_anchors'))
