"""Paperless rates and the further indicators on hand-built data with known answers."""
from datetime import date, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.builders import pdf, vn_time
from workflow.extensions import db
from workflow.files.models import WorkFile
from workflow.files.operations import Upload, complete_file, create_file, mark_not_electronic
from workflow.metrics import periods
from workflow.metrics.indicators import (
    exact_median_handling_seconds,
    indicators,
    median_from_buckets,
    median_handling_seconds,
    monthly_trend,
)
from workflow.metrics.models import HANDLING_BUCKET_COLUMNS, HANDLING_BUCKET_EDGES_HOURS, DailyCount
from workflow.metrics.operations import rebuild_daily_counts, seed_default_targets
from workflow.metrics.paperless import paperless, paperless_counts_from_files
from workflow.metrics.scope import select_units
from workflow.timeutil import clock_at
from workflow.vocabulary import REASON_PAPER_ORIGIN, REASON_PAPER_STEP, REASON_UNSIGNED_ISSUANCE


def admin_view(cd, **kwargs):
    return select_units(cd.admin, **kwargs)


def figures(cd, period, **kwargs):
    return paperless(period, admin_view(cd, **kwargs))


def daily_rows():
    return sorted((r.unit_id, r.day, r.closed, r.fully_electronic, r.with_deadline, r.on_time, r.issued, r.issued_signed,  # noqa: E501
                   *[getattr(r, name) for name in HANDLING_BUCKET_COLUMNS])
                  for r in db.session.scalars(select(DailyCount)))


def bucket_width(seconds):
    """Width in seconds of the histogram bucket holding a handling time (infinite for the last)."""
    hours = seconds / 3600
    edges = HANDLING_BUCKET_EDGES_HOURS
    for low, high in zip(edges, edges[1:], strict=False):
        if low <= hours < high:
            return (high - low) * 3600
    return float('inf')  # the open-ended last bucket (or a negative time, which the tests never make)


def assert_within_resolution(approx, durations):
    """The histogram's median lies within the bucket resolution of the exact median, both computed
    here from the test's own handling times (in seconds)."""
    ordered = sorted(durations)
    n = len(ordered)
    lower, upper = ordered[(n - 1) // 2], ordered[n // 2]
    exact = (lower + upper) / 2
    resolution = max(bucket_width(lower), bucket_width(upper))
    assert approx is not None
    assert abs(approx - exact) <= resolution + 1e-6, (approx, exact, resolution)


def test_rates_per_level_and_unit_with_known_answers(cd):
    seed_default_targets()
    march = vn_time(2024, 3, 15, 9, 0)
    for _ in range(3):
        cd.closed_file(cd.vp, march)
    cd.closed_file(cd.vp, march, reasons=[REASON_PAPER_ORIGIN])
    cd.closed_file(cd.departments['TCKH'], march, reasons=[REASON_PAPER_STEP, REASON_UNSIGNED_ISSUANCE])
    cd.closed_file(cd.dong_hiep, march)
    cd.closed_file(cd.dong_hiep, march, reasons=[REASON_PAPER_STEP])
    cd.closed_file(cd.dong_hiep, None)  # still open: not closed, not counted
    cd.closed_file(cd.dong_hiep, vn_time(2024, 4, 2, 8, 0))  # next quarter
    db.session.commit()

    result = figures(cd, periods.quarter(2024, 1))
    district, commune = result['levels']['district'], result['levels']['commune']
    assert (district['closed'], district['fully_electronic']) == (5, 3)
    assert district['rate'] == pytest.approx(0.6)
    assert district['target'] == pytest.approx(0.8)  # 2024: the first milestone (2025) applies
    assert (commune['closed'], commune['fully_electronic'], commune['rate']) == (2, 1, 0.5)
    assert commune['target'] == pytest.approx(0.6)
    by_unit = {u['unit_id']: u for u in result['units']}
    assert (by_unit[cd.vp.id]['closed'], by_unit[cd.vp.id]['fully_electronic']) == (4, 3)
    assert by_unit[cd.vp.id]['rate'] == pytest.approx(0.75)
    assert by_unit[cd.departments['TCKH'].id]['rate'] == 0
    assert by_unit[cd.district.id]['rate'] is None  # closed nothing: no rate, not 0 %
    listed = {item['file_id']: set(item['reasons']) for item in result['not_electronic']}
    assert sorted(map(sorted, listed.values())) == [['paper_origin'], ['paper_step'], ['paper_step', 'unsigned_issuance']]  # noqa: E501
    assert result['not_electronic_total'] == 3

    # The daily counts agree with the definition computed straight from the work files.
    from_files = paperless_counts_from_files(periods.quarter(2024, 1), admin_view(cd))
    assert from_files == {'district': (5, 3), 'commune': (2, 1)}


def test_empty_period_has_zero_closed_and_no_rate(cd):
    cd.closed_file(cd.vp, vn_time(2024, 3, 15, 9, 0))
    db.session.commit()
    result = figures(cd, periods.month(2023, 7))
    assert result['levels']['district'] == {'closed': 0, 'fully_electronic': 0, 'rate': None,
                                            'target': None, 'gap': None}
    assert result['not_electronic'] == [] and result['not_electronic_total'] == 0
    assert all(u['closed'] == 0 for u in result['units'])


def test_closing_at_2359_on_31_march_vietnam_time_is_first_quarter(cd):
    boundary = cd.closed_file(cd.vp, vn_time(2024, 3, 31, 23, 59, 59))
    after = cd.closed_file(cd.vp, vn_time(2024, 4, 1, 0, 0, 0), reasons=[REASON_PAPER_ORIGIN])
    db.session.commit()
    # 23:59:59 on 31/03 in Vietnam is 16:59:59 UTC on 31/03; 00:00 on 01/04 is 17:00 UTC on 31/03.
    assert boundary.closed_at.astimezone(timezone.utc).hour == 16
    q1, q2 = figures(cd, periods.quarter(2024, 1)), figures(cd, periods.quarter(2024, 2))
    assert (q1['levels']['district']['closed'], q1['levels']['district']['fully_electronic']) == (1, 1)
    assert (q2['levels']['district']['closed'], q2['levels']['district']['fully_electronic']) == (1, 0)
    assert [i['file_id'] for i in q2['not_electronic']] == [after.id]
    # The same split, straight from the files, and a custom range ending on 31/03.
    march_31 = periods.custom(date(2024, 3, 31), date(2024, 3, 31))
    assert paperless_counts_from_files(march_31, admin_view(cd)) == {'district': (1, 1)}
    assert figures(cd, march_31)['levels']['district']['closed'] == 1


def test_reopened_file_drops_out_and_counts_again_when_closed_in_a_new_period(cd):
    file = cd.closed_file(cd.vp, vn_time(2024, 1, 10, 10, 0))
    db.session.commit()
    assert figures(cd, periods.month(2024, 1))['levels']['district']['closed'] == 1
    file.closed_at = None  # what reopen_file does
    db.session.commit()
    assert figures(cd, periods.month(2024, 1))['levels']['district']['closed'] == 0
    file.closed_at = vn_time(2024, 2, 20, 10, 0)
    db.session.commit()
    assert figures(cd, periods.month(2024, 1))['levels']['district']['closed'] == 0
    assert figures(cd, periods.month(2024, 2))['levels']['district']['closed'] == 1
    assert figures(cd, periods.quarter(2024, 1))['levels']['district']['closed'] == 1


def test_reopen_and_complete_through_the_service_layer(cd, org_files):
    file = org_files.completed_at(vn_time(2024, 5, 31, 23, 30))
    assert figures(cd, periods.month(2024, 5))['levels']['district']['closed'] == 1
    with clock_at(vn_time(2024, 6, 3, 9, 0)):
        org_files.reopen(file)
    assert figures(cd, periods.month(2024, 5))['levels']['district']['closed'] == 0
    with clock_at(vn_time(2024, 6, 4, 9, 0)):
        org_files.complete(file)
    june = figures(cd, periods.month(2024, 6))['levels']['district']
    assert (june['closed'], june['fully_electronic']) == (1, 1)


def test_a_paper_mark_added_after_closing_moves_the_file_out_of_fully_electronic(cd):
    file = cd.closed_file(cd.vp, vn_time(2024, 1, 10, 10, 0))
    db.session.commit()
    assert figures(cd, periods.month(2024, 1))['levels']['district']['fully_electronic'] == 1
    mark_not_electronic(file, REASON_PAPER_STEP, 'Ký bản giấy')
    db.session.commit()
    jan = figures(cd, periods.month(2024, 1))
    assert jan['levels']['district']['fully_electronic'] == 0
    assert jan['not_electronic'][0]['reasons'] == ['paper_step']


def test_a_unit_moved_between_levels_takes_its_history_along(cd):
    section = cd.dong_hiep_section
    for _ in range(2):
        cd.closed_file(section, vn_time(2023, 11, 5, 9, 0))
    cd.closed_file(cd.vp, vn_time(2023, 11, 5, 9, 0))
    db.session.commit()
    november = periods.month(2023, 11)
    assert figures(cd, november)['levels']['commune']['closed'] == 2
    section.level_code = 'district'  # the 2025 reform re-tiers units
    db.session.commit()
    moved = figures(cd, november)
    assert moved['levels']['district']['closed'] == 3
    assert 'commune' not in moved['levels'] or moved['levels']['commune']['closed'] == 0
    assert paperless_counts_from_files(november, admin_view(cd)) == {'district': (3, 3)}


def test_level_and_unit_filters_narrow_the_figures(cd):
    cd.closed_file(cd.vp, vn_time(2024, 3, 1, 9, 0))
    cd.closed_file(cd.dong_hiep, vn_time(2024, 3, 1, 9, 0))
    cd.closed_file(cd.dong_hiep_section, vn_time(2024, 3, 1, 9, 0), reasons=[REASON_PAPER_ORIGIN])
    db.session.commit()
    march = periods.month(2024, 3)
    only_commune = figures(cd, march, level='commune')
    assert list(only_commune['levels']) == ['commune']
    assert only_commune['levels']['commune']['closed'] == 2
    subtree = figures(cd, march, unit_id=cd.dong_hiep.id)
    assert {u['unit_id'] for u in subtree['units']} == {cd.dong_hiep.id, cd.dong_hiep_section.id}
    assert (subtree['levels']['commune']['closed'], subtree['levels']['commune']['fully_electronic']) == (2, 1)


def test_indicators_signed_share_on_time_median_and_overdue(cd):
    at = vn_time(2024, 3, 10, 9, 0)
    # Issued by UBND huyện: 3 outgoing, 2 with valid signatures; an incoming copy is not an issuance.
    for check in ('valid', 'valid', 'unsigned'):
        cd.closed_file(cd.vp, at, issued_at=at, issuing_unit=cd.district, signature_check=check)
    cd.closed_file(cd.dong_hiep, at, direction='incoming', issued_at=at, issuing_unit=cd.district,
                   signature_check='valid')
    # On time: closed before the deadline (2 of 3 with a deadline); handling 1, 2, 4, 10 days at Đông Hiệp.
    cd.closed_file(cd.departments['TP'], at, created_at=at - timedelta(days=1), deadline=at + timedelta(hours=1))
    cd.closed_file(cd.departments['TP'], at, created_at=at - timedelta(days=2), deadline=at)
    cd.closed_file(cd.departments['TP'], at, created_at=at - timedelta(days=4), deadline=at - timedelta(days=1))
    cd.closed_file(cd.departments['TP'], at, created_at=at - timedelta(days=10))
    # Overdue now: open with a deadline in the past; an open one with a future deadline is not.
    cd.closed_file(cd.dong_hiep, None, deadline=vn_time(2020, 1, 1, 17, 0))
    cd.closed_file(cd.dong_hiep, None, deadline=vn_time(2099, 1, 1, 17, 0))
    db.session.commit()

    data = indicators(periods.month(2024, 3), admin_view(cd))
    district = data['levels']['district']
    assert (district['issued'], district['issued_signed']) == (3, 2)
    assert district['signed_rate'] == pytest.approx(2 / 3)
    assert (district['with_deadline'], district['on_time']) == (3, 2)
    tp = next(u for u in data['units'] if u['unit_id'] == cd.departments['TP'].id)
    # Median of 1, 2, 4, 10 days is 3 days exactly; the histogram's is within the bucket resolution.
    assert_within_resolution(tp['median_handling_seconds'], [d * 86400 for d in (1, 2, 4, 10)])
    assert tp['median_handling_approx'] is True
    assert tp['on_time_rate'] == pytest.approx(2 / 3)
    assert data['levels']['commune']['overdue_now'] == 1
    assert data['levels']['commune']['issued'] == 0


def test_median_with_an_odd_count_is_the_middle_value(cd):
    at = vn_time(2024, 3, 10, 9, 0)
    for days in (5, 1, 3):
        cd.closed_file(cd.dong_hiep, at, created_at=at - timedelta(days=days))
    db.session.commit()
    medians = median_handling_seconds(periods.month(2024, 3), admin_view(cd), by='level')
    assert set(medians) == {'commune'}
    assert_within_resolution(medians['commune'], [d * 86400 for d in (5, 1, 3)])
    exact = exact_median_handling_seconds(periods.month(2024, 3), admin_view(cd), by='level')
    assert exact == {'commune': pytest.approx(3 * 86400)}


def test_histogram_median_tracks_the_exact_median_per_level_and_unit(cd):
    import random
    rng = random.Random(20240301)
    at = vn_time(2024, 3, 20, 15, 0)
    handled = {'district': [], 'commune': []}
    by_unit = {}
    units = [(cd.vp, 'district'), (cd.departments['TP'], 'district'), (cd.dong_hiep, 'commune')]
    for index in range(61):
        unit, level = units[index % 3]
        seconds = int(rng.choice([rng.uniform(0, 4 * 3600), rng.uniform(3600, 6 * 86400),
                                  rng.uniform(2 * 86400, 29 * 86400)]))
        closed = at - timedelta(days=index % 15)
        cd.closed_file(unit, closed, created_at=closed - timedelta(seconds=seconds))
        handled[level].append(seconds)
        by_unit.setdefault(unit.id, []).append(seconds)
    db.session.commit()
    march = periods.month(2024, 3)
    for level, median in median_handling_seconds(march, admin_view(cd), by='level').items():
        assert_within_resolution(median, handled[level])
    for unit_id, median in median_handling_seconds(march, admin_view(cd), by='unit').items():
        assert_within_resolution(median, by_unit[unit_id])
    assert set(median_handling_seconds(march, admin_view(cd), by='unit')) == set(by_unit)
    # The rebuild puts every file in the same bucket as the listener did.
    kept = daily_rows()
    rebuild_daily_counts()
    assert daily_rows() == kept


def test_median_from_buckets_interpolates_within_the_middle_bucket():
    empty = [0] * len(HANDLING_BUCKET_COLUMNS)
    assert median_from_buckets(empty) is None
    one = list(empty)
    one[HANDLING_BUCKET_EDGES_HOURS.index(24)] = 1  # one file handled in [24 h, 36 h): the bucket's middle
    assert median_from_buckets(one) == pytest.approx(30 * 3600)
    four = list(empty)
    four[HANDLING_BUCKET_EDGES_HOURS.index(4)] = 4  # four files in [4 h, 8 h): at 4.5, 5.5, 6.5, 7.5 h
    assert median_from_buckets(four) == pytest.approx(6 * 3600)
    long = list(empty)
    long[-1] = 3  # open-ended: "30 days or more" is given as 30 days
    assert median_from_buckets(long) == pytest.approx(30 * 86400)


def test_rebuilding_the_daily_counts_gives_what_the_listener_kept(cd):
    seed_default_targets()
    for day in (1, 2, 28):
        cd.closed_file(cd.vp, vn_time(2024, 2, day, 23, 30), reasons=[REASON_PAPER_ORIGIN] if day == 2 else [],
                       deadline=vn_time(2024, 2, day, 12, 0))
    cd.closed_file(cd.dong_hiep, vn_time(2024, 2, 29, 6, 0), issued_at=vn_time(2024, 2, 29, 6, 0),
                   issuing_unit=cd.dong_hiep, signature_check='valid')
    db.session.commit()
    kept = daily_rows()
    assert len(kept) == 4
    rebuild_daily_counts()
    db.session.commit()
    assert daily_rows() == kept


def test_monthly_trend_carries_rates_and_the_target_of_each_year(cd):
    seed_default_targets()
    cd.closed_file(cd.vp, vn_time(2024, 12, 5, 9, 0))
    cd.closed_file(cd.vp, vn_time(2025, 1, 5, 9, 0), reasons=[REASON_PAPER_ORIGIN])
    cd.closed_file(cd.vp, vn_time(2025, 1, 6, 9, 0))
    db.session.commit()
    trend = monthly_trend(periods.month(2025, 1), admin_view(cd))
    assert trend['months'][-2:] == ['12/2024', '01/2025'] and len(trend['months']) == 12
    district = trend['levels']['district']
    assert district['rates'][-2:] == [1.0, 0.5]
    assert district['rates'][0] is None
    assert district['targets'][-1] == pytest.approx(0.8)


@pytest.fixture
def org_files(cd):
    """Files built through the service layer at chosen moments."""
    class Builder:
        def completed_at(self, moment):
            with clock_at(moment - timedelta(days=1)):
                file, _dup = create_file(cd.specialist, title='Báo cáo tháng', doc_type='BC',
                                         upload=Upload('bao-cao.pdf', pdf()))
            db.session.commit()
            with clock_at(moment):
                self.complete(file)
            return file

        def complete(self, file):
            complete_file(file, cd.specialist, note='Xong')
            db.session.commit()

        def reopen(self, file):
            from workflow.files.operations import reopen_file
            reopen_file(file, cd.specialist, note='Bổ sung')
            db.session.commit()
    return Builder()


def test_service_layer_closure_lands_in_the_vietnamese_day(cd, org_files):
    file = org_files.completed_at(vn_time(2024, 6, 30, 23, 59))
    assert db.session.get(WorkFile, file.id).closed_at is not None
    row = db.session.scalar(select(DailyCount).where(DailyCount.unit_id == cd.vp.id))
    assert row.day == date(2024, 6, 30) and row.closed == 1
    assert figures(cd, periods.half(2024, 1))['levels']['district']['closed'] == 1
    assert figures(cd, periods.half(2024, 2))['levels']['district']['closed'] == 0
