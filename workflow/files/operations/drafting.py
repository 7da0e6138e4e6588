"""Drafting: a new work file from an upload, and further documents (attachments, new versions)."""
from flask import current_app
from flask_babel import gettext as _

from ... import audit, policy
from ...errors import BadInput, Conflict, NotAllowed
from ...extensions import db
from ...timeutil import now
from ...vocabulary import DOC_TYPE_NAMES, REASON_PAPER_ORIGIN, URGENCIES
from .. import rules, transitions
from ..models import WorkFile
from ..search import search_text_of
from .steps import check_choice, event, grant, mark_not_electronic, store_pdf


def create_file(actor, *, title, doc_type, upload, urgency='normal', summary='', deadline=None,
                paper_origin=False):
    """A new work file in the actor's unit holding one main document; status draft."""
    policy.require(policy.may_create_files, actor)
    title = (title or '').strip()
    if not title:
        raise BadInput(_('Vui lòng nhập trích yếu (tiêu đề) của văn bản.'), code='title_required')
    title, summary = rules.text(title, 'title'), rules.text(summary, 'summary')
    check_choice(doc_type, DOC_TYPE_NAMES, _('Loại văn bản không hợp lệ.'))
    check_choice(urgency, URGENCIES, _('Độ khẩn không hợp lệ.'))
    rules.deadline(deadline)
    stored = store_pdf(upload, actor, paper_origin=paper_origin)
    file = WorkFile(title=title, summary=summary, doc_type=doc_type, urgency=urgency,
                    deadline=deadline, direction='outgoing', status='draft', owner_unit_id=actor.unit_id,
                    creator_id=actor.id, holder_unit_id=actor.unit_id, holder_user_id=actor.id,
                    held_since=now(), paper_origin=paper_origin, created_at=now())
    file.documents.append(stored.document)
    file.search_text = search_text_of(file)
    db.session.add(file)
    if paper_origin:
        mark_not_electronic(file, REASON_PAPER_ORIGIN, stored.document.filename)
    db.session.flush()
    grant(file, actor.unit_id)
    event(file, actor, 'create', to_unit=actor.unit, to_user=actor, note=title)
    audit.record(actor, 'create_file', file, document_sha256=stored.document.sha256,
                 paper_origin=paper_origin)
    db.session.flush()
    return file, stored.duplicate_of


def add_document(file, actor, *, upload, kind='main', paper_origin=False):
    """Add an attachment or a new version of the main document."""
    transitions.require(file, 'add_document', actor)
    check_choice(kind, ('main', 'attachment'), _('Loại tài liệu phải là "main" hoặc "attachment".'))
    limit = current_app.config['MAX_DOCUMENTS_PER_FILE']
    if len(file.documents) >= limit:
        raise BadInput(_('Hồ sơ đã có %(n)d tài liệu, tối đa cho phép; không thêm được nữa.', n=limit),
                       code='too_many_documents', status=422)
    stored = store_pdf(upload, actor, paper_origin=paper_origin)
    stored.document.kind = kind
    file.documents.append(stored.document)
    if paper_origin:
        mark_not_electronic(file, REASON_PAPER_ORIGIN, stored.document.filename)
    event(file, actor, 'add_document', note=stored.document.filename)
    db.session.flush()
    audit.record(actor, 'add_document', file, document_id=stored.document.id, kind=kind,
                 sha256=stored.document.sha256)
    return stored


def draft_replacement(issued, actor, *, upload, title=None):
    """An issued document is final; a correction is a new draft that replaces it. The new file records
    which one it replaces, the issued one keeps its number, bytes and link, and its timeline says a
    replacement was drafted. Who: someone of the unit that drafted or issued it who may create files."""
    policy.require(policy.may_create_files, actor)
    if not transitions.is_issued(issued):
        raise Conflict(_('Chỉ văn bản đã ban hành mới cần văn bản thay thế; văn bản này còn sửa được.'),
                       code='not_issued')
    if actor.unit_id not in (issued.owner_unit_id, issued.issuing_unit_id):
        raise NotAllowed(_('Chỉ đơn vị ban hành mới soạn được văn bản thay thế.'), code='forbidden')
    title = (title or '').strip() or issued.title
    file, duplicate = create_file(actor, title=title, doc_type=issued.doc_type, upload=upload,
                                  urgency=issued.urgency, summary=issued.summary)
    file.replaces_file_id = issued.id
    event(issued, actor, 'replacement_drafted', note=_('Hồ sơ thay thế #%(id)d', id=file.id))
    db.session.flush()
    audit.record(actor, 'draft_replacement', issued, replacement_id=file.id, number=issued.number)
    return file, duplicate
