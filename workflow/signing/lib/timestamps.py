"""The timestamp authority (RFC 3161): its signing side, the local authority's responder, and a lean HTTP client.

Signing side, reused from pyHanko.

pyHanko's ``DummyTimeStamper`` already builds a correct TimeStampResp (TSTInfo in
a CMS SignedData with ESS signing-certificate); it only reloads the key on every
request and signs with RSA.  This subclass keeps the loaded key and signs with
whatever key the TSA has (EC or RSA).

Client side: pyHanko's ``HTTPTimeStamper`` (aiohttp) opens a new client session
for every request when it is not given one, and building that session's
default SSL context (loading the certifi CA bundle) costs ~40 ms, even for a
plain-HTTP TSA; the aiohttp machinery adds a few more.  :func:`keep_alive`
swaps such a timestamper for one that posts the same request with the standard
library, over a per-thread kept-alive connection (reopened when the server
closes it) and a CA bundle loaded once per process.
"""

import http.client
import ssl
import threading
import weakref
from functools import lru_cache
from urllib.parse import urlsplit

import certifi
from asn1crypto import algos, cms, core, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from pyhanko.sign import general
from pyhanko.sign.general import simple_cms_attribute
from pyhanko.sign.timestamps import DummyTimeStamper, HTTPTimeStamper, TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from .authority import load_authority, root_certificate

# The deployment's TSA policy; a placeholder under a private-enterprise-style arc that a deployment
# replaces with its own (TSA_POLICY_OID, docs/production.md).
DEFAULT_POLICY = '1.3.6.1.4.1.59350.1.1'
ACCURACY_SECONDS = 1  # the host's clock is NTP-disciplined well within this (docs/production.md)


class LocalTimeStamper(DummyTimeStamper):
    """The local TSA: TSTInfo under the deployment's policy with an accuracy, signed with the TSA's key,
    naming its certificate by SHA-256 (ESS signing-certificate-v2, RFC 5035)."""

    def __init__(self, certificate: x509.Certificate, key, chain: list[x509.Certificate], *,
                 policy: str = DEFAULT_POLICY):
        self._key, self._policy = key, policy
        super().__init__(
            tsa_cert=_to_asn1(certificate),
            tsa_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption())),
            certs_to_embed=[_to_asn1(c) for c in chain],
        )

    def _build_tst_info(self, message_imprint, dt, req) -> tsp.TSTInfo:
        info = super()._build_tst_info(message_imprint, dt, req)
        info['policy'] = tsp.ObjectIdentifier(self._policy)
        info['accuracy'] = tsp.Accuracy({'seconds': ACCURACY_SECONDS})
        return info

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt):
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes([
            simple_cms_attribute('content_type', 'tst_info'),
            simple_cms_attribute('signing_time', cms.Time({'utc_time': core.UTCTime(dt)})),
            cms.CMSAttribute.load(_signing_certificate(self.tsa_cert.dump())),
            simple_cms_attribute('message_digest', digest.finalize()),
        ])
        algorithm = get_pyca_cryptography_hash(md_algorithm.upper())
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            signature = self._key.sign(signed_attrs.dump(), ec.ECDSA(algorithm))
        else:
            signature = self._key.sign(signed_attrs.dump(), padding.PKCS1v15(), algorithm)
        return signature, signed_attrs

    def _build_signed_data(self, tst_info_data, md_algorithm, signature, signed_attrs):
        signed_data = super()._build_signed_data(tst_info_data, md_algorithm, signature,
                                                 signed_attrs)
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            signer_info = signed_data['signer_infos'][0]
            signer_info['signature_algorithm'] = algos.SignedDigestAlgorithm(
                {'algorithm': f'{md_algorithm}_ecdsa'})
        return signed_data


@lru_cache(maxsize=16)
def _signing_certificate(certificate_der: bytes) -> bytes:
    """The ESS signing-certificate-v2 attribute (SHA-256), encoded once per TSA certificate.

    Built from Python values, asn1crypto re-encodes the issuer name part by
    part on every response (~3 ms); parsed from DER it is copied as is.
    """
    certificate = asn1_x509.Certificate.load(certificate_der)
    return simple_cms_attribute('signing_certificate_v2',
                                general.as_signing_certificate_v2(certificate, 'sha256')).dump()


def _to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


# --- client side -------------------------------------------------------------------


def keep_alive(timestamper: TimeStamper | None) -> TimeStamper | None:
    """The same timestamper, minus aiohttp's per-request session (anything else: unchanged).

    Only a plain ``HTTPTimeStamper`` without a session of its own is swapped;
    the stand-in shares its certificate and dummy-response caches, and is kept
    for as long as the original lives.
    """
    if type(timestamper) is not HTTPTimeStamper or timestamper._session is not None:
        return timestamper
    try:
        return _stand_ins[timestamper]
    except KeyError:
        stand_in = _stand_ins[timestamper] = KeepAliveTimeStamper(timestamper)
        return stand_in


_stand_ins: 'weakref.WeakKeyDictionary[HTTPTimeStamper, KeepAliveTimeStamper]' = \
    weakref.WeakKeyDictionary()


class KeepAliveTimeStamper(HTTPTimeStamper):
    """An ``HTTPTimeStamper`` that posts with http.client over a kept-alive connection.

    The request runs synchronously inside pyHanko's event loop: the library's
    entry points are synchronous and wait for the token anyway.
    """

    def __init__(self, original: HTTPTimeStamper):
        super().__init__(original.url, timeout=original.timeout, auth=original.auth,
                         headers=original.headers)
        self.include_nonce = original.include_nonce
        self._dummy_response_cache = original._dummy_response_cache
        self._certs = original._certs
        self.cert_registry = original.cert_registry
        url = urlsplit(self.url)
        if url.scheme not in ('http', 'https') or not url.hostname:
            raise ValueError(f'not an HTTP(S) URL: {self.url}')
        self._endpoint = (url.scheme, url.hostname, url.port)
        self._target = (url.path or '/') + (f'?{url.query}' if url.query else '')

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        headers = dict(self.request_headers())
        if self.auth is not None:
            headers['Authorization'] = self.auth.encode()
        status, content_type, body = _post(self._endpoint, self._target, req.dump(), headers,
                                           self.timeout)
        if status >= 400:
            raise TimestampRequestError(f'Error while contacting timestamp service: '
                                        f'HTTP {status}')
        if content_type != 'application/timestamp-reply':
            raise TimestampRequestError(
                'Timestamp server response is malformed: expected content type '
                f'application/timestamp-reply, but got {content_type}.')
        try:
            return tsp.TimeStampResp.load(body)
        except ValueError as error:
            raise TimestampRequestError('Timestamp server response is malformed') from error


_connections = threading.local()


def _post(endpoint, target, body, headers, timeout):
    pool = _connections.__dict__.setdefault('pool', {})
    for attempt in (1, 2):
        connection = pool.get(endpoint)
        reused = connection is not None
        if connection is None:
            connection = pool[endpoint] = _connect(endpoint, timeout)
        try:
            connection.timeout = timeout
            if connection.sock is not None:
                connection.sock.settimeout(timeout)
            connection.request('POST', target, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            if response.will_close:
                connection.close()
            return response.status, response.getheader('Content-Type'), data
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            pool.pop(endpoint, None)
            # a kept-alive connection the server has since closed: retry once, afresh
            if not (reused and attempt == 1 and _stale(error)):
                raise TimestampRequestError(
                    'Error while contacting timestamp service') from error
    raise AssertionError('unreachable')


def _stale(error) -> bool:
    return isinstance(error, (http.client.RemoteDisconnected, http.client.BadStatusLine,
                              ConnectionResetError, BrokenPipeError, ConnectionAbortedError))


def _connect(endpoint, timeout) -> http.client.HTTPConnection:
    scheme, host, port = endpoint
    if scheme == 'https':
        return http.client.HTTPSConnection(host, port, timeout=timeout,
                                           context=_tls_context())
    return http.client.HTTPConnection(host, port, timeout=timeout)


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """What pyHanko's aiohttp session verifies against: the certifi CA bundle."""
    return ssl.create_default_context(cafile=certifi.where())


# --- the local authority's TSA -------------------------------------------------


def tsa_response(keys_dir, request_der: bytes, *, policy: str = DEFAULT_POLICY) -> bytes:
    """Answer an RFC 3161 TimeStampReq with a TimeStampResp signed by the TSA key."""
    try:
        request = tsp.TimeStampReq.load(request_der)
        request.native  # noqa: B018 (force a full parse so garbage fails here)
    except ValueError:
        return _tsa_rejection('bad_data_format')
    return local_timestamper(keys_dir, policy=policy).request_tsa_response(request).dump()


def local_timestamper(keys_dir, *, policy: str = DEFAULT_POLICY) -> LocalTimeStamper:
    """An in-process TimeStamper backed by this PKI's TSA key (for the embedded mode)."""
    tsa = load_authority(keys_dir, 'tsa')
    return LocalTimeStamper(tsa.certificate, tsa.key, [root_certificate(keys_dir)], policy=policy)


def _tsa_rejection(failure: str) -> bytes:
    status = tsp.PKIStatusInfo({'status': 'rejection', 'fail_info': tsp.PKIFailureInfo({failure})})
    # asn1crypto insists on the token, which RFC 3161 omits when rejecting.
    return core.Sequence(contents=status.dump()).dump()
