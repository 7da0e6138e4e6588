"""Builders for the HTML journeys: an organisation with people in every role, and small helpers that
post the file-page forms the way a browser does."""
import io
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, pdf
from workflow.extensions import db
from workflow.files.models import Delivery, Document, WorkFile


@dataclass
class Org:
    district: object
    commune: object
    commune2: object
    specialist: object
    leader: object
    clerk: object
    admin: object
    commune_clerk: object
    commune_leader: object
    handler: object
    helper: object
    commune2_clerk: object


@pytest.fixture
def org(make_unit, make_user):
    """The Cờ Đỏ district UBND and two of its communes, with someone in every role."""
    district = make_unit('UBND huyện Cờ Đỏ', abbreviation='UBND', code='H17')
    commune = make_unit('UBND xã Đông Hiệp', level='commune', parent=district, abbreviation='UBND',
                        code='H17.01')
    commune2 = make_unit('UBND xã Thạnh Phú', level='commune', parent=district, abbreviation='UBND',
                         code='H17.02')
    return Org(
        district=district, commune=commune, commune2=commune2,
        specialist=make_user(district, ('specialist',), username='chuyenvien', full_name='Trần Thị Chuyên'),
        leader=make_user(district, ('leader',), username='chutich', full_name='Lê Văn Chủ Tịch',
                         title='Chủ tịch'),
        clerk=make_user(district, ('clerk',), username='vanthu', full_name='Phạm Thị Văn Thư', title='Văn thư'),
        admin=make_user(district, ('admin',), username='quantri', full_name='Quản Trị Viên', title='Quản trị'),
        commune_clerk=make_user(commune, ('clerk',), username='vanthu.dh', full_name='Ngô Văn Thư Xã'),
        commune_leader=make_user(commune, ('leader',), username='chutich.dh', full_name='Võ Chủ Tịch Xã',
                                 title='Chủ tịch UBND xã'),
        handler=make_user(commune, ('specialist',), username='cv.dh', full_name='Đỗ Xử Lý'),
        helper=make_user(commune, ('specialist',), username='cv2.dh', full_name='Bùi Phối Hợp'),
        commune2_clerk=make_user(commune2, ('clerk',), username='vanthu.tp', full_name='Huỳnh Văn Thư TP'),
    )


@pytest.fixture
def as_user(app):
    """A fresh browser session signed in as `user`."""
    def sign_in(user, password=PASSWORD):
        client = app.test_client()
        response = client.post('/login', data={'username': user.username, 'password': password})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return client
    return sign_in


def file_id_from(response):
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.search(r'/files/(\d+)$', response.headers['Location'])
    assert match, response.headers['Location']
    return int(match.group(1))


def upload_file(client, *, title='Kế hoạch chuyển đổi số năm 2026', doc_type='QĐ', data=None,
                filename='du-thao.pdf', **fields):
    form = {'title': title, 'doc_type': doc_type, 'urgency': 'normal', 'summary': '',
            'upload': (io.BytesIO(pdf() if data is None else data), filename)}
    form.update(fields)
    return client.post('/files/new', data=form, content_type='multipart/form-data')


def act(client, file_id, action, **fields):
    """Post one of the file page's action forms (their fields carry the action as prefix)."""
    data = {}
    for key, value in fields.items():
        data[f'{action}-{key}'] = value
    return client.post(f'/files/{file_id}/{action}', data=data)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return re.sub(r'\s+', ' ', response.get_data(as_text=True))


def delivered_file_id(app, source_id, unit):
    with app.app_context():
        return db.session.scalar(select(Delivery.file_id).where(
            Delivery.source_file_id == source_id, Delivery.unit_id == unit.id))


def counts(app):
    with app.app_context():
        return (db.session.scalar(select(db.func.count(WorkFile.id))),
                db.session.scalar(select(db.func.count(Document.id))))


def file_row(app, file_id):
    with app.app_context():
        file = db.session.get(WorkFile, file_id)
        db.session.expunge(file)
        return file
