"""Builders for the API tests: an organisation with people in every role, and a client that speaks
to /api/v1 as one of them."""
import io
from types import SimpleNamespace

import pytest

from tests.conftest import api_token, pdf

BASE = '/api/v1'


class ApiClient:
    """Calls /api/v1 as a given user (tokens cached per user), optionally in English."""

    def __init__(self, client):
        self.client = client
        self._tokens = {}

    def headers(self, user=None, lang=None):
        headers = {}
        if user is not None:
            if user.id not in self._tokens:
                self._tokens[user.id] = api_token(self.client, user)
            headers.update(self._tokens[user.id])
        if lang:
            headers['Accept-Language'] = lang
        return headers

    def get(self, user, path, *, lang=None, **kwargs):
        return self.client.get(BASE + path, headers=self.headers(user, lang), **kwargs)

    def post(self, user, path, json=None, *, lang=None, **kwargs):
        if json is not None:
            kwargs['json'] = json
        return self.client.post(BASE + path, headers=self.headers(user, lang), **kwargs)

    def patch(self, user, path, json=None, *, lang=None):
        return self.client.patch(BASE + path, headers=self.headers(user, lang), json=json)

    def upload(self, user, path, *, data=None, filename='du-thao.pdf', lang=None, **fields):
        form = {key: str(value) for key, value in fields.items()}
        form['file'] = (io.BytesIO(pdf() if data is None else data), filename)
        return self.client.post(BASE + path, headers=self.headers(user, lang), data=form,
                                content_type='multipart/form-data')

    def create_file(self, user, *, title='Quyết định ban hành Kế hoạch chuyển đổi số năm 2026', doc_type='QĐ',
                    data=None, **fields):
        response = self.upload(user, '/files', data=data, title=title, doc_type=doc_type, **fields)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def act(self, user, file_id, action, body=None, *, expect=200):
        """A file action that must succeed; returns the file JSON."""
        response = self.post(user, f'/files/{file_id}/{action}', body or {})
        assert response.status_code == expect, (action, response.get_json())
        return response.get_json()

    def file(self, user, file_id):
        response = self.get(user, f'/files/{file_id}')
        assert response.status_code == 200, response.get_json()
        return response.get_json()


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def org(make_unit, make_user):
    """Cờ Đỏ in miniature: the district UBND, two departments, three communes, people in every role."""
    ubnd = make_unit('UBND huyện Cờ Đỏ', abbreviation='UBND')
    vp = make_unit('Văn phòng HĐND và UBND huyện', parent=ubnd, abbreviation='VP')
    tckh = make_unit('Phòng Tài chính - Kế hoạch', parent=ubnd, abbreviation='TCKH')
    o = SimpleNamespace(ubnd=ubnd, vp=vp, tckh=tckh)
    o.chairman = make_user(ubnd, ('leader',), full_name='Lê Văn Chủ Tịch', title='Chủ tịch UBND huyện')
    o.ubnd_clerk = make_user(ubnd, ('clerk',), full_name='Trần Thị Văn Thư', title='Văn thư')
    o.admin = make_user(ubnd, ('admin',), full_name='Quản Trị Viên', title='Quản trị hệ thống')
    o.vp_spec = make_user(vp, ('specialist',), full_name='Nguyễn Văn Soạn', title='Chuyên viên')
    o.vp_clerk = make_user(vp, ('clerk',), full_name='Phạm Thị Văn Phòng', title='Văn thư')
    o.spec = make_user(tckh, ('specialist',), full_name='Võ Thị Chuyên Viên')
    o.spec2 = make_user(tckh, ('specialist',), full_name='Đặng Văn Chuyên Viên')
    o.tckh_leader = make_user(tckh, ('leader',), full_name='Huỳnh Văn Trưởng Phòng', title='Trưởng phòng')
    o.tckh_clerk = make_user(tckh, ('clerk',), full_name='Lý Thị Văn Thư', title='Văn thư')
    o.communes = []
    for name in ('Đông Hiệp', 'Thới Xuân', 'Trung An', 'Đông Thắng', 'Thạnh Phú'):
        unit = make_unit(f'UBND xã {name}', level='commune', parent=ubnd, abbreviation='UBND')
        o.communes.append(SimpleNamespace(
            unit=unit,
            clerk=make_user(unit, ('clerk',), full_name=f'Văn thư {name}', title='Văn thư'),
            leader=make_user(unit, ('leader',), full_name=f'Chủ tịch {name}', title='Chủ tịch UBND xã'),
            spec=make_user(unit, ('specialist',), full_name=f'Chuyên viên {name}'),
            spec2=make_user(unit, ('specialist',), full_name=f'Chuyên viên 2 {name}'),
        ))
    return o


def issued_file(api, org, recipients, *, title='Quyết định ban hành Kế hoạch chuyển đổi số năm 2026',
                doc_type='QĐ'):
    """A document drafted in VP, sent to the chairman, handed to the UBND clerk and issued; returns the
    issued file JSON."""
    created = api.create_file(org.vp_spec, title=title, doc_type=doc_type)
    api.act(org.vp_spec, created['id'], 'forward', {'to_user_id': org.chairman.id, 'purpose': 'sign'})
    api.act(org.chairman, created['id'], 'forward', {'to_user_id': org.ubnd_clerk.id, 'purpose': 'handle'})
    return api.act(org.ubnd_clerk, created['id'], 'issue',
                   {'recipient_unit_ids': [c.unit.id for c in recipients], 'pin': ''})


def delivery_for(issued, unit):
    return next(d for d in issued['deliveries'] if d['unit_id'] == unit.id)


@pytest.fixture
def english(app):
    """The catalog's English for a Vietnamese source message; fails if it has no translation."""
    from flask_babel import force_locale, gettext

    def translate(vietnamese, **params):
        with app.test_request_context('/'), force_locale('en'):
            text = gettext(vietnamese, **params)
        assert text != (vietnamese % params if params else vietnamese), f'no English for {vietnamese!r}'
        return text
    return translate
