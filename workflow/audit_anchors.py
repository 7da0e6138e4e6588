"""Anchors of the audit chain outside the database.

The hash chain of audit.py shows an edited or removed entry, but not an insider with write access to the
database who rewrites or deletes entries and then recomputes every later hash. So, now and then (the
`audit anchor` command, the maintenance job, and every AUDIT_ANCHOR_EVERY entries), the chain's head is
time-stamped (RFC 3161, by TSA_URL or this deployment's own TSA) and the token is kept in the object
store, outside the database: `audit verify` then checks that every anchored entry is still in the chain
at its position with the same hash.
"""
import asyncio
import base64
import hashlib
import json
import logging
from dataclasses import dataclass
from functools import partial

from asn1crypto import cms, tsp
from flask import current_app
from sqlalchemy import event, func, select

from . import audit
from .extensions import db
from .signing import trust
from .storage import StorageError, blobs
from .timeutil import now
from .unit_of_work import after_commit

log = logging.getLogger(__name__)
KIND = 'audit-anchors'


@dataclass
class Anchor:
    entry_id: int
    hash: str
    at: str
    name: str = ''


@dataclass
class Report:
    entries: int
    anchors: int
    broken_entry: int | None = None
    reason: str = ''


def statement(entry_id, entry_hash):
    """The bytes that are time-stamped for an anchor: the entry's position and hash in the chain."""
    return f'workflow-audit-anchor:{entry_id}:{entry_hash}'.encode()


def anchor_head():
    """Time-stamp the chain's last entry and keep the anchor in the object store; None if the chain is
    empty or its head is anchored already."""
    head = db.session.execute(select(audit.AuditEntry.id, audit.AuditEntry.hash)
                              .order_by(audit.AuditEntry.id.desc()).limit(1)).first()
    return None if head is None else anchor_entry(head.id, head.hash)


def anchor_entry(entry_id, entry_hash):
    """Time-stamp (RFC 3161) the statement that entry `entry_id` has `entry_hash`, and keep the token in
    the object store; None if that anchor exists already. Needs no database (it runs after commits)."""
    name = f'{KIND}/{entry_id:012d}-{entry_hash[:16]}.json'
    if name in blobs().records(KIND):
        return None
    digest = hashlib.sha256(statement(entry_id, entry_hash)).digest()
    token = asyncio.run(trust.timestamper().async_timestamp(digest, 'sha256'))
    anchor = Anchor(entry_id=entry_id, hash=entry_hash, at=now().isoformat(), name=name)
    blobs().put_record(name, json.dumps({
        'entry_id': entry_id, 'hash': entry_hash, 'at': anchor.at,
        'statement': statement(entry_id, entry_hash).decode(),
        'timestamp_token': base64.b64encode(token.dump()).decode(),
    }, sort_keys=True).encode())
    log.info('audit chain anchored at entry %s', entry_id)
    return anchor


def _anchor_quietly(entry_id, entry_hash):
    """After a commit: anchor the entry, logging (never raising) a failure, since the work is done."""
    try:
        anchor_entry(entry_id, entry_hash)
    except Exception:
        log.exception('audit anchor of entry %s failed', entry_id)


def _load(name):
    """The anchor kept under `name`, after checking that its time stamp covers exactly its statement."""
    record = json.loads(blobs().get_record(name))
    entry_id, entry_hash = int(record['entry_id']), str(record['hash'])
    token = cms.ContentInfo.load(base64.b64decode(record['timestamp_token']))
    info = token['content']['encap_content_info']['content'].parsed
    if not isinstance(info, tsp.TSTInfo):
        raise ValueError('not a time-stamp token')
    imprint = info['message_imprint']
    expected = hashlib.sha256(statement(entry_id, entry_hash)).digest()
    if imprint['hash_algorithm']['algorithm'].native != 'sha256' or imprint['hashed_message'].native != expected:
        raise ValueError('the time stamp does not cover this anchor')
    return Anchor(entry_id=entry_id, hash=entry_hash, at=info['gen_time'].native.isoformat(), name=name)


def anchors():
    """Every anchor kept, by entry: a list of (Anchor or None, name, problem)."""
    found = []
    for name in blobs().records(KIND):
        try:
            found.append((_load(name), name, ''))
        except (StorageError, ValueError, KeyError, TypeError) as exc:
            found.append((None, name, str(exc)))
    return found


def verify_audit_log():
    """The chain from its first entry, then every anchor against it: the first broken entry, if any."""
    entries = db.session.scalar(select(func.count()).select_from(audit.AuditEntry))
    kept = anchors()
    report = Report(entries=entries, anchors=len(kept))
    broken = audit.verify_chain()
    last_good = 0
    for anchor, name, problem in sorted(kept, key=lambda k: k[0].entry_id if k[0] else 0):
        if anchor is None:
            report.broken_entry, report.reason = 0, f'anchor {name} is unreadable: {problem}'
            return report
        entry = db.session.get(audit.AuditEntry, anchor.entry_id)
        if entry is None or entry.hash != anchor.hash:
            what = 'is missing' if entry is None else 'was rewritten'
            first = db.session.scalar(select(func.min(audit.AuditEntry.id))
                                      .where(audit.AuditEntry.id > last_good)) or last_good + 1
            report.reason = (f'entry {anchor.entry_id} {what}: it differs from its anchor of {anchor.at} ({name}); '
                             f'the change lies in entries {first}..{anchor.entry_id}')
            # a broken link inside that stretch names the entry more precisely than the anchor can
            report.broken_entry = broken if broken is not None and broken <= anchor.entry_id else first
            return report
        last_good = anchor.entry_id
    if broken is not None:
        report.broken_entry = broken
        report.reason = 'its hash or its link to the previous entry does not fit the chain'
    return report


def _anchor_when_due(session, _flush_context):
    every = current_app.config.get('AUDIT_ANCHOR_EVERY', 0)
    for entry in session.new:
        if every and isinstance(entry, audit.AuditEntry) and entry.id % every == 0:
            after_commit(partial(_anchor_quietly, entry.id, entry.hash))


def install_anchoring(session_class):
    """Every AUDIT_ANCHOR_EVERY-th entry anchors the chain once its transaction has committed."""
    if not event.contains(session_class, 'after_flush', _anchor_when_due):
        event.listen(session_class, 'after_flush', _anchor_when_due)
