"""How figures are shown: percentages cut (not rounded) to two decimals, Vietnamese number style.

Cutting rather than rounding means a rate shown as reaching a target has really reached it; it is
also how the district's own report printed 630 of 1,857 as 33.92 %.
"""
import math

from flask_babel import format_decimal
from flask_babel import gettext as _


def percent_value(fraction):
    """The fraction as a percentage cut to two decimals (0.3392568 → 33.92), or None."""
    if fraction is None:
        return None
    return math.floor(fraction * 10000 + 1e-6) / 100


def percent(fraction):
    value = percent_value(fraction)
    return '—' if value is None else format_decimal(value, format='#,##0.00') + ' %'


def gap(fraction, target):
    """'đạt' when the target is met, otherwise how many percentage points are missing."""
    if fraction is None or target is None:
        return '—'
    missing = percent_value(target) - percent_value(fraction)
    if missing <= 0:
        return _('Đạt chỉ tiêu')
    return _('Còn thiếu %(points)s điểm %%', points=format_decimal(round(missing, 2), format='#,##0.00'))


def days(seconds):
    if seconds is None:
        return '—'
    return _('%(days)s ngày', days=format_decimal(seconds / 86400, format='#,##0.0'))


def approx_days(seconds):
    """The median handling time, which is read from a histogram: '≈ 3,2 ngày' (see
    indicators.median_from_buckets for the resolution)."""
    if seconds is None:
        return '—'
    return _('≈ %(days)s ngày', days=format_decimal(seconds / 86400, format='#,##0.0'))


def number(value):
    return format_decimal(value or 0, format='#,##0')
