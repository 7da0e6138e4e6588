"""A document's PDF, shown by the browser's own viewer inside the file page or downloaded."""
from flask import abort, request
from flask_login import current_user, login_required

from ... import audit
from ...dbsession import writes_when_read
from ...extensions import db
from ...storage import blobs
from ..models import Document
from ..queries import visible_file_or_404
from ..serving import pdf_response
from . import bp


@bp.get('/documents/<int:document_id>/pdf')
@login_required
@writes_when_read  # records who received it (audit)
def document_pdf(document_id):
    document = db.session.get(Document, document_id)
    if document is None:
        abort(404)
    visible_file_or_404(document.file_id, current_user)
    download = request.args.get('download') == '1'
    audit.record_access(current_user, 'download_document', document, file_id=document.file_id,
                        sha256=document.sha256, attachment=download)
    return pdf_response(blobs().get(document.sha256), document.filename, download=download)


@bp.get('/documents/<int:document_id>/original')
@login_required
def document_original(document_id):
    """The bytes as uploaded, for a document whose stored copy was repaired to be signed: always a download."""
    document = db.session.get(Document, document_id)
    if document is None or not document.original_sha256:
        abort(404)
    visible_file_or_404(document.file_id, current_user)
    return pdf_response(blobs().get(document.original_sha256), 'goc-' + document.filename, download=True)
