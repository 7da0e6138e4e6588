"""Where signing keys come from: a PKCS#12 under the holder's PIN, or a PKCS#11 token.

Decrypting a PKCS#12 costs tens of milliseconds (PBKDF2 + key checks), so a
decrypted key is kept in this process's memory for a while, keyed by the
digest of the PKCS#12.  It is handed out again only for the same PIN (compared
through an HMAC under a per-process random key, so the PIN itself is not kept).
Keys are never logged, pickled or written anywhere.
"""

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1, translate_pyca_cryptography_key_to_asn1
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from .errors import InvalidCredential, TokenError, WrongPin

CACHE_SECONDS = 30 * 60
CACHE_SIZE = 256
SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so'


class ImportedCredential(NamedTuple):
    """What an external PKCS#12 holds: its certificate and the chain that came with it."""

    certificate: x509.Certificate
    chain: list[x509.Certificate]


class LoadedKeySigner(signers.SimpleSigner):
    """A SimpleSigner that keeps the parsed private key instead of re-parsing it per signature."""

    def __init__(self, key, certificate: x509.Certificate, chain: list[x509.Certificate]):
        super().__init__(
            signing_cert=translate_pyca_cryptography_cert_to_asn1(certificate),
            signing_key=translate_pyca_cryptography_key_to_asn1(key),
            cert_registry=SimpleCertificateStore.from_certs(
                [translate_pyca_cryptography_cert_to_asn1(c) for c in chain]),
        )
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(algorithm))
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if isinstance(self._key, rsa.RSAPrivateKey) and mechanism.signature_algo == 'rsassa_pkcs1v15':
            return self._key.sign(data, PKCS1v15(), algorithm)
        return super().sign_raw(data, digest_algorithm)

    def __reduce__(self):
        raise TypeError('signers hold private keys and are not serialisable')


# --- PKCS#12 under the holder's PIN ---------------------------------------------

_pin_tag_key = secrets.token_bytes(32)
_cache: 'OrderedDict[bytes, tuple[bytes, float, LoadedKeySigner]]' = OrderedDict()
_cache_lock = threading.Lock()


def load_pkcs12_signer(pkcs12_bytes: bytes, pin: str) -> LoadedKeySigner:
    """The signer inside a PKCS#12; raises WrongPin or InvalidCredential."""
    digest = hashlib.sha256(pkcs12_bytes).digest()
    tag = hmac.new(_pin_tag_key, digest + pin.encode(), 'sha256').digest()
    cached = _cached_signer(digest, tag)
    if cached is not None:
        return cached
    key, certificate, chain = _open_pkcs12(pkcs12_bytes, pin)
    signer = LoadedKeySigner(key, certificate, chain)
    _remember(digest, tag, signer)
    return signer


# --- keys at rest: stretched PIN, wrapped with a key-encryption key ------------------
#
# A PKCS#12 protects its key with PBKDF2 (some 20 000 iterations): a 6-digit PIN falls to offline
# guessing in minutes from a copy of the database. So what the database keeps is not the PKCS#12 but
# ``WKEY1 | salt length | salt | nonce | AES-256-GCM(KEK, PKCS#12)``: without the key-encryption key,
# which is configured outside the database (and outside backups), there is nothing to guess against;
# and the PKCS#12 inside is encrypted under scrypt(PIN, salt) (32 MiB, 2^15), not under the PIN, so
# that even with the KEK every guess costs a memory-hard derivation.

WRAPPED = b'WKEY1'
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1


def stretched_pin(pin: str, salt: bytes) -> str:
    """The password the wrapped PKCS#12 is encrypted under: scrypt(PIN, salt), base64."""
    derived = Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(pin.encode())
    return base64.b64encode(derived).decode()


def wrap(pkcs12_bytes: bytes, kek: bytes, *, salt: bytes = b'') -> bytes:
    """``pkcs12_bytes`` sealed under the key-encryption key; ``salt`` says its password is stretched."""
    header = WRAPPED + bytes([len(salt)]) + salt
    nonce = secrets.token_bytes(12)
    return header + nonce + AESGCM(kek).encrypt(nonce, pkcs12_bytes, header)


def is_wrapped(blob: bytes) -> bool:
    return blob.startswith(WRAPPED)


def unwrap(blob: bytes, kek: bytes) -> tuple[bytes, bytes]:
    """(PKCS#12, salt) from a wrapped blob; InvalidCredential if it was altered or the KEK is not its own."""
    try:
        size = blob[len(WRAPPED)]
        header_end = len(WRAPPED) + 1 + size
        header, nonce = blob[:header_end], blob[header_end:header_end + 12]
        return AESGCM(kek).decrypt(nonce, blob[header_end + 12:], header), header[len(WRAPPED) + 1:]
    except (IndexError, ValueError, InvalidTag) as error:
        raise InvalidCredential('the wrapped key cannot be opened with this key-encryption key') from error


def load_wrapped_signer(blob: bytes, pin: str, kek: bytes) -> LoadedKeySigner:
    """The signer in a wrapped key (kept in memory like load_pkcs12_signer's, checked against the PIN
    before any stretching, so a cached key costs no scrypt); raises WrongPin or InvalidCredential."""
    digest = hashlib.sha256(blob).digest()
    tag = hmac.new(_pin_tag_key, digest + pin.encode(), 'sha256').digest()
    cached = _cached_signer(digest, tag)
    if cached is not None:
        return cached
    pkcs12_bytes, salt = unwrap(blob, kek)
    key, certificate, chain = _open_pkcs12(pkcs12_bytes, stretched_pin(pin, salt) if salt else pin)
    signer = LoadedKeySigner(key, certificate, chain)
    _remember(digest, tag, signer)
    return signer


def rewrapped(pkcs12_bytes: bytes, pin: str, kek: bytes) -> bytes:
    """A plain PKCS#12 under ``pin`` (as stored before keys were wrapped) made a wrapped key."""
    key, certificate, chain = _open_pkcs12(pkcs12_bytes, pin)
    salt = secrets.token_bytes(16)
    again = pkcs12.serialize_key_and_certificates(
        None, key, certificate, chain or None,
        serialization.BestAvailableEncryption(stretched_pin(pin, salt).encode()))
    return wrap(again, kek, salt=salt)


def with_certificate(signer: LoadedKeySigner, certificate: x509.Certificate) -> LoadedKeySigner:
    """The same key presenting `certificate` instead of the one in its PKCS#12 (a re-certified key).

    Raises InvalidCredential if the certificate is not for this key."""
    if certificate.public_key() != signer._key.public_key():
        raise InvalidCredential('the certificate is not for this key')
    if signer.signing_cert.dump() == certificate.public_bytes(serialization.Encoding.DER):
        return signer
    chain = [x509.load_der_x509_certificate(c.dump()) for c in signer.cert_registry]
    return LoadedKeySigner(signer._key, certificate, chain)


def import_pkcs12(pkcs12_bytes: bytes, password: str) -> ImportedCredential:
    """Read a PKCS#12 issued elsewhere; return its certificate and chain (the key stays inside)."""
    _key, certificate, chain = _open_pkcs12(pkcs12_bytes, password)
    return ImportedCredential(certificate, chain)


def forget_cached_keys():
    """Drop every decrypted key held in memory (e.g. after a PIN change or revocation)."""
    with _cache_lock:
        _cache.clear()


def _open_pkcs12(pkcs12_bytes: bytes, pin: str):
    _require_pkcs12_structure(pkcs12_bytes)
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(pkcs12_bytes, pin.encode())
    except ValueError as error:
        raise WrongPin() from error
    if key is None or certificate is None:
        raise InvalidCredential('the PKCS#12 lacks a private key or its certificate')
    return key, certificate, list(chain)


def _require_pkcs12_structure(pkcs12_bytes: bytes):
    try:
        asn1_pkcs12.Pfx.load(pkcs12_bytes).native  # noqa: B018 (a full parse makes garbage fail here)
    except (ValueError, TypeError) as error:
        raise InvalidCredential() from error


def _cached_signer(digest: bytes, tag: bytes) -> LoadedKeySigner | None:
    with _cache_lock:
        entry = _cache.get(digest)
        if entry is None:
            return None
        known_tag, expires, signer = entry
        if time.monotonic() > expires:
            del _cache[digest]
            return None
        if not hmac.compare_digest(known_tag, tag):
            raise WrongPin()
        _cache.move_to_end(digest)
        return signer


def _remember(digest: bytes, tag: bytes, signer: LoadedKeySigner):
    with _cache_lock:
        _cache[digest] = (tag, time.monotonic() + CACHE_SECONDS, signer)
        _cache.move_to_end(digest)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


# --- PKCS#11 tokens and HSMs ---------------------------------------------------------


@contextmanager
def pkcs11_signer(pin: str, *, token_label: str, key_label: str | None = None,
                  cert_label: str | None = None,
                  module_path: str = SOFTHSM_MODULE) -> Iterator[signers.Signer]:
    """A signer whose key stays on the token; the session closes when the block ends.

    ``with pkcs11_signer('1234', token_label='t', key_label='signer') as signer: ...``
    """
    from pkcs11 import PKCS11Error
    from pyhanko.sign import pkcs11 as pyhanko_pkcs11

    try:
        session = _open_session(module_path, token_label, pin)
    except PKCS11Error as error:
        raise (WrongPin() if 'Pin' in type(error).__name__ else TokenError(str(error))) from error
    except Exception as error:
        raise TokenError(str(error)) from error
    try:
        # Hash here and sign raw: many tokens (SoftHSM among them) lack ECDSA-with-SHA256.
        yield pyhanko_pkcs11.PKCS11Signer(
            session, key_label=key_label, cert_label=cert_label or key_label,
            use_raw_mechanism=True)
    finally:
        session.close()


def _open_session(module_path: str, token_label: str, pin: str):
    """Open the token; a token plugged in after the module was loaded is found by re-initialising it."""
    import pkcs11
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11 as pyhanko_pkcs11

    try:
        return pyhanko_pkcs11.open_pkcs11_session(
            module_path, token_criteria=TokenCriteria(label=token_label), user_pin=pin)
    except (pkcs11.NoSuchToken, pkcs11.exceptions.TokenNotPresent, pkcs11.exceptions.TokenNotRecognised):
        pkcs11.lib(module_path).reinitialize()
        return pyhanko_pkcs11.open_pkcs11_session(
            module_path, token_criteria=TokenCriteria(label=token_label), user_pin=pin)


def certificate_pem(signer: signers.Signer) -> bytes:
    """The signer's certificate as PEM (for display and for the app's records)."""
    der = signer.signing_cert.dump()
    return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)
