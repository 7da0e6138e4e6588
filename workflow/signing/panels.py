"""What the file page shows about signing: the sign panel, the verification reports, the arrival check.

Everything here is computed by the view before rendering; templates only display it. Reports are
built only for documents that carry signatures, since verifying one costs real time.
"""
from sqlalchemy import or_

from ..extensions import db
from ..storage import blobs
from .models import SignatureRecord
from .operations import active_credential, certificate_summary, document_report, stamp_image, user_credentials
from .pageforms import SignForm
from .placement import SIGNATURE_HEIGHT, SIGNATURE_WIDTH
from .report import present

SIGNED_MARK = b'/ByteRange'
SIGNABLE = ('awaiting_signature', 'sign_failed')  # a signed file may be signed again, but not from this panel


def signing_context(file, actor, actions, *, sign_form=None, sign_message=None):
    """The `signing` mapping the file page renders."""
    main = file.main_document
    return {
        'sign': (sign_panel(file, actor, sign_form, sign_message)
                 if 'sign' in actions and main and (file.status in SIGNABLE or sign_form) else None),
        'reports': [(document, present(document_report(document))) for document in signed_documents(file)],
        'verification_code': _verification_code(file),
        'arrival_check': file.signature_check if file.direction == 'incoming' else None,
    }


def sign_panel(file, actor, form=None, message=None):
    # With no active key, the latest one says why (revoked) before the leader types a PIN.
    credential = active_credential(user=actor) or next(reversed(user_credentials(actor)), None)
    return {
        'form': form or SignForm(formdata=None, prefix='sign'),
        'message': message,
        'document': file.main_document,
        'certificate': certificate_summary(credential),
        'locked_until': credential.locked_until if credential is not None and credential.pin_locked else None,
        'expired': credential is not None and credential.expired,
        'has_image': stamp_image(user=actor) is not None,
        'box_size': (SIGNATURE_WIDTH, SIGNATURE_HEIGHT),
    }


def signed_documents(file):
    """The file's documents that carry signatures: signed here (by record, also for recipients'
    copies, which share the signed bytes), judged on arrival, or signed elsewhere before upload."""
    documents = list(file.documents)
    if not documents:
        return []
    rows = db.session.query(SignatureRecord.document_id, SignatureRecord.sha256_after).filter(or_(
        SignatureRecord.document_id.in_([d.id for d in documents]),
        SignatureRecord.sha256_after.in_([d.sha256 for d in documents]))).all()
    recorded_ids, recorded_digests = {r[0] for r in rows}, {r[1] for r in rows}
    judged = file.signature_check in ('valid', 'invalid')
    return [d for d in documents if d.id in recorded_ids or d.sha256 in recorded_digests or judged
            or SIGNED_MARK in blobs().get(d.sha256)]


def _verification_code(file):
    if file.verification_code:
        return file.verification_code
    source = file.source_file
    return source.verification_code if source is not None else None
