"""PDFs in S3-compatible storage, against moto's standalone S3 server on loopback."""
import io

import boto3
import pytest
from sqlalchemy import func, select

from tests.builders import pdf
from tests.support.api import api_token
from tests.support.pages import login
from workflow import create_app
from workflow.audit import AuditEntry
from workflow.extensions import db
from workflow.files.models import Document, WorkFile
from workflow.storage import S3Storage, StorageError, blobs

pytestmark = pytest.mark.committing  # other connections (threads, processes, the fast path) must see the data

BUCKET, PREFIX = 'vanban', 'co-do/pdf'


@pytest.fixture
def s3(moto_server, monkeypatch):
    for name, value in {'AWS_ACCESS_KEY_ID': 'testing', 'AWS_SECRET_ACCESS_KEY': 'testing',
                        'AWS_DEFAULT_REGION': 'us-east-1'}.items():
        monkeypatch.setenv(name, value)
    client = boto3.client('s3', endpoint_url=moto_server.endpoint, region_name='us-east-1')
    client.create_bucket(Bucket=BUCKET)
    client.endpoint = moto_server.endpoint
    return client


@pytest.fixture
def s3_app(app, s3):
    """The suite's app and database, with its PDFs in the S3 bucket instead of a folder."""
    config = {key: app.config[key] for key in ('SQLALCHEMY_DATABASE_URI', 'KEYS_DIR', 'SECRET_KEY',
                                               'PUBLIC_BASE_URL')}
    config.update(TESTING=True, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False,
                  STORAGE_URL=f's3://{BUCKET}/{PREFIX}', S3_ENDPOINT_URL=s3.endpoint)
    s3_app = create_app(config)
    yield s3_app
    with s3_app.app_context():
        db.engine.dispose()


@pytest.fixture
def clerk(make_unit, make_user):
    unit = make_unit('UBND huyện Cờ Đỏ', code='H17')
    return make_user(unit, ('specialist', 'clerk'))


def _counts(app):
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in
                     (WorkFile, Document, AuditEntry))


def test_a_file_created_through_the_api_is_stored_in_s3_and_read_back(s3_app, s3, clerk):
    client = s3_app.test_client()
    headers = api_token(client, clerk)
    data = pdf()
    response = client.post('/api/v1/files', headers=headers, content_type='multipart/form-data',
                           data={'file': (io.BytesIO(data), 'ke-hoach.pdf'), 'title': 'Kế hoạch chuyển đổi số',
                                 'doc_type': 'KH'})
    assert response.status_code == 201, response.get_json()
    document = response.get_json()['documents'][0]
    keys = [o['Key'] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=PREFIX)['Contents']]
    assert keys == [f'{PREFIX}/{document["sha256"][:2]}/{document["sha256"]}']
    assert s3.get_object(Bucket=BUCKET, Key=keys[0])['Body'].read() == data
    back = client.get(f'/api/v1/documents/{document["id"]}/pdf', headers=headers)
    assert back.status_code == 200 and back.data == data


def test_a_file_created_through_the_html_form_is_readable_back(s3_app, clerk):
    client = login(s3_app.test_client(), clerk)
    data = pdf('cong-van-dong-hiep.pdf')
    response = client.post('/files/new', content_type='multipart/form-data', data={
        'title': 'Công văn về chuyển đổi số', 'doc_type': 'CV', 'urgency': 'normal',
        'upload': (io.BytesIO(data), 'cong-van.pdf')})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with s3_app.app_context():
        document = db.session.scalars(select(Document)).one()
        assert isinstance(blobs(), S3Storage) and blobs().get(document.sha256) == data
    assert client.get(f'/documents/{document.id}/pdf').data == data


def test_an_s3_outage_during_upload_gives_a_clear_503_and_leaves_no_rows(s3_app, moto_server, clerk):
    client = s3_app.test_client()
    headers = api_token(client, clerk)
    with s3_app.app_context():
        blobs()  # the client is built while the server is up, as in a running deployment
    before = _counts(s3_app)
    moto_server.terminate()
    moto_server.wait()
    response = client.post('/api/v1/files', headers={**headers, 'Accept-Language': 'vi'},
                           content_type='multipart/form-data',
                           data={'file': (io.BytesIO(pdf()), 'ke-hoach.pdf'), 'title': 'Kế hoạch', 'doc_type': 'KH'})
    assert response.status_code == 503
    error = response.get_json()['error']
    assert error['code'] == 'storage_unavailable'
    assert 'Kho lưu trữ tệp tạm thời không truy cập được' in error['message']
    assert _counts(s3_app) == before

    browser = login(s3_app.test_client(), clerk)
    before = _counts(s3_app)  # signing in is itself audited
    page = browser.post('/files/new', content_type='multipart/form-data', data={
        'title': 'Kế hoạch', 'doc_type': 'KH', 'urgency': 'normal', 'upload': (io.BytesIO(pdf()), 'k.pdf')})
    assert page.status_code == 503
    assert 'Kho lưu trữ tệp tạm thời không truy cập được' in page.get_data(as_text=True)
    assert _counts(s3_app) == before


def test_an_upload_that_does_not_read_back_intact_is_refused(s3_app, s3, clerk):
    """The store is checked after writing: bytes that come back different mean "not stored"."""
    with s3_app.app_context():
        store = blobs()
        real_put = store.client.put_object

        def corrupting_put(**kwargs):
            kwargs['Body'] = kwargs['Body'][:-1] + b'X'
            return real_put(**kwargs)

        store.client.put_object = corrupting_put
        try:
            client = s3_app.test_client()
            headers = api_token(client, clerk)
            before = _counts(s3_app)
            response = client.post('/api/v1/files', headers=headers,
                                   content_type='multipart/form-data',
                                   data={'file': (io.BytesIO(pdf()), 'k.pdf'), 'title': 'Kế hoạch', 'doc_type': 'KH'})
            assert response.status_code == 503
            assert _counts(s3_app) == before
        finally:
            store.client.put_object = real_put
        digest = store.put(pdf())
        s3.put_object(Bucket=BUCKET, Key=f'{PREFIX}/{digest[:2]}/{digest}', Body=b'%PDF-1.7 tampered')
        with pytest.raises(StorageError, match='does not match its hash'):
            store.get(digest)
