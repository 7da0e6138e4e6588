"""Reporting periods: whole Vietnamese calendar days, from a first day to a last day inclusive.

A month, quarter, half-year or year is cut on the Vietnamese wall clock (Asia/Ho_Chi_Minh, UTC+7,
no daylight saving): a file closed at 23:59 on 31/03 Vietnamese time belongs to the first quarter,
although that instant is 16:59 UTC.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import gettext as _

from ..errors import BadInput
from ..timeutil import VN, vn_today

KINDS = ('month', 'quarter', 'half', 'year', 'custom')
MAX_DAYS = 366 * 10


@dataclass(frozen=True)
class Period:
    start: date  # first day, inclusive
    end: date    # last day, inclusive
    kind: str = 'custom'

    @property
    def start_utc(self):
        """The first instant of the period, in UTC (what the database stores)."""
        return day_start_utc(self.start)

    @property
    def end_utc(self):
        """The first instant after the period, in UTC (exclusive bound)."""
        return day_start_utc(self.end + timedelta(days=1))

    @property
    def year(self):
        """The year whose targets apply: the year the period ends in."""
        return self.end.year

    @property
    def label(self):
        if self.kind == 'month':
            return _('Tháng %(m)02d/%(y)d', m=self.start.month, y=self.start.year)
        if self.kind == 'quarter':
            return _('Quý %(q)d/%(y)d', q=(self.start.month - 1) // 3 + 1, y=self.start.year)
        if self.kind == 'half':
            return _('6 tháng đầu năm %(y)d', y=self.start.year) if self.start.month == 1 else \
                _('6 tháng cuối năm %(y)d', y=self.start.year)
        if self.kind == 'year':
            return _('Năm %(y)d', y=self.start.year)
        return _('Từ %(a)s đến %(b)s', a=self.start.strftime('%d/%m/%Y'), b=self.end.strftime('%d/%m/%Y'))

    def query_args(self):
        return {'from': self.start.isoformat(), 'to': self.end.isoformat()}

    def months(self):
        """(year, month) of every calendar month the period touches."""
        y, m, out = self.start.year, self.start.month, []
        while (y, m) <= (self.end.year, self.end.month):
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def day_start_utc(day):
    return datetime.combine(day, time(0, 0), tzinfo=VN).astimezone(timezone.utc)


def vn_day(moment):
    """The Vietnamese calendar day of an instant (a naive value is UTC, as SQLite returns it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(VN).date()


def month(year, number):
    start = date(year, number, 1)
    end = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return Period(start, end - timedelta(days=1), 'month')


def quarter(year, number):
    first = month(year, 3 * number - 2)
    return Period(first.start, month(year, 3 * number).end, 'quarter')


def half(year, number):
    return Period(date(year, 1 if number == 1 else 7, 1), date(year, 6, 30) if number == 1 else date(year, 12, 31),
                  'half')


def whole_year(year):
    return Period(date(year, 1, 1), date(year, 12, 31), 'year')


def parse_day(text, name):
    """A date written ISO (2023-06-30) or the Vietnamese way (30/06/2023)."""
    text = (text or '').strip()
    try:
        if '/' in text:
            d, m, y = text.split('/')
            if len(y) != 4:
                raise ValueError(text)
            return date(int(y), int(m), int(d))
        return date.fromisoformat(text)
    except (ValueError, TypeError):
        raise BadInput(_('"%(field)s" không phải là ngày hợp lệ (YYYY-MM-DD hoặc dd/mm/yyyy): %(value)s',
                         field=name, value=text[:40]), code='invalid_date') from None


def _int(args, name, low, high, default):
    raw = args.get(name)
    if raw in (None, ''):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = None
    if value is None or not low <= value <= high:
        raise BadInput(_('"%(field)s" phải là số nguyên từ %(low)d đến %(high)d.', field=name, low=low, high=high),
                       code='invalid_period')
    return value


def from_args(args, *, default='month'):
    """The period a request asks for.

    Either `from` and `to` (inclusive dates), or `period` = month|quarter|half|year with `year` and
    `number` (the month, quarter or half); without anything, the current month (or year).
    Raises BadInput with a message in the user's language.
    """
    if args.get('from') or args.get('to'):
        today = vn_today()
        start = parse_day(args.get('from'), 'from') if args.get('from') else date(today.year, 1, 1)
        end = parse_day(args.get('to'), 'to') if args.get('to') else today
        return custom(start, end)
    kind = args.get('period') or default
    if kind not in KINDS:
        raise BadInput(_('Kỳ báo cáo không hợp lệ; chọn một trong: %(kinds)s.', kinds=', '.join(KINDS)),
                       code='invalid_period')
    today = vn_today()
    year = _int(args, 'year', 2000, 2100, today.year)
    if kind == 'month':
        return month(year, _int(args, 'number', 1, 12, today.month))
    if kind == 'quarter':
        return quarter(year, _int(args, 'number', 1, 4, (today.month - 1) // 3 + 1))
    if kind == 'half':
        return half(year, _int(args, 'number', 1, 2, 1 if today.month <= 6 else 2))
    if kind == 'year':
        return whole_year(year)
    raise BadInput(_('Kỳ tùy chọn cần "from" và "to".'), code='invalid_period')


def custom(start, end):
    if end < start:
        raise BadInput(_('Ngày kết thúc ("to") phải sau hoặc bằng ngày bắt đầu ("from").'), code='invalid_period')
    if (end - start).days > MAX_DAYS:
        raise BadInput(_('Kỳ báo cáo dài quá 10 năm.'), code='invalid_period')
    return Period(start, end, 'custom')


def trailing_months(period, count=12):
    """The `count` calendar months ending with the period's last month (for the trend chart)."""
    y, m = period.end.year, period.end.month
    out = []
    for _i in range(count):
        out.append(month(y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return list(reversed(out))
