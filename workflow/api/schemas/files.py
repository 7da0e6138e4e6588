"""What the API answers about work files: the file and its list, documents and their signatures,
events, deliveries, assignments and the reasons a file went on paper."""
from marshmallow import fields, validate
from sqlalchemy import select

from ...extensions import db
from ...files import transitions
from ...signing.models import SignatureRecord
from ...vocabulary import (
    ASSIGNMENT_ROLES,
    DELIVERY_STATUSES,
    DIRECTIONS,
    DOC_TYPE_NAMES,
    PURPOSES,
    REASONS,
    STATUSES,
    URGENCIES,
)
from ..loaders import caller
from . import ID, NULLABLE_ID, Moment, Present, Schema, derived, one_of


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
    original_sha256 = fields.String(allow_none=True, validate=validate.Regexp('^[0-9a-f]{64}$'), metadata={
        'description': 'the bytes as uploaded, when `sha256` is a copy repaired (qpdf) so that it can be signed'})
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
    replaces_file_id = fields.Integer(**NULLABLE_ID, metadata={'description': 'the issued file this one replaces'})
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
