"""What the API answers: marshmallow schemas that dump the domain objects, and describe them.

Handlers return the objects (a work file, a unit, the mapping a metrics query gives); the schema
named by their `@bp.response` turns them into JSON, and flask-smorest writes the same schema into
the OpenAPI document, so the two cannot drift apart. CONTRACT.md names the fields that must be
there (`required` here); the others are additive. Codes come from vocabulary.py. Times are ISO 8601
with the Vietnam offset (timeutil.iso). A schema that extends another is documented as
`allOf: [the other, its own fields]` (openapi.py).
"""
import marshmallow as ma
from marshmallow import fields, validate
from sqlalchemy import select

from ..extensions import db
from ..files import transitions
from ..signing.models import SignatureRecord
from ..timeutil import iso
from ..vocabulary import (
    ASSIGNMENT_ROLES,
    DELIVERY_STATUSES,
    DIRECTIONS,
    DOC_TYPE_NAMES,
    INDICATORS,
    KEY_KINDS,
    PURPOSES,
    REASONS,
    REGISTER_KINDS,
    ROLES,
    STATUSES,
    URGENCIES,
)
from .loaders import caller


class Schema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE  # documented as open objects: fields may be added, never renamed


class Moment(fields.DateTime):
    """An instant as ISO 8601 with the Vietnam offset (+07:00)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return iso(value)


class Present(fields.Nested):
    """A nested object that is left out of the answer, rather than null, when there is none."""

    def _serialize(self, nested_obj, attr, obj, **kwargs):
        return ma.missing if nested_obj is None else super()._serialize(nested_obj, attr, obj, **kwargs)


def derived(getter, field):
    """`field`, its value read as `getter(obj)` rather than from an attribute of the same name."""
    field.get_value = lambda obj, attr, accessor=None, default=ma.missing: getter(obj)
    return field


def one_of(codes, **kwargs):
    return {'validate': validate.OneOf(list(codes)), **kwargs}


ID = {'validate': validate.Range(min=1)}
NULLABLE_ID = {**ID, 'allow_none': True}


class Result:
    """A domain object with what the action that produced it adds (the signature it made, the
    duplicate it found, the deliveries it created): one object for the schema to read."""

    def __init__(self, subject, **extra):
        self._subject = subject
        vars(self).update(extra)

    def __getattr__(self, name):
        return getattr(self._subject, name)


# ---------------------------------------------------------------- errors

class ErrorDetailSchema(Schema):
    inline = True  # written out inside Error (openapi.py's name resolver)
    code = fields.String(required=True, metadata={'description': 'stable machine-readable code'})
    message = fields.String(required=True, metadata={'description': 'in the request language (vi or en)'})


class ErrorSchema(Schema):
    """Every answer with a status of 400 or more: {"error": {"code", "message"}}."""
    error = fields.Nested(ErrorDetailSchema, required=True)


class RowErrorSchema(Schema):
    line = fields.Integer(required=True, metadata={'description': 'line in the file (the header is line 1)'})
    message = fields.String(required=True)


class RejectedRowsDetailSchema(ErrorDetailSchema):
    rows = fields.List(fields.Nested(RowErrorSchema), attribute='errors', required=True)


class RejectedImportSchema(Schema):
    """Nothing was imported; `error.rows` lists every faulty line."""
    error = fields.Nested(RejectedRowsDetailSchema, required=True)


# ---------------------------------------------------------------- people and units

class UserSchema(Schema):
    id = fields.Integer(required=True, **ID)
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    title = fields.String(required=True)
    unit_id = fields.Integer(required=True, **ID)
    roles = fields.List(fields.String(**one_of(ROLES)), required=True)
    active = fields.Boolean()
    locale = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class UserListSchema(Schema):
    items = fields.List(fields.Nested(UserSchema), required=True)


class TokenSchema(Schema):
    token = fields.String(required=True)
    token_type = fields.Constant('Bearer', metadata={'enum': ['Bearer']})
    expires_at = Moment(required=True)
    user = fields.Nested(UserSchema)


class UnitSchema(Schema):
    id = fields.Integer(required=True, **ID)
    code = fields.String(required=True, metadata={'examples': ['H17.07.03']})
    name = fields.String(required=True)
    abbreviation = fields.String(required=True, metadata={'examples': ['UBND', 'VP', 'TCKH']})
    level = fields.String(required=True, attribute='level_code',
                          metadata={'description': 'a code from GET /levels', 'examples': ['district', 'commune']})
    parent_id = fields.Integer(required=True, **NULLABLE_ID)
    active = fields.Boolean()


class UnitListSchema(Schema):
    items = fields.List(fields.Nested(UnitSchema), required=True)


class LevelSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    rank = fields.Integer(required=True)


class LevelListSchema(Schema):
    items = fields.List(fields.Nested(LevelSchema), required=True)


# ---------------------------------------------------------------- work files

def signatures_of(document):
    """The signatures this system applied to the document's current bytes, oldest first.

    Followed back through the blob each signature produced, so a delivered copy (same bytes,
    another document row) shows them too. Whether they still verify is GET …/verification's job.
    """
    records, digest, seen = [], document.sha256, set()
    while digest not in seen:
        seen.add(digest)
        record = db.session.scalars(select(SignatureRecord).where(SignatureRecord.sha256_after == digest)
                                    .order_by(SignatureRecord.id.desc()).limit(1)).first()
        if record is None:
            break
        records.append(record)
        digest = record.sha256_before
    return list(reversed(records))


class SignatureSchema(Schema):
    """A signature this system applied to the current bytes; GET /documents/{id}/verification says
    whether it verifies."""
    field = fields.String(required=True)
    role = fields.String(required=True, **one_of(('signer', 'organisation', 'attachment', 'archive')))
    signer_id = fields.Integer(attribute='user_id', **NULLABLE_ID)
    signer = derived(lambda r: r.user.full_name if r.user else None, fields.String(allow_none=True))
    signed_at = Moment(required=True)
    certificate_serial = derived(lambda r: r.credential.serial if r.credential else None,
                                 fields.String(allow_none=True))


class DuplicateOfSchema(Schema):
    """The same PDF was already uploaded in the caller's unit."""
    document_id = fields.Integer(attribute='id', required=True, **ID)
    file_id = fields.Integer(required=True, **ID)


class DocumentSchema(Schema):
    id = fields.Integer(required=True, **ID)
    file_id = fields.Integer(**ID)
    kind = fields.String(**one_of(('main', 'attachment')))
    filename = fields.String(required=True)
    sha256 = fields.String(required=True, validate=validate.Regexp('^[0-9a-f]{64}$'))
    size = fields.Integer()
    pages = fields.Integer()
    paper_origin = fields.Boolean()
    uploaded_by_id = fields.Integer(**NULLABLE_ID)
    created_at = Moment()
    duplicate_of_id = fields.Integer(**NULLABLE_ID)
    signatures = derived(signatures_of, fields.List(fields.Nested(SignatureSchema), required=True))


class NewDocumentSchema(DocumentSchema):
    duplicate_of = Present(DuplicateOfSchema)


class EventSchema(Schema):
    at = Moment(required=True)
    actor_id = fields.Integer(required=True, **NULLABLE_ID)
    action = fields.String(required=True)
    from_unit_id = fields.Integer(required=True, **NULLABLE_ID)
    to_unit_id = fields.Integer(required=True, **NULLABLE_ID)
    note = fields.String(required=True)
    from_user_id = fields.Integer(**NULLABLE_ID)
    to_user_id = fields.Integer(**NULLABLE_ID)
    purpose = fields.String(**one_of(PURPOSES, allow_none=True))
    on_paper = fields.Boolean()


class DeliverySchema(Schema):
    unit_id = fields.Integer(required=True, **ID)
    file_id = fields.Integer(required=True, **ID)
    status = fields.String(required=True, **one_of(DELIVERY_STATUSES))
    delivered_at = Moment(allow_none=True)
    updated_at = Moment(allow_none=True)
    note = fields.String(allow_none=True)


class AssignmentSchema(Schema):
    user_id = fields.Integer(required=True, **ID)
    role = fields.String(required=True, **one_of(ASSIGNMENT_ROLES))
    deadline = Moment(allow_none=True)
    assigned_by_id = fields.Integer(**NULLABLE_ID)
    assigned_at = Moment(allow_none=True)
    done_at = Moment(allow_none=True)


class PaperReasonSchema(Schema):
    reason = fields.String(required=True, **one_of(REASONS))
    detail = fields.String(required=True)
    at = Moment(allow_none=True)


class FileSummarySchema(Schema):
    """What a list shows: enough to pick a file and see where it stands."""
    id = fields.Integer(required=True, **ID)
    title = fields.String(required=True)
    doc_type = fields.String(required=True, **one_of(DOC_TYPE_NAMES))
    number = fields.String(required=True, allow_none=True, metadata={'examples': ['01/QĐ-UBND', '12/UBND-VP']})
    status = fields.String(required=True, **one_of(STATUSES))
    urgency = fields.String(**one_of(URGENCIES))
    direction = fields.String(**one_of(DIRECTIONS))
    holder_unit_id = fields.Integer(required=True, **NULLABLE_ID)
    holder_user_id = fields.Integer(required=True, **NULLABLE_ID)
    held_since = Moment(allow_none=True)
    deadline = Moment(required=True, allow_none=True)
    overdue = fields.Boolean(required=True)
    fully_electronic = fields.Boolean(required=True)
    incoming_number = fields.Integer(allow_none=True)
    owner_unit_id = fields.Integer(**ID)
    created_at = Moment(allow_none=True)
    closed_at = Moment(allow_none=True)


def _assignments(file):
    return sorted(file.assignments, key=lambda a: a.id or 0)


def _available_actions(file):
    return sorted(transitions.available_actions(file, caller()))


class FileSchema(FileSummarySchema):
    """The whole file: its documents, timeline and deliveries, the registers, links and electronic status."""
    summary = fields.String()
    creator_id = fields.Integer(**ID)
    issuing_unit_id = fields.Integer(**NULLABLE_ID)
    issued_at = Moment(allow_none=True)
    incoming_year = fields.Integer(allow_none=True)
    received_at = Moment(allow_none=True)
    registered_at = Moment(allow_none=True)
    source_file_id = fields.Integer(**NULLABLE_ID)
    reply_file_id = fields.Integer(**NULLABLE_ID)
    result_note = fields.String(allow_none=True)
    paper_reasons = fields.List(fields.Nested(PaperReasonSchema), attribute='paper_marks')
    documents = fields.List(fields.Nested(DocumentSchema), required=True)
    timeline = fields.List(fields.Nested(EventSchema), attribute='events', required=True)
    deliveries = fields.List(fields.Nested(DeliverySchema), required=True)
    assignments = derived(_assignments, fields.List(fields.Nested(AssignmentSchema)))
    available_actions = derived(_available_actions, fields.List(fields.String(), metadata={
        'description': 'what the caller may do now'}))
    duplicate_of = Present(DuplicateOfSchema)


class SignedFileSchema(FileSchema):
    signature = fields.Nested(SignatureSchema, required=True)


class FileListSchema(Schema):
    items = fields.List(fields.Nested(FileSummarySchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)


# ---------------------------------------------------------------- registers

class RegisterColumnSchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True, metadata={'description': 'the Decree 30 heading, in Vietnamese'})


class RegisterRowSchema(Schema):
    """One entry of the register; outgoing and incoming registers fill different columns."""
    file_id = fields.Integer(required=True, **ID)
    seq = fields.Integer(metadata={'description': 'outgoing: order of issue in the year'})
    incoming_number = fields.Integer(metadata={'description': 'incoming: number in the incoming register'})
    number = fields.String(allow_none=True)
    date = fields.String(metadata={'description': 'dd/mm/yyyy'})
    issued_at = fields.String(allow_none=True, metadata={'format': 'date-time'})
    received = fields.String(metadata={'description': 'dd/mm/yyyy'})
    received_at = fields.String(allow_none=True, metadata={'format': 'date-time'})
    doc_type = fields.String(metadata={'description': 'the type\'s name and the document\'s title'})
    signer = fields.String()
    recipients = fields.String()
    drafting_unit = fields.String()
    copies = fields.Integer()
    author = fields.String()
    handler = fields.String()
    deadline = fields.String(metadata={'description': 'dd/mm/yyyy, or empty'})
    note = fields.String()


class RegisterSchema(Schema):
    register = fields.String(required=True, **one_of(REGISTER_KINDS))
    unit_id = fields.Integer(required=True, **ID)
    year = fields.Integer(required=True)
    columns = fields.List(fields.Nested(RegisterColumnSchema))
    rows = fields.List(fields.Nested(RegisterRowSchema), required=True)


# ---------------------------------------------------------------- signing

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


# ---------------------------------------------------------------- metrics

RATE = {'allow_none': True, 'metadata': {'description': 'a fraction: 0.8 = 80 %'}}


class PeriodSchema(Schema):
    from_ = fields.String(data_key='from', attribute='from', required=True, metadata={'format': 'date'})
    to = fields.String(required=True, metadata={'format': 'date'})


class NamedPeriodSchema(PeriodSchema):
    label = fields.String(required=True)


class UnitOfFigureSchema(Schema):
    unit_id = fields.Integer(required=True, **ID)
    code = fields.String()
    name = fields.String()
    level = fields.String()


class PaperlessFigureSchema(Schema):
    closed = fields.Integer(required=True)
    fully_electronic = fields.Integer(required=True)
    rate = fields.Float(required=True, **RATE)
    target = fields.Float(required=True, **RATE)
    gap = fields.Float(allow_none=True)


class PaperlessUnitSchema(PaperlessFigureSchema, UnitOfFigureSchema):
    pass


class ReasonSchema(Schema):
    code = fields.String(required=True, **one_of(REASONS))
    label = fields.String(required=True, metadata={'description': 'in the request language'})
    detail = fields.String()


class NotElectronicSchema(Schema):
    file_id = fields.Integer(required=True, **ID)
    reasons = fields.List(fields.String(**one_of(REASONS)), required=True)
    reason_details = fields.List(fields.Nested(ReasonSchema))


class PaperlessSchema(Schema):
    period = fields.Nested(PeriodSchema)
    levels = fields.Dict(keys=fields.String(), values=fields.Nested(PaperlessFigureSchema), required=True)
    units = fields.List(fields.Nested(PaperlessUnitSchema), required=True)
    not_electronic = fields.List(fields.Nested(NotElectronicSchema), required=True)
    not_electronic_total = fields.Integer()


class IndicatorFigureSchema(Schema):
    closed = fields.Integer(required=True)
    issued = fields.Integer(required=True)
    issued_signed = fields.Integer(required=True)
    signed_rate = fields.Float(required=True, **RATE)
    signed_target = fields.Float(required=True, **RATE)
    with_deadline = fields.Integer(required=True)
    on_time = fields.Integer(required=True)
    on_time_rate = fields.Float(required=True, **RATE)
    median_handling_seconds = fields.Float(required=True, allow_none=True)
    median_handling_days = fields.Float(required=True, allow_none=True)
    median_handling_approx = fields.Boolean(required=True, metadata={
        'description': 'read from the handling-time histogram: approximate to its bucket'})
    overdue_now = fields.Integer(required=True)


class IndicatorUnitSchema(IndicatorFigureSchema, UnitOfFigureSchema):
    pass


class IndicatorsSchema(Schema):
    period = fields.Nested(PeriodSchema)
    levels = fields.Dict(keys=fields.String(), values=fields.Nested(IndicatorFigureSchema), required=True)
    units = fields.List(fields.Nested(IndicatorUnitSchema), required=True)


class DossierFigureSchema(Schema):
    total = fields.Integer(required=True)
    online = fields.Integer(required=True)
    paid_online = fields.Integer(required=True)
    rate = fields.Float(required=True, **RATE)
    target = fields.Float(required=True, **RATE)
    gap = fields.Float(allow_none=True)


class DossierUnitSchema(DossierFigureSchema, UnitOfFigureSchema):
    pass


class DossiersSchema(Schema):
    period = fields.Nested(PeriodSchema)
    levels = fields.Dict(keys=fields.String(), values=fields.Nested(DossierFigureSchema), required=True)
    units = fields.List(fields.Nested(DossierUnitSchema), required=True)


class TrendSeriesSchema(Schema):
    closed = fields.List(fields.Integer())
    fully_electronic = fields.List(fields.Integer())
    rates = fields.List(fields.Float(allow_none=True))
    targets = fields.List(fields.Float(allow_none=True))


class TrendSchema(Schema):
    months = fields.List(fields.String(), required=True, metadata={'description': 'mm/yyyy, oldest first'})
    levels = fields.Dict(keys=fields.String(), values=fields.Nested(TrendSeriesSchema), required=True)


class DashboardSchema(Schema):
    period = fields.Nested(NamedPeriodSchema, required=True)
    paperless = fields.Nested(PaperlessSchema, required=True)
    indicators = fields.Nested(IndicatorsSchema, required=True)
    trend = fields.Nested(TrendSchema, required=True)
    dossiers = fields.Nested(DossiersSchema, required=True)
    charts = fields.Dict(metadata={'description': 'what the charts draw: percentages, labels in the request '
                                                  'language, the units ranked by rate'})


class MetricsFileSchema(Schema):
    file_id = fields.Integer(required=True, **ID)
    title = fields.String()
    number = fields.String()
    doc_type = fields.String(**one_of(DOC_TYPE_NAMES))
    direction = fields.String(**one_of(DIRECTIONS))
    unit_id = fields.Integer(**ID)
    unit_name = fields.String()
    level = fields.String()
    created_at = Moment(allow_none=True)
    closed_at = Moment(allow_none=True)
    deadline = Moment(allow_none=True)
    fully_electronic = fields.Boolean(required=True)
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)


class MetricsFilesSchema(Schema):
    period = fields.Nested(PeriodSchema)
    total = fields.Integer(required=True)
    files = fields.List(fields.Nested(MetricsFileSchema), required=True)


class TargetSchema(Schema):
    id = fields.Integer(required=True, **ID)
    level = fields.String(required=True, attribute='level_code')
    year = fields.Integer(required=True)
    indicator = fields.String(required=True, **one_of(INDICATORS))
    value = fields.Float(required=True, validate=validate.Range(0, 1),
                         metadata={'description': 'a fraction: 0.8 = 80 %'})


class TargetsSchema(Schema):
    indicators = fields.List(fields.String(**one_of(INDICATORS)))
    targets = fields.List(fields.Nested(TargetSchema), required=True)


class SeededTargetsSchema(Schema):
    added = fields.Integer(required=True)
    targets = fields.List(fields.Nested(TargetSchema), required=True)


class DossierImportSchema(Schema):
    import_id = fields.Integer(attribute='id', required=True, **ID)
    rows = fields.Integer(attribute='row_count', required=True)
    replaced = fields.Integer(required=True)
