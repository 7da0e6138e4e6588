"""The deployment's trust and time: roots, revocation data and the timestamp authority.

Revocations of locally issued certificates live with the PKI in KEYS_DIR (index.json), so that the
CRL and OCSP answers never need the database and every app process agrees on them.
"""
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from flask import current_app
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext

from ..extensions import db
from . import pki
from .errors import PkiNotInitialised
from .models import TrustAnchor


def keys_dir():
    return Path(current_app.config['KEYS_DIR'])


def base_url():
    return current_app.config['PUBLIC_BASE_URL'].rstrip('/')


def organisation_name():
    return current_app.config.get('PKI_ORGANISATION', 'UBND huyện Cờ Đỏ')


def ensure_pki():
    """Create the local root CA, TSA and OCSP signer if missing (never overwrites)."""
    return pki.init_pki(keys_dir(), organisation_name(), base_url=base_url())


def _local_root():
    try:
        return [pki.root_certificate(keys_dir())]
    except PkiNotInitialised:  # a deployment that has not run `pki init` yet trusts only imported anchors
        return []


def trust_roots():
    """The local root and every approved imported anchor (cryptography certificates)."""
    roots = _local_root()
    anchors = db.session.query(TrustAnchor).filter(TrustAnchor.approved_at.isnot(None)).all()
    roots += [x509.load_pem_x509_certificate(a.certificate_pem.encode()) for a in anchors]
    return roots


def current_crl():
    """The local CA's CRL (DER), or None before `pki init`."""
    if not _local_root():
        return None
    return pki.build_crl(keys_dir(), pki.revoked_certificates(keys_dir()))


def ocsp_answer(request_der):
    return pki.ocsp_response(keys_dir(), request_der, lambda serial: pki.certificate_status(keys_dir(), serial))


def tsa_answer(request_der):
    return pki.tsa_response(keys_dir(), request_der)


def timestamper():
    """TSA_URL when configured; otherwise this deployment's own TSA, called in process.

    Kept per app and per TSA (the local one also per certificate file), so that its connection and
    certificate caches serve every signature instead of being rebuilt for each one."""
    url = current_app.config.get('TSA_URL')
    tsa_pem = keys_dir() / 'tsa.pem'
    key = ('url', url) if url else ('local', str(tsa_pem), tsa_pem.stat().st_mtime_ns if tsa_pem.exists() else 0)
    cache = current_app.extensions.setdefault('timestampers', {})
    if key not in cache:
        cache[key] = HTTPTimeStamper(url, timeout=10) if url else pki.local_timestamper(keys_dir())
    return cache[key]


def _asn1(certificate):
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def validation_context():
    """For embedding validation data (B-LT): our roots and our current CRL, no network needed."""
    from asn1crypto import crl as asn1_crl

    crl = current_crl()
    return ValidationContext(trust_roots=[_asn1(c) for c in trust_roots()],
                             crls=[asn1_crl.CertificateList.load(crl)] if crl else [], allow_fetching=False)
