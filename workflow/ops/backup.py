"""Backup and restore of a whole deployment: database, stored PDFs and images, and KEYS_DIR, in one
tar.gz archive, encrypted with BACKUP_PASSPHRASE (encryption.py) and written 0600.

The database is written table by table as JSON lines, in foreign-key order, by SQLAlchemy itself:
the same archive restores into SQLite or PostgreSQL whichever it came from (a way to move the
embedded mode into production), and needs no pg_dump of matching version. Values that JSON lacks
are tagged: {"$dt": ISO 8601}, {"$d": date}, {"$b64": bytes}. The archive records the schema
revision; restore refuses an archive from another revision.

Layout: manifest.json, db/NNN-<table>.jsonl, blobs/<sha256>, keys/<…>. Restore accepts nothing else
(_layout): the archive may come from anywhere, and a member named outside these folders, a link, a
device or a set-id mode would otherwise write where it points or with the rights it carries. It
creates the schema in a blank database, and afterwards reads everything back (verify_restored).
"""
import base64
import io
import json
import logging
import os
import re
import shutil
import tarfile
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from flask import current_app
from sqlalchemy import func, inspect, select, text, update

from ..extensions import db
from ..privatefiles import open_private, private_dir
from ..storage import StorageError, blobs, sha256_hex
from ..timeutil import now
from ..unit_of_work import snapshot, transaction
from .encryption import MIN_PASSPHRASE, DecryptionError, EncryptingWriter, decrypt

log = logging.getLogger(__name__)
FORMAT = 1
BATCH = 1000
# Rows `init-db` itself creates: an otherwise empty deployment may hold them.
REFERENCE_TABLES = ('levels',)
# The only names an archive may hold besides manifest.json.
TABLE_NAME = re.compile(r'db/[0-9]{3}-([a-z_][a-z0-9_]{0,62})\.jsonl')
BLOB_NAME = re.compile(r'blobs/[0-9a-f]{64}')
KEY_NAME = re.compile(r'keys/[A-Za-z0-9._-]{1,128}(/[A-Za-z0-9._-]{1,128}){0,3}')


class BackupError(RuntimeError):
    """The archive cannot be written or restored; nothing was changed (restore) or kept (backup)."""


# ---------------------------------------------------------------- values

def _encode(value):
    if isinstance(value, datetime):
        return {'$dt': value.isoformat()}
    if isinstance(value, date):
        return {'$d': value.isoformat()}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {'$b64': base64.b64encode(bytes(value)).decode()}
    if isinstance(value, Decimal):
        return str(value)
    return value


def _decode(value):
    if isinstance(value, dict) and len(value) == 1:
        (tag, raw), = value.items()
        if tag == '$dt':
            return datetime.fromisoformat(raw)
        if tag == '$d':
            return date.fromisoformat(raw)
        if tag == '$b64':
            return base64.b64decode(raw)
    return value


def _tables():
    return list(db.metadata.sorted_tables)


def _schema_revision():
    try:
        with db.session.begin_nested():  # a failed statement must not end the snapshot's transaction
            return db.session.execute(text('SELECT version_num FROM alembic_version')).scalar()
    except Exception:  # no alembic_version table: a schema made without migrations
        return None


def _add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(now().timestamp()), 0o600
    archive.addfile(info, io.BytesIO(data))


# ---------------------------------------------------------------- backup

def _referenced_blobs():
    """Every blob the database points at: documents, stamp images, and the versions before signing."""
    from ..files.models import Document
    from ..signing.models import SignatureRecord, StampImage

    required = set(db.session.scalars(select(Document.sha256).distinct()))
    required |= set(db.session.scalars(select(StampImage.sha256).distinct()))
    history = set(db.session.scalars(select(SignatureRecord.sha256_before).distinct()))
    history |= set(db.session.scalars(select(SignatureRecord.sha256_after).distinct()))
    return required, history - required


def _dump_table(archive, index, table):
    count = 0
    with tempfile.TemporaryFile() as spool:
        query = select(table).order_by(*table.primary_key.columns)
        for row in db.session.execute(query.execution_options(yield_per=BATCH)).mappings():
            spool.write(json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False).encode() + b'\n')
            count += 1
        info = tarfile.TarInfo(f'db/{index:03d}-{table.name}.jsonl')
        info.size, info.mtime, info.mode = spool.tell(), int(now().timestamp()), 0o600
        spool.seek(0)
        archive.addfile(info, spool)
    return count


def _add_keys(archive, keys_dir):
    """Every regular file under KEYS_DIR (symbolic links are not followed), under names restore accepts."""
    keys_dir = Path(keys_dir)
    if not keys_dir.is_dir():
        return 0
    count = 0
    for path in sorted(keys_dir.rglob('*')):
        if path.is_symlink() or not path.is_file():
            continue
        name = 'keys/' + path.relative_to(keys_dir).as_posix()
        if not KEY_NAME.fullmatch(name) or _dot_parts(name):
            raise BackupError(f'cannot back up {path}: restore would refuse this name')
        _add_bytes(archive, name, path.read_bytes())
        count += 1
    return count


def backup_passphrase(passphrase=None, *, new=False):
    """The passphrase given, or BACKUP_PASSPHRASE; a new archive needs one of MIN_PASSPHRASE characters."""
    passphrase = passphrase if passphrase is not None else current_app.config.get('BACKUP_PASSPHRASE', '')
    if not passphrase:
        raise BackupError('BACKUP_PASSPHRASE is not set: backups are encrypted with it, and it is never '
                          'stored in the archive')
    if new and len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(f'BACKUP_PASSPHRASE must be at least {MIN_PASSPHRASE} characters long')
    return passphrase


def backup(path, *, passphrase=None):
    """Write the deployment to `path`, encrypted (file mode 0600); returns the manifest."""
    passphrase = backup_passphrase(passphrase, new=True)
    with snapshot():
        return _write_backup(Path(path), passphrase)


def _write_backup(path, passphrase):
    tmp = path.with_name(path.name + '.partial')
    manifest = {'format': FORMAT, 'created_at': now().isoformat(), 'schema_revision': _schema_revision(),
                'dialect': db.engine.dialect.name, 'tables': {}, 'blobs': 0, 'missing_history_blobs': 0,
                'key_files': 0}
    tmp.unlink(missing_ok=True)
    try:
        with open_private(tmp) as out:
            sealed = EncryptingWriter(out, passphrase)
            with tarfile.open(fileobj=sealed, mode='w|gz') as archive:
                _write_members(archive, manifest)
            sealed.finish()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    log.info('backup written to %s: %s', path, manifest)
    return manifest


def _write_members(archive, manifest):
    for index, table in enumerate(_tables()):
        manifest['tables'][table.name] = _dump_table(archive, index, table)
    required, history = _referenced_blobs()
    store = blobs()
    for digest in sorted(required):
        _add_bytes(archive, f'blobs/{digest}', store.get(digest))  # raises if missing or corrupt
    for digest in sorted(history):
        try:
            _add_bytes(archive, f'blobs/{digest}', store.get(digest))
        except StorageError:
            manifest['missing_history_blobs'] += 1
    manifest['blobs'] = len(required) + len(history) - manifest['missing_history_blobs']
    manifest['key_files'] = _add_keys(archive, current_app.config['KEYS_DIR'])
    _add_bytes(archive, 'manifest.json', json.dumps(manifest, indent=2).encode())


# ---------------------------------------------------------------- restore

def existing_data():
    """Names of the tables (other than reference tables) that hold rows, and whether KEYS_DIR has files."""
    tables = [t.name for t in _tables() if t.name not in REFERENCE_TABLES
              and db.session.execute(select(func.count()).select_from(t)).scalar()]
    keys_dir = Path(current_app.config['KEYS_DIR'])
    has_keys = keys_dir.is_dir() and any(p.is_file() for p in keys_dir.rglob('*'))
    return tables, has_keys


def _deferred_columns(table, order):
    """Nullable foreign keys to the same table or one restored later: inserted empty, set afterwards."""
    position = order[table.name]
    deferred = []
    for fk in table.foreign_keys:
        target = fk.column.table.name
        if fk.parent.nullable and (target == table.name or order.get(target, -1) > position):
            deferred.append(fk.parent.name)
    return deferred


def _insert_rows(table, lines, deferred):
    pending_updates, batch = [], []
    pk = [c.name for c in table.primary_key.columns]
    for line in lines:
        if not line.strip():
            continue
        row = {k: _decode(v) for k, v in json.loads(line).items() if k in table.c}
        later = {name: row[name] for name in deferred if row.get(name) is not None}
        if later:
            pending_updates.append(({name: row[name] for name in pk}, later))
            row.update({name: None for name in later})
        batch.append(row)
        if len(batch) >= BATCH:
            db.session.execute(table.insert(), batch)
            batch = []
    if batch:
        db.session.execute(table.insert(), batch)
    return pending_updates


def _apply_updates(table, updates):
    for keys, values in updates:
        condition = [table.c[name] == value for name, value in keys.items()]
        db.session.execute(update(table).where(*condition).values(**values))


def _reset_sequences():
    if db.engine.dialect.name != 'postgresql':
        return
    for table in _tables():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement in (True, 'auto') and pk[0].type.python_type is int:
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"))


# ---------------------------------------------------------------- the archive's layout

def _dot_parts(name):
    return any(part in ('', '.', '..') for part in name.split('/'))


def _layout(members):
    """The archive's members sorted into its layout, or BackupError naming the first member that
    falls outside it. Only regular files with the expected names pass: no absolute or `..` paths,
    no links, devices, FIFOs or folders, no set-id bits, no duplicates. Modes are never used."""
    known = {t.name for t in _tables()}
    layout = {'manifest': None, 'tables': {}, 'blobs': {}, 'keys': {}}
    seen = set()
    for member in members:
        name = member.name
        if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
            raise BackupError(f'refused archive member {name!r}: not a regular file')
        if member.mode & ~0o777:
            raise BackupError(f'refused archive member {name!r}: set-id or sticky mode {member.mode:o}')
        table = TABLE_NAME.fullmatch(name)
        if name in seen or (table and table.group(1) in layout['tables']):
            raise BackupError(f'refused archive member {name!r}: it appears twice')
        seen.add(name)
        if name == 'manifest.json':
            layout['manifest'] = member
        elif table and table.group(1) in known:
            layout['tables'][table.group(1)] = member
        elif BLOB_NAME.fullmatch(name):
            layout['blobs'][name[len('blobs/'):]] = member
        elif KEY_NAME.fullmatch(name) and not _dot_parts(name[len('keys/'):]):
            layout['keys'][name[len('keys/'):]] = member
        else:
            raise BackupError(f'refused archive member {name!r}: outside the backup layout')
    if layout['manifest'] is None:
        raise BackupError('not a backup archive: manifest.json missing')
    return layout


# ---------------------------------------------------------------- restore

def _restore_keys(archive, keys, keys_dir):
    """Write the key files under `keys_dir` (names already checked by _layout), 0600 in 0700 folders."""
    keys_dir = private_dir(keys_dir)
    root = Path(keys_dir).resolve()
    for relative, member in sorted(keys.items()):
        target = Path(keys_dir, *relative.split('/'))
        private_dir(target.parent)
        if not target.parent.resolve().is_relative_to(root):  # a folder in KEYS_DIR that is a link
            raise BackupError(f'refused to write {target}: outside KEYS_DIR')
        with archive.extractfile(member) as source, open_private(target) as out:
            shutil.copyfileobj(source, out)


def _wipe_keys(keys_dir):
    keys_dir = Path(keys_dir)
    if keys_dir.is_dir():
        for child in keys_dir.iterdir():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()


def _ensure_schema():
    """A blank database gets the schema (what `init-db` would make); True if it was created."""
    db.session.remove()
    if inspect(db.engine).get_table_names():
        return False
    from flask_migrate import upgrade

    upgrade()
    db.session.remove()
    return True


def _open_archive(path, passphrase, plain):
    """Decrypt `path` into the anonymous temporary file `plain` and open it as a tar archive."""
    try:
        with open(path, 'rb') as source:
            decrypt(source, passphrase, plain)
    except DecryptionError as exc:
        raise BackupError(str(exc)) from None
    plain.seek(0)
    try:
        return tarfile.open(fileobj=plain, mode='r:gz')
    except tarfile.TarError as exc:
        raise BackupError(f'the decrypted archive is not a tar.gz: {exc}') from None


def restore(path, *, force=False, passphrase=None):
    """Restore an archive made by `backup` into this deployment; returns its manifest, with the
    checks made afterwards under 'verified' (see verify_restored).

    A blank database gets the schema first. Refuses (BackupError, nothing written) an archive that
    does not open with the passphrase, holds anything outside its layout, comes from another schema
    revision, or when the database or KEYS_DIR already holds data, unless `force`, which replaces them."""
    passphrase = backup_passphrase(passphrase)
    with tempfile.TemporaryFile() as plain, _open_archive(path, passphrase, plain) as archive:
        layout = _layout(archive.getmembers())
        manifest = json.loads(archive.extractfile(layout['manifest']).read())
        if manifest.get('format') != FORMAT:
            raise BackupError(f'unknown archive format {manifest.get("format")}')
        manifest['schema_created'] = _ensure_schema()
        revision = _schema_revision()
        if manifest.get('schema_revision') and revision != manifest['schema_revision']:
            raise BackupError(f'archive schema {manifest["schema_revision"]} does not match this database '
                              f'({revision}); restore with the version of the application that made it')
        tables, has_keys = existing_data()
        if (tables or has_keys) and not force:
            keys = '; keys in KEYS_DIR' if has_keys else ''
            raise BackupError(f'this deployment already holds data (tables: {", ".join(tables) or "-"}{keys}); '
                              'restore only into an empty deployment, or pass --force to replace it')
        _restore_blobs(archive, layout['blobs'])
        _restore_database(archive, layout)
    manifest['verified'] = verify_restored()
    log.info('restored %s: %s', path, manifest)
    return manifest


def _restore_blobs(archive, members):
    """Blobs first: content-addressed, so extra blobs are harmless if the rest fails."""
    store = blobs()
    for digest, member in sorted(members.items()):
        data = archive.extractfile(member).read()
        if sha256_hex(data) != digest:
            raise BackupError(f'blob {digest} in the archive does not match its name (SHA-256 {sha256_hex(data)})')
        if store.put(data) != digest:
            raise BackupError(f'blob {digest} could not be stored')


def _restore_database(archive, layout):
    """The tables in one transaction, KEYS_DIR replaced inside it (a failure rolls the rows back)."""
    from ..signing.lib import keystore

    members = layout['tables']
    order = {t.name: i for i, t in enumerate(_tables())}
    with transaction():
        for table in reversed(_tables()):
            db.session.execute(table.delete())
        updates = {}
        for table in _tables():
            if table.name not in members:
                continue
            lines = io.TextIOWrapper(archive.extractfile(members[table.name]), encoding='utf-8')
            updates[table.name] = (table, _insert_rows(table, lines, _deferred_columns(table, order)))
        for table, pending in updates.values():
            _apply_updates(table, pending)
        _reset_sequences()
        _wipe_keys(current_app.config['KEYS_DIR'])
        _restore_keys(archive, layout['keys'], current_app.config['KEYS_DIR'])
    keystore.forget_cached_keys()


# ---------------------------------------------------------------- checks after a restore

def verify_restored():
    """Read back what was restored: every blob the database points at must be in the store and hash
    to its name, every signed document's signatures must verify against the restored trust anchors,
    and the audit chain must hold. Returns counts and the list of `problems` (empty when all is well)."""
    from ..audit import verify_chain
    from ..files.models import Document
    from ..signing.models import StampImage
    from ..signing.verification import SIGNED_MARK, verify_bytes

    problems, checked, signed = [], 0, 0
    store = blobs()
    with snapshot():
        digests = set(db.session.scalars(select(Document.sha256).distinct()))
        digests |= set(db.session.scalars(select(StampImage.sha256).distinct()))
        documents = set(db.session.scalars(select(Document.sha256).distinct()))
        for digest in sorted(digests):
            try:
                data = store.get(digest)  # StorageError if missing or not matching its hash
            except StorageError as exc:
                problems.append(f'blob {digest}: {exc}')
                continue
            checked += 1
            if digest in documents and SIGNED_MARK in data:
                report = verify_bytes(data)
                if report['signatures']:
                    signed += 1
                if not report['valid'] and report['signatures']:
                    problems.append(f'document {digest}: signatures do not verify: {report["errors"]}')
        broken = verify_chain()
        if broken is not None:
            problems.append(f'audit chain broken at entry {broken}')
    return {'blobs': checked, 'signed_pdfs': signed, 'problems': problems}
