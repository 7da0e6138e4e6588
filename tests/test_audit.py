"""The audit log is a hash chain: editing or removing an entry is detected."""
import pytest
from sqlalchemy import text

from workflow import audit
from workflow.extensions import db
from workflow.files.operations import forward_file


@pytest.fixture
def org(small_district_org):
    """A small district (tests/builders.py: small_district), in the test's own session."""
    return small_district_org


def _some_history(org):
    file = org.draft()
    forward_file(file, org.specialist, purpose='sign', to_user=org.chairman, note='Kính trình')
    db.session.commit()
    return file


def test_chain_is_intact_after_ordinary_work(org):
    _some_history(org)
    assert db.session.query(audit.AuditEntry).count() >= 2
    assert audit.verify_chain() is None


def test_editing_a_row_is_detected(org):
    _some_history(org)
    first = db.session.query(audit.AuditEntry).order_by(audit.AuditEntry.id).first()
    db.session.execute(text("UPDATE audit_log SET details = '{\"forged\": true}' WHERE id = :id"), {'id': first.id})
    db.session.commit()
    db.session.expire_all()
    assert audit.verify_chain() == first.id


def test_rewriting_a_row_with_a_fresh_hash_breaks_the_next_link(org):
    _some_history(org)
    entries = db.session.query(audit.AuditEntry).order_by(audit.AuditEntry.id).all()
    forged = entries[0]
    forged.action = 'nothing_happened'
    forged.hash = forged.compute_hash()
    db.session.commit()
    assert audit.verify_chain() == entries[1].id


def test_removing_a_row_is_detected(org):
    _some_history(org)
    entries = db.session.query(audit.AuditEntry).order_by(audit.AuditEntry.id).all()
    db.session.execute(text('DELETE FROM audit_log WHERE id = :id'), {'id': entries[0].id})
    db.session.commit()
    db.session.expire_all()
    assert audit.verify_chain() == entries[1].id


# ---------------------------------------------------------------- `audit verify` and the anchors

@pytest.fixture
def anchor_store(app, ctx, tmp_path, monkeypatch):
    """This test's own object store (anchors of other tests' rolled-back entries must not meet these),
    and the local PKI whose TSA stamps the anchors. Anchors here are made by the test's own commands
    only: the automatic one every AUDIT_ANCHOR_EVERY entries would fire at whatever entry id the
    database's sequence has reached (on PostgreSQL ids are not reused between tests)."""
    from workflow.signing import trust
    from workflow.storage import FileStorage

    monkeypatch.setitem(app.config, 'AUDIT_ANCHOR_EVERY', 0)
    trust.ensure_pki()
    kept = app.extensions.get('blob_store')
    app.extensions['blob_store'] = FileStorage(tmp_path / 'store')
    yield tmp_path / 'store'
    app.extensions['blob_store'] = kept


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def _recompute_from(entries):
    """What an insider with the database in hand does after changing the chain: fix every later link."""
    prev = None
    for entry in entries:
        if prev is not None:
            entry.prev_hash = prev.hash
        entry.hash = entry.compute_hash()
        prev = entry
    db.session.commit()


def _anchored_ids(store):
    return sorted(int(p.name.split('-')[0]) for p in (store / 'records' / 'audit-anchors').iterdir())


def _anchored_history(app, org):
    """Two forwards, the head anchored, then one more forward (a few entries each)."""
    _some_history(org)
    _some_history(org)
    result = _cli(app, 'audit', 'anchor')
    assert result.exit_code == 0 and 'anchored entry' in result.output, result.output
    forward_file(org.draft(), org.specialist, purpose='handle', to_user=org.chairman)
    db.session.commit()
    return db.session.query(audit.AuditEntry).order_by(audit.AuditEntry.id).all()


def test_audit_verify_passes_an_intact_chain_and_its_anchors(app, org, anchor_store):
    entries = _anchored_history(app, org)
    assert _cli(app, 'audit', 'anchor').exit_code == 0
    assert 'nothing new' in _cli(app, 'audit', 'anchor').output
    result = _cli(app, 'audit', 'verify')
    assert result.exit_code == 0, result.output
    assert f'{len(entries)} entries, 2 anchors' in result.output
    assert len(list((anchor_store / 'records' / 'audit-anchors').iterdir())) == 2


def test_audit_verify_names_a_plainly_edited_entry(app, org, anchor_store):
    entries = _anchored_history(app, org)
    db.session.execute(text("UPDATE audit_log SET action = 'nothing' WHERE id = :id"), {'id': entries[1].id})
    db.session.commit()
    result = _cli(app, 'audit', 'verify')
    assert result.exit_code != 0 and f'broken at entry {entries[1].id}' in result.output


def test_a_rewritten_entry_with_recomputed_hashes_is_caught_by_the_anchor(app, org, anchor_store):
    entries = _anchored_history(app, org)
    anchored = _anchored_ids(anchor_store)[0]
    forged = entries[1]
    forged.details = '{"note": "nothing to see"}'
    _recompute_from(entries[1:])
    assert audit.verify_chain() is None  # the chain alone no longer tells
    result = _cli(app, 'audit', 'verify')
    assert result.exit_code != 0
    assert f'broken at entry {entries[0].id}' in result.output
    assert f'entry {anchored} was rewritten' in result.output
    assert f'the change lies in entries {entries[0].id}..{anchored}' in result.output


def test_a_deleted_entry_with_recomputed_hashes_is_caught_by_the_anchor(app, org, anchor_store):
    entries = _anchored_history(app, org)
    db.session.delete(entries[1])
    db.session.flush()
    _recompute_from([entries[0]] + entries[2:])
    assert audit.verify_chain() is None
    result = _cli(app, 'audit', 'verify')
    assert result.exit_code != 0 and 'was rewritten' in result.output


def test_a_deleted_entry_is_named_by_audit_verify(app, org, anchor_store):
    entries = _anchored_history(app, org)
    db.session.execute(text('DELETE FROM audit_log WHERE id = :id'), {'id': entries[1].id})
    db.session.commit()
    result = _cli(app, 'audit', 'verify')
    assert result.exit_code != 0 and f'broken at entry {entries[2].id}' in result.output


def test_a_cut_off_tail_is_caught_by_the_anchor(app, org, anchor_store):
    _some_history(org)
    assert _cli(app, 'audit', 'anchor').exit_code == 0
    last = db.session.query(audit.AuditEntry).order_by(audit.AuditEntry.id.desc()).first().id
    db.session.execute(text('DELETE FROM audit_log WHERE id = :id'), {'id': last})
    db.session.commit()
    assert audit.verify_chain() is None
    result = _cli(app, 'audit', 'verify')
    assert result.exit_code != 0 and f'entry {last} is missing' in result.output


def test_the_head_is_anchored_every_n_entries(app, org, anchor_store, monkeypatch):
    monkeypatch.setitem(app.config, 'AUDIT_ANCHOR_EVERY', 1)
    _some_history(org)
    head = db.session.query(audit.AuditEntry).order_by(audit.AuditEntry.id.desc()).first()
    names = [p.name for p in (anchor_store / 'records' / 'audit-anchors').iterdir()]
    assert f'{head.id:012d}-{head.hash[:16]}.json' in names
    assert _cli(app, 'audit', 'verify').exit_code == 0


def test_the_archive_maintenance_job_anchors_the_head(app, org, anchor_store):
    from workflow.jobs import tasks

    _some_history(org)
    tasks.archive_timestamps()
    head = db.session.query(audit.AuditEntry).order_by(audit.AuditEntry.id.desc()).first()
    assert _anchored_ids(anchor_store) == [head.id]
    assert _cli(app, 'audit', 'verify').exit_code == 0
