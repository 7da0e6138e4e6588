"""Revocation as validators read it: the CRL and the OCSP responder of the local authority.

Which certificates are revoked is not kept here: the caller passes the revocations (to
:func:`build_crl`) and a status lookup (to :func:`ocsp_response`), from its own records.

Times.  CRLs and OCSP responses carry whole seconds, signing times and time
stamps may carry fractions.  Every time written here is therefore rounded *up*
to the second (:func:`to_the_second`), never back: a revocation recorded at
10:00:00.7 reads 10:00:01, so a signature time-stamped at 10:00:00.3, made
before it, is never read as "revoked before signing"; a CRL or OCSP answer made
at 10:00:00.7 is dated 10:00:01, at or after every revocation it lists and
strictly after any time stamp taken before it was made (what freshness checks
such as EU DSS's compare).  Nothing is backdated.
"""

import datetime as dt
from collections.abc import Callable

from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp as ocsp_api

from .authority import authority_key_id, load_authority

ONE_DAY = dt.timedelta(days=1)
REASONS = {flag.name: flag for flag in x509.ReasonFlags}

StatusLookup = Callable[[int], tuple[str, dt.datetime | None, str | None]]


def to_the_second(moment: dt.datetime) -> dt.datetime:
    """``moment`` rounded up to a whole second (CRL and OCSP resolution); whole seconds stay."""
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + dt.timedelta(seconds=1)
    return moment


def now_to_the_second() -> dt.datetime:
    return to_the_second(dt.datetime.now(dt.timezone.utc))


def build_crl(keys_dir, revoked, *, valid_for: dt.timedelta = ONE_DAY) -> bytes:
    """A DER CRL signed by the root CA listing ``revoked`` = [(serial, revoked_at, reason)]."""
    root = load_authority(keys_dir, 'root')
    now = now_to_the_second()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root.certificate.subject)
        .last_update(now)
        .next_update(now + valid_for)
        .add_extension(x509.CRLNumber(int(now.timestamp() * 1000)), critical=False)
        .add_extension(authority_key_id(root), critical=False)
    )
    for serial, revoked_at, reason in revoked:
        builder = builder.add_revoked_certificate(_revoked_entry(serial, revoked_at, reason))
    return builder.sign(root.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _revoked_entry(serial, revoked_at, reason):
    entry = (x509.RevokedCertificateBuilder()
             .serial_number(serial).revocation_date(to_the_second(revoked_at)))
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


def ocsp_response_for(keys_dir, certificate: x509.Certificate, status_lookup: StatusLookup) -> bytes | None:
    """A fresh OCSP answer about ``certificate``, made in process (for embedding in a document),
    or None when the local authority did not issue it."""
    root = load_authority(keys_dir, 'root')
    if certificate.issuer != root.certificate.subject or certificate.subject == root.certificate.subject:
        return None
    request = (ocsp_api.OCSPRequestBuilder()
               .add_certificate(certificate, root.certificate, hashes.SHA256()).build())
    answer = ocsp_response(keys_dir, request.public_bytes(serialization.Encoding.DER), status_lookup)
    return answer if ocsp_api.load_der_ocsp_response(answer).response_status == \
        ocsp_api.OCSPResponseStatus.SUCCESSFUL else None


def _asks_about(request, issuer: x509.Certificate) -> bool:
    """True if the request names ``issuer`` by the hash of its public key."""
    digest = hashes.Hash(request.hash_algorithm)
    digest.update(_subject_public_key_bits(issuer))
    return digest.finalize() == request.issuer_key_hash


def _subject_public_key_bits(cert: x509.Certificate) -> bytes:
    parsed = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    return parsed.public_key['public_key'].contents[1:]  # drop the unused-bits byte


def _signed_ocsp(keys_dir, request, status, revoked_at, reason):
    """The BasicOCSPResponse, encoded with asn1crypto so that producedAt is ours too (the
    ``cryptography`` builder stamps its own clock, truncated: up to a second before thisUpdate)."""
    responder = load_authority(keys_dir, 'ocsp')
    now = now_to_the_second()
    responder_der = responder.certificate.public_bytes(serialization.Encoding.DER)
    single = {
        'cert_id': {
            'hash_algorithm': {'algorithm': request.hash_algorithm.name},
            'issuer_name_hash': request.issuer_name_hash,
            'issuer_key_hash': request.issuer_key_hash,
            'serial_number': request.serial_number,
        },
        'cert_status': _cert_status(status, revoked_at, reason),
        'this_update': now,
        'next_update': now + ONE_DAY,
    }
    tbs = asn1_ocsp.ResponseData({
        'responder_id': asn1_ocsp.ResponderId(
            name='by_key', value=asn1_x509.Certificate.load(responder_der).public_key.sha1),
        'produced_at': now,
        'responses': [single],
        'response_extensions': _nonce_extension(request),
    })
    signature = responder.key.sign(tbs.dump(), ec.ECDSA(hashes.SHA256()))
    basic = asn1_ocsp.BasicOCSPResponse({
        'tbs_response_data': tbs,
        'signature_algorithm': {'algorithm': 'sha256_ecdsa'},
        'signature': signature,
        'certs': [asn1_x509.Certificate.load(responder_der)],
    })
    return asn1_ocsp.OCSPResponse({
        'response_status': 'successful',
        'response_bytes': {'response_type': 'basic_ocsp_response', 'response': basic},
    }).dump()


def _cert_status(status, revoked_at, reason):
    if status == 'good':
        return asn1_ocsp.CertStatus(name='good', value=None)
    if status == 'revoked':
        info = {'revocation_time': to_the_second(revoked_at)}
        if reason and reason != 'unspecified':
            info['revocation_reason'] = _ASN1_REASONS[reason]
        return asn1_ocsp.CertStatus(name='revoked', value=info)
    return asn1_ocsp.CertStatus(name='unknown', value=None)


# cryptography's reason names (as callers pass them) and asn1crypto's
_ASN1_REASONS = {'key_compromise': 'key_compromise', 'ca_compromise': 'ca_compromise',
                 'affiliation_changed': 'affiliation_changed', 'superseded': 'superseded',
                 'cessation_of_operation': 'cessation_of_operation',
                 'certificate_hold': 'certificate_hold', 'remove_from_crl': 'remove_from_crl',
                 'privilege_withdrawn': 'privilege_withdrawn', 'aa_compromise': 'aa_compromise'}


def _nonce_extension(request):
    for extension in request.extensions:
        if isinstance(extension.value, x509.OCSPNonce):
            return [{'extn_id': 'nonce', 'critical': False, 'extn_value': extension.value.nonce}]
    return None


def _ocsp_failure(status) -> bytes:
    return ocsp_api.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(
        serialization.Encoding.DER)
