"""The blob store for PDFs, content-addressed by SHA-256: file:// (embedded) or s3:// (production)."""
import hashlib
import os
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from flask import current_app

from .config import ROOT


class StorageError(RuntimeError):
    """The blob store failed or returned bytes that do not match their hash."""


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


class FileStorage:
    def __init__(self, root):
        self.root = Path(root)

    def _path(self, digest):
        if len(digest) != 64 or not all(c in '0123456789abcdef' for c in digest):
            raise StorageError('invalid digest')
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data):
        digest = sha256_hex(data)
        path = self._path(digest)
        if path.exists() and sha256_hex(path.read_bytes()) == digest:
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent)
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
    def __init__(self, bucket, prefix):
        import boto3  # only production deployments need it

        self.bucket, self.prefix = bucket, prefix.strip('/')
        self.client = boto3.client('s3', endpoint_url=os.environ.get('S3_ENDPOINT_URL') or None)

    def _key(self, digest):
        return f'{self.prefix}/{digest[:2]}/{digest}' if self.prefix else f'{digest[:2]}/{digest}'

    def put(self, data):
        digest = sha256_hex(data)
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(digest), Body=data)
        except Exception as exc:  # botocore raises many kinds; all mean "not stored"
            raise StorageError(f'upload failed: {exc}') from exc
        if self.get(digest) is None:
            raise StorageError('upload not readable back')
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


def storage_from_url(url):
    parsed = urlparse(url)
    if parsed.scheme == 'file':
        path = Path((parsed.netloc + parsed.path) if parsed.netloc else parsed.path)
        return FileStorage(path if path.is_absolute() else ROOT / path)
    if parsed.scheme == 's3':
        return S3Storage(parsed.netloc, parsed.path)
    raise StorageError(f'unsupported storage URL {url}')


def blobs():
    """The app's blob store."""
    ext = current_app.extensions
    if 'blob_store' not in ext:
        ext['blob_store'] = storage_from_url(current_app.config['STORAGE_URL'])
    return ext['blob_store']
