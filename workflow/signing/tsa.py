"""The timestamp authority's signing side (RFC 3161), reused from pyHanko.

pyHanko's ``DummyTimeStamper`` already builds a correct TimeStampResp (TSTInfo in
a CMS SignedData with ESS signing-certificate); it only reloads the key on every
request and signs with RSA.  This subclass keeps the loaded key and signs with
whatever key the TSA has (EC or RSA).
"""

from asn1crypto import algos, cms, core, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from pyhanko.sign import general
from pyhanko.sign.general import simple_cms_attribute
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

POLICY = '1.3.6.1.4.1.59350.1.1'  # private-arc placeholder for "local district TSA policy"


class LocalTimeStamper(DummyTimeStamper):
    def __init__(self, certificate: x509.Certificate, key, chain: list[x509.Certificate]):
        self._key = key
        super().__init__(
            tsa_cert=_to_asn1(certificate),
            tsa_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption())),
            certs_to_embed=[_to_asn1(c) for c in chain],
        )

    def _build_tst_info(self, message_imprint, dt, req) -> tsp.TSTInfo:
        info = super()._build_tst_info(message_imprint, dt, req)
        info['policy'] = tsp.ObjectIdentifier(POLICY)
        return info

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt):
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes([
            simple_cms_attribute('content_type', 'tst_info'),
            simple_cms_attribute('signing_time', cms.Time({'utc_time': core.UTCTime(dt)})),
            simple_cms_attribute('signing_certificate',
                                 general.as_signing_certificate(self.tsa_cert)),
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


def _to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
