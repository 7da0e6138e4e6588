from datetime import date, datetime, timedelta

from workflow.deadlines import add_working_days, end_of_day, is_working_day
from workflow.files.models import WorkFile
from workflow.files.search import fold
from workflow.timeutil import VN, clock_at


def test_working_days_skip_weekends():
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Friday → Monday


def test_working_days_skip_tet_and_national_days():
    assert not is_working_day(date(2026, 2, 17))  # Tết
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert add_working_days(date(2026, 4, 29), 1) == date(2026, 5, 4)  # 30/4, 1/5, weekend
    assert not is_working_day(date(2025, 9, 2))


def test_overdue_is_judged_on_the_vietnamese_clock():
    deadline = end_of_day(date(2026, 3, 10))
    file = WorkFile(deadline=deadline)
    with clock_at(datetime(2026, 3, 10, 23, 30, tzinfo=VN)):
        assert not file.overdue  # 16:30 UTC: still the 10th in Hà Nội
    with clock_at(datetime(2026, 3, 11, 0, 5, tzinfo=VN)):
        assert file.overdue  # 17:05 UTC on the 10th, but already the 11th in Vietnam
    with clock_at(deadline + timedelta(days=3)):
        file.closed_at = deadline
        assert not file.overdue


def test_search_folding_ignores_diacritics():
    assert fold('Kế hoạch CHUYỂN ĐỔI SỐ  năm 2026') == 'ke hoach chuyen doi so nam 2026'
    assert 'chuyen doi so' in fold('Chuyển đổi số')
    assert fold('Đông Hiệp') == 'dong hiep'
