"""Speaking to the HTML pages the way a browser does: sign in, upload, post the file page's forms, read pages;
and the two journeys many page tests start from (a draft awaiting signature, an issued document)."""
import io
import re

from sqlalchemy import select

from tests.builders import PASSWORD, pdf
from workflow.extensions import db
from workflow.files.models import Delivery, Document, WorkFile


def login(client, user, password=PASSWORD):
    response = client.post('/login', data={'username': user.username, 'password': password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def text_of(response):
    return re.sub(r'\s+', ' ', response.get_data(as_text=True))


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


def draft_for_signature(org, as_user, title='Quyết định ban hành kế hoạch chuyển đổi số'):
    specialist = as_user(org.specialist)
    file_id = file_id_from(upload_file(specialist, title=title, doc_type='QĐ'))
    response = act(specialist, file_id, 'forward', purpose='sign', to_user=org.leader.id, to_unit=0,
                   note='Kính trình Chủ tịch xem xét, ký ban hành.')
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    return specialist, file_id


def issued_through_pages(app, org, as_user, title='Quyết định về chuyển đổi số'):
    _specialist, file_id = draft_for_signature(org, as_user, title=title)
    act(as_user(org.leader), file_id, 'forward', purpose='handle', to_user=org.clerk.id, to_unit=0)
    response = act(as_user(org.clerk), file_id, 'issue', recipients=[org.commune.id, org.commune2.id])
    assert response.status_code == 302
    return file_id
