"""What the API answers about people and units: users, tokens, units and their levels."""
from marshmallow import fields

from ...vocabulary import ROLES
from . import ID, NULLABLE_ID, Moment, Schema, one_of


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


class TokenInfoSchema(Schema):
    """An API token in force, without its value (shown once, when issued)."""
    id = fields.Integer(required=True, **ID)
    user_id = fields.Integer(required=True, **ID)
    created_at = Moment(required=True)
    expires_at = Moment(required=True)
    current = fields.Boolean(required=True, metadata={'description': 'the token of this very request'})


class TokenInfoListSchema(Schema):
    items = fields.List(fields.Nested(TokenInfoSchema), required=True)


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
