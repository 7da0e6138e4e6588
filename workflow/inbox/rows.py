"""What an inbox page shows, declared once.

A kept inbox page (pages.py) is served again as long as its person's inbox version is unchanged, so
every change to something the page shows must raise the version of everyone whose page shows it.
versions.py reads this declaration to decide which flushed changes matter; a change to anything
else (a file's summary, its documents, its search text, its lock version) leaves every kept page
as it is. tests/inbox/test_rows.py renders the inbox through a recording proxy and fails when the
page reads an attribute declared nowhere here: a column added to the list must be added here too,
or kept pages would silently stay stale.

An attribute is a column key or a relationship name of its model. A relationship stands for the
foreign key columns it follows (WorkFile.holder_user: holder_user_id), and a collection for the
rows of its model (WorkFile.paper_marks: a PaperMark added to, or removed from, the file).
"""
from sqlalchemy import inspect

from ..directory.models import Unit, User
from ..files.models import Assignment, FileAccess, WorkFile
from ..notifications.models import Notification

# Which files a person's inbox lists (files.queries.inbox_filter, within policy.visible_files).
LISTED = {
    WorkFile: ('status', 'holder_user_id', 'holder_unit_id'),
    Assignment: ('file_id', 'user_id', 'done_at'),
    FileAccess: ('file_id', 'unit_id'),
}

# What a row shows (templates/files/list.html and its macros), and the order of the rows.
ROW = {
    WorkFile: ('id', 'number', 'incoming_number', 'title', 'doc_type', 'urgency', 'status', 'deadline',
               'closed_at', 'held_since', 'holder_user', 'holder_unit', 'paper_marks'),
    User: ('full_name',),  # the person holding a file
    Unit: ('name',),  # the unit holding it
}

# The navigation's counts besides the inbox's own: unread notifications.
BADGES = {Notification: ('user_id', 'read_at')}

# What the page reads of the person looking at it: their name, the menus their roles open, whose
# files they see. These are part of the kept page's key (pages.inbox_key): a change to them is a
# different page, with no version to raise.
VIEWER = ('id', 'created_at', 'active', 'full_name', 'locale', 'unit_id',
          'is_specialist', 'is_leader', 'is_clerk', 'is_admin')


def declared():
    """{model: set of attribute names} over LISTED, ROW and BADGES (the viewer's are in the key)."""
    shown = {}
    for table in (LISTED, ROW, BADGES):
        for model, names in table.items():
            shown.setdefault(model, set()).update(names)
    return shown


def watched_attributes():
    """{model: attribute keys whose change a kept page must see}: the declared ones, a scalar
    relationship with the foreign keys it follows, a collection as the foreign keys of the rows it
    gathers (on their own model)."""
    watched = {}
    for model, names in declared().items():
        mapper = inspect(model)
        for name in names:
            if name in mapper.relationships:
                relation = mapper.relationships[name]
                if relation.uselist:
                    columns = {c.key for c in relation.remote_side}
                    watched.setdefault(relation.mapper.class_, set()).update(columns)
                    continue
                watched.setdefault(model, set()).update({name, *(c.key for c in relation.local_columns)})
            else:
                watched.setdefault(model, set()).add(mapper.columns[name].key)
    return watched
