"""`flask backup PATH` / `restore PATH`: database, PDFs and keys round-trip into an empty deployment."""
import gzip
import io
import json
import os
import stat
import tarfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select

from tests.builders import LEADER_PIN, SEAL_PIN, build, pdf, signing_district
from tests.support.services import fresh_database
from workflow import create_app
from workflow.audit import AuditEntry, verify_chain
from workflow.directory.models import User
from workflow.directory.operations import ensure_levels
from workflow.extensions import db
from workflow.files.models import Document, WorkFile
from workflow.files.operations import (
    Upload,
    add_document,
    complete_file,
    create_file,
    forward_file,
    issue_file,
    register_file,
    sign_document,
)
from workflow.ops.encryption import DecryptionError, EncryptingWriter, decrypt
from workflow.signing import verification
from workflow.signing.models import SignatureRecord
from workflow.storage import blobs, sha256_hex

pytestmark = pytest.mark.committing  # other connections (threads, processes, the fast path) must see the data


def _history(org):
    """Signed and sealed outgoing documents, their delivered copies, an attachment and a paper scan."""
    issued = []
    for n in range(2):
        file = org.draft(title=f'Quyết định {n + 1} về chuyển đổi số')
        if n == 0:
            add_document(file, org.specialist, upload=Upload('phu-luc.pdf', pdf('phu-luc-chi-tieu.pdf')),
                         kind='attachment')
        forward_file(file, org.specialist, purpose='sign', to_user=org.chairman)
        sign_document(file, org.chairman, document=file.main_document, pin=LEADER_PIN)
        forward_file(file, org.chairman, purpose='handle', to_user=org.clerk)
        issue_file(file, org.clerk, recipient_units=[org.commune], pin=SEAL_PIN)
        issued.append(file)
    copy = issued[0].deliveries[0].file
    register_file(copy, org.commune_clerk)
    complete_file(copy, org.commune_clerk, note='Đã triển khai')
    org.draft(title='Công văn giấy', doc_type='CV', data=pdf('ban-scan-giay.pdf'), paper_origin=True)
    db.session.commit()
    return issued


def _snapshot():
    return {'files': db.session.scalar(select(func.count(WorkFile.id))),
            'documents': sorted(db.session.scalars(select(Document.sha256))),
            'audit': db.session.scalars(select(AuditEntry.hash).order_by(AuditEntry.id)).all(),
            'numbers': sorted(n for n in db.session.scalars(select(WorkFile.number)) if n)}


PASSPHRASE = 'mật khẩu sao lưu 2026'


@pytest.fixture(autouse=True)
def backup_passphrase(app, monkeypatch):
    monkeypatch.setitem(app.config, 'BACKUP_PASSPHRASE', PASSPHRASE)


@contextmanager
def other_deployment(app, tmp_path, *, init_db):
    """A second deployment: its own database (blank unless `init_db`), blob folder and keys folder."""
    with fresh_database(tmp_path) as url:
        other = create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': url, 'SECRET_KEY': 'another',
                            'STORAGE_URL': f'file://{tmp_path}/restored-storage',
                            'KEYS_DIR': str(tmp_path / 'restored-keys'), 'RATELIMIT_ENABLED': False,
                            'PUBLIC_BASE_URL': app.config['PUBLIC_BASE_URL'], 'BACKUP_PASSPHRASE': PASSPHRASE})
        if init_db:
            with other.app_context():
                upgrade()
                ensure_levels()  # what `init-db` leaves in a new deployment
                db.session.commit()
        yield other
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def blank_app(app, tmp_path):
    """A new deployment on a blank database: `init-db` never ran."""
    with other_deployment(app, tmp_path, init_db=False) as other:
        yield other


@pytest.fixture
def fresh_app(app, tmp_path):
    """A new deployment after `init-db`."""
    with other_deployment(app, tmp_path, init_db=True) as other:
        yield other


def opened(path, passphrase=PASSPHRASE):
    """The archive's tar.gz bytes, decrypted as restore does."""
    plain = io.BytesIO()
    with open(path, 'rb') as source:
        decrypt(source, passphrase, plain)
    return plain.getvalue()


def sealed(tar_gz, path, passphrase=PASSPHRASE):
    """Encrypt `tar_gz` bytes into `path` the way backup does: what someone holding the passphrase can forge."""
    with open(path, 'wb') as out:
        writer = EncryptingWriter(out, passphrase)
        writer.write(tar_gz)
        writer.finish()
    return path


def test_backup_restores_into_a_blank_database_where_everything_still_verifies(app, ctx, blank_app, tmp_path):
    org = build(signing_district)
    issued = _history(org)
    before = _snapshot()
    issued_ids, specialist_id = [f.id for f in issued], org.specialist.id
    archive = tmp_path / 'sao-luu.tar.gz'
    result = app.test_cli_runner().invoke(args=['backup', str(archive)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(archive).st_mode) == 0o600
    with tarfile.open(fileobj=io.BytesIO(opened(archive))) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile('manifest.json').read())
    assert manifest['tables']['work_files'] == before['files'] and manifest['key_files'] > 0
    assert {f'blobs/{d}' for d in before['documents']} <= set(names)
    assert any(n.startswith('keys/') for n in names) and any(n.endswith('-audit_log.jsonl') for n in names)

    with blank_app.app_context():
        restored = blank_app.test_cli_runner().invoke(args=['restore', str(archive)])
        assert restored.exit_code == 0, restored.output
        assert 'schema created' in restored.output and '3 signed PDFs verified' in restored.output
        assert _snapshot() == before
        assert verify_chain() is None
        documents = db.session.scalars(select(Document)).all()
        signed = 0
        for document in documents:
            report = verification.verify_bytes(blobs().get(document.sha256))
            if report['signatures']:
                signed += 1
                assert report['valid'], (document.filename, report)
        assert signed == 6  # two issued mains and an attachment, and the commune's copies of all three
        mains = [db.session.get(WorkFile, i).main_document for i in issued_ids]
        assert all([s['field'] for s in verification.verify_bytes(blobs().get(d.sha256))['signatures']]
                   == ['signer', 'organisation', 'doc-timestamp-1'] for d in mains)
        assert db.session.scalar(select(func.count(SignatureRecord.id))) > 0
        # the restored deployment keeps working: new rows take ids after the restored ones
        highest = db.session.scalar(select(func.max(WorkFile.id)))
        specialist = db.session.get(User, specialist_id)
        file, _dup = create_file(specialist, title='Sau khi khôi phục', doc_type='TB', upload=Upload('a.pdf', pdf()))
        db.session.commit()
        assert file.id == highest + 1 and verify_chain() is None


def test_restore_refuses_a_deployment_that_already_holds_data_unless_forced(app, ctx, fresh_app, tmp_path):
    org = build(signing_district)
    org.draft(title='Tờ trình')
    db.session.commit()
    archive = tmp_path / 'a.tar.gz'
    assert app.test_cli_runner().invoke(args=['backup', str(archive)]).exit_code == 0
    runner = fresh_app.test_cli_runner()
    with fresh_app.app_context():
        assert runner.invoke(args=['restore', str(archive)]).exit_code == 0
        again = runner.invoke(args=['restore', str(archive)])
        assert again.exit_code != 0 and 'already holds data' in again.output
        forced = runner.invoke(args=['restore', '--force', str(archive)])
        assert forced.exit_code == 0, forced.output
        assert db.session.scalars(select(WorkFile.title)).all() == ['Tờ trình']
        assert verify_chain() is None


def _signed_document(org):
    file = org.draft(title='Quyết định ký số')
    forward_file(file, org.specialist, purpose='sign', to_user=org.chairman)
    sign_document(file, org.chairman, document=file.main_document, pin=LEADER_PIN)
    db.session.commit()
    return file.main_document.sha256


def _backup(app, tmp_path, name='sao-luu.backup'):
    archive = tmp_path / name
    result = app.test_cli_runner().invoke(args=['backup', str(archive)])
    assert result.exit_code == 0, result.output
    return archive


def _tables_in(other):
    with other.app_context():
        return inspect(db.engine).get_table_names()


def test_a_backup_is_written_0600_and_unreadable_without_its_passphrase(app, ctx, tmp_path, monkeypatch):
    org = build(signing_district)
    org.draft(title='Tờ trình', data=pdf('phu-luc-chi-tieu.pdf'))
    db.session.commit()
    previous = os.umask(0o022)  # the usual umask: files would be 0644 unless made private
    try:
        archive = _backup(app, tmp_path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(archive).st_mode) == 0o600
    raw = archive.read_bytes()
    with pytest.raises(tarfile.ReadError):
        tarfile.open(fileobj=io.BytesIO(raw))
    # the keys and the PDF are inside, but only under the passphrase, which itself is not
    inside = gzip.decompress(opened(archive))
    key_files = [p.read_bytes() for p in Path(app.config['KEYS_DIR']).rglob('*') if p.is_file()]
    assert key_files and all(k in inside for k in key_files) and pdf('phu-luc-chi-tieu.pdf') in inside
    assert PASSPHRASE.encode() not in inside and PASSPHRASE.encode() not in raw
    assert not any(k[64:96] in raw for k in key_files if len(k) > 96) and b'schema_revision' not in raw
    with pytest.raises(DecryptionError, match='wrong passphrase'):
        opened(archive, 'một mật khẩu khác hẳn')

    monkeypatch.setitem(app.config, 'BACKUP_PASSPHRASE', '')
    refused = app.test_cli_runner().invoke(args=['backup', str(tmp_path / 'plain.backup')])
    assert refused.exit_code != 0 and 'BACKUP_PASSPHRASE is not set' in refused.output
    assert not (tmp_path / 'plain.backup').exists()


def test_restore_with_a_wrong_passphrase_is_a_clear_error_and_writes_nothing(app, ctx, blank_app, tmp_path):
    org = build(signing_district)
    org.draft(title='Tờ trình')
    db.session.commit()
    archive = _backup(app, tmp_path)
    blank_app.config['BACKUP_PASSPHRASE'] = 'không phải mật khẩu này'
    with blank_app.app_context():
        result = blank_app.test_cli_runner().invoke(args=['restore', str(archive)])
    assert result.exit_code != 0 and 'wrong passphrase' in result.output
    assert _tables_in(blank_app) == []
    assert not (tmp_path / 'restored-storage').exists() and not (tmp_path / 'restored-keys').exists()


def _member(name, *, kind=tarfile.REGTYPE, data=b'', mode=0o600, linkname=''):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.linkname = kind, mode, linkname
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    if kind == tarfile.CHRTYPE:
        info.devmajor, info.devminor = 1, 3
    return info, io.BytesIO(data) if kind == tarfile.REGTYPE else None


HOSTILE = {
    # the finding: a name that starts with the keys folder and continues with an absolute path
    'absolute path under keys/': lambda out: _member('keys/' + str(out / 'x'), data=b'owned'),
    'parent folder under keys/': lambda out: _member('keys/../outside/x', data=b'owned'),
    'parent folder under blobs/': lambda out: _member('blobs/../outside/x', data=b'owned'),
    'absolute path': lambda out: _member(str(out / 'x'), data=b'owned'),
    'symbolic link': lambda out: _member('keys/root-ca.pem', kind=tarfile.SYMTYPE, linkname=str(out / 'x')),
    'hard link': lambda out: _member('keys/root-ca.pem', kind=tarfile.LNKTYPE, linkname=str(out / 'x')),
    'device': lambda out: _member('keys/null', kind=tarfile.CHRTYPE),
    'FIFO': lambda out: _member('keys/pipe', kind=tarfile.FIFOTYPE),
    'folder': lambda out: _member('keys/sub', kind=tarfile.DIRTYPE, mode=0o777),
    'setuid mode': lambda out: _member('keys/run.sh', data=b'#!/bin/sh\nid\n', mode=0o4755),
    'name outside the layout': lambda out: _member('static/app.js', data=b'alert(1)'),
    'blob name that is not a digest': lambda out: _member('blobs/x.pdf', data=b'%PDF-1.7'),
    'a name twice (the later copy would win)': lambda out: _member('keys/tsa.pem', data=b'another certificate'),
}


@pytest.mark.parametrize('kind', list(HOSTILE))
def test_restore_refuses_an_archive_member_outside_its_layout_and_writes_nothing(app, blank_app, tmp_path, kind):
    outside = tmp_path / 'outside'
    outside.mkdir()
    plain = io.BytesIO()
    with tarfile.open(fileobj=plain, mode='w:gz') as tar:
        manifest = json.dumps({'format': 1, 'schema_revision': None, 'tables': {}, 'blobs': 0}).encode()
        tar.addfile(*_member('manifest.json', data=manifest))
        tar.addfile(*_member('keys/tsa.pem', data=b'-----BEGIN CERTIFICATE-----'))
        tar.addfile(*HOSTILE[kind](outside))
    archive = sealed(plain.getvalue(), tmp_path / 'hostile.backup')
    with blank_app.app_context():
        result = blank_app.test_cli_runner().invoke(args=['restore', str(archive)])
    assert result.exit_code != 0 and 'refused archive member' in result.output, result.output
    assert list(outside.iterdir()) == [] and not (tmp_path / 'x').exists()
    assert not (tmp_path / 'restored-keys').exists() and not (tmp_path / 'restored-storage').exists()
    assert _tables_in(blank_app) == []


def _forged(archive, tmp_path, edit):
    """The archive decrypted, its members passed through `edit(name, data) -> [(name, data)]`, sealed again."""
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(opened(archive))) as source, tarfile.open(fileobj=out, mode='w:gz') as tar:
        for member in source.getmembers():
            for name, data in edit(member.name, source.extractfile(member).read()):
                tar.addfile(*_member(name, data=data))
    return sealed(out.getvalue(), tmp_path / 'forged.backup')


def test_restore_refuses_a_blob_that_does_not_match_its_name(app, ctx, blank_app, tmp_path):
    digest = _signed_document(build(signing_district))
    archive = _backup(app, tmp_path)
    forged = _forged(archive, tmp_path, lambda name, data: [
        (name, data.replace(b'%%EOF', b'%%EOF\n% changed') if name == f'blobs/{digest}' else data)])
    with blank_app.app_context():
        result = blank_app.test_cli_runner().invoke(args=['restore', str(forged)])
        assert result.exit_code != 0 and f'blob {digest} in the archive does not match its name' in result.output
        assert db.session.scalar(select(func.count(WorkFile.id))) == 0


def test_restore_reports_a_signed_document_whose_bytes_were_changed(app, ctx, blank_app, tmp_path):
    """An archive forged consistently (new blob under its own hash, the row pointing at it): the restore
    goes through, then the check of every signature names the document and the command fails."""
    digest = _signed_document(build(signing_district))
    archive = _backup(app, tmp_path)
    original = blobs().get(digest)
    comment = original.index(b'\n') + 2  # the binary comment on the PDF's second line: inside the signed range
    changed = original[:comment] + bytes([original[comment] ^ 1]) + original[comment + 1:]
    changed_digest = sha256_hex(changed)
    assert verification.verify_bytes(changed)['signatures'] and not verification.verify_bytes(changed)['valid']

    def edit(name, data):
        if name == f'blobs/{digest}':
            return [(name, data), (f'blobs/{changed_digest}', changed)]
        if name.endswith('-documents.jsonl'):
            return [(name, data.replace(digest.encode(), changed_digest.encode()))]
        return [(name, data)]

    forged = _forged(archive, tmp_path, edit)
    with blank_app.app_context():
        result = blank_app.test_cli_runner().invoke(args=['restore', str(forged)])
    assert result.exit_code != 0, result.output
    assert f'document {changed_digest}: signatures do not verify' in result.output
    assert '1 problems found after the restore' in result.output
