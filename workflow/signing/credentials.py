"""Signing keys and their certificates: issued by the local authority, imported, or held on a token;
revoked; and opened under their holder's PIN.

The database row of a credential is the one record of whether its certificate is revoked: the CRL
and the OCSP answers are built from these rows (trust.py), in the same transaction's world, so a
revocation that is rolled back never reaches a validator, and every app host agrees.
"""
import hashlib
import logging
import os
import secrets
from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from flask import current_app
from flask_babel import gettext as _

from .. import audit, policy
from ..errors import BadInput, Conflict, DomainError, NotAllowed
from ..extensions import db
from ..timeutil import aware, now, vn
from . import trust
from .lib import authority, keystore, revocation
from .lib.errors import InvalidCredential, TokenError, WrongPin
from .models import (
    ENROLMENT_HOURS,
    MAX_PIN_FAILURES,
    PIN_LOCK_MINUTES,
    Credential,
    Enrolment,
    TrustAnchor,
)
from .stamps import store_png

log = logging.getLogger(__name__)


class SigningRefused(DomainError):
    """Signing did not happen; what led to it (a wrong-PIN count, a failed state) is kept."""
    status = 422
    keep_changes = True


def _refuse(message, code, status=422):
    return SigningRefused(message, code=code, status=status)


# ---------------------------------------------------------------- the records

def user_credentials(user):
    return db.session.query(Credential).filter_by(user_id=user.id).order_by(Credential.id).all()


def unit_credentials(unit):
    return db.session.query(Credential).filter_by(unit_id=unit.id).order_by(Credential.id).all()


def active_credential(*, user=None, unit=None):
    """The person's (or the unit's seal) credential in use now, or None."""
    query = db.session.query(Credential).filter_by(active=True)
    query = query.filter_by(user_id=user.id) if user is not None else query.filter_by(unit_id=unit.id)
    return query.order_by(Credential.id.desc()).first()


def certificate_summary(credential):
    """What a page shows of a certificate (None for none)."""
    if credential is None:
        return None
    return {'serial': credential.serial, 'subject': credential.subject, 'issuer': credential.issuer,
            'not_after': aware(credential.not_after), 'kind': credential.kind, 'revoked': credential.revoked,
            'revoked_at': aware(credential.revoked_at), 'fingerprint': hashlib.sha256(
                credential.certificate_pem.encode()).hexdigest()[:16]}


def _from_certificate(certificate, **fields):
    return Credential(serial=format(certificate.serial_number, 'x'), subject=certificate.subject.rfc4514_string(),
                      issuer=certificate.issuer.rfc4514_string(), not_before=certificate.not_valid_before_utc,
                      not_after=certificate.not_valid_after_utc,
                      certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(), **fields)


# PrintableString, which X.520 prescribes for serialNumber, and its 64-character bound.
_PRINTABLE = set('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 \'()+,-./:=?')


def person_identifier(user):
    """The subject serialNumber of a person's certificate: a stable identifier of them in this deployment.

    The directory keeps no citizen ID (CCCD), so it is their username (unique, never reused), or
    `ID<user id>` when the username does not fit a PrintableString of at most 64 characters."""
    if len(user.username) <= 64 and set(user.username) <= _PRINTABLE:
        return user.username
    return f'ID{user.id}'


MIN_PIN_LENGTH = 6


def _check_new_pin(pin):
    if not pin or len(pin) < MIN_PIN_LENGTH or len(pin) > 64:
        raise BadInput(_('Mã PIN phải có từ 6 đến 64 ký tự.'), code='invalid_pin')


def _revoke(credential, reason):
    # to the second, rounded up as CRLs and OCSP answers will say it (see lib/revocation.py)
    credential.revoked_at, credential.revocation_reason = revocation.to_the_second(now()), reason


def _retire(credentials, reason='superseded'):
    """Older credentials of a holder who gets a new key: no longer used, and revoked if ours (the
    certificates of the same key before a recertification too)."""
    for credential in credentials:
        credential.active = False
        if not credential.revoked and credential.kind in trust.LOCAL_KINDS:
            _revoke(credential, reason)


# ---------------------------------------------------------------- issuing, importing, revoking

# ---------------------------------------------------------------- enrolment: the holder chooses the PIN

def start_enrolment(actor, user):
    """An administrator lets `user` get a certificate from the local CA; returns (Enrolment, code). The
    code is shown once (to be handed to the person) and kept only as a hash; the person's current
    certificate stays valid until the new one exists. An earlier open enrolment is closed."""
    policy.require(policy.may_manage_keys, actor)
    for earlier in _open_enrolments(user):
        earlier.used_at = now()
    code = '-'.join(secrets.token_hex(2).upper() for _ in range(3))  # e.g. 3F9A-0C21-B7E4
    enrolment = Enrolment(user_id=user.id, code_hash=_code_hash(code), created_by_id=actor.id,
                          expires_at=now() + timedelta(hours=ENROLMENT_HOURS))
    db.session.add(enrolment)
    db.session.flush()
    audit.record(actor, 'start_enrolment', user, enrolment_id=enrolment.id, expires_at=enrolment.expires_at)
    return enrolment, code


def open_enrolment(user):
    """The person's enrolment waiting for their PIN, if any."""
    found = _open_enrolments(user)
    return found[-1] if found else None


def complete_enrolment(holder, code, pin):
    """The holder, with the code, chooses the PIN: the key is made and stored under it; a previous
    certificate is revoked (superseded). Wrong codes count: five close the enrolment."""
    enrolment = open_enrolment(holder)
    if enrolment is None:
        raise Conflict(_('Bạn không có yêu cầu cấp chứng thư số nào đang chờ (hoặc yêu cầu đã hết hạn).'),
                       code='no_enrolment')
    if not secrets.compare_digest(enrolment.code_hash, _code_hash(code or '')):
        enrolment.attempts += 1
        db.session.flush()
        raise _refuse(_('Mã cấp chứng thư không đúng.'), 'wrong_enrolment_code', 422)
    _check_new_pin(pin)
    credential = _issue_person_certificate(holder, pin)
    enrolment.used_at = now()
    db.session.flush()
    audit.record(holder, 'issue_certificate', holder, serial=credential.serial, enrolment_id=enrolment.id)
    return credential


def _open_enrolments(user):
    rows = db.session.query(Enrolment).filter(Enrolment.user_id == user.id, Enrolment.used_at.is_(None)) \
        .order_by(Enrolment.id).all()
    return [e for e in rows if e.open]


def _code_hash(code):
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def _issue_person_certificate(user, pin):
    """A personal certificate from the local CA, its key wrapped under the holder's PIN."""
    trust.ensure_pki()
    salt = os.urandom(16)
    issued = authority.issue_person_certificate(trust.keys_dir(), full_name=user.full_name, title=user.title or '',
                                                unit_name=user.unit.name, serial_number=person_identifier(user),
                                                pin=keystore.stretched_pin(pin, salt), base_url=trust.base_url(),
                                                policy_oid=trust.certificate_policy())
    _retire(user_credentials(user), 'superseded')
    credential = _from_certificate(issued.certificate, kind='person', user_id=user.id,
                                   pkcs12=keystore.wrap(issued.pkcs12, _kek(), salt=salt))
    db.session.add(credential)
    db.session.flush()
    return credential


def issue_unit_seal(actor, unit, *, png, pin):
    """The organisation's seal image and a fresh organisation certificate under the unit's PIN."""
    policy.require(policy.may_manage_keys, actor)
    _check_new_pin(pin)
    image = store_png(png, kind='seal', unit_id=unit.id)
    trust.ensure_pki()
    salt = os.urandom(16)
    issued = authority.issue_organisation_certificate(trust.keys_dir(), org_name=unit.name,
                                                      pin=keystore.stretched_pin(pin, salt),
                                                      organization_identifier=unit.code, base_url=trust.base_url(),
                                                      policy_oid=trust.certificate_policy())
    _retire(unit_credentials(unit), 'superseded')
    credential = _from_certificate(issued.certificate, kind='organisation', unit_id=unit.id,
                                   pkcs12=keystore.wrap(issued.pkcs12, _kek(), salt=salt))
    db.session.add(credential)
    db.session.flush()
    audit.record(actor, 'issue_seal', unit, serial=credential.serial, image=image.sha256)
    return credential


def revoke_user_certificate(actor, user, reason='cessationOfOperation'):
    """Revoke the person's certificates (RFC 5280 reason name); the CRL and OCSP say so from now on."""
    policy.require(policy.may_manage_keys, actor)
    if reason not in trust.REVOCATION_REASONS:
        raise BadInput(_('Lý do thu hồi không hợp lệ; chọn một trong: %(reasons)s.',
                         reasons=', '.join(trust.REVOCATION_REASONS)), code='invalid_reason')
    credentials = [c for c in user_credentials(user) if not c.revoked and c.kind in ('person', 'organisation')]
    if not credentials:
        raise Conflict(_('Người dùng này không có chứng thư số đang hiệu lực.'), code='no_certificate')
    for credential in credentials:
        _revoke(credential, reason)  # stays the user's current credential, so signing says "revoked"
    keystore.forget_cached_keys()
    db.session.flush()
    audit.record(actor, 'revoke_certificate', user, serials=[c.serial for c in credentials], reason=reason)
    return credentials


def import_pkcs12_credential(actor, user, *, pkcs12, password):
    """A certificate issued elsewhere; its chain becomes a trust anchor once an admin approves it."""
    policy.require(policy.may_manage_keys, actor)
    try:
        imported = keystore.import_pkcs12(pkcs12, password)
    except WrongPin:
        raise BadInput(_('Mật khẩu của tệp PKCS#12 không đúng.'), code='wrong_pin') from None
    except (InvalidCredential, ValueError):
        raise BadInput(_('Tệp không phải là PKCS#12 hợp lệ có khóa bí mật và chứng thư.'),
                       code='invalid_credential') from None
    for ca in imported.chain:
        _propose_anchor(ca)
    _retire(user_credentials(user), 'superseded')
    credential = _from_certificate(imported.certificate, kind='imported', user_id=user.id,
                                   pkcs12=keystore.wrap(pkcs12, _kek()))  # still under its own password
    db.session.add(credential)
    db.session.flush()
    audit.record(actor, 'import_certificate', user, serial=credential.serial, issuer=credential.issuer)
    return credential


def register_token_credential(actor, user, *, certificate_pem, token_label, key_label):
    """A key that lives on a PKCS#11 token or HSM; the app keeps only its certificate and labels."""
    policy.require(policy.may_manage_keys, actor)
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode() if isinstance(certificate_pem, str)
                                                     else certificate_pem)
    except ValueError:
        raise BadInput(_('Chứng thư số không hợp lệ (cần định dạng PEM).'), code='invalid_certificate') from None
    _retire(user_credentials(user), 'superseded')
    credential = _from_certificate(certificate, kind='pkcs11', user_id=user.id, token_label=token_label,
                                   key_label=key_label)
    db.session.add(credential)
    db.session.flush()
    audit.record(actor, 'register_token', user, serial=credential.serial, token=token_label)
    return credential


def _propose_anchor(certificate):
    fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
    if db.session.query(TrustAnchor).filter_by(fingerprint=fingerprint).first() is None:
        db.session.add(TrustAnchor(subject=certificate.subject.rfc4514_string(), fingerprint=fingerprint,
                                   certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode()))


def approve_anchor(actor, anchor):
    policy.require(policy.may_manage_keys, actor)
    anchor.approved_by_id, anchor.approved_at = actor.id, now()
    db.session.flush()
    audit.record(actor, 'approve_trust_anchor', anchor, subject=anchor.subject)


# ---------------------------------------------------------------- after PUBLIC_BASE_URL changed

def certificate_of(credential):
    return x509.load_pem_x509_certificate(credential.certificate_pem.encode())


def pointing_elsewhere():
    """The people's and seals' certificates in use whose OCSP or CRL pointer is not the current
    PUBLIC_BASE_URL's (validators would ask an address that may no longer answer)."""
    rows = (db.session.query(Credential).filter(Credential.active.is_(True), Credential.revoked_at.is_(None),
                                                Credential.kind.in_(trust.LOCAL_KINDS))
            .order_by(Credential.id).all())
    return [c for c in rows if not c.expired and not authority.points_at(certificate_of(c), trust.base_url())]


def recertify(actor, credential):
    """A new certificate for the holder's same key, pointing at the current PUBLIC_BASE_URL.

    The key is a PKCS#12 under a PIN the server never knows, so it cannot be re-keyed here; the
    public key in the certificate is all a new certificate needs. Signing then presents the new
    certificate with the old key (_Unlocked). The previous certificate is retired but not revoked:
    the key is the same and the signatures made with it stand."""
    policy.require(policy.may_manage_keys, actor)
    renewed = authority.recertify(trust.keys_dir(), certificate_of(credential), base_url=trust.base_url(),
                                  policy_oid=trust.certificate_policy())
    credential.active = False
    successor = _from_certificate(renewed, kind=credential.kind, user_id=credential.user_id,
                                  unit_id=credential.unit_id, pkcs12=credential.pkcs12,
                                  failed_pins=credential.failed_pins, locked_until=credential.locked_until)
    db.session.add(successor)
    db.session.flush()
    audit.record(actor, 'recertify_certificate', credential.user or credential.unit, serial=successor.serial,
                 replaces=credential.serial, base_url=trust.base_url())
    return successor


def reissue_for_public_address(actor):
    """Point the authority's certificates at the current PUBLIC_BASE_URL: the TSA's (same key, the old
    certificate kept for the time stamps it made) and every person's and seal's in use.

    Returns (the new TSA certificate or None if it already pointed there, [(old, new) credentials]).
    The root has no pointers and stays; so does the OCSP responder's certificate (ocsp-nocheck)."""
    policy.require(policy.may_manage_keys, actor)
    trust.ensure_pki()
    tsa = authority.reissue_tsa(trust.keys_dir(), base_url=trust.base_url(), policy_oid=trust.certificate_policy())
    if tsa is not None:
        audit.record(actor, 'reissue_tsa', serial=format(tsa.serial_number, 'x'), base_url=trust.base_url())
    return tsa, [(credential, recertify(actor, credential)) for credential in pointing_elsewhere()]


# ---------------------------------------------------------------- opening a key under its PIN

def unlocked_key(credential, pin):
    """`with unlocked_key(credential, pin) as signer:` the credential's key, opened with its holder's PIN.

    Refuses a missing, locked, revoked or expired credential; a wrong PIN counts towards the lock
    (kept even though the signing does not happen); PKCS#11 sessions are closed when the block ends."""
    return _Unlocked(credential, pin)


def check_pin(user, pin):
    """Open the person's key once with `pin`, as any signing would (a wrong PIN counts)."""
    with unlocked_key(active_credential(user=user), pin):
        pass


def _usable(credential):
    if credential is None:
        raise NotAllowed(_('Bạn chưa có chứng thư số để ký. Liên hệ quản trị để được cấp.'), code='no_certificate')
    if credential.pin_locked:
        raise _refuse(_('Khóa ký đang tạm khóa do nhập sai PIN nhiều lần; thử lại sau %(t)s.',
                        t=vn(credential.locked_until).strftime('%H:%M %d/%m/%Y')), 'pin_locked', 423)
    if credential.revoked:
        raise _refuse(_('Chứng thư số đã bị thu hồi; không thể ký.'), 'certificate_revoked', 403)
    if credential.expired:
        raise _refuse(_('Chứng thư số đã hết hạn; không thể ký.'), 'certificate_expired', 403)


def _wrong_pin(credential):
    """Count a wrong PIN (and lock at the limit), recorded in the audit log with the count it kept."""
    credential.failed_pins += 1
    left = MAX_PIN_FAILURES - credential.failed_pins
    audit.record(audit.current_actor(), 'wrong_pin', credential, holder_id=credential.user_id,
                 unit_id=credential.unit_id, failures=credential.failed_pins)
    if left <= 0:
        credential.failed_pins, credential.locked_until = 0, now() + timedelta(minutes=PIN_LOCK_MINUTES)
        db.session.flush()
        audit.record(audit.current_actor(), 'pin_locked', credential, holder_id=credential.user_id,
                     unit_id=credential.unit_id, until=credential.locked_until)
        return _refuse(_('Sai mã PIN 5 lần: khóa ký bị tạm khóa 15 phút.'), 'pin_locked', 423)
    db.session.flush()
    return _refuse(_('Mã PIN không đúng (còn %(n)d lần thử).', n=left), 'wrong_pin', 422)


def _kek():
    """The key-encryption key (KEY_ENCRYPTION_KEY, never in the database nor in backups)."""
    return current_app.config['KEY_ENCRYPTION_KEY']


def _opened(credential, pin):
    """The signer in a stored key; a key stored before keys were wrapped is wrapped now that its PIN
    has opened it (under a stretched PIN and the key-encryption key)."""
    if keystore.is_wrapped(credential.pkcs12):
        return keystore.load_wrapped_signer(credential.pkcs12, pin, _kek())
    signer = keystore.load_pkcs12_signer(credential.pkcs12, pin)
    if credential.kind in ('person', 'organisation', 'imported'):
        wrapped = (keystore.rewrapped(credential.pkcs12, pin, _kek()) if credential.kind in trust.LOCAL_KINDS
                   else keystore.wrap(credential.pkcs12, _kek()))
        for sharing in db.session.query(Credential).filter(Credential.pkcs12 == credential.pkcs12).all():
            sharing.pkcs12 = wrapped  # re-certified rows share the key
        log.info('credential %s: key wrapped', credential.id)
    return signer


class _Unlocked:
    """A signer opened with the holder's PIN; PKCS#11 sessions are closed on exit."""

    def __init__(self, credential, pin):
        self.credential, self.pin, self._context = credential, pin or '', None

    def __enter__(self):
        # The PIN counter is read and written under a row lock (PostgreSQL; SQLite writers are serialised
        # already), so parallel guesses are counted one after another and the fifth locks the key.
        if self.credential.id is not None:
            db.session.refresh(self.credential, with_for_update=True)
        _usable(self.credential)
        try:
            if self.credential.kind == 'pkcs11':
                self._context = keystore.pkcs11_signer(
                    self.pin, token_label=self.credential.token_label, key_label=self.credential.key_label,
                    module_path=current_app.config.get('PKCS11_MODULE', '/usr/lib/softhsm/libsofthsm2.so'))
                signer = self._context.__enter__()
            else:
                signer = _opened(self.credential, self.pin)
                if self.credential.kind in trust.LOCAL_KINDS:  # the key may have been recertified since
                    signer = keystore.with_certificate(signer, certificate_of(self.credential))
        except WrongPin:
            raise _wrong_pin(self.credential) from None
        except (TokenError, InvalidCredential) as exc:
            log.warning('credential %s unusable: %s', self.credential.id, exc.code)
            raise _refuse(_('Không dùng được khóa ký (thiết bị ký số hoặc tệp khóa có lỗi).'), 'token_error',
                          503) from None
        self.credential.failed_pins = 0
        return signer

    def __exit__(self, *exc):
        if self._context is not None:
            self._context.__exit__(*exc)
        return False
