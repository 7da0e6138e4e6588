"""Keys and verification through the API: certificates, stamp images, trust anchors, a document's
verification and the public check of any PDF. Signing and issuing a file are the files routes'
(api/files.py)."""
from flask_babel import gettext as _

from .. import policy
from ..errors import BadInput, NotFound
from ..extensions import db, limiter
from ..files.models import Document
from ..policy import may_view_file
from ..signing import credentials, stamps
from ..signing.models import TrustAnchor
from ..signing.verification import document_report, present, report_for_upload
from . import bp
from .blueprint import no_body, public
from .bodies import EnrolmentCompletion, EnrolmentStart, Image, PdfToVerify, Pkcs12, Revocation, Seal, TokenKey
from .loaders import caller, require, unit_or_404, user_or_404
from .schemas.signing import (
    ApprovalSchema,
    CertificateSchema,
    EnrolmentSchema,
    RevokedSchema,
    StampSchema,
    TrustAnchorListSchema,
    VerificationSchema,
)

KEY_REFUSALS = (403, 404)


@bp.get('/documents/<int:document_id>/verification')
@bp.response(200, VerificationSchema)
@bp.refusals(404)
def document_verification(document_id):
    """Verify every signature of a document

    Who: whoever may see the file."""
    document = db.session.get(Document, document_id)
    if document is None or not may_view_file(caller(), document.file):
        raise NotFound(_('Không tìm thấy văn bản.'), code='document_not_found')
    return present(document_report(document))


@bp.post('/verify')
@public
@bp.arguments(PdfToVerify, location='multipart')
@bp.response(200, VerificationSchema)
@bp.refusals(413, 415, 422, 429)
@limiter.limit('30 per minute')
def verify_upload(form):
    """Verify any uploaded PDF (no login)"""
    return report_for_upload(form['file'])


# ---------------------------------------------------------------- keys and stamps

@bp.post('/users/<int:user_id>/certificate')
@bp.arguments(EnrolmentStart)
@bp.response(201, EnrolmentSchema)
@bp.refusals(400, *KEY_REFUSALS)
def issue_certificate(body, user_id):
    """Start the enrolment of a certificate from the local CA for that person

    The answer's one-time code goes to the person, who chooses the PIN with
    `POST /users/me/certificate`; the previous certificate stays valid until then.
    A `pin` here is refused: only the holder ever chooses their PIN.

    Who: admin."""
    actor = require(policy.may_manage_keys)
    user = user_or_404(user_id)
    if body.get('pin') is not None:
        raise BadInput(_('Quản trị không đặt mã PIN: chỉ người được cấp tự đặt mã PIN của mình.'),
                       code='pin_chosen_by_holder')
    enrolment, code = credentials.start_enrolment(actor, user)
    return {'enrolment_code': code, 'expires_at': enrolment.expires_at}


@bp.post('/users/me/certificate')
@bp.arguments(EnrolmentCompletion)
@bp.response(201, CertificateSchema)
@bp.refusals(400, 409, 422)
def complete_enrolment(body):
    """Receive one's certificate: the enrolment code and the PIN one chooses

    The key is generated and stored under the PIN (never stored itself); a
    previous certificate is revoked (superseded).

    Who: the person enrolled."""
    return credentials.complete_enrolment(caller(), body['enrolment_code'], body['pin'])


@bp.get('/users/<int:user_id>/certificate')
@bp.response(200, CertificateSchema)
@bp.refusals(*KEY_REFUSALS)
def show_certificate(user_id):
    """The user's current certificate

    Who: admin, or the person themselves."""
    user = user_or_404(user_id)
    require(policy.may_see_certificate, user)
    credential = credentials.active_credential(user=user)
    if credential is None:
        raise NotFound(_('Người dùng chưa có chứng thư số.'), code='no_certificate')
    return credential


@bp.delete('/users/<int:user_id>/certificate')
@bp.arguments(Revocation)
@bp.response(200, RevokedSchema)
@bp.refusals(403, 404, 409)
def revoke_certificate(body, user_id):
    """Revoke (reason cessationOfOperation): CRL and OCSP say so from then on

    Who: admin."""
    actor = require(policy.may_manage_keys)
    return {'revoked': credentials.revoke_user_certificate(actor, user_or_404(user_id), body['reason'])}


@bp.post('/users/<int:user_id>/certificate/import')
@bp.arguments(Pkcs12, location='multipart')
@bp.response(201, CertificateSchema)
@bp.refusals(*KEY_REFUSALS)
def import_certificate(form, user_id):
    """Import a PKCS#12 issued elsewhere; its chain waits for admin approval as a trust anchor

    Who: admin."""
    actor = require(policy.may_manage_keys)
    return credentials.import_pkcs12_credential(actor, user_or_404(user_id), pkcs12=form['file'].data,
                                            password=form['password'])


@bp.post('/users/<int:user_id>/certificate/token')
@bp.arguments(TokenKey)
@bp.response(201, CertificateSchema)
@bp.refusals(*KEY_REFUSALS)
def register_token(key, user_id):
    """Register a key held on a PKCS#11 token or HSM

    Who: admin."""
    actor = require(policy.may_manage_keys)
    return credentials.register_token_credential(actor, user_or_404(user_id), **key)


@bp.post('/users/<int:user_id>/signature-image')
@bp.arguments(Image, location='multipart')
@bp.response(201, StampSchema)
@bp.refusals(*KEY_REFUSALS)
def signature_image(form, user_id):
    """The handwritten-signature image (transparent PNG)

    Who: admin, or the person themselves."""
    user = user_or_404(user_id)
    return stamps.set_signature_image(require(policy.may_manage_own_stamp, user), user, form['file'].data)


@bp.post('/units/<int:unit_id>/seal')
@bp.arguments(Seal, location='multipart')
@bp.response(201, CertificateSchema)
@bp.refusals(*KEY_REFUSALS)
def seal(form, unit_id):
    """The organisation's seal image and certificate (key under the unit's PIN), used by its clerks

    Who: admin."""
    actor = require(policy.may_manage_keys)
    return credentials.issue_unit_seal(actor, unit_or_404(unit_id), png=form['file'].data, pin=form['pin'])


# ---------------------------------------------------------------- trust anchors

@bp.get('/trust-anchors')
@bp.response(200, TrustAnchorListSchema)
@bp.refusals(403)
def trust_anchors():
    """CA certificates proposed or approved as trust anchors

    Who: admin."""
    require(policy.may_manage_keys)
    return {'items': db.session.query(TrustAnchor).order_by(TrustAnchor.id).all()}


@bp.post('/trust-anchors/<int:anchor_id>/approve')
@no_body
@bp.response(200, ApprovalSchema)
@bp.refusals(403, 404)
def approve_trust_anchor(anchor_id):
    """Trust an imported CA from now on

    Who: admin."""
    actor = require(policy.may_manage_keys)
    anchor = db.session.get(TrustAnchor, anchor_id)
    if anchor is None:
        raise NotFound(_('Không tìm thấy chứng thư gốc.'), code='anchor_not_found')
    credentials.approve_anchor(actor, anchor)
    return anchor
