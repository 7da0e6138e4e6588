"""What the API answers about signing: certificates and revocations, stamps, trust anchors and
their approval, and the verification of a document's signatures."""
from marshmallow import fields

from ...vocabulary import KEY_KINDS
from . import ID, Moment, Schema, one_of


class EnrolmentSchema(Schema):
    enrolment_code = fields.String(required=True, metadata={
        'description': 'one-time code to hand to the person, who sends it with the PIN they choose'})
    expires_at = Moment(required=True)


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


class ChangeAfterSchema(Schema):
    kind = fields.String(required=True, metadata={'description': (
        'number_or_date, form_field, annotation, page, content, signed_bytes, signature_damaged (these void '
        'the signature); validation_data (allowed); later_signature, issuance (allowed unless the signature '
        'locks everything)')})
    fields_ = fields.List(fields.String(), data_key='fields', attribute='fields',
                          metadata={'description': 'the form fields concerned'})
    revision = fields.Integer(allow_none=True, metadata={'description': 'the revision that made the change'})
    by = fields.String(allow_none=True, metadata={
        'description': 'the signature or document time stamp made in that revision, if any'})


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
    signer_name = fields.String(allow_none=True, metadata={'description': "the certificate subject's CN"})
    signer_title = fields.String(allow_none=True, metadata={'description': "the certificate subject's title"})
    signer_organisation = fields.String(allow_none=True, metadata={'description': "the certificate subject's O"})
    signer_serial = fields.String(allow_none=True, metadata={'description': "the certificate's serial number (hex)"})
    issuer_name = fields.String(allow_none=True, metadata={'description': "the issuing CA's CN"})
    timestamp_authority_name = fields.String(allow_none=True, metadata={'description': "the TSA's CN"})
    locks = fields.String(allow_none=True, metadata={
        'description': '"everything" when the signature allows nothing after it but validation data'})
    trust_checked = fields.Boolean(metadata={'description': (
        'whether the certificate chain was checked at all: not when the signed bytes were changed, '
        'so then trusted=false says nothing about the certificate')})
    changes_after = fields.List(fields.Nested(ChangeAfterSchema), metadata={
        'description': 'what later revisions changed after this signature'})
    valid = fields.Boolean()
    problems = fields.List(fields.String(), metadata={'description': 'in the request language, most serious first'})
    notes = fields.List(fields.String(), metadata={
        'description': 'changes after this signature that are allowed, in the request language'})
    errors = fields.List(fields.String(), metadata={'description': "the validator's own findings (English)"})


class VerificationSchema(Schema):
    valid = fields.Boolean(required=True)
    signatures = fields.List(fields.Nested(SignatureCheckSchema), required=True)
    problems = fields.List(fields.String())
    headline = fields.String(allow_none=True, metadata={
        'description': 'the most serious reason the document is not valid, in the request language'})
