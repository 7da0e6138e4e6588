"""Time in the Vietnam time zone; everything stored is timezone-aware UTC."""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

VN = ZoneInfo('Asia/Ho_Chi_Minh')
_frozen = ContextVar('frozen_now', default=None)


def now():
    """The current instant, aware, in UTC (or the instant set by `clock_at`)."""
    frozen = _frozen.get()
    return frozen if frozen is not None else datetime.now(timezone.utc)


@contextmanager
def clock_at(moment):
    """Run operations as if it were `moment`: for demo history and for tests of dates and periods."""
    token = _frozen.set(aware(moment).astimezone(timezone.utc))
    try:
        yield
    finally:
        _frozen.reset(token)


def aware(moment):
    """Values read back from SQLite lose their zone; they were stored as UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def vn(moment):
    """The same instant on a Vietnamese wall clock."""
    return aware(moment).astimezone(VN) if moment else None


def vn_today():
    return now().astimezone(VN).date()


def iso(moment):
    """ISO 8601 with the Vietnam offset (+07:00), or None."""
    return vn(moment).isoformat(timespec='seconds') if moment else None


def vn_date_str(moment):
    """dd/mm/yyyy as Vietnamese users write dates."""
    return vn(moment).strftime('%d/%m/%Y') if moment else ''


def vn_datetime_str(moment):
    return vn(moment).strftime('%H:%M %d/%m/%Y') if moment else ''
