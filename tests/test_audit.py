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
