"""TTHC dossier imports: the seed article's H1-2023 figures, row-level errors, all rows or none."""
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.support.api import api_token
from tests.support.pages import login, text_of
from workflow.extensions import db
from workflow.metrics.models import DossierCount, DossierImport

FIXTURE = Path(__file__).parent / 'tthc_h1_2023.csv'
H1 = {'from': '2023-01-01', 'to': '2023-06-30'}
HEADER = 'unit_code,period_start,period_end,total,online,paid_online\n'


def post_csv(client, headers, data, name='tthc.csv'):
    return client.post('/api/v1/metrics/dossiers', headers=headers,
                       data={'file': (io.BytesIO(data), name)}, content_type='multipart/form-data')


def counts_in_db(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(DossierCount)), \
            db.session.scalar(select(func.count()).select_from(DossierImport))


@pytest.fixture
def d(district):
    from workflow.metrics.operations import seed_default_targets
    return district(lambda _d: seed_default_targets())


def test_seed_article_figures_are_reproduced_from_the_csv(client, d, app):
    headers = api_token(client, d.admin)
    response = post_csv(client, headers, FIXTURE.read_bytes())
    assert response.status_code == 201, response.get_json()
    assert response.get_json()['rows'] == 35
    body = client.get('/api/v1/metrics/dossiers', query_string=H1, headers=headers).get_json()
    district, commune = body['levels']['district'], body['levels']['commune']
    assert (district['online'], district['total']) == (630, 1857)
    assert (commune['online'], commune['total']) == (3764, 9560)
    assert district['rate'] == 630 / 1857 and commune['rate'] == 3764 / 9560
    assert int(district['rate'] * 10000) / 100 == 33.92  # as the article prints it
    assert round(commune['rate'] * 100, 2) == 39.37
    assert district['target'] == 0.5 and commune['target'] == 0.5  # 2023: the 2025 milestone applies
    dong_hiep = next(u for u in body['units'] if u['code'] == 'H17.22')
    assert dong_hiep['paid_online'] == 211
    assert dong_hiep['name'] == 'UBND xã Đông Hiệp'
    # July is outside the half-year; asking for it alone finds it.
    july = client.get('/api/v1/metrics/dossiers', query_string={'from': '2023-07-01', 'to': '2023-07-31'},
                      headers=headers).get_json()
    assert july['levels']['commune']['total'] == 190 and july['levels']['district']['total'] == 80


def test_the_page_shows_the_article_percentages(client, d):
    post_csv(client, api_token(client, d.admin), FIXTURE.read_bytes())
    login(client, d.admin)
    page = text_of(client.get('/metrics/dossiers', query_string=H1))
    assert '33,92 %' in page and '39,37 %' in page
    assert '1.857' in page and '9.560' in page and '211' in page


def test_reimporting_the_same_unit_and_period_replaces_the_counts(client, d, app):
    headers = api_token(client, d.admin)
    assert post_csv(client, headers, (HEADER + 'H17.22,2023-01-01,2023-06-30,100,40,5\n').encode()).status_code == 201
    again = post_csv(client, headers, (HEADER + 'H17.22,01/01/2023,30/06/2023,120,60,7\n').encode())
    assert again.get_json()['replaced'] == 1
    body = client.get('/api/v1/metrics/dossiers', query_string=H1, headers=headers).get_json()
    assert body['levels']['commune'] == {**body['levels']['commune'], 'total': 120, 'online': 60, 'paid_online': 7}
    assert counts_in_db(app) == (1, 2)


def test_every_faulty_row_is_reported_and_nothing_is_imported(client, d, app):
    headers = api_token(client, d.admin)
    rows = [
        'H17.22,2023-01-01,2023-03-31,100,40,5',      # 2: good
        'X99,2023-01-01,2023-03-31,10,1,0',           # 3: unknown unit
        'H17.23,2023-01-01,2023-03-31,10,11,0',       # 4: online > total
        'H17.24,2023-01-01,2023-03-31,-5,0,0',        # 5: negative
        'H17.25,31/02/2023,2023-03-31,10,1,0',        # 6: bad date
        'H17.26,2023-03-31,2023-01-01,10,1,0',        # 7: end before start
        'H17.22,01/01/2023,31/03/2023,7,1,0',         # 8: duplicate of line 2
        'H17.27,2023-01-01,2023-03-31,abc,1,0',       # 9: not a number
    ]
    response = post_csv(client, headers, (HEADER + '\n'.join(rows) + '\n').encode())
    assert response.status_code == 422
    error = response.get_json()['error']
    assert error['code'] == 'invalid_rows'
    lines = {r['line']: r['message'] for r in error['rows']}
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9]
    assert 'X99' in lines[3] and 'lớn hơn tổng số' in lines[4] and 'âm' in lines[5]
    assert 'ngày hợp lệ' in lines[6] and 'trước ngày bắt đầu' in lines[7] and 'dòng 2' in lines[8]
    assert counts_in_db(app) == (0, 0)
    en = client.post('/api/v1/metrics/dossiers', headers={**headers, 'Accept-Language': 'en'},
                     data={'file': (io.BytesIO((HEADER + rows[1] + '\n').encode()), 'x.csv')})
    assert en.get_json()['error']['rows'][0]['message'] == 'There is no unit with code "X99".'


@pytest.mark.parametrize('data, code', [
    (b'', 'empty_file'),
    (b'unit_code,total\nH17.22,5\n', 'missing_columns'),
    ('unit_code,period_start,period_end,total,online,paid_online\n'.encode('utf-16'), 'bad_encoding'),
    (HEADER.encode(), 'no_rows'),
])
def test_unreadable_files_are_refused_with_a_clear_code(client, d, app, data, code):
    response = post_csv(client, api_token(client, d.admin), data)
    assert response.status_code == 400
    assert response.get_json()['error']['code'] == code
    assert counts_in_db(app) == (0, 0)


def test_semicolons_and_a_bom_are_accepted(client, d):
    data = '\ufeffunit_code;period_start;period_end;total;online;paid_online\r\nH17.22;01/01/2023;30/06/2023;10;4;1\r\n'
    assert post_csv(client, api_token(client, d.admin), data.encode()).status_code == 201


def test_only_admins_import(client, d, app):
    assert post_csv(client, api_token(client, d.chairman), FIXTURE.read_bytes()).status_code == 403
    login(client, d.chairman)
    page = client.post('/metrics/dossiers', data={'file': (io.BytesIO(FIXTURE.read_bytes()), 'x.csv')},
                       content_type='multipart/form-data')
    assert page.status_code == 403
    assert counts_in_db(app) == (0, 0)


def test_import_page_lists_row_errors_and_keeps_nothing(client, d, app):
    login(client, d.admin)
    bad = (HEADER + 'H17.22,2023-01-01,2023-03-31,100,40,5\nH17.99,2023-01-01,2023-03-31,1,1,0\n').encode()
    response = client.post('/metrics/dossiers', data={'file': (io.BytesIO(bad), 'bad.csv')},
                           content_type='multipart/form-data')
    assert response.status_code == 422
    page = text_of(response)
    assert 'data-testid="import-errors"' in page and 'H17.99' in page and '<td>3</td>' in page
    assert counts_in_db(app) == (0, 0)
    good = client.post('/metrics/dossiers', data={'file': (io.BytesIO(FIXTURE.read_bytes()), 'ok.csv')},
                       content_type='multipart/form-data')
    assert good.status_code == 302
    assert counts_in_db(app) == (35, 1)
