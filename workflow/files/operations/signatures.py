"""Signatures on a file's documents, as the file records them: a leader signs the main document
(or the signing fails, visibly), and issued documents get their archive timestamps.

The signing room turns bytes into signed bytes (signing/operations.py); what that does to the
file — its document's bytes, its status, its timeline, the record of who signed with which key —
is changed here and only here.
"""
from flask_babel import gettext as _

from ... import audit
from ...errors import BadInput
from ...extensions import db
from ...signing import operations as signing
from ...signing.credentials import SigningRefused
from ...signing.models import SignatureRecord
from ...storage import blobs
from ...timeutil import now
from .. import transitions
from ..models import Document, FileEvent, WorkFile


def sign_document(file, actor, *, document, pin, page=None, box=None):
    """The leader holding the file signs `document` (its main document) with their own key; returns
    the SignatureRecord. A signature that cannot be made (the timestamp authority is down …) leaves
    the file in "signing failed — retry" and says why."""
    row = transitions.require(file, 'sign', actor)
    if document.file_id != file.id or document.kind != 'main':
        raise BadInput(_('Chỉ ký được văn bản chính của hồ sơ này.'), code='invalid_document')
    try:
        signed = signing.sign_as_person(actor, pin, blobs().get(document.sha256), page=page, box=box)
    except signing.SignatureNotMade as failure:
        raise record_sign_failure(file, actor, failure) from None
    return record_signature(file, document, actor, signed, status=row.target)


def record_signature(file, document, actor, signed, *, status):
    """The document now holds the signed bytes; the file is signed by `actor`; the timeline says so."""
    record = replace_bytes(document, signed, actor=actor, role='signer')
    file.status, file.sign_error, file.signer_id = status, None, actor.id
    db.session.add(FileEvent(file=file, at=now(), actor_id=actor.id, action='sign', from_unit_id=actor.unit_id,
                             note=document.filename))
    db.session.flush()
    audit.record(actor, 'sign', file, document_id=document.id, sha256=document.sha256,
                 serial=signed.credential.serial)
    return record


def record_sign_failure(file, actor, failure):
    """The failure shown on the file ("Ký lỗi — thử lại", with the reason) and kept, though nothing was
    signed; returns the refusal to raise (its bookkeeping is committed)."""
    row = transitions.find(file, 'sign_failed')
    if row is not None:
        file.status = row.target
    file.sign_error = failure.message
    db.session.add(FileEvent(file=file, at=now(), actor_id=actor.id, action='sign_failed',
                             from_unit_id=file.holder_unit_id, note=failure.message))
    db.session.flush()
    audit.record(actor, 'sign_failed', file, reason=failure.code)
    return SigningRefused(failure.message, code=failure.code, status=failure.status)


def replace_bytes(document, signed, *, actor, role):
    """Point the document at the signed bytes (stored first, content-addressed: a rolled-back request
    leaves at most an unreferenced blob) and record the signature; returns the SignatureRecord."""
    before = document.sha256
    document.sha256, document.size = blobs().put(signed.data), len(signed.data)
    return signing.note_signature(document.id, user=actor, credential=signed.credential, role=role,
                                  field=signed.field, before=before, after=document.sha256)


def archive_timestamp_issued(limit=None):
    """Add an archive timestamp (PAdES B-LTA) to issued documents that lack one; returns how many."""
    done = 0
    query = (db.session.query(Document).join(WorkFile, Document.file_id == WorkFile.id)
             .filter(WorkFile.direction == 'outgoing', WorkFile.issued_at.isnot(None)))
    for document in query.order_by(Document.id):
        if db.session.query(SignatureRecord).filter_by(document_id=document.id, role='archive').first():
            continue
        before = document.sha256
        stamped = signing.archive_stamp(blobs().get(before))
        document.sha256, document.size = blobs().put(stamped), len(stamped)
        signing.note_signature(document.id, user=None, credential=None, role='archive', field='archive',
                               before=before, after=document.sha256)
        _follow_to_copies(before, document.sha256)
        done += 1
        if limit and done >= limit:
            break
    db.session.flush()
    audit.record(None, 'archive_timestamp', None, documents=done)
    return done


def _follow_to_copies(before, after):
    """Recipients' copies of an issued document follow it to its archived version."""
    for copy in db.session.query(Document).filter_by(sha256=before).all():
        copy.sha256 = after
