"""Work files and their documents: create, list, show, upload, and every routing action.

Each action handler loads the file (404 when missing or invisible), reads the body, and calls the
operation the HTML pages call; the operation checks the transition and the actor (403 / 409).
"""
import io

from flask import jsonify, request, send_file, url_for
from flask_babel import gettext as _

from ..errors import NotFound
from ..extensions import db
from ..files import operations
from ..files.models import Document
from ..files.queries import BOXES, list_files
from ..storage import blobs
from ..vocabulary import STATUS_LABELS
from . import bp
from .inputs import (
    boolean,
    caller,
    choice,
    deadline,
    file_or_404,
    form_body,
    integer,
    json_body,
    referenced_unit,
    referenced_user,
    referenced_users,
    referenced_visible_file,
    string,
    upload,
)
from .serializers import document_json, file_json, file_summary_json


def _file_response(file, status=200, **extra):
    data = file_json(file, viewer=caller())
    data.update(extra)
    return jsonify(data), status


def _duplicate_json(duplicate):
    if duplicate is None:
        return None
    return {'document_id': duplicate.id, 'file_id': duplicate.file_id}


# ---------------------------------------------------------------- reading

@bp.get('/files')
def get_files():
    args = request.args
    box = choice(args, 'box', BOXES, default='all')
    status = args.get('status') or None
    if status is not None and status not in STATUS_LABELS:
        choice(args, 'status', tuple(STATUS_LABELS))  # raises with the list of statuses
    direction = args.get('direction') or None
    if direction is not None:
        choice(args, 'direction', ('outgoing', 'incoming'))
    page = integer(args, 'page', default=1, minimum=1)
    files, total = list_files(caller(), box=box, status=status, q=args.get('q'), page=page, direction=direction)
    return jsonify({'items': [file_summary_json(f) for f in files], 'total': total, 'page': page})


@bp.get('/files/<int:file_id>')
def get_file(file_id):
    return _file_response(file_or_404(file_id))


def _visible_document_or_404(document_id):
    document = db.session.get(Document, document_id)
    if document is None:
        raise NotFound(_('Không tìm thấy tài liệu.'), code='document_not_found')
    try:
        file_or_404(document.file_id)
    except NotFound:
        raise NotFound(_('Không tìm thấy tài liệu.'), code='document_not_found') from None
    return document


@bp.get('/documents/<int:document_id>')
def get_document(document_id):
    return jsonify(document_json(_visible_document_or_404(document_id)))


@bp.get('/documents/<int:document_id>/pdf')
def get_document_pdf(document_id):
    document = _visible_document_or_404(document_id)
    response = send_file(io.BytesIO(blobs().get(document.sha256)), mimetype='application/pdf',
                         download_name=document.filename, as_attachment=False, etag=document.sha256)
    response.headers['Cache-Control'] = 'private, no-store'
    return response


# ---------------------------------------------------------------- drafting

@bp.post('/files')
def post_file():
    form = form_body()
    document = upload()
    file, duplicate = operations.create_file(
        caller(), title=string(form, 'title'), doc_type=string(form, 'doc_type'),
        urgency=string(form, 'urgency', default='normal') or 'normal', summary=string(form, 'summary'),
        deadline=deadline(form), paper_origin=boolean(form, 'paper_origin'), upload=document)
    extra = {'duplicate_of': _duplicate_json(duplicate)} if duplicate is not None else {}
    response, status = _file_response(file, 201, **extra)
    response.headers['Location'] = url_for('api.get_file', file_id=file.id)
    return response, status


@bp.post('/files/paper-arrivals')
def post_paper_arrival():
    """A document that arrived on paper, registered from its scan; marked paper-origin."""
    form = form_body()
    document = upload()
    file, duplicate = operations.register_paper_document(
        caller(), title=string(form, 'title'), doc_type=string(form, 'doc_type'),
        sender_name=string(form, 'sender_name', required=True), number=string(form, 'number'),
        urgency=string(form, 'urgency', default='normal') or 'normal', summary=string(form, 'summary'),
        deadline=deadline(form), upload=document)
    extra = {'duplicate_of': _duplicate_json(duplicate)} if duplicate is not None else {}
    response, status = _file_response(file, 201, **extra)
    response.headers['Location'] = url_for('api.get_file', file_id=file.id)
    return response, status


@bp.post('/files/<int:file_id>/documents')
def post_document(file_id):
    file = file_or_404(file_id)
    form = form_body()
    stored = operations.add_document(file, caller(), upload=upload(), kind=string(form, 'kind', default='main'),
                                     paper_origin=boolean(form, 'paper_origin'))
    data = document_json(stored.document)
    if stored.duplicate_of is not None:
        data['duplicate_of'] = _duplicate_json(stored.duplicate_of)
    return jsonify(data), 201, {'Location': url_for('api.get_document', document_id=stored.document.id)}


# ---------------------------------------------------------------- routing

@bp.post('/files/<int:file_id>/forward')
def forward(file_id):
    file = file_or_404(file_id)
    data = json_body()
    operations.forward_file(file, caller(), purpose=string(data, 'purpose', required=True),
                            to_user=referenced_user(data, 'to_user_id'), to_unit=referenced_unit(data, 'to_unit_id'),
                            note=string(data, 'note'), deadline=deadline(data),
                            on_paper=boolean(data, 'on_paper'))
    return _file_response(file)


@bp.post('/files/<int:file_id>/return')
def return_(file_id):
    file = file_or_404(file_id)
    operations.return_file(file, caller(), note=string(json_body(), 'note'))
    return _file_response(file)


@bp.post('/files/<int:file_id>/register')
def register(file_id):
    file = file_or_404(file_id)
    data = json_body()
    operations.register_file(file, caller(), received_on_paper=boolean(data, 'received_on_paper'),
                             note=string(data, 'note'), override_reason=string(data, 'override_reason', default=None))
    return _file_response(file)


@bp.post('/files/<int:file_id>/refuse')
def refuse(file_id):
    file = file_or_404(file_id)
    operations.refuse_file(file, caller(), note=string(json_body(), 'note'))
    return _file_response(file)


# ---------------------------------------------------------------- handling

@bp.post('/files/<int:file_id>/assign')
def assign(file_id):
    file = file_or_404(file_id)
    data = json_body()
    operations.assign_file(file, caller(), lead=referenced_user(data, 'lead_user_id'),
                           cooperate=referenced_users(data, 'cooperate_user_ids'),
                           inform=referenced_users(data, 'inform_user_ids'), deadline=deadline(data),
                           note=string(data, 'note'))
    return _file_response(file)


@bp.post('/files/<int:file_id>/start')
def start(file_id):
    file = file_or_404(file_id)
    operations.start_handling(file, caller())
    return _file_response(file)


@bp.post('/files/<int:file_id>/complete')
def complete(file_id):
    file = file_or_404(file_id)
    data = json_body()
    operations.complete_file(file, caller(), note=string(data, 'note'),
                             reply_file=referenced_visible_file(data, 'reply_file_id'))
    return _file_response(file)


@bp.post('/files/<int:file_id>/reopen')
def reopen(file_id):
    file = file_or_404(file_id)
    operations.reopen_file(file, caller(), note=string(json_body(), 'note'))
    return _file_response(file)
