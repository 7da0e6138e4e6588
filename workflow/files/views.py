"""HTML pages for work files."""
from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from .queries import list_files

bp = Blueprint('files', __name__)


@bp.get('/')
@login_required
def inbox():
    files, total = list_files(current_user, box='inbox', q=request.args.get('q'))
    return render_template('files/list.html', files=files, total=total, box='inbox')
