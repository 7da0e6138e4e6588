"""Inbox versions: which people's inbox pages a transaction changes, and raising their counters.

A rendered inbox page is kept under the person's inbox version (inbox/pages.py). Every flush notes
whose page it may change, judged on what rows.py declares the page shows; just before the
transaction commits, one statement raises those people's versions, so the change and the new
version become visible together.

Whose page a change reaches (REACH):
- a work file: its holder before and after, the clerks of the unit holding it without a named person
  (before and after), and its open assignees;
- a paper mark or an access row: the same people for its file;
- an assignment or a notification: its person;
- a person's or a unit's name: everyone (names show in other people's lists).

The statement touches only `inbox_versions`, in the order of the people's ids, as the last
statement of the transaction: it waits for nothing but another transaction's last statement,
so it cannot take part in a deadlock.
"""
from itertools import chain

from sqlalchemy import event, inspect, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from ..directory.models import Unit, User
from ..extensions import db
from ..files.models import Assignment, FileAccess, PaperMark, WorkFile
from ..notifications.models import Notification
from ..policy import unit_mail_handlers
from .models import InboxVersion
from .rows import watched_attributes

INFO_KEY = 'inbox_touched'


class Touched:
    """What one transaction changed, as far as inbox pages are concerned."""

    def __init__(self):
        self.users, self.units, self.files = set(), set(), set()
        self.everyone = False

    def __bool__(self):
        return bool(self.everyone or self.users or self.units or self.files)


def touched(session):
    return session.info.setdefault(INFO_KEY, Touched())


def has_pending_changes(session):
    """Whether this transaction holds changes not yet committed (flushed or not)."""
    return bool(session.new or session.dirty or session.deleted or session.info.get(INFO_KEY))


def touch_users(session, user_ids):
    """For changes made with plain SQL statements, which flushes do not see."""
    touched(session).users.update(user_ids)


def _values(state, key):
    """Current and replaced values of a column attribute, without loading anything."""
    history = state.attrs[key].history
    values = set(chain(history.added or (), history.unchanged or (), history.deleted or ()))
    return values - {None}


def _holder_states(state):
    """(holder person, holder unit) now and before this flush."""
    now_user = state.dict.get('holder_user_id')
    now_unit = state.dict.get('holder_unit_id')
    user_history = state.attrs.holder_user_id.history
    unit_history = state.attrs.holder_unit_id.history
    old_user = user_history.deleted[0] if user_history.deleted else now_user
    old_unit = unit_history.deleted[0] if unit_history.deleted else now_unit
    return (now_user, now_unit), (old_user, old_unit)


def _note_file(change, state):
    change.users |= _values(state, 'holder_user_id')
    for user_id, unit_id in _holder_states(state):
        if user_id is None and unit_id is not None:
            change.units.add(unit_id)  # held by the unit: its clerks see it
    if state.identity is not None:
        change.files.add(state.identity[0])


def _note_people(change, state):
    change.users |= _values(state, 'user_id')


def _note_files_of(change, state):
    change.files |= _values(state, 'file_id')


def _note_everyone(change, _state):
    change.everyone = True


REACH = {
    WorkFile: _note_file,
    Assignment: _note_people,
    Notification: _note_people,
    FileAccess: _note_files_of,
    PaperMark: _note_files_of,
    User: _note_everyone,
    Unit: _note_everyone,
}
WATCHED = watched_attributes()
assert set(WATCHED) <= set(REACH), f'rows.py declares what versions.py cannot reach: {set(WATCHED) - set(REACH)}'
SHOWN_ONCE_EXISTING = (User, Unit)  # a new person or unit is on nobody's page yet


def _shows_a_change(obj, state, session):
    """Whether flushing `obj` changes something a kept inbox page shows (rows.py)."""
    if obj in session.new:
        return not isinstance(obj, SHOWN_ONCE_EXISTING)
    if obj in session.deleted:
        return True
    return any(state.attrs[key].history.has_changes() for key in WATCHED[type(obj)])


def _after_flush(session, _flush_context):
    change = touched(session)
    for obj in chain(session.new, session.dirty, session.deleted):
        if type(obj) in WATCHED:
            state = inspect(obj)
            if _shows_a_change(obj, state, session):
                REACH[type(obj)](change, state)


def people_touched(change):
    """The ids of the people whose inbox page `change` reaches, as a query."""
    if change.everyone:
        return select(User.id)
    files = list(change.files)
    return select(User.id).where(or_(
        User.id.in_(list(change.users)),
        unit_mail_handlers(list(change.units)),
        User.id.in_(select(Assignment.user_id).where(Assignment.file_id.in_(files), Assignment.done_at.is_(None))),
        User.id.in_(select(WorkFile.holder_user_id).where(WorkFile.id.in_(files))),
    ))


def raise_versions(session, change):
    """One upsert, in the order of the people's ids (see the module's docstring)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == 'postgresql' else sqlite.insert
    people = people_touched(change).subquery()
    statement = insert(InboxVersion).from_select(
        ['user_id', 'version'], select(people.c.id, literal(1)).where(people.c.id.isnot(None)).order_by(people.c.id))
    statement = statement.on_conflict_do_update(index_elements=['user_id'],
                                                set_={'version': InboxVersion.version + 1})
    session.execute(statement)


def _before_commit(session):
    if session.in_nested_transaction():
        return  # a savepoint: the outer transaction raises the versions once, at its end
    session.flush()
    change = session.info.pop(INFO_KEY, None)
    if change:
        raise_versions(session, change)


def _after_soft_rollback(session, previous_transaction):
    if previous_transaction.parent is None:
        session.info.pop(INFO_KEY, None)  # the whole transaction is gone, and its changes with it


def install_inbox_versions(session_class):
    """Keep inbox versions for every transaction of `session_class` (idempotent)."""
    if not event.contains(session_class, 'after_flush', _after_flush):
        event.listen(session_class, 'after_flush', _after_flush)
        event.listen(session_class, 'before_commit', _before_commit)
        event.listen(session_class, 'after_soft_rollback', _after_soft_rollback)


def inbox_version(user):
    """The person's current inbox version (0 before anything reached their inbox): the one read with
    the person at sign-in (auth.sessions.signed_in_person), or from the database."""
    known = getattr(user, 'inbox_version', None)
    if known is not None:
        return known
    return db.session.scalar(select(InboxVersion.version).where(InboxVersion.user_id == user.id)) or 0
