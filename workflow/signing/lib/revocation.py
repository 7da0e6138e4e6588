"""Revocation as validators read it: the CRL and the OCSP responder of the local authority.

Which certificates are revoked is not kept here: the caller passes the revocations (to
:func:`build_crl`) and a status lookup (to :func:`ocsp_response`), from its own records.
"""

import datetime as dt
from collections.abc import Callable

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp as ocsp_api

from .authority import authority_key_id, load_authority, utc_now

ONE_DAY = dt.timedelta(days=1)
REASONS = {flag.name: flag for flag in x509.ReasonFlags}

StatusLookup = Callable[[int], tuple[str, dt.datetime | None, str | None]]


def build_crl(keys_dir, revoked, *, valid_for: dt.timedelta = ONE_DAY) -> bytes:
    """A DER CRL signed by the root CA listing ``revoked`` = [(serial, revoked_at, reason)]."""
    root = load_authority(keys_dir, 'root')
    now = utc_now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root.certificate.subject)
        .last_update(now - dt.timedelta(minutes=1))
        .next_update(now + valid_for)
        .add_extension(x509.CRLNumber(int(now.timestamp() * 1000)), critical=False)
        .add_extension(authority_key_id(root), critical=False)
    )
    for serial, revoked_at, reason in revoked:
        builder = builder.add_revoked_certificate(_revoked_entry(serial, revoked_at, reason))
    return builder.sign(root.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _revoked_entry(serial, revoked_at, reason):
    entry = (x509.RevokedCertificateBuilder()
             .serial_number(serial).revocation_date(revoked_at))
    if reason and reason != 'unspecified':
        entry = entry.add_extension(x509.CRLReason(REASONS[reason]), critical=False)
    return entry.build()


def ocsp_response(keys_dir, request_der: bytes, status_lookup: StatusLookup) -> bytes:
    """Answer a DER OCSP request, signed by the delegated OCSP responder.

    ``status_lookup(serial)`` returns ('good' | 'revoked' | 'unknown', revoked_at, reason).
    Requests that are malformed or about another CA get an unsuccessful response.
    """
    try:
        request = ocsp_api.load_der_ocsp_request(request_der)
    except ValueError:
        return _ocsp_failure(ocsp_api.OCSPResponseStatus.MALFORMED_REQUEST)
    root = load_authority(keys_dir, 'root')
    if not _asks_about(request, root.certificate):
        return _ocsp_failure(ocsp_api.OCSPResponseStatus.UNAUTHORIZED)
    status, revoked_at, reason = status_lookup(request.serial_number)
    return _signed_ocsp(keys_dir, request, status, revoked_at, reason)


def _asks_about(request, issuer: x509.Certificate) -> bool:
    """True if the request names ``issuer`` by the hash of its public key."""
    digest = hashes.Hash(request.hash_algorithm)
    digest.update(_subject_public_key_bits(issuer))
    return digest.finalize() == request.issuer_key_hash


def _subject_public_key_bits(cert: x509.Certificate) -> bytes:
    parsed = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    return parsed.public_key['public_key'].contents[1:]  # drop the unused-bits byte


def _signed_ocsp(keys_dir, request, status, revoked_at, reason):
    responder = load_authority(keys_dir, 'ocsp')
    now = utc_now()
    cert_status = {'good': ocsp_api.OCSPCertStatus.GOOD,
                   'revoked': ocsp_api.OCSPCertStatus.REVOKED}.get(
        status, ocsp_api.OCSPCertStatus.UNKNOWN)
    builder = ocsp_api.OCSPResponseBuilder().add_response_by_hash(
        issuer_name_hash=request.issuer_name_hash, issuer_key_hash=request.issuer_key_hash,
        serial_number=request.serial_number, algorithm=request.hash_algorithm,
        cert_status=cert_status, this_update=now - dt.timedelta(minutes=1),
        next_update=now + ONE_DAY,
        revocation_time=revoked_at if cert_status == ocsp_api.OCSPCertStatus.REVOKED else None,
        revocation_reason=REASONS.get(reason) if reason and reason != 'unspecified'
        and cert_status == ocsp_api.OCSPCertStatus.REVOKED else None,
    )
    builder = builder.responder_id(ocsp_api.OCSPResponderEncoding.HASH, responder.certificate)
    builder = builder.certificates([responder.certificate])
    for extension in request.extensions:
        if isinstance(extension.value, x509.OCSPNonce):
            builder = builder.add_extension(extension.value, critical=False)
    response = builder.sign(responder.key, hashes.SHA256())
    return response.public_bytes(serialization.Encoding.DER)


def _ocsp_failure(status) -> bytes:
    return ocsp_api.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(
        serialization.Encoding.DER)
