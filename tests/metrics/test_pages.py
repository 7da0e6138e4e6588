"""The HTML side: dashboard, drill-down, report, targets, exports (CSV and XLSX read back)."""
import csv
import io

import pytest
from openpyxl import load_workbook

from tests.builders import vn_time
from tests.support.pages import login, text_of
from workflow.metrics.operations import seed_default_targets
from workflow.vocabulary import REASON_PAPER_ORIGIN, REASON_UNSIGNED_ISSUANCE

MARCH = {'from': '2024-03-01', 'to': '2024-03-31'}


def build(cd):
    seed_default_targets()
    at = vn_time(2024, 3, 12, 10, 0)
    for _ in range(3):
        cd.closed_file(cd.vp, at, title='Kế hoạch chuyển đổi số')
    cd.closed_file(cd.vp, at, reasons=[REASON_PAPER_ORIGIN], title='Công văn scan từ giấy')
    cd.closed_file(cd.dong_hiep, at, reasons=[REASON_UNSIGNED_ISSUANCE], title='Thông báo của xã')
    cd.closed_file(cd.dong_hiep, at)


@pytest.fixture
def d(district):
    return district(build)


def test_dashboard_shows_levels_against_targets_without_inline_script(client, d):
    login(client, d.admin)
    response = client.get('/metrics/', query_string=MARCH)
    assert response.status_code == 200
    page = text_of(response)
    assert 'data-testid="rate-district">75,00 %' in page
    assert 'data-testid="rate-commune">50,00 %' in page
    assert 'Còn thiếu 5,00 điểm %' in page and 'Còn thiếu 10,00 điểm %' in page
    assert 'Có văn bản gốc giấy' in page
    # The median handling time comes from a histogram: shown as approximate (every file here took 3 days).
    assert '≈ 3,5 ngày' in page
    assert 'data-source="/metrics/data.json?from=2024-03-01&amp;to=2024-03-31"' in page
    assert "script-src 'self'" in response.headers['Content-Security-Policy']
    html = response.get_data(as_text=True)
    assert '<script>' not in html and ' style="' not in html and ' onclick=' not in html


def test_dashboard_in_english(client, d):
    login(client, d.admin)
    assert client.post('/locale/en').status_code in (302, 303)
    page = text_of(client.get('/metrics/', query_string=MARCH))
    assert 'Measuring the paperless office' in page
    assert '75.00 %' in page and 'Distance to target' in page and '5.00 percentage points short' in page


def test_leader_sees_dashboard_specialist_and_clerk_do_not(client, d):
    login(client, d.dh_leader)
    page = text_of(client.get('/metrics/', query_string=MARCH))
    assert 'data-testid="level-card-commune"' in page and 'data-testid="level-card-district"' not in page
    assert client.get('/metrics/', query_string={**MARCH, 'unit_id': d.vp.id}).status_code == 403
    for user in (d.specialist, d.clerk):
        other = client.application.test_client()
        login(other, user)
        assert other.get('/metrics/').status_code == 403
        assert other.get('/metrics/data.json').status_code == 403


def test_anonymous_is_sent_to_login(client, d):
    response = client.get('/metrics/')
    assert response.status_code == 302 and '/login' in response.headers['Location']


def test_drill_down_lists_the_files_behind_a_figure_with_reasons(client, d):
    login(client, d.admin)
    page = text_of(client.get('/metrics/files', query_string={**MARCH, 'which': 'not_electronic'}))
    assert 'data-testid="files-total">2<' in page
    assert 'Công văn scan từ giấy' in page and 'Thông báo của xã' in page
    assert 'Phát hành không có chữ ký số hợp lệ' in page
    assert 'Kế hoạch chuyển đổi số' not in page
    unit = text_of(client.get('/metrics/files', query_string={**MARCH, 'which': 'all', 'unit_id': d.dong_hiep.id}))
    assert 'data-testid="files-total">2<' in unit


def test_dashboard_json_for_the_charts(client, d):
    login(client, d.admin)
    body = client.get('/metrics/data.json', query_string=MARCH).get_json()
    assert body['charts']['levels']['district'] == {'rate': 75.0, 'target': 80.0, 'closed': 4}
    assert body['paperless']['levels']['commune']['closed'] == 2


def test_printable_report_has_every_section(client, d):
    login(client, d.admin)
    page = text_of(client.get('/metrics/report', query_string={'period': 'month', 'year': 2024, 'number': 3}))
    assert 'Tháng 03/2024' in page and '75,00 %' in page and '80,00 %' in page
    assert 'Hồ sơ thủ tục hành chính giải quyết trực tuyến' in page and 'print-button' in page


def test_csv_export_reads_back(client, d):
    login(client, d.admin)
    response = client.get('/metrics/export/paperless-units.csv', query_string=MARCH)
    assert response.status_code == 200 and response.mimetype == 'text/csv'
    text = response.get_data(as_text=True)
    assert text.startswith('\ufeff')
    rows = list(csv.reader(io.StringIO(text.lstrip('\ufeff'))))
    assert rows[0] == ['Mã đơn vị', 'Đơn vị', 'Hồ sơ đã kết thúc', 'Hoàn toàn trực tuyến', 'Tỷ lệ (%)', 'Chỉ tiêu (%)']
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code['H17.01'][2:] == ['4', '3', '75.00', '80.00']
    assert by_code['H17.22'][2:] == ['2', '1', '50.00', '60.00']
    assert by_code['H17'][4] == ''  # closed nothing: no rate


def test_xlsx_export_reads_back_with_openpyxl(client, d):
    login(client, d.admin)
    response = client.get('/metrics/export/paperless-levels.xlsx', query_string=MARCH)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert 'Tỷ lệ xử lý hồ sơ hoàn toàn trực tuyến theo cấp' in sheet['A1'].value
    assert [c.value for c in sheet[2]] == ['Cấp', 'Hồ sơ đã kết thúc', 'Hoàn toàn trực tuyến', 'Tỷ lệ (%)', 'Chỉ tiêu (%)']  # noqa: E501
    rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows['Huyện'] == ('Huyện', 4, 3, 0.75, 0.8)
    assert rows['Xã'] == ('Xã', 2, 1, 0.5, 0.6)
    assert sheet['D3'].number_format == '0.00%'


@pytest.mark.parametrize('name', ['paperless-levels', 'paperless-units', 'indicators-levels', 'indicators-units',
                                  'dossiers-levels', 'dossiers-units', 'files', 'targets'])
def test_every_table_exports_in_both_formats(client, d, name):
    login(client, d.admin)
    as_csv = client.get(f'/metrics/export/{name}.csv', query_string=MARCH)
    as_xlsx = client.get(f'/metrics/export/{name}.xlsx', query_string=MARCH)
    assert as_csv.status_code == as_xlsx.status_code == 200
    csv_rows = list(csv.reader(io.StringIO(as_csv.get_data(as_text=True).lstrip('\ufeff'))))
    sheet = load_workbook(io.BytesIO(as_xlsx.data)).active
    assert [c.value for c in sheet[2]] == csv_rows[0]
    assert sheet.max_row - 2 == len(csv_rows) - 1


def test_files_export_carries_the_reasons(client, d):
    login(client, d.admin)
    text = client.get('/metrics/export/files.csv', query_string={**MARCH, 'which': 'not_electronic'}).get_data(as_text=True)  # noqa: E501
    rows = list(csv.reader(io.StringIO(text.lstrip('\ufeff'))))
    assert len(rows) == 3
    assert {row[-1] for row in rows[1:]} == {'Có văn bản gốc giấy (scan từ bản giấy)', 'Phát hành không có chữ ký số hợp lệ'}  # noqa: E501


def test_admin_edits_targets_on_the_page(client, d):
    login(client, d.admin)
    page = text_of(client.get('/metrics/targets'))
    assert 'Hồ sơ công việc xử lý hoàn toàn trực tuyến' in page and '80,00 %' in page
    saved = client.post('/metrics/targets', data={'indicator': 'paperless', 'level': 'district', 'year': 2024,
                                                   'value': '72.5'})
    assert saved.status_code == 302
    dashboard = text_of(client.get('/metrics/', query_string=MARCH))
    assert 'Chỉ tiêu 2024: 72,50 %' in dashboard
    refused = client.post('/metrics/targets', data={'indicator': 'paperless', 'level': 'district', 'year': 2024,
                                                     'value': '140'})
    assert refused.status_code == 400
    leader = client.application.test_client()
    login(leader, d.chairman)
    assert leader.get('/metrics/targets').status_code == 403
