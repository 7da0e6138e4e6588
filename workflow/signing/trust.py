"""The deployment's trust and time: roots, revocation data and the timestamp authority.

Revocations of locally issued certificates are the credentials' rows in the database: the CRL and
the OCSP answers are built from them (KEYS_DIR holds only the authority's keys, written once by
`pki init`), so every app host answers the same and nothing else has to be shared between them.
"""
from pathlib import Path
from urllib.parse import urlsplit

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from flask import current_app
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select

from ..extensions import db
from ..timeutil import aware
from .lib import authority, pades, revocation, timestamps
from .lib.errors import PkiNotInitialised
from .models import Credential, TrustAnchor

LOCAL_KINDS = ('person', 'organisation')  # what the local authority issues to people and units


def keys_dir():
    return Path(current_app.config['KEYS_DIR'])


def base_url():
    return current_app.config['PUBLIC_BASE_URL'].rstrip('/')


def certificate_policy():
    return current_app.config.get('CERTIFICATE_POLICY_OID', authority.DEFAULT_POLICY_OID)


def tsa_policy():
    return current_app.config.get('TSA_POLICY_OID', timestamps.DEFAULT_POLICY)


def organisation_name():
    return current_app.config.get('PKI_ORGANISATION', 'UBND huyện Cờ Đỏ')


def ensure_pki():
    """Create the local root CA, TSA and OCSP signer if missing (never overwrites)."""
    return authority.init_pki(keys_dir(), organisation_name(), base_url=base_url(), policy_oid=certificate_policy())


SERVICE_CERTIFICATES = ('root', 'tsa', 'ocsp')


def public_addresses():
    """The public address and the OCSP, CRL and TSA addresses certificates issued now carry."""
    base = base_url()
    return {'public': base, 'ocsp': base + authority.OCSP_PATH, 'crl': base + authority.CRL_PATH,
            'tsa': current_app.config.get('TSA_URL') or base + authority.TSA_PATH,
            'only_this_machine': only_this_machine(base)}


def only_this_machine(url):
    """Whether `url` names this machine only (loopback): no validator elsewhere reaches it."""
    host = (urlsplit(url).hostname or '').lower()
    return host == 'localhost' or host.startswith('127.') or host == '::1'


def service_certificates():
    """The authority's own certificates (root, TSA, OCSP responder) with the addresses they point
    validators at and whether those are the current public address's; [] before `pki init`."""
    try:
        return [_service_row(stem, authority.load_certificate(keys_dir(), stem)) for stem in SERVICE_CERTIFICATES]
    except PkiNotInitialised:
        return []


def _service_row(stem, certificate):
    ocsp, crl = authority.revocation_pointers(certificate)
    return {'name': stem, 'subject': certificate.subject.rfc4514_string(),
            'serial': format(certificate.serial_number, 'x'), 'not_after': certificate.not_valid_after_utc,
            'ocsp': ocsp, 'crl': crl, 'current': authority.points_at(certificate, base_url())}


def _local_root():
    try:
        return [authority.root_certificate(keys_dir())]
    except PkiNotInitialised:  # a deployment that has not run `pki init` yet trusts only imported anchors
        return []


def trust_roots():
    """The local root and every approved imported anchor (cryptography certificates)."""
    roots = _local_root()
    anchors = db.session.query(TrustAnchor).filter(TrustAnchor.approved_at.isnot(None)).all()
    roots += [x509.load_pem_x509_certificate(a.certificate_pem.encode()) for a in anchors]
    return roots


# RFC 5280 reason names (as the API and the database say them) and the library's (cryptography's) names.
REVOCATION_REASONS = {
    'unspecified': 'unspecified', 'keyCompromise': 'key_compromise', 'cACompromise': 'ca_compromise',
    'affiliationChanged': 'affiliation_changed', 'superseded': 'superseded',
    'cessationOfOperation': 'cessation_of_operation', 'certificateHold': 'certificate_hold',
    'privilegeWithdrawn': 'privilege_withdrawn', 'aACompromise': 'aa_compromise',
}


def reason_flag(reason):
    return REVOCATION_REASONS.get(reason or 'unspecified', 'unspecified')


def revocations():
    """[(serial, revoked_at, reason flag)] of the revoked certificates the local authority issued."""
    rows = db.session.execute(select(Credential.serial, Credential.revoked_at, Credential.revocation_reason)
                              .where(Credential.revoked_at.isnot(None), Credential.kind.in_(LOCAL_KINDS))).all()
    latest = {}
    for serial, revoked_at, reason in rows:
        latest[int(serial, 16)] = (int(serial, 16), aware(revoked_at), reason_flag(reason))
    return list(latest.values())


def certificate_status(serial):
    """('good' | 'revoked' | 'unknown', revoked_at, reason flag) of a serial, for the OCSP responder."""
    row = db.session.execute(select(Credential.revoked_at, Credential.revocation_reason)
                             .where(Credential.serial == format(serial, 'x'), Credential.kind.in_(LOCAL_KINDS))
                             .order_by(Credential.id.desc()).limit(1)).first()
    if row is not None:
        return ('revoked', aware(row[0]), reason_flag(row[1])) if row[0] is not None else ('good', None, None)
    if serial in authority.service_serials(keys_dir()):
        return 'good', None, None
    return 'unknown', None, None


def current_crl():
    """The local CA's CRL (DER), or None before `pki init`."""
    if not _local_root():
        return None
    return revocation.build_crl(keys_dir(), revocations())


def ocsp_answer(request_der):
    return revocation.ocsp_response(keys_dir(), request_der, certificate_status)


def tsa_answer(request_der):
    return timestamps.tsa_response(keys_dir(), request_der, policy=tsa_policy())


def timestamper():
    """TSA_URL when configured; otherwise this deployment's own TSA, called in process.

    Kept per app and per TSA (the local one also per certificate file), so that its connection and
    certificate caches serve every signature instead of being rebuilt for each one."""
    url = current_app.config.get('TSA_URL')
    tsa_pem = keys_dir() / 'tsa.pem'
    key = ('url', url) if url else ('local', str(tsa_pem), tsa_pem.stat().st_mtime_ns if tsa_pem.exists() else 0,
                                    tsa_policy())
    cache = current_app.extensions.setdefault('timestampers', {})
    if key not in cache:
        cache[key] = (HTTPTimeStamper(url, timeout=10) if url
                      else timestamps.local_timestamper(keys_dir(), policy=tsa_policy()))
    return cache[key]


def _asn1(certificate):
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def validation_context(pdf_bytes=b''):
    """For embedding validation data, made now, without the network: our roots, our current CRL and,
    for every certificate of ours that signed in `pdf_bytes` (signers, time-stamp authorities) and for
    the TSA, an OCSP answer from our responder. Made after every time stamp already in the document,
    so that validators counting only revocation data issued after a signature's time stamp (EU DSS's
    freshness check) count it. Passed as a function (pades.ValidationData), it is made at each step."""
    crl = current_crl()
    ocsps = [asn1_ocsp.OCSPResponse.load(answer) for answer in _fresh_ocsp_answers(pdf_bytes)]
    # Rounded up to the second, data made now may be dated just ahead of the context's moment.
    return ValidationContext(trust_roots=[_asn1(c) for c in trust_roots()],
                             crls=[asn1_crl.CertificateList.load(crl)] if crl else [], ocsps=ocsps,
                             allow_fetching=False, retroactive_revinfo=True)


def _fresh_ocsp_answers(pdf_bytes):
    if not _local_root():
        return []
    certificates = [x509.load_der_x509_certificate(c.dump()) for c in pades.certificates_in_signatures(pdf_bytes)]
    certificates.append(authority.tsa_certificate(keys_dir()))
    seen, answers = set(), []
    for certificate in certificates:
        if certificate.serial_number in seen:
            continue
        seen.add(certificate.serial_number)
        answer = revocation.ocsp_response_for(keys_dir(), certificate, certificate_status)
        if answer is not None:
            answers.append(answer)
    return answers
