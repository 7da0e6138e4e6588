"""The app's records of keys, stamp images, trust anchors and the signatures it applied."""
from ..dbtypes import UtcDateTime
from ..extensions import db
from ..timeutil import aware, now

CREDENTIAL_KINDS = ('person', 'organisation', 'imported', 'pkcs11')
MAX_PIN_FAILURES = 5
PIN_LOCK_MINUTES = 15


class Enrolment(db.Model):
    """An administrator's go-ahead for a person to get a certificate from the local CA: the person, and
    only the person, then chooses the PIN (with the one-time code, within its lifetime)."""
    __tablename__ = 'enrolments'
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey('users.id'), nullable=False, index=True)
    code_hash = db.Column(db.String(64), nullable=False)  # SHA-256 of the code; the code is shown once
    created_by_id = db.Column(db.Integer, db.ForeignKey('users.id'))
    created_at = db.Column(UtcDateTime(), nullable=False, default=now)
    expires_at = db.Column(UtcDateTime(), nullable=False)
    used_at = db.Column(UtcDateTime())
    attempts = db.Column(db.Integer, nullable=False, default=0)

    @property
    def open(self):
        return self.used_at is None and aware(self.expires_at) > now() and self.attempts < ENROLMENT_ATTEMPTS


ENROLMENT_HOURS = 72
ENROLMENT_ATTEMPTS = 5


class Credential(db.Model):
    """A signing key: a PKCS#12 under its holder's PIN (never stored), or a key on a PKCS#11 token."""
    __tablename__ = 'credentials'
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(12), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey('users.id'), index=True)
    unit_id = db.Column(db.Integer, db.ForeignKey('units.id'), index=True)
    serial = db.Column(db.String(64), nullable=False, index=True)
    subject = db.Column(db.String(500), nullable=False)
    issuer = db.Column(db.String(500), nullable=False)
    not_before = db.Column(UtcDateTime(), nullable=False)
    not_after = db.Column(UtcDateTime(), nullable=False)
    certificate_pem = db.Column(db.Text, nullable=False)
    pkcs12 = db.Column(db.LargeBinary)
    token_label = db.Column(db.String(100))
    key_label = db.Column(db.String(100))
    active = db.Column(db.Boolean, nullable=False, default=True)
    revoked_at = db.Column(UtcDateTime())
    revocation_reason = db.Column(db.String(40))
    failed_pins = db.Column(db.Integer, nullable=False, default=0)
    locked_until = db.Column(UtcDateTime())
    created_at = db.Column(UtcDateTime(), nullable=False, default=now)

    user = db.relationship('User')
    unit = db.relationship('Unit')

    @property
    def revoked(self):
        return self.revoked_at is not None

    @property
    def expired(self):
        return aware(self.not_after) <= now()

    @property
    def pin_locked(self):
        return self.locked_until is not None and aware(self.locked_until) > now()


class StampImage(db.Model):
    """A handwritten-signature image (per user) or a seal image (per unit): transparent PNG."""
    __tablename__ = 'stamp_images'
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(10), nullable=False)  # signature | seal
    user_id = db.Column(db.Integer, db.ForeignKey('users.id'), index=True)
    unit_id = db.Column(db.Integer, db.ForeignKey('units.id'), index=True)
    sha256 = db.Column(db.String(64), nullable=False)
    width = db.Column(db.Integer, nullable=False)
    height = db.Column(db.Integer, nullable=False)
    created_at = db.Column(UtcDateTime(), nullable=False, default=now)


class TrustAnchor(db.Model):
    """A CA certificate trusted besides the local root (imported chains, on admin approval)."""
    __tablename__ = 'trust_anchors'
    id = db.Column(db.Integer, primary_key=True)
    subject = db.Column(db.String(500), nullable=False)
    fingerprint = db.Column(db.String(64), nullable=False, unique=True)
    certificate_pem = db.Column(db.Text, nullable=False)
    approved_by_id = db.Column(db.Integer, db.ForeignKey('users.id'))
    approved_at = db.Column(UtcDateTime())
    created_at = db.Column(UtcDateTime(), nullable=False, default=now)


class SignatureRecord(db.Model):
    """A signature this system applied to a document, with the blob before and after."""
    __tablename__ = 'signature_records'
    id = db.Column(db.Integer, primary_key=True)
    document_id = db.Column(db.Integer, db.ForeignKey('documents.id'), nullable=False, index=True)
    credential_id = db.Column(db.Integer, db.ForeignKey('credentials.id'))
    user_id = db.Column(db.Integer, db.ForeignKey('users.id'))
    role = db.Column(db.String(15), nullable=False)  # signer | organisation | attachment | archive
    field = db.Column(db.String(60), nullable=False)
    signed_at = db.Column(UtcDateTime(), nullable=False, default=now)
    sha256_before = db.Column(db.String(64), nullable=False)
    sha256_after = db.Column(db.String(64), nullable=False)

    user = db.relationship('User')
    credential = db.relationship('Credential')
