"""`flask backup PATH` / `restore PATH`: database, PDFs and keys round-trip into an empty deployment."""
import json
import tarfile

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

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
from workflow.signing import verification
from workflow.signing.models import SignatureRecord
from workflow.storage import blobs

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


@pytest.fixture
def fresh_app(app, tmp_path):
    """A second, empty deployment: its own database, blob folder and keys folder."""
    with fresh_database(tmp_path) as url:
        other = create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': url, 'SECRET_KEY': 'another',
                            'STORAGE_URL': f'file://{tmp_path}/restored-storage',
                            'KEYS_DIR': str(tmp_path / 'restored-keys'), 'RATELIMIT_ENABLED': False,
                            'PUBLIC_BASE_URL': app.config['PUBLIC_BASE_URL']})
        with other.app_context():
            upgrade()
            ensure_levels()  # what `init-db` leaves in a new deployment
            db.session.commit()
        yield other
        with other.app_context():
            db.engine.dispose()


def test_backup_restores_into_an_empty_deployment_where_everything_still_verifies(app, ctx, fresh_app, tmp_path):
    org = build(signing_district)
    issued = _history(org)
    before = _snapshot()
    issued_ids, specialist_id = [f.id for f in issued], org.specialist.id
    archive = tmp_path / 'sao-luu.tar.gz'
    result = app.test_cli_runner().invoke(args=['backup', str(archive)])
    assert result.exit_code == 0, result.output
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile('manifest.json').read())
    assert manifest['tables']['work_files'] == before['files'] and manifest['key_files'] > 0
    assert {f'blobs/{d}' for d in before['documents']} <= set(names)
    assert any(n.startswith('keys/') for n in names) and any(n.endswith('-audit_log.jsonl') for n in names)

    with fresh_app.app_context():
        restored = fresh_app.test_cli_runner().invoke(args=['restore', str(archive)])
        assert restored.exit_code == 0, restored.output
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
