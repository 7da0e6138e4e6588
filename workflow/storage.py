"""The blob store for PDFs, content-addressed by SHA-256: file:// (embedded) or s3:// (production)."""
import hashlib
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from flask import current_app

from .config import ROOT
from .privatefiles import private_dir


class StorageError(RuntimeError):
    """The blob store failed or returned bytes that do not match their hash."""


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


RECORDS = 'records'  # named objects beside the blobs (audit anchors): a folder/prefix no digest can take
_RECORD_NAME = re.compile(r'^[a-z0-9-]+/[A-Za-z0-9._-]+$')


def _record_name(name):
    if not _RECORD_NAME.match(name) or '..' in name:
        raise StorageError(f'invalid record name {name!r}')
    return name


class FileStorage:
    def __init__(self, root):
        self.root = Path(root)

    def put_record(self, name, data):
        """Keep `data` under `name` ("kind/file"), beside the blobs; an existing record is never replaced."""
        path = self.root / RECORDS / _record_name(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, 'xb') as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        except FileExistsError:
            raise StorageError(f'record {name} exists') from None

    def records(self, kind):
        """The names of the records of `kind`, sorted."""
        folder = self.root / RECORDS / kind
        return sorted(f'{kind}/{p.name}' for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []

    def get_record(self, name):
        try:
            return (self.root / RECORDS / _record_name(name)).read_bytes()
        except OSError as exc:
            raise StorageError(f'record {name} unreadable: {exc}') from exc

    def _path(self, digest):
        if len(digest) != 64 or not all(c in '0123456789abcdef' for c in digest):
            raise StorageError('invalid digest')
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data):
        digest = sha256_hex(data)
        path = self._path(digest)
        if path.exists() and sha256_hex(path.read_bytes()) == digest:
            return digest
        private_dir(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent)  # 0600
        with os.fdopen(fd, 'wb') as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        return digest

    def get(self, digest):
        try:
            data = self._path(digest).read_bytes()
        except OSError as exc:
            raise StorageError(f'blob {digest} unreadable: {exc}') from exc
        if sha256_hex(data) != digest:
            raise StorageError(f'blob {digest} does not match its hash')
        return data

    def exists(self, digest):
        return self._path(digest).exists()


class S3Storage:
    """Blobs in an S3-compatible object store. Every upload is read back and its SHA-256 checked
    before the caller may point a database row at it; timeouts are short so that an outage turns
    into a prompt StorageError (HTTP 503) rather than a hung request."""

    def __init__(self, bucket, prefix, *, endpoint_url=None, region=None):
        import boto3  # only deployments with s3:// storage need it
        from botocore.config import Config

        self.bucket, self.prefix = bucket, prefix.strip('/')
        config = Config(connect_timeout=3, read_timeout=30, retries={'max_attempts': 2, 'mode': 'standard'},
                        s3={'addressing_style': 'path'})
        self.client = boto3.client('s3', endpoint_url=endpoint_url or os.environ.get('S3_ENDPOINT_URL') or None,
                                   region_name=region, config=config)

    def _key(self, digest):
        return f'{self.prefix}/{digest[:2]}/{digest}' if self.prefix else f'{digest[:2]}/{digest}'

    def _record_key(self, name):
        name = f'{RECORDS}/{_record_name(name)}'
        return f'{self.prefix}/{name}' if self.prefix else name

    def put_record(self, name, data):
        """Keep `data` under `name` ("kind/file"); an existing record is never replaced."""
        key = self._record_key(name)
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data, IfNoneMatch='*',
                                   ContentType='application/octet-stream')
        except Exception as exc:
            raise StorageError(f'record {name} not stored: {exc}') from exc

    def records(self, kind):
        start = self._record_key(f'{kind}/x')[:-1]
        names = []
        try:
            for page in self.client.get_paginator('list_objects_v2').paginate(Bucket=self.bucket, Prefix=start):
                names += [f'{kind}/{item["Key"][len(start):]}' for item in page.get('Contents', [])]
        except Exception as exc:
            raise StorageError(f'records {kind} not listed: {exc}') from exc
        return sorted(names)

    def get_record(self, name):
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._record_key(name))['Body'].read()
        except Exception as exc:
            raise StorageError(f'record {name} unreadable: {exc}') from exc

    def put(self, data):
        digest = sha256_hex(data)
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(digest), Body=data,
                                   ContentType='application/octet-stream')
        except Exception as exc:  # botocore raises many kinds; all mean "not stored"
            raise StorageError(f'upload failed: {exc}') from exc
        self.get(digest)  # read back: raises StorageError unless the stored bytes hash to `digest`
        return digest

    def get(self, digest):
        try:
            data = self.client.get_object(Bucket=self.bucket, Key=self._key(digest))['Body'].read()
        except Exception as exc:
            raise StorageError(f'blob {digest} unreadable: {exc}') from exc
        if sha256_hex(data) != digest:
            raise StorageError(f'blob {digest} does not match its hash')
        return data

    def exists(self, digest):
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(digest))
            return True
        except Exception:
            return False


def storage_from_url(url, *, endpoint_url=None, region=None):
    parsed = urlparse(url)
    if parsed.scheme == 'file':
        path = Path((parsed.netloc + parsed.path) if parsed.netloc else parsed.path)
        return FileStorage(path if path.is_absolute() else ROOT / path)
    if parsed.scheme == 's3':
        return S3Storage(parsed.netloc, parsed.path, endpoint_url=endpoint_url, region=region)
    raise StorageError(f'unsupported storage URL {url}')


def blobs():
    """The app's blob store."""
    ext = current_app.extensions
    if 'blob_store' not in ext:
        config = current_app.config
        ext['blob_store'] = storage_from_url(config['STORAGE_URL'], endpoint_url=config.get('S3_ENDPOINT_URL'),
                                             region=config.get('S3_REGION'))
    return ext['blob_store']
