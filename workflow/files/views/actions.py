"""The actions of the file page: each posts one form and calls one operation."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import policy
from ...directory.models import Unit, User
from ...errors import BadInput, DomainError
from ...extensions import db
from ...unit_of_work import attempt
from .. import transitions
from ..forms import (
    AddDocumentForm,
    AssignForm,
    CompleteForm,
    ForwardForm,
    IssueForm,
    RefuseForm,
    RegisterForm,
    ReopenForm,
    ReplacementForm,
    ReturnForm,
    SignForm,
    StartForm,
)
from ..models import WorkFile
from ..operations import (
    add_document,
    assign_file,
    complete_file,
    draft_replacement,
    forward_file,
    issue_file,
    refuse_file,
    register_file,
    reopen_file,
    return_file,
    sign_document,
    start_handling,
)
from ..queries import visible_file_or_404
from . import bp
from .new import flash_duplicate, flash_repaired
from .page import FORWARD_ACTIONS, render_file_page


def _act(file_id, name, build_form, act, steps=None):
    """Load, check, act for one action posted from the file page: the file (404 when the user may not
    see it), whether they may take this step on it now (403, or 409 in the wrong status: before what
    they typed is judged, as the API does), the form (400), then the operation."""
    file = visible_file_or_404(file_id, current_user)
    steps = steps or (name,)
    if not any(transitions.allowed(file, step, current_user) for step in steps):
        transitions.require(file, steps[0], current_user)  # raises with the reason
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
        flash_duplicate(stored.duplicate_of)
        flash_repaired(stored.document)
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
    return _act(file_id, 'forward', lambda: ForwardForm(prefix='forward', actor=current_user), act,
                steps=FORWARD_ACTIONS)


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
        deliveries = issue_file(file, current_user, recipient_units=units, pin=form.seal_pin.data or '',
                                on_paper=form.on_paper.data)
        if file.signature_check == 'unsigned':
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


@bp.post('/files/<int:file_id>/sign')
@login_required
def sign(file_id):
    def act(file, form):
        if file.main_document is None:
            abort(404)
        sign_document(file, current_user, document=file.main_document, pin=form.pin.data, **form.placement_args())
        return _('Đã ký số văn bản')
    return _act(file_id, 'sign', lambda: SignForm(prefix='sign'), act)


@bp.post('/files/<int:file_id>/replacement')
@login_required
def draft_replacement_view(file_id):
    """A new draft replacing an issued document: not a step of the issued file's workflow (it has none
    left), so not through _act; the operation checks who may."""
    file = visible_file_or_404(file_id, current_user)
    form = ReplacementForm(prefix='replacement')
    if not form.validate_on_submit():
        return render_file_page(file, failed=('replacement', form), status=400)
    try:
        with attempt():
            new, duplicate = draft_replacement(file, current_user, upload=form.upload_value(),
                                               title=form.title.data)
    except DomainError as exc:
        return render_file_page(file, failed=('replacement', form), error=exc.message, status=exc.status)
    flash(_('Đã tạo hồ sơ văn bản thay thế văn bản số %(number)s; văn bản đã ban hành được giữ nguyên.',
            number=file.number or file.id), 'success')
    flash_duplicate(duplicate)
    return redirect(url_for('files.show', file_id=new.id))
