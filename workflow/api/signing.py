"""Signing through the API: sign, certificates, stamp images, verification (the public one included)."""
from flask import jsonify, request
from flask_babel import gettext as _

from .. import policy
from ..errors import BadInput, NotFound
from ..extensions import db, limiter
from ..files.models import Document
from ..files.operations import issue_file, sign_document
from ..policy import may_view_file
from ..signing import credentials, stamps
from ..signing.models import TrustAnchor
from ..signing.verification import document_report, present, report_for_upload
from ..timeutil import iso
from . import bp
from .files import _file_response
from .inputs import (
    boolean,
    caller,
    file_or_404,
    form_body,
    integer,
    json_body,
    referenced_units,
    require,
    string,
    unit_or_404,
    upload,
    user_or_404,
)
from .serializers import delivery_json, signature_json


def _certificate_json(credential):
    return {'id': credential.id, 'serial': credential.serial, 'subject': credential.subject,
            'issuer': credential.issuer, 'not_before': iso(credential.not_before),
            'not_after': iso(credential.not_after), 'kind': credential.kind, 'revoked': credential.revoked,
            'revoked_at': iso(credential.revoked_at), 'active': credential.active}


def _document_of(file, data):
    document_id = integer(data, 'document_id', default=None)
    document = file.main_document if document_id is None else db.session.get(Document, document_id)
    if document is None or document.file_id != file.id:
        raise BadInput(_('Văn bản cần ký không thuộc hồ sơ này.'), code='invalid_document')
    return document


def _box(data):
    box = data.get('box')
    if box is None:
        return None
    if not isinstance(box, list | tuple) or len(box) != 4:
        raise BadInput(_('Vị trí chữ ký phải là 4 số [x1, y1, x2, y2].'), code='invalid_box')
    return box


@bp.post('/files/<int:file_id>/sign')
def sign(file_id):
    file = file_or_404(file_id)
    data = json_body()
    record = sign_document(file, caller(), document=_document_of(file, data),
                                   pin=string(data, 'pin', required=True), page=integer(data, 'page', default=0),
                                   box=_box(data))
    return _file_response(file, 201, signature=signature_json(record))


@bp.post('/files/<int:file_id>/issue')
def issue(file_id):
    file = file_or_404(file_id)
    data = json_body()
    deliveries = issue_file(file, caller(), recipient_units=referenced_units(data, 'recipient_unit_ids', required=True),
                            pin=string(data, 'pin', default=''), on_paper=boolean(data, 'on_paper'))
    return _file_response(file, deliveries=[delivery_json(d) for d in deliveries])


@bp.get('/documents/<int:document_id>/verification')
def document_verification(document_id):
    document = db.session.get(Document, document_id)
    if document is None or not may_view_file(caller(), document.file):
        raise NotFound(_('Không tìm thấy văn bản.'), code='document_not_found')
    return jsonify(present(document_report(document)))


@bp.post('/verify')
@limiter.limit('30 per minute')
def verify_upload():
    return jsonify(report_for_upload(request.files.get('file')))


@bp.post('/users/<int:user_id>/certificate')
def issue_certificate(user_id):
    require(policy.may_manage_keys)
    user = user_or_404(user_id)
    credential = credentials.issue_user_certificate(caller(), user, string(json_body(), 'pin', required=True))
    return jsonify(_certificate_json(credential)), 201


@bp.get('/users/<int:user_id>/certificate')
def show_certificate(user_id):
    user = user_or_404(user_id)
    require(policy.may_see_certificate, user)
    credential = credentials.active_credential(user=user)
    if credential is None:
        raise NotFound(_('Người dùng chưa có chứng thư số.'), code='no_certificate')
    return jsonify(_certificate_json(credential))


@bp.delete('/users/<int:user_id>/certificate')
def revoke_certificate(user_id):
    require(policy.may_manage_keys)
    user = user_or_404(user_id)
    reason = string(json_body(), 'reason', default='cessationOfOperation')
    revoked = credentials.revoke_user_certificate(caller(), user, reason)
    return jsonify({'revoked': [_certificate_json(c) for c in revoked]})


@bp.post('/users/<int:user_id>/certificate/import')
def import_certificate(user_id):
    require(policy.may_manage_keys)
    user = user_or_404(user_id)
    form = form_body()
    credential = credentials.import_pkcs12_credential(caller(), user, pkcs12=upload().data,
                                                  password=string(form, 'password', default=''))
    return jsonify(_certificate_json(credential)), 201


@bp.post('/users/<int:user_id>/certificate/token')
def register_token(user_id):
    require(policy.may_manage_keys)
    user = user_or_404(user_id)
    data = json_body()
    credential = credentials.register_token_credential(
        caller(), user, certificate_pem=string(data, 'certificate_pem', required=True),
        token_label=string(data, 'token_label', required=True), key_label=string(data, 'key_label', required=True))
    return jsonify(_certificate_json(credential)), 201


@bp.post('/users/<int:user_id>/signature-image')
def signature_image(user_id):
    user = user_or_404(user_id)
    require(policy.may_manage_own_stamp, user)
    stamp = stamps.set_signature_image(caller(), user, upload().data)
    return jsonify({'sha256': stamp.sha256, 'width': stamp.width, 'height': stamp.height}), 201


@bp.post('/units/<int:unit_id>/seal')
def seal(unit_id):
    require(policy.may_manage_keys)
    unit = unit_or_404(unit_id)
    form = form_body()
    credential = credentials.issue_unit_seal(caller(), unit, png=upload().data, pin=string(form, 'pin', required=True))
    return jsonify(_certificate_json(credential)), 201


@bp.get('/trust-anchors')
def trust_anchors():
    require(policy.may_manage_keys)
    anchors = db.session.query(TrustAnchor).order_by(TrustAnchor.id).all()
    return jsonify({'items': [{'id': a.id, 'subject': a.subject, 'fingerprint': a.fingerprint,
                               'approved_at': iso(a.approved_at)} for a in anchors]})


@bp.post('/trust-anchors/<int:anchor_id>/approve')
def approve_trust_anchor(anchor_id):
    require(policy.may_manage_keys)
    anchor = db.session.get(TrustAnchor, anchor_id)
    if anchor is None:
        raise NotFound(_('Không tìm thấy chứng thư gốc.'), code='anchor_not_found')
    credentials.approve_anchor(caller(), anchor)
    return jsonify({'id': anchor.id, 'approved_at': iso(anchor.approved_at)})
