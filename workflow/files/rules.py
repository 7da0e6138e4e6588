"""What both front doors refuse alike: the sizes of texts and deadlines in the past.

The operations apply these checks; the HTML forms use the same limits and messages, so that a page
can show the message next to its field before anything is sent, and the API refuses exactly the
same things with exactly the same words.
"""
from flask_babel import lazy_gettext as _l

from ..errors import BadInput
from ..timeutil import vn, vn_today

TITLE_MAX = 500
SUMMARY_MAX = 5000
NOTE_MAX = 2000
RESULT_MAX = 5000
SENDER_MAX = 300
NUMBER_MAX = 60

LIMITS = {'title': TITLE_MAX, 'summary': SUMMARY_MAX, 'note': NOTE_MAX, 'result': RESULT_MAX,
          'sender': SENDER_MAX, 'number': NUMBER_MAX}
PAST_DEADLINE = _l('Hạn xử lý không được ở trong quá khứ.')


def too_long_message(kind):
    """The refusal for a `kind` text over its limit (lazy: the forms build it at import time)."""
    return {
        'title': _l('Trích yếu dài quá %(n)d ký tự.', n=TITLE_MAX),
        'summary': _l('Tóm tắt nội dung dài quá %(n)d ký tự.', n=SUMMARY_MAX),
        'note': _l('Ý kiến, ghi chú dài quá %(n)d ký tự.', n=NOTE_MAX),
        'result': _l('Kết quả xử lý dài quá %(n)d ký tự.', n=RESULT_MAX),
        'sender': _l('Nơi gửi dài quá %(n)d ký tự.', n=SENDER_MAX),
        'number': _l('Số, ký hiệu dài quá %(n)d ký tự.', n=NUMBER_MAX),
    }[kind]


def text(value, kind):
    """`value` (None is empty), refused when longer than the limit for its kind."""
    value = value or ''
    if len(value) > LIMITS[kind]:
        raise BadInput(too_long_message(kind), code='text_too_long')
    return value


def deadline(moment):
    """A deadline may be today or later (judged on the Vietnamese calendar); None is no deadline."""
    if moment is not None and vn(moment).date() < vn_today():
        raise BadInput(PAST_DEADLINE, code='deadline_in_past')
    return moment
