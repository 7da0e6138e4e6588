"""What the API answers about signing: certificates and revocations, stamps, trust anchors and
their approval, and the verification of a document's signatures."""
from marshmallow import fields

from ...vocabulary import KEY_KINDS
from . import ID, Moment, Schema, one_of


class CertificateSchema(Schema):
    id = fields.Integer(**ID)
    serial = fields.String(required=True)
    subject = fields.String(required=True)
    issuer = fields.String()
    not_before = Moment()
    not_after = Moment(required=True)
    kind = fields.String(**one_of(KEY_KINDS))
    revoked = fields.Boolean()
    revoked_at = Moment(allow_none=True)
    active = fields.Boolean()


class RevokedSchema(Schema):
    revoked = fields.List(fields.Nested(CertificateSchema), required=True)


class StampSchema(Schema):
    sha256 = fields.String(required=True)
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)


class TrustAnchorSchema(Schema):
    id = fields.Integer(required=True, **ID)
    subject = fields.String()
    fingerprint = fields.String()
    approved_at = Moment(allow_none=True)


class TrustAnchorListSchema(Schema):
    items = fields.List(fields.Nested(TrustAnchorSchema), required=True)


class ApprovalSchema(Schema):
    id = fields.Integer(required=True, **ID)
    approved_at = Moment(required=True)


class SignatureCheckSchema(Schema):
    field = fields.String(required=True)
    type = fields.String(**one_of(('signature', 'document_timestamp')))
    signer = fields.String(allow_none=True)
    issuer = fields.String(allow_none=True)
    signed_at = fields.String(allow_none=True, metadata={'format': 'date-time'})
    timestamp_at = fields.String(allow_none=True, metadata={'format': 'date-time'})
    timestamp_authority = fields.String(allow_none=True)
    intact = fields.Boolean(required=True, allow_none=True)
    trusted = fields.Boolean(required=True, allow_none=True)
    revoked = fields.Boolean(required=True, allow_none=True)
    revoked_at = fields.String(allow_none=True, metadata={'format': 'date-time'})
    covers_whole_file = fields.Boolean(required=True, allow_none=True)
    modified_after_signing = fields.Boolean(allow_none=True)
    modification_level = fields.String(allow_none=True)
    changes = fields.String(allow_none=True)
    level = fields.String(required=True, **one_of(('B-B', 'B-T', 'B-LT', 'B-LTA'), allow_none=True))
    valid = fields.Boolean()
    problems = fields.List(fields.String(), metadata={'description': 'in the request language'})


class VerificationSchema(Schema):
    valid = fields.Boolean(required=True)
    signatures = fields.List(fields.Nested(SignatureCheckSchema), required=True)
    problems = fields.List(fields.String())
