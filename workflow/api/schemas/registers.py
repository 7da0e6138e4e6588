"""What the API answers about registers: a register's columns and rows."""
from marshmallow import fields

from ...vocabulary import REGISTER_KINDS
from . import ID, Schema, one_of


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
