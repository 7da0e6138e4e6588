"""The codes the office speaks in and their names, defined once.

Models store the codes, the workflow table and the operations check them, forms offer them, the API
schemas list them, pages and exports show their labels, the metrics explain with them: all from here.
Labels are lazy (translated when shown, in the reader's language); `official(label)` gives the
Vietnamese text where a document must carry it whatever the reader's language (the registers'
Decree 30 headings in CSV and in the API).
"""
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

# ---------------------------------------------------------------- documents and files

DOC_TYPES = (
    ('CV', 'Công văn'), ('NQ', 'Nghị quyết'), ('QĐ', 'Quyết định'), ('CT', 'Chỉ thị'),
    ('QC', 'Quy chế'), ('QyĐ', 'Quy định'), ('TC', 'Thông cáo'), ('TB', 'Thông báo'),
    ('HD', 'Hướng dẫn'), ('CTr', 'Chương trình'), ('KH', 'Kế hoạch'), ('PA', 'Phương án'),
    ('ĐA', 'Đề án'), ('DA', 'Dự án'), ('BC', 'Báo cáo'), ('BB', 'Biên bản'), ('TTr', 'Tờ trình'),
    ('HĐ', 'Hợp đồng'), ('CĐ', 'Công điện'), ('BGN', 'Bản ghi nhớ'), ('BTT', 'Bản thỏa thuận'),
    ('GUQ', 'Giấy ủy quyền'), ('GM', 'Giấy mời'), ('GGT', 'Giấy giới thiệu'),
    ('GNP', 'Giấy nghỉ phép'), ('PG', 'Phiếu gửi'), ('PC', 'Phiếu chuyển'), ('PB', 'Phiếu báo'),
)  # Decree 30 Appendix III: the names are the legal ones, not translated
DOC_TYPE_NAMES = dict(DOC_TYPES)

URGENCY_LABELS = {
    'normal': _l('Thường'),
    'urgent': _l('Khẩn'),
    'very_urgent': _l('Thượng khẩn'),
    'flash': _l('Hỏa tốc'),
}
URGENCIES = tuple(URGENCY_LABELS)

DIRECTION_LABELS = {'outgoing': _l('Văn bản đi'), 'incoming': _l('Văn bản đến')}
DIRECTIONS = tuple(DIRECTION_LABELS)

STATUS_LABELS = {
    'draft': _l('Dự thảo'),
    'awaiting_signature': _l('Chờ ký'),
    'sign_failed': _l('Ký lỗi — thử lại'),
    'signed': _l('Đã ký'),
    'returned': _l('Bị trả lại'),
    'in_progress': _l('Đang xử lý'),
    'issued': _l('Đã ban hành'),
    'delivered': _l('Mới đến'),
    'registered': _l('Đã vào sổ'),
    'assigned': _l('Đã giao xử lý'),
    'completed': _l('Hoàn thành'),
    'refused': _l('Đã từ chối'),
}
STATUSES = tuple(STATUS_LABELS)

PURPOSE_LABELS = {
    'sign': _l('Trình ký'),
    'handle': _l('Xử lý'),
    'info': _l('Để biết'),
}
PURPOSES = tuple(PURPOSE_LABELS)

ASSIGNMENT_LABELS = {'lead': _l('Chủ trì'), 'cooperate': _l('Phối hợp'), 'inform': _l('Để biết')}
ASSIGNMENT_ROLES = tuple(ASSIGNMENT_LABELS)

# What a recipient's copy is called from the sender's side (the sender sees the recipient's progress).
DELIVERY_LABELS = {
    'delivered': _l('Đã gửi đến'),
    'registered': _l('Đã vào sổ'),
    'assigned': _l('Đã giao xử lý'),
    'in_progress': _l('Đang xử lý'),
    'completed': _l('Hoàn thành'),
    'refused': _l('Từ chối'),
}
DELIVERY_STATUSES = tuple(DELIVERY_LABELS)

# The steps of a file's timeline.
ACTION_LABELS = {
    'create': _l('Tạo hồ sơ'),
    'add_document': _l('Thêm tài liệu'),
    'replacement_drafted': _l('Soạn văn bản thay thế'),
    'forward': _l('Chuyển'),
    'return': _l('Trả lại'),
    'sign': _l('Ký số'),
    'sign_failed': _l('Ký số không thành công'),
    'issue': _l('Ban hành'),
    'deliver': _l('Gửi đến'),
    'register': _l('Vào sổ văn bản đến'),
    'refuse': _l('Từ chối'),
    'refused_by_recipient': _l('Bị đơn vị nhận từ chối'),
    'assign': _l('Giao xử lý'),
    'start': _l('Bắt đầu xử lý'),
    'complete': _l('Hoàn thành'),
    'reopen': _l('Mở lại'),
}

# Why a file is not fully electronic: the file page, the registers and the metrics explain with these.
REASON_PAPER_ORIGIN = 'paper_origin'
REASON_PAPER_STEP = 'paper_step'
REASON_UNSIGNED_ISSUANCE = 'unsigned_issuance'
REASON_LABELS = {
    REASON_PAPER_ORIGIN: _l('Có văn bản gốc giấy (scan từ bản giấy)'),
    REASON_PAPER_STEP: _l('Có bước xử lý thực hiện trên giấy'),
    REASON_UNSIGNED_ISSUANCE: _l('Phát hành không có chữ ký số hợp lệ'),
}
REASONS = tuple(REASON_LABELS)

# ---------------------------------------------------------------- people

ROLE_LABELS = {
    'specialist': _l('Chuyên viên'),
    'leader': _l('Lãnh đạo'),
    'clerk': _l('Văn thư'),
    'admin': _l('Quản trị'),
}
ROLES = tuple(ROLE_LABELS)

# ---------------------------------------------------------------- signing keys

KEY_KIND_LABELS = {
    'person': _l('Chứng thư cá nhân (CA nội bộ, khóa lưu mã hóa trên máy chủ)'),
    'organisation': _l('Chứng thư của cơ quan (con dấu)'),
    'imported': _l('Chứng thư do tổ chức khác cấp (PKCS#12)'),
    'pkcs11': _l('Khóa trên thiết bị ký số (PKCS#11)'),
}
KEY_KINDS = tuple(KEY_KIND_LABELS)

# ---------------------------------------------------------------- what the metrics measure

INDICATOR_PAPERLESS = 'paperless'            # work files closed fully online / all closed
INDICATOR_TTHC_ONLINE = 'tthc_online'        # TTHC dossiers resolved online / all resolved
INDICATOR_DIGITAL_SIGNATURE = 'digital_signature'  # issued documents with valid signatures / all issued
INDICATOR_LABELS = {
    INDICATOR_PAPERLESS: _l('Hồ sơ công việc xử lý hoàn toàn trực tuyến'),
    INDICATOR_TTHC_ONLINE: _l('Hồ sơ TTHC giải quyết trực tuyến'),
    INDICATOR_DIGITAL_SIGNATURE: _l('Văn bản phát hành có chữ ký số'),
}
INDICATORS = tuple(INDICATOR_LABELS)

# ---------------------------------------------------------------- the Decree 30 registers

REGISTER_TITLES = {'outgoing': _l('Sổ đăng ký văn bản đi'), 'incoming': _l('Sổ đăng ký văn bản đến')}
REGISTER_KINDS = tuple(REGISTER_TITLES)
REGISTER_COLUMNS = {
    'outgoing': (
        ('number', _l('Số, ký hiệu văn bản')),
        ('date', _l('Ngày tháng văn bản')),
        ('doc_type', _l('Tên loại và trích yếu nội dung văn bản')),
        ('signer', _l('Người ký')),
        ('recipients', _l('Nơi nhận văn bản')),
        ('drafting_unit', _l('Đơn vị, người nhận bản lưu')),
        ('copies', _l('Số lượng bản')),
        ('note', _l('Ghi chú')),
    ),
    'incoming': (
        ('received', _l('Ngày đến')),
        ('incoming_number', _l('Số đến')),
        ('author', _l('Tác giả')),
        ('number', _l('Số, ký hiệu văn bản')),
        ('date', _l('Ngày tháng văn bản')),
        ('doc_type', _l('Tên loại và trích yếu nội dung văn bản')),
        ('handler', _l('Đơn vị hoặc người nhận')),
        ('deadline', _l('Hạn giải quyết')),
        ('note', _l('Ghi chú')),
    ),
}
REGISTER_NOTES = {'not_electronic': _l('Không hoàn toàn điện tử'), 'paper': _l('Bản giấy')}

# ---------------------------------------------------------------- reading them


def label(labels, code):
    """The label of `code` in `labels`, or the code itself for one the vocabulary does not know."""
    return labels.get(code, code)


def official(text):
    """The Vietnamese text of a label, whatever the reader's language (Decree 30 headings)."""
    with force_locale('vi'):
        return str(text)


def _labeller(labels):
    return lambda code: label(labels, code)


TEMPLATE_LABELS = {
    'status': STATUS_LABELS, 'urgency': URGENCY_LABELS, 'purpose': PURPOSE_LABELS, 'direction': DIRECTION_LABELS,
    'delivery': DELIVERY_LABELS, 'assignment': ASSIGNMENT_LABELS, 'action': ACTION_LABELS, 'reason': REASON_LABELS,
    'role': ROLE_LABELS, 'key_kind': KEY_KIND_LABELS, 'indicator': INDICATOR_LABELS,
}


def template_labels():
    """The `<name>_label(code)` helpers every page may use (status_label, reason_label …)."""
    return {f'{name}_label': _labeller(labels) for name, labels in TEMPLATE_LABELS.items()}
