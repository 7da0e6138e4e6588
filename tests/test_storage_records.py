"""Named records beside the blobs (the audit anchors live there), in a folder and in S3 (moto's server)."""
import boto3
import pytest

from workflow.storage import FileStorage, S3Storage, StorageError


@pytest.fixture
def s3_store(moto_server, monkeypatch):
    for name, value in {'AWS_ACCESS_KEY_ID': 'testing', 'AWS_SECRET_ACCESS_KEY': 'testing',
                        'AWS_DEFAULT_REGION': 'us-east-1'}.items():
        monkeypatch.setenv(name, value)
    boto3.client('s3', endpoint_url=moto_server.endpoint, region_name='us-east-1').create_bucket(Bucket='vanban')
    return S3Storage('vanban', 'co-do/pdf', endpoint_url=moto_server.endpoint, region='us-east-1')


@pytest.mark.nodb
@pytest.mark.parametrize('kind', ['folder', 's3'])
def test_records_are_kept_listed_and_never_replaced(kind, tmp_path, request):
    store = FileStorage(tmp_path) if kind == 'folder' else request.getfixturevalue('s3_store')
    assert store.records('audit-anchors') == []
    store.put_record('audit-anchors/000000000007-ab.json', b'{"entry_id": 7}')
    store.put_record('audit-anchors/000000000003-cd.json', b'{"entry_id": 3}')
    store.put_record('other/x.json', b'{}')
    assert store.records('audit-anchors') == ['audit-anchors/000000000003-cd.json',
                                              'audit-anchors/000000000007-ab.json']
    assert store.get_record('audit-anchors/000000000007-ab.json') == b'{"entry_id": 7}'
    with pytest.raises(StorageError):
        store.put_record('audit-anchors/000000000007-ab.json', b'{"entry_id": 7, "forged": true}')
    assert store.get_record('audit-anchors/000000000007-ab.json') == b'{"entry_id": 7}'
    for bad in ('../escape.json', 'audit-anchors/../../x', '/abs/x', 'audit-anchors/a b'):
        with pytest.raises(StorageError):
            store.put_record(bad, b'x')
