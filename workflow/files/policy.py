"""Who may see which files. A user sees files their unit holds, has held, or was sent; admins see all."""
from sqlalchemy import exists, select

from ..extensions import db
from .models import FileAccess, WorkFile


def can_view(file, user):
    if user.is_admin:
        return True
    return db.session.get(FileAccess, (file.id, user.unit_id)) is not None


def visible_filter(user):
    """A WHERE clause restricting WorkFile to what `user` may see."""
    if user.is_admin:
        return db.true()
    return exists(select(FileAccess.file_id).where(
        FileAccess.file_id == WorkFile.id, FileAccess.unit_id == user.unit_id))


def grant(file, unit_id):
    """Record that `unit_id` holds or received the file (idempotent)."""
    if unit_id is None:
        return
    if db.session.get(FileAccess, (file.id, unit_id)) is None:
        db.session.add(FileAccess(file_id=file.id, unit_id=unit_id))
