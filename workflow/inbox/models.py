"""The inbox version of each person."""
from ..extensions import db


class InboxVersion(db.Model):
    """A counter per person, raised in the same transaction as any change to what their inbox
    page shows (see inbox/versions.py): a rendered inbox kept under an older number is stale."""
    __tablename__ = 'inbox_versions'
    user_id = db.Column(db.Integer, db.ForeignKey('users.id', ondelete='CASCADE'), primary_key=True)
    version = db.Column(db.BigInteger, nullable=False, default=1)
