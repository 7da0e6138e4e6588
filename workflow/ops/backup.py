"""Backup and restore of a whole deployment: database, stored PDFs and images, and KEYS_DIR, in one
tar.gz archive.

The database is written table by table as JSON lines, in foreign-key order, by SQLAlchemy itself:
the same archive restores into SQLite or PostgreSQL whichever it came from (a way to move the
embedded mode into production), and needs no pg_dump of matching version. Values that JSON lacks
are tagged: {"$dt": ISO 8601}, {"$d": date}, {"$b64": bytes}. The archive records the schema
revision; restore refuses an archive from another revision.

Layout: manifest.json, db/NNN-<table>.jsonl, blobs/<sha256>, keys/<…>.
"""
import base64
import io
import json
import logging
import os
import shutil
import tarfile
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, text, update

from ..extensions import db
from ..storage import StorageError, blobs, sha256_hex
from ..timeutil import now
from ..unit_of_work import snapshot, transaction

log = logging.getLogger(__name__)
FORMAT = 1
BATCH = 1000
# Rows `init-db` itself creates: an otherwise empty deployment may hold them.
REFERENCE_TABLES = ('levels',)


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
    keys_dir = Path(keys_dir)
    if not keys_dir.is_dir():
        return 0
    count = 0
    for path in sorted(keys_dir.rglob('*')):
        if path.is_file():
            archive.add(str(path), arcname='keys/' + path.relative_to(keys_dir).as_posix(), recursive=False)
            count += 1
    return count


def backup(path):
    """Write the deployment to `path` (tar.gz); returns the manifest."""
    with snapshot():
        return _write_backup(Path(path))


def _write_backup(path):
    tmp = path.with_name(path.name + '.partial')
    manifest = {'format': FORMAT, 'created_at': now().isoformat(), 'schema_revision': _schema_revision(),
                'dialect': db.engine.dialect.name, 'tables': {}, 'blobs': 0, 'missing_history_blobs': 0,
                'key_files': 0}
    try:
        with tarfile.open(tmp, 'w:gz', compresslevel=6) as archive:
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
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    log.info('backup written to %s: %s', path, manifest)
    return manifest


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


def _safe_member(member, prefix):
    name = member.name
    if not name.startswith(prefix) or '..' in Path(name).parts or name.startswith('/'):
        raise BackupError(f'unsafe path in archive: {name}')
    return name[len(prefix):]


def _restore_keys(archive, members, keys_dir):
    keys_dir = Path(keys_dir)
    keys_dir.mkdir(parents=True, exist_ok=True)
    for member in members:
        relative = _safe_member(member, 'keys/')
        if not member.isfile():
            continue
        target = keys_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.extractfile(member) as source, open(target, 'wb') as out:
            shutil.copyfileobj(source, out)
        os.chmod(target, member.mode & 0o777 or 0o600)


def _wipe_keys(keys_dir):
    keys_dir = Path(keys_dir)
    if keys_dir.is_dir():
        for child in keys_dir.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()


def restore(path, *, force=False):
    """Restore an archive made by `backup` into this deployment; returns its manifest.

    Refuses (BackupError) when the database or KEYS_DIR already holds data, unless `force`, which
    replaces them. The schema must exist (`init-db`) at the archive's revision."""
    from ..signing.lib import keystore

    with tarfile.open(path, 'r:gz') as archive:
        members = archive.getmembers()
        by_name = {m.name: m for m in members}
        if 'manifest.json' not in by_name:
            raise BackupError('not a backup archive: manifest.json missing')
        manifest = json.loads(archive.extractfile(by_name['manifest.json']).read())
        if manifest.get('format') != FORMAT:
            raise BackupError(f'unknown archive format {manifest.get("format")}')
        revision = _schema_revision()
        if manifest.get('schema_revision') and revision != manifest['schema_revision']:
            raise BackupError(f'archive schema {manifest["schema_revision"]} does not match this database '
                              f'({revision}); run init-db with the matching version first')
        tables, has_keys = existing_data()
        if (tables or has_keys) and not force:
            keys = '; keys in KEYS_DIR' if has_keys else ''
            raise BackupError(f'this deployment already holds data (tables: {", ".join(tables) or "-"}{keys}); '
                              'restore only into an empty deployment, or pass --force to replace it')
        # Blobs first: content-addressed, so extra blobs are harmless if the rest fails.
        store = blobs()
        for member in members:
            if member.name.startswith('blobs/') and member.isfile():
                digest = _safe_member(member, 'blobs/')
                data = archive.extractfile(member).read()
                if sha256_hex(data) != digest or store.put(data) != digest:
                    raise BackupError(f'blob {digest} in the archive is corrupt')
        order = {t.name: i for i, t in enumerate(_tables())}
        with transaction():
            for table in reversed(_tables()):
                db.session.execute(table.delete())
            updates = {}
            for table in _tables():
                member = next((m for m in members if m.name.endswith(f'-{table.name}.jsonl')
                               and m.name.startswith('db/')), None)
                if member is None:
                    continue
                lines = io.TextIOWrapper(archive.extractfile(member), encoding='utf-8')
                updates[table.name] = (table, _insert_rows(table, lines, _deferred_columns(table, order)))
            for table, pending in updates.values():
                _apply_updates(table, pending)
            _reset_sequences()
            _wipe_keys(current_app.config['KEYS_DIR'])
            _restore_keys(archive, [m for m in members if m.name.startswith('keys/')], current_app.config['KEYS_DIR'])
    keystore.forget_cached_keys()
    log.info('restored %s: %s', path, manifest)
    return manifest
