"""A document's PDF, shown by the browser's own viewer inside the file page or downloaded."""
from flask import abort, request
from flask_login import current_user, login_required

from ...extensions import db
from ...storage import blobs
from ..models import Document
from ..queries import visible_file_or_404
from ..serving import pdf_response
from . import bp


@bp.get('/documents/<int:document_id>/pdf')
@login_required
def document_pdf(document_id):
    document = db.session.get(Document, document_id)
    if document is None:
        abort(404)
    visible_file_or_404(document.file_id, current_user)
    return pdf_response(blobs().get(document.sha256), document.filename,
                        download=request.args.get('download') == '1')
