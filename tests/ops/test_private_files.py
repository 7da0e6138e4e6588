"""Instance files only the service's account may read (finding 2's world-readable SQLite file): the
database and its -wal/-shm, the generated secret key, stored blobs and their folders, whatever the umask."""
import os
import stat

import pytest
from flask_migrate import upgrade

from workflow import config as settings
from workflow import create_app
from workflow.extensions import db
from workflow.storage import FileStorage

pytestmark = pytest.mark.nodb


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def usual_umask():
    previous = os.umask(0o022)  # what most services run with: new files 0644, folders 0755
    yield
    os.umask(previous)


def _sqlite_app(tmp_path, database):
    return create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': f'sqlite:///{database}', 'SECRET_KEY': 'x',
                       'STORAGE_URL': f'file://{tmp_path}/storage', 'KEYS_DIR': str(tmp_path / 'keys')})


def test_the_sqlite_database_and_its_wal_and_shm_files_are_created_0600(tmp_path, usual_umask):
    database = tmp_path / 'instance' / 'workflow.db'
    app = _sqlite_app(tmp_path, database)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:  # WAL files exist while a connection is open
            connection.exec_driver_sql('SELECT count(*) FROM users').scalar()
            files = [database, database.with_name('workflow.db-wal'), database.with_name('workflow.db-shm')]
            assert all(f.exists() for f in files)
            assert [mode(f) for f in files] == [0o600, 0o600, 0o600]
        db.engine.dispose()
    assert mode(database.parent) == 0o700


def test_a_database_file_left_world_readable_is_tightened_at_start(tmp_path, usual_umask):
    database = tmp_path / 'workflow.db'
    database.touch(mode=0o644)
    assert mode(database) == 0o644
    app = _sqlite_app(tmp_path, database)
    assert mode(database) == 0o600
    with app.app_context():
        db.engine.dispose()


def test_the_generated_secret_key_is_0600_in_a_0700_folder(tmp_path, usual_umask, monkeypatch):
    monkeypatch.delenv('SECRET_KEY', raising=False)
    monkeypatch.setattr(settings, 'INSTANCE', tmp_path / 'instance')
    key = settings._secret_key()
    assert len(key) == 64 and settings._secret_key() == key
    assert mode(tmp_path / 'instance' / 'secret_key') == 0o600 and mode(tmp_path / 'instance') == 0o700


def test_stored_blobs_are_0600_in_0700_folders(tmp_path, usual_umask):
    store = FileStorage(tmp_path / 'storage')
    digest = store.put(b'%PDF-1.7 a document')
    path = tmp_path / 'storage' / digest[:2] / digest[2:4] / digest
    assert mode(path) == 0o600
    assert [mode(p) for p in (tmp_path / 'storage', path.parent.parent, path.parent)] == [0o700] * 3
