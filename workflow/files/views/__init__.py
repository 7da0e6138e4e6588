"""HTML pages for work files: the boxes, a new file, the file page and every action on it (signing
the main document included), the PDFs, and the public page of an issued document.

Every handler loads, checks, acts: it loads the file (404 when the user may not see it), validates
the form, calls the one operation inside `attempt()`, flashes what happened and redirects. A domain
error raised by an operation re-renders the page with the message and its 4xx status, keeping what
the user typed; what the refused operation flushed is undone unless it keeps its bookkeeping.
"""
from flask import Blueprint

bp = Blueprint('files', __name__)

from . import actions, documents, lists, new, page, verification  # noqa: E402, F401  (routes register on bp)
