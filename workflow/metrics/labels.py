"""Names of indicators and levels as people read them."""
from .i18n import _l
from .models import INDICATOR_DIGITAL_SIGNATURE, INDICATOR_PAPERLESS, INDICATOR_TTHC_ONLINE

INDICATOR_LABELS = {
    INDICATOR_PAPERLESS: _l('Hồ sơ công việc xử lý hoàn toàn trực tuyến'),
    INDICATOR_TTHC_ONLINE: _l('Hồ sơ TTHC giải quyết trực tuyến'),
    INDICATOR_DIGITAL_SIGNATURE: _l('Văn bản phát hành có chữ ký số'),
}


def indicator_label(code):
    return str(INDICATOR_LABELS.get(code, code))
