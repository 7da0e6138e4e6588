"""Domain objects as the JSON the API promises (CONTRACT.md names the fields; extras are additive)."""
from sqlalchemy import select

from ..extensions import db
from ..files import transitions
from ..signing.models import SignatureRecord
from ..timeutil import iso


def user_json(user):
    return {
        'id': user.id, 'username': user.username, 'full_name': user.full_name, 'title': user.title,
        'unit_id': user.unit_id, 'roles': user.roles, 'active': user.active, 'locale': user.locale,
        'email': user.email,
    }


def unit_json(unit):
    return {
        'id': unit.id, 'code': unit.code, 'name': unit.name, 'abbreviation': unit.abbreviation,
        'level': unit.level_code, 'parent_id': unit.parent_id, 'active': unit.active,
    }


def signatures_of(document):
    """The signatures this system applied to the document's current bytes, oldest first.

    Followed back through the blob each signature produced, so a delivered copy (same bytes,
    another document row) shows them too. Whether they still verify is GET …/verification's job.
    """
    records, digest, seen = [], document.sha256, set()
    while digest not in seen:
        seen.add(digest)
        record = db.session.scalars(select(SignatureRecord).where(SignatureRecord.sha256_after == digest)
                                    .order_by(SignatureRecord.id.desc()).limit(1)).first()
        if record is None:
            break
        records.append(record)
        digest = record.sha256_before
    return [signature_json(r) for r in reversed(records)]


def signature_json(record):
    return {
        'field': record.field, 'role': record.role, 'signer_id': record.user_id,
        'signer': record.user.full_name if record.user else None, 'signed_at': iso(record.signed_at),
        'certificate_serial': record.credential.serial if record.credential else None,
    }


def document_json(document):
    return {
        'id': document.id, 'file_id': document.file_id, 'kind': document.kind, 'filename': document.filename,
        'sha256': document.sha256, 'size': document.size, 'pages': document.pages,
        'paper_origin': document.paper_origin, 'uploaded_by_id': document.uploaded_by_id,
        'created_at': iso(document.created_at), 'duplicate_of_id': document.duplicate_of_id,
        'signatures': signatures_of(document),
    }


def event_json(event):
    return {
        'at': iso(event.at), 'actor_id': event.actor_id, 'action': event.action,
        'from_unit_id': event.from_unit_id, 'to_unit_id': event.to_unit_id, 'note': event.note,
        'from_user_id': event.from_user_id, 'to_user_id': event.to_user_id, 'purpose': event.purpose,
        'on_paper': event.on_paper,
    }


def delivery_json(delivery):
    return {
        'unit_id': delivery.unit_id, 'file_id': delivery.file_id, 'status': delivery.status,
        'delivered_at': iso(delivery.delivered_at), 'updated_at': iso(delivery.updated_at),
        'note': delivery.note,
    }


def assignment_json(assignment):
    return {
        'user_id': assignment.user_id, 'role': assignment.role, 'deadline': iso(assignment.deadline),
        'assigned_by_id': assignment.assigned_by_id, 'assigned_at': iso(assignment.assigned_at),
        'done_at': iso(assignment.done_at),
    }


def file_summary_json(file):
    """What a list shows: enough to pick a file and see where it stands."""
    return {
        'id': file.id, 'title': file.title, 'doc_type': file.doc_type, 'number': file.number,
        'status': file.status, 'urgency': file.urgency, 'direction': file.direction,
        'holder_unit_id': file.holder_unit_id, 'holder_user_id': file.holder_user_id,
        'held_since': iso(file.held_since), 'deadline': iso(file.deadline), 'overdue': file.overdue,
        'fully_electronic': file.fully_electronic, 'incoming_number': file.incoming_number,
        'owner_unit_id': file.owner_unit_id, 'created_at': iso(file.created_at),
        'closed_at': iso(file.closed_at),
    }


def file_json(file, viewer=None):
    """The whole file: CONTRACT.md's fields plus the registers, links and electronic status."""
    data = file_summary_json(file)
    data.update({
        'summary': file.summary, 'creator_id': file.creator_id,
        'issuing_unit_id': file.issuing_unit_id, 'issued_at': iso(file.issued_at),
        'incoming_year': file.incoming_year, 'received_at': iso(file.received_at),
        'registered_at': iso(file.registered_at), 'source_file_id': file.source_file_id,
        'reply_file_id': file.reply_file_id, 'result_note': file.result_note,
        'paper_reasons': [{'reason': m.reason, 'detail': m.detail, 'at': iso(m.at)} for m in file.paper_marks],
        'documents': [document_json(d) for d in file.documents],
        'timeline': [event_json(e) for e in file.events],
        'deliveries': [delivery_json(d) for d in file.deliveries],
        'assignments': [assignment_json(a) for a in sorted(file.assignments, key=lambda a: a.id or 0)],
    })
    if viewer is not None:
        data['available_actions'] = sorted(transitions.available_actions(file, viewer))
    return data
