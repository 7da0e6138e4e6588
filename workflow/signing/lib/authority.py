"""The local certificate authority, kept in a key directory (``keys/`` by default).

Layout of ``keys_dir`` (all created by :func:`init_pki`, never overwritten)::

    .secret            random passphrase protecting every private key below (0600)
    root.pem/.key      root CA, EC P-256, 20 years
    tsa.pem/.key       timestamp authority, EKU timeStamping (critical)
    ocsp.pem/.key      OCSP responder, EKU OCSPSigning + id-pkix-ocsp-nocheck

Nothing is written here after :func:`init_pki` but by :func:`reissue_tsa` (the public address
moved: ``tsa.pem`` certified anew for the same key, the old one kept as ``tsa.<serial>.pem``).
Which certificates exist and which are revoked is the caller's record (the app keeps it in its
database and hands revocations to ``revocation.build_crl`` and an OCSP status lookup), so every
host of a deployment can hold a copy of the same directory.

Private keys are PEM, encrypted with the passphrase in ``.secret`` and written
with mode 0600; the passphrase file is generated once.  Backing up ``keys_dir``
therefore needs both; losing ``.secret`` makes the CA unusable.

Users' and organisations' keys are not kept here: they are handed back as a
PKCS#12 encrypted under the holder's PIN, which is never stored.
"""

import datetime as dt
import fcntl
import os
import secrets
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from .errors import PkiNotInitialised

OCSP_PATH = '/api/v1/pki/ocsp'
CRL_PATH = '/api/v1/pki/crl'
TSA_PATH = '/api/v1/pki/tsa'
DEFAULT_BASE_URL = 'http://127.0.0.1:5000'
# The deployment's certificate policy; a placeholder under a private-enterprise-style arc that a
# deployment replaces with its own (CERTIFICATE_POLICY_OID, docs/production.md).
DEFAULT_POLICY_OID = '1.3.6.1.4.1.59350.1.2'
ORGANIZATION_IDENTIFIER = ObjectIdentifier('2.5.4.97')  # X.520 organizationIdentifier

DOCUMENT_SIGNING = ObjectIdentifier('1.3.6.1.5.5.7.3.36')  # id-kp-documentSigning, RFC 9336
OCSP_NO_CHECK = x509.OCSPNoCheck()
CLOCK_SKEW = dt.timedelta(minutes=5)
SERVICES = ('tsa', 'ocsp')  # the authority's own service certificates, besides the root


class IssuedCredential(NamedTuple):
    """A freshly issued certificate and its key, as PKCS#12 under the holder's PIN."""

    certificate_pem: bytes
    pkcs12: bytes

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_pem)

    @property
    def serial(self) -> int:
        return self.certificate.serial_number


class Authority(NamedTuple):
    certificate: x509.Certificate
    key: object


# --- creating the PKI -------------------------------------------------------


def init_pki(keys_dir, org_name: str, *, base_url: str = DEFAULT_BASE_URL,
             policy_oid: str = DEFAULT_POLICY_OID) -> Path:
    """Create whatever is missing of root CA, TSA and OCSP responder; return root.pem's path.

    Safe to call at every start: existing files are kept as they are.
    """
    keys_dir = Path(keys_dir)
    keys_dir.mkdir(parents=True, exist_ok=True)
    _ensure_secret(keys_dir)
    with _locked(keys_dir):
        if not (keys_dir / 'root.pem').exists():
            _create_root(keys_dir, org_name)
        if not (keys_dir / 'tsa.pem').exists():
            _create_service_cert(keys_dir, 'tsa', f'{org_name} Timestamp Authority',
                                 _tsa_extensions(base_url, policy_oid))
        if not (keys_dir / 'ocsp.pem').exists():
            _create_service_cert(keys_dir, 'ocsp', f'{org_name} OCSP Responder',
                                 _ocsp_signer_extensions())
    return keys_dir / 'root.pem'


def root_certificate(keys_dir) -> x509.Certificate:
    return _load_cert(Path(keys_dir) / 'root.pem')


def tsa_certificate(keys_dir) -> x509.Certificate:
    return _load_cert(Path(keys_dir) / 'tsa.pem')


def load_certificate(keys_dir, stem: str) -> x509.Certificate:
    """The certificate of `stem` (root, tsa, ocsp), or PkiNotInitialised."""
    return _load_cert(Path(keys_dir) / f'{stem}.pem')


def service_serials(keys_dir) -> set[int]:
    """Serial numbers of the certificates the authority issued to itself (TSA, OCSP responder), the
    retired ones included: the time stamps they made stay good."""
    keys_dir = Path(keys_dir)
    paths = [keys_dir / f'{stem}.pem' for stem in SERVICES] + retired_service_paths(keys_dir)
    return {_load_cert(path).serial_number for path in paths}


def retired_service_paths(keys_dir) -> list[Path]:
    """The service certificates replaced by :func:`reissue_tsa` (``tsa.<serial>.pem``), oldest first."""
    return sorted(Path(keys_dir).glob('tsa.*.pem'), key=_mtime)


def reissue_tsa(keys_dir, *, base_url: str, policy_oid: str = DEFAULT_POLICY_OID) -> x509.Certificate | None:
    """Certify the TSA's key anew when its certificate points elsewhere than `base_url`; None if it
    already points there.

    The key stays, so nothing that trusted the root has to change. The old certificate is kept as
    ``tsa.<serial hex>.pem``: it is still valid until it expires, time stamps made with it carry it,
    and the OCSP responder keeps answering "good" for it. The root has no pointers and stays."""
    keys_dir = Path(keys_dir)
    with _locked(keys_dir):
        current = tsa_certificate(keys_dir)
        if points_at(current, base_url):
            return None
        tsa, root = load_authority(keys_dir, 'tsa'), load_authority(keys_dir, 'root')
        days = max(1, (current.not_valid_after_utc - utc_now()).days)
        renewed = _sign_leaf(root, tsa.key.public_key(), current.subject, _tsa_extensions(base_url, policy_oid),
                             days)
        _write_new(keys_dir / f'tsa.{current.serial_number:x}.pem', current.public_bytes(serialization.Encoding.PEM),
                   0o644)
        _replace(keys_dir / 'tsa.pem', renewed.public_bytes(serialization.Encoding.PEM), 0o644)
    return renewed


def _create_root(keys_dir: Path, org_name: str):
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(CN=f'{org_name} Root CA', O=org_name)
    now = utc_now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + dt.timedelta(days=20 * 365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(**_usage(key_cert_sign=True, crl_sign=True)), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    cert = builder.sign(key, hashes.SHA256())
    _write_key(keys_dir / 'root.key', key, keys_dir)
    _write_new(keys_dir / 'root.pem', cert.public_bytes(serialization.Encoding.PEM), 0o644)


def _create_service_cert(keys_dir: Path, stem: str, common_name: str, extensions):
    root = load_authority(keys_dir, 'root')
    key = ec.generate_private_key(ec.SECP256R1())
    org = root.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    cert = _sign_leaf(root, key.public_key(), _name(CN=common_name, O=org), extensions,
                      days=10 * 365)
    _write_key(keys_dir / f'{stem}.key', key, keys_dir)
    _write_new(keys_dir / f'{stem}.pem', cert.public_bytes(serialization.Encoding.PEM), 0o644)


def _tsa_extensions(base_url, policy_oid=DEFAULT_POLICY_OID):
    return [
        (x509.KeyUsage(**_usage(digital_signature=True)), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True),
        _policies(policy_oid),
        *_revocation_pointers(base_url),
    ]


def _ocsp_signer_extensions():
    return [
        (x509.KeyUsage(**_usage(digital_signature=True)), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), False),
        (OCSP_NO_CHECK, False),
    ]


# --- issuing to people and organisations ------------------------------------


def issue_person_certificate(keys_dir, *, full_name: str, title: str, unit_name: str, pin: str,
                             serial_number: str | None = None, base_url: str = DEFAULT_BASE_URL,
                             policy_oid: str = DEFAULT_POLICY_OID, key_type: str = 'ec',
                             valid_days: int = 3 * 365) -> IssuedCredential:
    """Issue a signing certificate to an official: CN=full name, serialNumber=their stable identifier,
    title, O=unit, C=VN."""
    subject = person_subject(full_name=full_name, title=title, unit_name=unit_name, serial_number=serial_number)
    return _issue(keys_dir, subject, pin=pin, base_url=base_url, policy_oid=policy_oid, key_type=key_type,
                  valid_days=valid_days)


def issue_organisation_certificate(keys_dir, *, org_name: str, pin: str, organization_identifier: str | None = None,
                                   base_url: str = DEFAULT_BASE_URL, policy_oid: str = DEFAULT_POLICY_OID,
                                   locality: str | None = None, key_type: str = 'ec',
                                   valid_days: int = 5 * 365) -> IssuedCredential:
    """Issue the organisation's (seal) certificate: CN=O=organisation name, organizationIdentifier=its
    unit code, C=VN."""
    subject = organisation_subject(org_name=org_name, organization_identifier=organization_identifier,
                                   locality=locality)
    return _issue(keys_dir, subject, pin=pin, base_url=base_url, policy_oid=policy_oid, key_type=key_type,
                  valid_days=valid_days)


def person_subject(*, full_name, title, unit_name, serial_number=None) -> x509.Name:
    return _name(CN=full_name, serialNumber=serial_number, title=title, O=unit_name)


def organisation_subject(*, org_name, organization_identifier=None, locality=None) -> x509.Name:
    return _name(CN=org_name, O=org_name, organizationIdentifier=organization_identifier, L=locality)


def recertify(keys_dir, certificate: x509.Certificate, *, base_url: str,
              policy_oid: str = DEFAULT_POLICY_OID) -> x509.Certificate:
    """A new certificate for the same subject and the same public key, pointing at `base_url`.

    Needs no private key but the root's: a holder whose key is kept under a PIN the server never
    knows keeps that key. The new certificate keeps the old one's expiry."""
    root = load_authority(keys_dir, 'root')
    days = max(1, (certificate.not_valid_after_utc - utc_now()).days)
    return _sign_leaf(root, certificate.public_key(), certificate.subject,
                      _holder_extensions(base_url, policy_oid), days)


def revocation_pointers(certificate: x509.Certificate) -> tuple[str | None, str | None]:
    """(OCSP address, CRL address) a certificate points validators at, None where it has none."""
    try:
        access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
        ocsp = next((d.access_location.value for d in access
                     if d.access_method == x509.AuthorityInformationAccessOID.OCSP), None)
    except x509.ExtensionNotFound:
        ocsp = None
    try:
        points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        crl = next((n.value for p in points for n in (p.full_name or [])), None)
    except x509.ExtensionNotFound:
        crl = None
    return ocsp, crl


def points_at(certificate: x509.Certificate, base_url: str) -> bool:
    """Whether the certificate's OCSP and CRL pointers (if any) are `base_url`'s."""
    base = base_url.rstrip('/')
    ocsp, crl = revocation_pointers(certificate)
    return ocsp in (None, base + OCSP_PATH) and crl in (None, base + CRL_PATH)


def _issue(keys_dir, subject, *, pin, base_url, policy_oid, key_type, valid_days):
    keys_dir = Path(keys_dir)
    root = load_authority(keys_dir, 'root')
    key = _new_holder_key(key_type)
    cert = _sign_leaf(root, key.public_key(), subject, _holder_extensions(base_url, policy_oid), valid_days)
    friendly = subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value.encode()
    p12 = pkcs12.serialize_key_and_certificates(
        friendly, key, cert, [root.certificate],
        serialization.BestAvailableEncryption(pin.encode()),
    )
    return IssuedCredential(cert.public_bytes(serialization.Encoding.PEM), p12)


def _new_holder_key(key_type):
    if key_type == 'rsa':
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    return ec.generate_private_key(ec.SECP256R1())


def _holder_extensions(base_url, policy_oid=DEFAULT_POLICY_OID):
    return [
        (x509.KeyUsage(**_usage(digital_signature=True, content_commitment=True)), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]), False),
        _policies(policy_oid),
        *_revocation_pointers(base_url),
    ]


def _policies(policy_oid):
    return x509.CertificatePolicies([x509.PolicyInformation(ObjectIdentifier(policy_oid), None)]), False


def _revocation_pointers(base_url):
    base = base_url.rstrip('/')
    ocsp = x509.AccessDescription(x509.AuthorityInformationAccessOID.OCSP,
                                  x509.UniformResourceIdentifier(base + OCSP_PATH))
    crl = x509.DistributionPoint([x509.UniformResourceIdentifier(base + CRL_PATH)],
                                 None, None, None)
    return [(x509.AuthorityInformationAccess([ocsp]), False),
            (x509.CRLDistributionPoints([crl]), False)]


def _sign_leaf(root: Authority, public_key, subject, extensions, days):
    now = utc_now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(root.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(min(now + dt.timedelta(days=days), root.certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(authority_key_id(root), critical=False)
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(root.key, hashes.SHA256())


def authority_key_id(root: Authority):
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(root.certificate.public_key())


# --- files and keys ---------------------------------------------------------


def load_authority(keys_dir, stem: str) -> Authority:
    """The certificate and private key of `stem` (root, tsa, ocsp), or PkiNotInitialised."""
    keys_dir = Path(keys_dir)
    cert_path, key_path = keys_dir / f'{stem}.pem', keys_dir / f'{stem}.key'
    if not cert_path.exists() or not key_path.exists():
        raise PkiNotInitialised(f'{stem} certificate missing in {keys_dir}')
    return Authority(_load_cert(cert_path), _load_key(key_path, _mtime(key_path)))


def _mtime(path: Path) -> int:
    return path.stat().st_mtime_ns


def _load_cert(path: Path) -> x509.Certificate:
    if not path.exists():
        raise PkiNotInitialised(f'{path.name} missing in {path.parent}')
    return _cached_cert(path, _mtime(path))


@lru_cache(maxsize=64)
def _cached_cert(path: Path, _mtime: int) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


@lru_cache(maxsize=16)
def _load_key(path: Path, _mtime: int):
    # Cached in memory only: decrypting on each OCSP/TSA request would dominate.
    return serialization.load_pem_private_key(path.read_bytes(), password=_secret(path.parent))


def _secret(keys_dir: Path) -> bytes:
    return (keys_dir / '.secret').read_bytes().strip()


def _ensure_secret(keys_dir: Path):
    path = keys_dir / '.secret'
    if not path.exists():
        try:
            _write_new(path, secrets.token_hex(32).encode(), 0o600)
        except FileExistsError:  # another process won the race
            pass


def _write_key(path: Path, key, keys_dir: Path):
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(_secret(keys_dir)))
    _write_new(path, pem, 0o600)


def _write_new(path: Path, data: bytes, mode: int):
    """Create ``path`` with ``mode``; refuse to overwrite anything."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, 'wb') as handle:
        handle.write(data)


def _replace(path: Path, data: bytes, mode: int):
    """Swap ``path`` for a file holding ``data`` in one step (readers see the old or the new one)."""
    staged = path.with_name(f'.{path.name}.new')
    staged.unlink(missing_ok=True)
    _write_new(staged, data, mode)
    os.replace(staged, path)


@contextmanager
def _locked(keys_dir: Path):
    with open(keys_dir / '.lock', 'a') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _name(**parts) -> x509.Name:
    oids = {'CN': NameOID.COMMON_NAME, 'title': NameOID.TITLE, 'O': NameOID.ORGANIZATION_NAME,
            'L': NameOID.LOCALITY_NAME, 'serialNumber': NameOID.SERIAL_NUMBER,
            'organizationIdentifier': ORGANIZATION_IDENTIFIER}
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, 'VN')]
    attributes += [x509.NameAttribute(oids[k], v) for k, v in reversed(parts.items()) if v]
    return x509.Name(attributes)


def _usage(**flags) -> dict:
    names = ('digital_signature', 'content_commitment', 'key_encipherment', 'data_encipherment',
             'key_agreement', 'key_cert_sign', 'crl_sign', 'encipher_only', 'decipher_only')
    return {name: flags.get(name, False) for name in names}


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
