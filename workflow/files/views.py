"""HTML pages for work files: the boxes, a new file, the file page and its actions.

Every handler loads, checks, acts: it loads the file (404 when the user may not see it), validates
the form, calls the one operation, flashes what happened and redirects. A domain error raised by an
operation re-renders the page with the message and its 4xx status, keeping what the user typed.
"""
import io
from math import ceil

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from .. import policy
from ..directory.models import Unit, User
from ..errors import BadInput, DomainError
from ..extensions import db
from ..i18n import select_locale
from ..signing import operations as signing_operations
from ..signing.panels import signing_context
from ..storage import blobs
from ..unit_of_work import attempt
from ..vocabulary import PURPOSE_LABELS, STATUS_LABELS
from .forms import (
    AddDocumentForm,
    AssignForm,
    CompleteForm,
    ForwardForm,
    IssueForm,
    NewFileForm,
    PaperDocumentForm,
    RefuseForm,
    RegisterForm,
    ReopenForm,
    ReturnForm,
    SearchForm,
    StartForm,
)
from .models import Document, WorkFile
from .operations import (
    add_document,
    assign_file,
    complete_file,
    create_file,
    forward_file,
    refuse_file,
    register_file,
    register_paper_document,
    reopen_file,
    return_file,
    start_handling,
)
from .page_cache import inbox_key, kept_inbox, seconds_fresh, serve_page
from .queries import PAGE_SIZE, list_files, visible_file_or_404
from .transitions import available_actions

bp = Blueprint('files', __name__)

BOX_TITLES = {'inbox': _l('Hộp đến'), 'sent': _l('Đã gửi'), 'all': _l('Tất cả hồ sơ')}
FORWARD_ACTIONS = ('forward_sign', 'forward_handle', 'forward_info')


# ---------------------------------------------------------------- boxes

def _list_page(box):
    """The context of a list page: the search form, one page of files, the counts."""
    form = SearchForm(request.args)
    form.status.choices = [('', _('Mọi trạng thái'))] + [(k, str(v)) for k, v in STATUS_LABELS.items()]
    form.validate()
    page = form.page.data if isinstance(form.page.data, int) and form.page.data > 0 else 1
    status = form.status.data if form.status.data in STATUS_LABELS else None
    files, total = list_files(current_user, box=box, status=status, q=form.q.data, page=page)
    return dict(files=files, total=total, box=box, form=form, page=page,
                pages=max(1, ceil(total / PAGE_SIZE)), title=BOX_TITLES[box])


def _box(box):
    return render_template('files/list.html', **_list_page(box))


def _render_inbox():
    context = _list_page('inbox')
    return render_template('files/list.html', **context), seconds_fresh(context['files'])


@bp.get('/')
def inbox():
    """The page people reload most: served from the page cache while nothing on it changed."""
    return kept_inbox() or _inbox()


@login_required
def _inbox():
    if request.args.get('q'):
        return _box('inbox')  # searches are too varied to keep
    key = inbox_key(current_user, select_locale())
    return serve_page(key, _render_inbox)


@bp.get('/sent')
@login_required
def sent():
    return _box('sent')


@bp.get('/files')
@login_required
def all_files():
    return _box('all')


# ---------------------------------------------------------------- new files

def _flash_duplicate(duplicate):
    if duplicate is not None:
        flash(_('Cảnh báo: tệp này trùng với một văn bản đã có trong đơn vị (hồ sơ số %(id)d, tệp %(name)s); '
                'có thể là bản trùng.', id=duplicate.file_id, name=duplicate.filename), 'warning')


@bp.route('/files/new', methods=['GET', 'POST'])
@login_required
def new():
    form = NewFileForm()
    if not form.validate_on_submit():
        return render_template('files/new.html', form=form), 400 if form.is_submitted() else 200
    try:
        with attempt():
            file, duplicate = create_file(
                current_user, title=form.title.data, doc_type=form.doc_type.data, upload=form.upload_value(),
                urgency=form.urgency.data, summary=form.summary.data or '', deadline=form.deadline_value(),
                paper_origin=form.paper_origin.data)
    except DomainError as exc:
        return render_template('files/new.html', form=form, error=exc.message), exc.status
    flash(_('Đã tạo hồ sơ "%(title)s".', title=file.title), 'success')
    _flash_duplicate(duplicate)
    return redirect(url_for('files.show', file_id=file.id))


@bp.route('/files/paper', methods=['GET', 'POST'])
@login_required
def new_paper():
    form = PaperDocumentForm()
    if not form.validate_on_submit():
        return render_template('files/paper.html', form=form), 400 if form.is_submitted() else 200
    try:
        with attempt():
            file, duplicate = register_paper_document(
                current_user, title=form.title.data, doc_type=form.doc_type.data, upload=form.upload_value(),
                sender_name=form.sender_name.data, number=form.number.data or '', urgency=form.urgency.data,
                summary=form.summary.data or '', deadline=form.deadline_value())
    except DomainError as exc:
        return render_template('files/paper.html', form=form, error=exc.message), exc.status
    flash(_('Đã vào sổ văn bản đến giấy, số đến %(n)d.', n=file.incoming_number), 'success')
    _flash_duplicate(duplicate)
    return redirect(url_for('files.show', file_id=file.id))


# ---------------------------------------------------------------- the file page

def _blank(form_class, **kwargs):
    """A fresh form for display: never filled from the current request."""
    return form_class(formdata=None, **kwargs)


def _action_forms(file, actions):
    """The forms the page shows, one per action the user may take now."""
    forms = {}
    if actions & set(FORWARD_ACTIONS):
        forms['forward'] = _blank(ForwardForm, prefix='forward', actor=current_user)
        forms['forward'].purpose.choices = [(p, label) for p, label in PURPOSE_LABELS.items()
                                            if 'forward_' + p in actions]
        forms['forward'].purpose.data = forms['forward'].purpose.choices[0][0]
    simple = {'return': ReturnForm, 'refuse': RefuseForm, 'start': StartForm,
              'complete': CompleteForm, 'reopen': ReopenForm, 'add_document': AddDocumentForm}
    for name, form_class in simple.items():
        if name in actions:
            forms[name] = _blank(form_class, prefix=name)
    if 'register' in actions:
        forms['register'] = _blank(RegisterForm, prefix='register',
                                   signature_invalid=file.signature_check == 'invalid')
    if 'issue' in actions:
        forms['issue'] = _blank(IssueForm, prefix='issue', actor=current_user)
    if 'assign' in actions:
        forms['assign'] = _blank(AssignForm, prefix='assign', unit_id=current_user.unit_id)
    return forms


def render_file_page(file, *, failed=None, error=None, status=200, sign_form=None, sign_message=None):
    """The file page; `failed` is (action, form) for a form to show again with what was typed."""
    actions = available_actions(file, current_user)
    forms = _action_forms(file, actions)
    if failed is not None:
        name, form = failed
        forms[name] = form
    linked = {'source': file.source_file, 'reply': file.reply_file}
    visible_links = {key: f for key, f in linked.items() if f is not None and policy.may_view_file(current_user, f)}
    signing = signing_context(file, current_user, actions, sign_form=sign_form, sign_message=sign_message)
    return render_template('files/show.html', file=file, forms=forms, actions=actions, error=error,
                           failed=failed[0] if failed else None, links=visible_links,
                           signing=signing), status


@bp.get('/files/<int:file_id>')
@login_required
def show(file_id):
    return render_file_page(visible_file_or_404(file_id, current_user))


def _act(file_id, name, build_form, act):
    """Load, check, act for one action posted from the file page."""
    file = visible_file_or_404(file_id, current_user)
    form = build_form()
    if not form.validate_on_submit():
        return render_file_page(file, failed=(name, form), status=400)
    try:
        with attempt():
            message = act(file, form)
    except DomainError as exc:
        return render_file_page(file, failed=(name, form), error=exc.message, status=exc.status)
    flash(message, 'success')
    return redirect(url_for('files.show', file_id=file.id))


@bp.post('/files/<int:file_id>/documents')
@login_required
def add_document_view(file_id):
    def act(file, form):
        stored = add_document(file, current_user, upload=form.upload_value(), kind=form.kind.data,
                              paper_origin=form.paper_origin.data)
        _flash_duplicate(stored.duplicate_of)
        return _('Đã thêm tài liệu %(name)s.', name=stored.document.filename)
    return _act(file_id, 'add_document', lambda: AddDocumentForm(prefix='add_document'), act)


@bp.post('/files/<int:file_id>/forward')
@login_required
def forward(file_id):
    def act(file, form):
        to_user = db.session.get(User, form.to_user.data) if form.to_user.data else None
        to_unit = None if to_user else db.session.get(Unit, form.to_unit.data)
        forward_file(file, current_user, purpose=form.purpose.data, to_user=to_user, to_unit=to_unit,
                     note=form.note.data or '', deadline=form.deadline_value(), on_paper=form.on_paper.data)
        return _('Đã chuyển hồ sơ tới %(who)s.', who=to_user.full_name if to_user else to_unit.name)
    return _act(file_id, 'forward', lambda: ForwardForm(prefix='forward', actor=current_user), act)


@bp.post('/files/<int:file_id>/return')
@login_required
def return_(file_id):
    def act(file, form):
        sender = return_file(file, current_user, note=form.note.data)
        return _('Đã trả lại hồ sơ cho %(name)s.', name=sender.full_name)
    return _act(file_id, 'return', lambda: ReturnForm(prefix='return'), act)


@bp.post('/files/<int:file_id>/issue')
@login_required
def issue(file_id):
    def act(file, form):
        units = [db.session.get(Unit, unit_id) for unit_id in form.recipients.data]
        deliveries, sealed = signing_operations.issue_with_seal(file, current_user, recipient_units=units,
                                                                pin=form.seal_pin.data or '',
                                                                on_paper=form.on_paper.data)
        if not sealed:
            flash(_('Văn bản được ban hành KHÔNG có chữ ký số của cơ quan (đơn vị chưa có chứng thư con dấu).'),
                  'warning')
        return _('Đã ban hành văn bản số %(number)s và gửi tới %(n)d đơn vị.', number=file.number,
                 n=len(deliveries))
    return _act(file_id, 'issue', lambda: IssueForm(prefix='issue', actor=current_user), act)


@bp.post('/files/<int:file_id>/register')
@login_required
def register(file_id):
    def act(file, form):
        number = register_file(file, current_user, received_on_paper=form.received_on_paper.data,
                               note=form.note.data or '', override_reason=form.override_reason.data or None)
        return _('Đã vào sổ văn bản đến, số đến %(n)d.', n=number)

    def build_form():
        file = visible_file_or_404(file_id, current_user)
        return RegisterForm(prefix='register', signature_invalid=file.signature_check == 'invalid')
    return _act(file_id, 'register', build_form, act)


@bp.post('/files/<int:file_id>/refuse')
@login_required
def refuse(file_id):
    def act(file, form):
        refuse_file(file, current_user, note=form.note.data)
        return _('Đã từ chối văn bản và báo lại nơi gửi.')
    return _act(file_id, 'refuse', lambda: RefuseForm(prefix='refuse'), act)


@bp.post('/files/<int:file_id>/assign')
@login_required
def assign(file_id):
    def act(file, form):
        args = form.assignment_args()
        assign_file(file, current_user, **args)
        return _('Đã giao %(name)s chủ trì xử lý.', name=args['lead'].full_name)
    return _act(file_id, 'assign', lambda: AssignForm(prefix='assign', unit_id=current_user.unit_id), act)


@bp.post('/files/<int:file_id>/start')
@login_required
def start(file_id):
    def act(file, form):
        start_handling(file, current_user)
        return _('Đã bắt đầu xử lý hồ sơ.')
    return _act(file_id, 'start', lambda: StartForm(prefix='start'), act)


@bp.post('/files/<int:file_id>/complete')
@login_required
def complete(file_id):
    def act(file, form):
        reply = None
        if form.reply_file_id.data:
            reply = db.session.get(WorkFile, form.reply_file_id.data)
            if reply is None or not policy.may_view_file(current_user, reply):
                raise BadInput(_('Không tìm thấy hồ sơ trả lời số %(id)d.', id=form.reply_file_id.data))
        complete_file(file, current_user, note=form.note.data or '', reply_file=reply)
        return _('Đã hoàn thành hồ sơ.')
    return _act(file_id, 'complete', lambda: CompleteForm(prefix='complete'), act)


@bp.post('/files/<int:file_id>/reopen')
@login_required
def reopen(file_id):
    def act(file, form):
        reopen_file(file, current_user, note=form.note.data)
        return _('Đã mở lại hồ sơ.')
    return _act(file_id, 'reopen', lambda: ReopenForm(prefix='reopen'), act)


# ---------------------------------------------------------------- the PDF itself

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
    response = send_file(io.BytesIO(data), mimetype='application/pdf', download_name=document.filename,
                         as_attachment=request.args.get('download') == '1', max_age=0)
    response.headers['Content-Security-Policy'] = PDF_CSP
    response.headers['Cache-Control'] = 'private, no-store'
    return response
