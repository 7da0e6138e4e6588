"""A document's PDF, shown by the browser's own viewer inside the file page or downloaded."""
import io

from flask import abort, request, send_file
from flask_login import current_user, login_required

from ... import audit
from ...extensions import db
from ...storage import blobs
from ..models import Document
from ..queries import visible_file_or_404
from . import bp

# The PDF is shown by the browser's own viewer inside the file page: it needs no script of ours.
PDF_CSP = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"


@bp.get('/documents/<int:document_id>/pdf')
@login_required
def document_pdf(document_id):
    document = db.session.get(Document, document_id)
    if document is None:
        abort(404)
    visible_file_or_404(document.file_id, current_user)
    data = blobs().get(document.sha256)
    download = request.args.get('download') == '1'
    audit.record_access(current_user, 'download_document', document, file_id=document.file_id,
                        sha256=document.sha256, attachment=download)
    response = send_file(io.BytesIO(data), mimetype='application/pdf', download_name=document.filename,
                         as_attachment=download, max_age=0)
    response.headers['Content-Security-Policy'] = PDF_CSP
    response.headers['Cache-Control'] = 'private, no-store'
    return response


@bp.get('/documents/<int:document_id>/original')
@login_required
def document_original(document_id):
    """The bytes as uploaded, for a document whose stored copy was repaired to be signed: always a download."""
    document = db.session.get(Document, document_id)
    if document is None or not document.original_sha256:
        abort(404)
    visible_file_or_404(document.file_id, current_user)
    response = send_file(io.BytesIO(blobs().get(document.original_sha256)), mimetype='application/pdf',
                         download_name='goc-' + document.filename, as_attachment=True, max_age=0)
    response.headers['Content-Security-Policy'] = PDF_CSP
    response.headers['Cache-Control'] = 'private, no-store'
    return response
