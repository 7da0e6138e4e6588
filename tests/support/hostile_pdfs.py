"""Hostile PDFs for the public verification endpoints (issue 11, finding 3), built fast.

- `many_signatures`: one page signed `count` times in incremental revisions by a throw-away
  ECDSA key (~8 KB a signature: 100 give ~0.8 MB), the file that cost 66 s of CPU before;
- `many_pages`: `count` empty pages sharing one content stream (99 000 give ~1 MB), 8 s before.
"""
import datetime as dt
import io

import pikepdf
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore


def many_pages(count=99_000):
    pdf = pikepdf.new()
    content = pdf.make_stream(b'')
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842], Contents=content)
    kids = pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(page)) for _ in range(count)])
    pages = pdf.Root.Pages
    for kid in kids:
        kid.Parent = pages
    pages.Kids = kids
    pages.Count = count
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    return out.getvalue()


def one_page():
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _throwaway_signer():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'Hostile signer')])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    asn1_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    asn1_key = asn1_keys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return signers.SimpleSigner(signing_cert=asn1_cert, signing_key=asn1_key,
                                cert_registry=SimpleCertificateStore.from_certs([asn1_cert]))


def many_signatures(count=100):
    signer = _throwaway_signer()
    data = one_page()
    for n in range(count):
        meta = signers.PdfSignatureMetadata(field_name=f'Sig{n}')
        out = signers.PdfSigner(meta, signer).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data), strict=False),
                                                       bytes_reserved=6000)
        data = out.getvalue()
    return data
