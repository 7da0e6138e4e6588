"""Deadlines in working days: weekends and Vietnamese public holidays are skipped."""
from datetime import datetime, time, timedelta

import holidays

from .timeutil import VN

_vn_holidays = {}


def is_holiday(day):
    year_set = _vn_holidays.get(day.year)
    if year_set is None:  # built once per year: building it is slow
        year_set = _vn_holidays[day.year] = holidays.country_holidays('VN', years=day.year)
    return day in year_set


def is_working_day(day):
    return day.weekday() < 5 and not is_holiday(day)


def add_working_days(start, days):
    """The date `days` working days after `start` (a date)."""
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current


def end_of_day(day):
    """A deadline on a day means the end of that day in Vietnam."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=VN)
