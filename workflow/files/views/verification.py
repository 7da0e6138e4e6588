"""The public page of an issued document: its short link /v/<code> (and QR code) shows whether the
issued PDF still verifies, for anyone holding a printed copy; no login."""
import io

import qrcode
from flask import Response, render_template, url_for
from flask_babel import gettext as _

from ...errors import NotFound
from ...extensions import db
from ...signing.verification import document_report, present
from ..models import WorkFile
from . import bp


def issued_by_code(code):
    file = db.session.query(WorkFile).filter_by(verification_code=code).one_or_none()
    if file is None or file.main_document is None:
        raise NotFound(_('Không tìm thấy văn bản với mã xác thực này.'))
    return file


@bp.get('/v/<code>')
def verify_issued(code):
    file = issued_by_code(code)
    return render_template('signing/verify.html', report=present(document_report(file.main_document)), issued=file)


@bp.get('/v/<code>/qr.png')
def verify_qr(code):
    issued_by_code(code)
    image = qrcode.make(url_for('files.verify_issued', code=code, _external=True), box_size=6, border=2)
    out = io.BytesIO()
    image.save(out, format='PNG')
    return Response(out.getvalue(), mimetype='image/png', headers={'Cache-Control': 'public, max-age=86400'})
