"""A new work file from an upload, and a paper arrival registered from its scan."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...errors import DomainError
from ...unit_of_work import attempt
from ..forms import NewFileForm, PaperDocumentForm
from ..operations import create_file, register_paper_document
from . import bp


def flash_repaired(document):
    if document is not None and document.original_sha256:
        flash(_('Tệp %(name)s có lỗi cấu trúc nhỏ mà phần mềm đọc PDF tự bỏ qua nhưng ký số thì không: '
                'hệ thống đã tạo bản sửa lỗi (nội dung không đổi) để ký; bản gốc vẫn được lưu.',
                name=document.filename), 'info')


def flash_duplicate(duplicate):
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
    flash_repaired(file.main_document)
    flash_duplicate(duplicate)
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
    flash_duplicate(duplicate)
    return redirect(url_for('files.show', file_id=file.id))
