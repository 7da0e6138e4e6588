"""Work files and their documents: create, list, show, upload, sign, issue, and every routing action:
every /files/<id>/… route of the API.

Each action handler loads the file (404 when missing or invisible) and calls the operation the HTML
pages call with what its body's schema read; the operation checks the transition and the actor
(403 / 409) and the values (400).
"""

from flask import url_for
from flask_babel import gettext as _

from .. import audit
from ..dbsession import writes_when_read
from ..errors import BadInput
from ..extensions import db
from ..files import operations
from ..files.models import Document
from ..files.queries import list_files
from ..files.serving import pdf_response
from ..storage import blobs
from . import bp
from .blueprint import BINARY
from .bodies import (
    AddDocument,
    Assign,
    Completion,
    FileQuery,
    Forward,
    Issuance,
    NewFile,
    Note,
    PaperArrival,
    Registration,
    Replacement,
    Signing,
)
from .loaders import caller, document_or_404, file_or_404
from .schemas import ErrorSchema, Result
from .schemas.files import (
    DocumentSchema,
    FileListSchema,
    FileSchema,
    NewDocumentSchema,
    SignedFileSchema,
)

UPLOAD_REFUSALS = (403, 404, 409, 413, 415, 422)
ACTION_REFUSALS = (403, 404, 409)

# ---------------------------------------------------------------- reading


@bp.get('/files')
@bp.arguments(FileQuery, location='query')
@bp.response(200, FileListSchema)
def get_files(query):
    """Files visible to the caller, 25 a page"""
    files, total = list_files(caller(), **query)
    return {'items': files, 'total': total, 'page': query['page']}


@bp.get('/files/<int:file_id>')
@bp.response(200, FileSchema)
@bp.refusals(404)
def get_file(file_id):
    """A file with its documents, timeline and deliveries

    Who: whoever may see it."""
    return file_or_404(file_id)


@bp.get('/documents/<int:document_id>')
@bp.response(200, DocumentSchema)
@bp.refusals(404)
def get_document(document_id):
    """A document's metadata"""
    return document_or_404(document_id)


@bp.get('/documents/<int:document_id>/pdf')
@bp.response(200, BINARY, content_type='application/pdf', description='The PDF')
@bp.refusals(404)
@writes_when_read  # records who received it (audit)
def get_document_pdf(document_id):
    """The current PDF bytes"""
    document = document_or_404(document_id)
    audit.record_access(caller(), 'download_document', document, file_id=document.file_id, sha256=document.sha256)
    return pdf_response(blobs().get(document.sha256), document.filename, etag=document.sha256)


# ---------------------------------------------------------------- drafting

@bp.post('/files')
@bp.arguments(NewFile, location='multipart')
@bp.response(201, FileSchema, description='Created (with duplicate_of when the same PDF was already uploaded in '
                                          'the unit)')
@bp.refusals(*UPLOAD_REFUSALS)
def post_file(form):
    """Create a work file from a PDF; status draft

    Who: specialist, leader, clerk."""
    file, duplicate = operations.create_file(caller(), **form)
    return Result(file, duplicate_of=duplicate), {'Location': url_for('api.get_file', file_id=file.id)}


@bp.post('/files/<int:file_id>/replacement')
@bp.arguments(Replacement, location='multipart')
@bp.response(201, FileSchema, description='The new draft, with replaces_file_id; the issued file is unchanged')
@bp.refusals(*UPLOAD_REFUSALS)
def post_replacement(form, file_id):
    """Draft a new document replacing an issued one (issued documents are final; both are kept)

    Who: someone of the issuing unit who may create files."""
    file, duplicate = operations.draft_replacement(file_or_404(file_id), caller(), **form)
    return Result(file, duplicate_of=duplicate), {'Location': url_for('api.get_file', file_id=file.id)}


@bp.post('/files/paper-arrivals')
@bp.arguments(PaperArrival, location='multipart')
@bp.response(201, FileSchema, description='Registered (status registered, with its incoming number)')
@bp.refusals(*UPLOAD_REFUSALS)
def post_paper_arrival(form):
    """Register a document that arrived on paper, from its scan (marked paper-origin)

    Who: clerk."""
    file, duplicate = operations.register_paper_document(caller(), **form)
    return Result(file, duplicate_of=duplicate), {'Location': url_for('api.get_file', file_id=file.id)}


@bp.post('/files/<int:file_id>/documents')
@bp.arguments(AddDocument, location='multipart')
@bp.response(201, NewDocumentSchema)
@bp.refusals(*UPLOAD_REFUSALS)
def post_document(form, file_id):
    """Add an attachment or a new version of the main document

    Who: the holder."""
    stored = operations.add_document(file_or_404(file_id), caller(), **form)
    location = url_for('api.get_document', document_id=stored.document.id)
    return Result(stored.document, duplicate_of=stored.duplicate_of), {'Location': location}


# ---------------------------------------------------------------- signing and issuing
SIGNING_ERRORS = {
    422: 'Signing refused: wrong PIN (attempts left in the message), no signature image, signature position '
         'not found',
    423: 'Five wrong PINs: this key is locked for 15 minutes',
    503: 'The timestamp authority or the token could not be reached; nothing was signed and the file shows '
         '"signing failed — retry"',
}


def signing_refusals(view):
    """What signing may answer besides the refusals of any file action."""
    for status, description in SIGNING_ERRORS.items():
        view = bp.alt_response(status, schema=ErrorSchema, description=description)(view)
    return bp.refusals(403, 404, 409)(view)


def _document_of(file, document_id):
    document = file.main_document if document_id is None else db.session.get(Document, document_id)
    if document is None or document.file_id != file.id:
        raise BadInput(_('Văn bản cần ký không thuộc hồ sơ này.'), code='invalid_document')
    return document


@bp.post('/files/<int:file_id>/sign')
@bp.arguments(Signing)
@bp.response(201, SignedFileSchema, description='The file, with the new signature')
@signing_refusals
def sign(body, file_id):
    """Sign a document of the file with the caller's own key (PAdES B-T, Decree 30 appearance)

    Who: the leader holding the file."""
    file = file_or_404(file_id)
    document = _document_of(file, body.pop('document_id'))
    record = operations.sign_document(file, caller(), document=document, **body)
    return Result(file, signature=record)


@bp.post('/files/<int:file_id>/issue')
@bp.arguments(Issuance)
@bp.response(200, FileSchema, description='The file, numbered; deliveries are the ones just made')
@signing_refusals
def issue(body, file_id):
    """Number, date, organisation signature and delivery

    Who: a clerk of the issuing unit holding the file."""
    file = file_or_404(file_id)
    deliveries = operations.issue_file(file, caller(), **body)
    return Result(file, deliveries=deliveries)


# ---------------------------------------------------------------- routing

@bp.post('/files/<int:file_id>/forward')
@bp.arguments(Forward)
@bp.response(200, FileSchema, description='The file after the action')
@bp.refusals(*ACTION_REFUSALS)
def forward(move, file_id):
    """Hand the file on

    Who: the holder. to_user_id or to_unit_id; purpose sign needs a leader."""
    file = file_or_404(file_id)
    operations.forward_file(file, caller(), **move)
    return file


@bp.post('/files/<int:file_id>/return')
@bp.arguments(Note)
@bp.response(200, FileSchema, description='The file after the action')
@bp.refusals(*ACTION_REFUSALS)
def return_(body, file_id):
    """Back to whoever sent it, with the reason

    Who: the holder."""
    file = file_or_404(file_id)
    operations.return_file(file, caller(), **body)
    return file


@bp.post('/files/<int:file_id>/register')
@bp.arguments(Registration)
@bp.response(200, FileSchema, description='The file, with its incoming_number')
@bp.refusals(*ACTION_REFUSALS)
def register(body, file_id):
    """Enter an arrived document in the unit's incoming register

    Who: a clerk of the receiving unit."""
    file = file_or_404(file_id)
    operations.register_file(file, caller(), **body)
    return file


@bp.post('/files/<int:file_id>/refuse')
@bp.arguments(Note)
@bp.response(200, FileSchema, description='The file after the action')
@bp.refusals(*ACTION_REFUSALS)
def refuse(body, file_id):
    """Return an invalid arrival to its sender

    Who: a clerk of the receiving unit."""
    file = file_or_404(file_id)
    operations.refuse_file(file, caller(), **body)
    return file


# ---------------------------------------------------------------- handling

@bp.post('/files/<int:file_id>/assign')
@bp.arguments(Assign)
@bp.response(200, FileSchema, description='The file after the action')
@bp.refusals(*ACTION_REFUSALS)
def assign(assignment, file_id):
    """Assign lead, co-handlers and people to inform

    Who: the leader holding the file."""
    file = file_or_404(file_id)
    operations.assign_file(file, caller(), **assignment)
    return file


@bp.post('/files/<int:file_id>/start')
@bp.response(200, FileSchema, description='The file after the action')
@bp.refusals(*ACTION_REFUSALS)
def start(file_id):
    """The lead handler takes the work up"""
    file = file_or_404(file_id)
    operations.start_handling(file, caller())
    return file


@bp.post('/files/<int:file_id>/complete')
@bp.arguments(Completion)
@bp.response(200, FileSchema, description='The file after the action')
@bp.refusals(*ACTION_REFUSALS)
def complete(body, file_id):
    """Done; the file counts as closed

    Who: the lead handler of an assigned file, or the holder of a file with nothing pending."""
    file = file_or_404(file_id)
    operations.complete_file(file, caller(), **body)
    return file


@bp.post('/files/<int:file_id>/reopen')
@bp.arguments(Note)
@bp.response(200, FileSchema, description='The file after the action')
@bp.refusals(*ACTION_REFUSALS)
def reopen(body, file_id):
    """Take a completed file up again

    Who: the holder."""
    file = file_or_404(file_id)
    operations.reopen_file(file, caller(), **body)
    return file
