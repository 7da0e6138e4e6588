"""Public verification pages: upload any PDF, or follow an issued document's short link / QR code."""
import io

import qrcode
from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import BadInput, NotFound
from ..extensions import db, limiter
from ..files.models import WorkFile
from ..files.pdfcheck import inspect_pdf
from ..storage import blobs
from .operations import verify_bytes
from .report import present

bp = Blueprint('verify', __name__)


def report_for_upload(upload):
    """Check an uploaded file is a readable PDF (same rules as any upload), then verify it."""
    if upload is None or not upload.filename:
        raise BadInput(_('Hãy chọn một tệp PDF để kiểm tra.'), code='file_required')
    data = upload.read()
    inspect_pdf(data, current_app.config['MAX_UPLOAD_MB'] * 1024 * 1024)
    return present(verify_bytes(data))


@bp.route('/verify', methods=['GET', 'POST'])
@limiter.limit('30 per minute', methods=['POST'])
def verify_page():
    if request.method == 'GET':
        return render_template('signing/verify.html', report=None)
    try:
        report = report_for_upload(request.files.get('file'))
    except BadInput as refused:
        return render_template('signing/verify.html', report=None, error=refused.message), refused.status
    return render_template('signing/verify.html', report=report, filename=request.files['file'].filename)


def issued_by_code(code):
    file = db.session.query(WorkFile).filter_by(verification_code=code).one_or_none()
    if file is None or file.main_document is None:
        raise NotFound(_('Không tìm thấy văn bản với mã xác thực này.'))
    return file


@bp.get('/v/<code>')
def verify_issued(code):
    file = issued_by_code(code)
    report = present(verify_bytes(blobs().get(file.main_document.sha256)))
    return render_template('signing/verify.html', report=report, issued=file)


@bp.get('/v/<code>/qr.png')
def verify_qr(code):
    issued_by_code(code)
    image = qrcode.make(url_for('verify.verify_issued', code=code, _external=True), box_size=6, border=2)
    out = io.BytesIO()
    image.save(out, format='PNG')
    return Response(out.getvalue(), mimetype='image/png', headers={'Cache-Control': 'public, max-age=86400'})
