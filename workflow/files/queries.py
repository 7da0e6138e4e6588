"""Read-side queries: boxes, search, lookups for pages and the API."""
from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import and_, exists, select, union
from sqlalchemy.orm import selectinload

from ..errors import NotFound
from ..extensions import db
from ..policy import handles_unit_mail, may_view_file, visible_files
from .concurrency import acting_request, lock_for_action
from .models import Assignment, FileEvent, WorkFile
from .search import fold
from .transitions import CLOSED

BOXES = ('inbox', 'sent', 'all')
PAGE_SIZE = 25


def visible_file_or_404(file_id, user):
    """The file, if it exists and `user` may see it; otherwise NotFound (existence is not revealed)."""
    file = db.session.get(WorkFile, file_id)
    if file is None or not may_view_file(user, file):
        raise NotFound(_('Không tìm thấy hồ sơ.'), code='file_not_found')
    if acting_request():
        lock_for_action(file)  # a request that changes the file holds its row until it commits
    return file


def inbox_filter(user):
    """Open files waiting for `user`: held by them, assigned to them, or (clerks) held by their unit.

    Written as `id IN (… UNION …)` rather than OR-ed conditions: each branch uses its own index, so
    the inbox costs the same with 100 or 100 000 files in the database (an OR with an EXISTS
    forces PostgreSQL to scan every work file; see docs/performance.md)."""
    branches = [
        select(WorkFile.id).where(WorkFile.holder_user_id == user.id, WorkFile.status.not_in(CLOSED)),
        select(Assignment.file_id).where(Assignment.user_id == user.id, Assignment.done_at.is_(None)),
    ]
    if handles_unit_mail(user):
        branches.append(select(WorkFile.id).where(WorkFile.holder_user_id.is_(None),
                                                  WorkFile.holder_unit_id == user.unit_id,
                                                  WorkFile.status.not_in(CLOSED)))
    return and_(WorkFile.id.in_(union(*branches)), WorkFile.status.not_in(CLOSED))


def sent_filter(user):
    return exists(select(FileEvent.id).where(
        FileEvent.file_id == WorkFile.id, FileEvent.actor_id == user.id,
        FileEvent.action.in_(('forward', 'return', 'issue', 'assign'))))


def list_files(user, *, box='all', status=None, q=None, page=1, direction=None):
    """One page of the files `user` may see, newest activity first, and the total count."""
    query = select(WorkFile).where(visible_files(user))
    if box == 'inbox':
        query = query.where(inbox_filter(user))
    elif box == 'sent':
        query = query.where(sent_filter(user))
    if status:
        query = query.where(WorkFile.status == status)
    if direction:
        query = query.where(WorkFile.direction == direction)
    for word in fold(q or '').split():
        query = query.where(WorkFile.search_text.contains(word, autoescape=True))
    page = max(1, page)
    ordered = (query.order_by(WorkFile.held_since.desc(), WorkFile.id.desc())
               .options(selectinload(WorkFile.paper_marks))  # the list shows "has paper"
               .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    if box == 'inbox':
        files, total = _page_with_total(ordered, query, page)
    else:
        total = db.session.scalar(select(db.func.count()).select_from(query.subquery()))
        files = db.session.scalars(ordered).all()
    if box == 'inbox' and not (status or q or direction) and has_request_context():
        g.inbox_count = (user.id, total)  # the navigation badge shows the same number
    return files, total


def _page_with_total(ordered, query, page):
    """The page and the total in one query, the count being a window over the whole match: for the
    inbox, whose matches (open work) are few enough to number. Larger lists (everything a unit
    may see) count separately and let PostgreSQL stop after the page's rows."""
    rows = db.session.execute(ordered.add_columns(db.func.count().over().label('total'))).all()
    if rows:
        return [row[0] for row in rows], rows[0].total
    if page == 1:
        return [], 0
    return [], db.session.scalar(select(db.func.count()).select_from(query.subquery()))  # past the end


def inbox_count(user):
    known = g.get('inbox_count') if has_request_context() else None
    if known is not None and known[0] == user.id:
        return known[1]
    return db.session.scalar(select(db.func.count(WorkFile.id)).where(visible_files(user), inbox_filter(user)))


def replacements_of(file):
    """The files drafted to replace `file` (an issued document), oldest first."""
    return db.session.query(WorkFile).filter(WorkFile.replaces_file_id == file.id).order_by(WorkFile.id).all()
