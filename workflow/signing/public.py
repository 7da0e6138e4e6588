"""The public verification page: anyone uploads a PDF and sees whether its signatures hold (no login)."""
from flask import Blueprint, render_template, request

from ..errors import BadInput
from ..extensions import limiter
from .verification import report_for_upload

bp = Blueprint('verify', __name__)


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
