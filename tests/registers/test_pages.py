"""Registers: Decree 30 columns, year filter, CSV, and who may see them."""
import csv
import io

import pytest

from tests.support.pages import act, delivered_file_id, issued_through_pages, page
from workflow.timeutil import vn_today


@pytest.fixture
def org(communes_org):
    """The district UBND and two communes, someone in every role (tests/builders.py)."""
    return communes_org


def test_outgoing_and_incoming_registers_with_csv(app, org, as_user):
    source = issued_through_pages(app, org, as_user, title='Quyết định phê duyệt kế hoạch')
    clerk = as_user(org.clerk)
    year = vn_today().year
    text = page(clerk, f'/registers/outgoing?year={year}')
    assert 'Sổ đăng ký văn bản đi' in text and 'Số, ký hiệu văn bản' in text and 'Nơi nhận văn bản' in text
    assert '01/QĐ-UBND' in text and 'Quyết định: Quyết định phê duyệt kế hoạch' in text
    assert 'UBND xã Đông Hiệp; UBND xã Thạnh Phú' in text
    assert 'Chưa có văn bản nào' in page(clerk, f'/registers/outgoing?year={year - 1}')

    response = clerk.get(f'/registers/outgoing/csv?year={year}')
    assert response.status_code == 200 and response.mimetype == 'text/csv'
    assert 'attachment' in response.headers['Content-Disposition']
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip('\ufeff'))))
    assert rows[0][0] == 'Số, ký hiệu văn bản'
    assert rows[1][0] == '01/QĐ-UBND' and rows[1][4] == 'UBND xã Đông Hiệp; UBND xã Thạnh Phú'

    commune_clerk = as_user(org.commune_clerk)
    act(commune_clerk, delivered_file_id(app, source, org.commune), 'register')
    incoming = page(commune_clerk, '/registers/incoming')
    assert 'Sổ đăng ký văn bản đến' in incoming and 'Số đến' in incoming and 'UBND huyện Cờ Đỏ' in incoming
    rows = list(csv.reader(io.StringIO(commune_clerk.get('/registers/incoming/csv').get_data(as_text=True)
                                       .lstrip('\ufeff'))))
    assert rows[1][1] == '1' and rows[1][3] == '01/QĐ-UBND' and rows[1][2] == 'UBND huyện Cờ Đỏ'


def test_registers_are_for_clerks_leaders_and_admins_of_their_unit(app, org, as_user):
    assert as_user(org.specialist).get('/registers/incoming').status_code == 403
    assert as_user(org.leader).get('/registers/incoming').status_code == 200
    assert as_user(org.commune_clerk).get(f'/registers/incoming?unit_id={org.district.id}').status_code == 403
    admin = as_user(org.admin)
    text = page(admin, f'/registers/incoming?unit_id={org.commune.id}')
    assert 'UBND xã Đông Hiệp' in text
    assert admin.get('/registers/elsewhere').status_code == 404


def test_register_page_is_printable(app, org, as_user):
    text = page(as_user(org.clerk), '/registers/outgoing')
    assert 'print-button' in text and 'd-print-none' in text
    css = app.test_client().get('/static/css/app.css').get_data(as_text=True)
    assert '@media print' in css
