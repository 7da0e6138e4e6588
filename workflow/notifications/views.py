"""The user's notifications and their unread count (also as JSON for a badge)."""
from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..form_fields import ButtonForm
from .operations import mark_all_read, recent_notifications, unread_count

bp = Blueprint('notifications', __name__, url_prefix='/notifications')


@bp.get('')
@login_required
def index():
    return render_template('notifications/list.html', notes=recent_notifications(current_user),
                           unread=unread_count(current_user), form=ButtonForm())


@bp.get('/count')
@login_required
def count():
    return jsonify({'unread': unread_count(current_user)})


@bp.post('/read')
@login_required
def read_all():
    if ButtonForm().validate_on_submit():
        mark_all_read(current_user)
    return redirect(url_for('notifications.index'))
