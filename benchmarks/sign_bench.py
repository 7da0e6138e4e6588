"""Signing speed: this library versus plain pyHanko, same key, same PAdES level, same stamp.

Both sides sign the leader's signature as the app makes it: PAdES B-LT (validation
data embedded: a new validation context per signature holding the local CA's
current CRL and OCSP answers made in process, as the app does) with a visible
signer stamp (signature image + Vietnamese caption) and a timestamp from the same
local TSA over HTTP on 127.0.0.1.

Plain pyHanko: SimpleSigner.load_pkcs12_data + PdfSigner.sign_pdf per document
(key decrypted each time, dry-run signature to size the container, the shipped
font file re-read and subset).  A second baseline gives plain pyHanko our
prepared font file too, to show what is left once the font is equalised.
Ours: decree30.sign_as_signer with the key store's cached signer, a reserved
container size, the prepared font embedded whole, a kept-alive TSA connection
and the signing-certificate attribute encoded once per certificate.

The first table signs the same document every round, as a service re-signing
one file would; caches keyed by the document's bytes (placement text, the
parsed reader) then carry over between rounds, for both sides.  The second
table gives every round a document neither side has seen (the same pages,
re-saved with a different /Producer), so only per-process state carries over.

Then, on the leader-signed documents: issuance (number and date filled, the seal's
signature locking everything, the validation data of the earlier signature made
after its time stamp, then a document time stamp carrying the seal's own fresh
validation data), and verification of the issued files by this library against
poppler's ``pdfsig`` (default settings: online OCSP to the same server).

    .venv/bin/python benchmarks/sign_bench.py [rounds]
"""

import dataclasses
import datetime as dt
import gc
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from asn1crypto import crl as asn1_crl  # noqa: E402
from asn1crypto import ocsp as asn1_ocsp  # noqa: E402
from cryptography import x509  # noqa: E402
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import fields, signers  # noqa: E402
from pyhanko.sign.timestamps import HTTPTimeStamper  # noqa: E402
from pyhanko_certvalidator import ValidationContext  # noqa: E402
from pypdf import PdfReader, PdfWriter  # noqa: E402

from tests.signing.lib.pki_server import CertificateRecords, start_pki_server  # noqa: E402
from workflow.signing.lib import (  # noqa: E402
    appearance,
    authority,
    decree30,
    fonts,
    keystore,
    pades,
    placement,
    revocation,
)
from workflow.signing.lib.validation import verify_pdf  # noqa: E402

FIXTURES = ROOT / 'tests' / 'fixtures'
PIN = '1234'
NAME, TITLE = 'Nguyễn Văn Mến', 'CHỦ TỊCH'


def fifty_pages(two_page_pdf: bytes) -> bytes:
    reader = PdfReader(BytesIO(two_page_pdf))
    writer = PdfWriter()
    for _ in range(49):
        writer.add_page(reader.pages[0])
    writer.add_page(reader.pages[1])
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


ROOT_DER = None  # the local root (asn1crypto), set in main()


KEYS = RECORDS = None  # the local authority and its records, set in main()


def validation_context(pdf=b''):
    """What either side needs for B-LT, made as the app makes it (workflow/signing/trust.py): the
    root, the current CRL and OCSP answers from the local authority in process, made now."""
    certificates = [x509.load_der_x509_certificate(c.dump()) for c in pades.certificates_in_signatures(pdf)]
    certificates.append(authority.tsa_certificate(KEYS))
    answers = [revocation.ocsp_response_for(KEYS, c, RECORDS.status) for c in certificates]
    return ValidationContext(
        trust_roots=[ROOT_DER], allow_fetching=False, retroactive_revinfo=True,
        crls=[asn1_crl.CertificateList.load(revocation.build_crl(KEYS, RECORDS.revocations()))],
        ocsps=[asn1_ocsp.OCSPResponse.load(a) for a in answers if a])


def ours(pdf, p12, png, tsa_url):
    signer = keystore.load_pkcs12_signer(p12, PIN)
    return decree30.sign_as_signer(pdf, signer, title=TITLE, full_name=NAME, signature_png=png,
                                   timestamper=HTTPTimeStamper(tsa_url),
                                   validation_context=validation_context, embed_validation_info=True)


def issue(pdf, seal_p12, seal_png, tsa_url):
    signer = keystore.load_pkcs12_signer(seal_p12, PIN)
    return decree30.issue_document(pdf, signer, seal_png=seal_png, number_notation='01/QĐ-UBND',
                                   issued_on=dt.date(2026, 1, 5), timestamper=HTTPTimeStamper(tsa_url),
                                   validation_context=validation_context)


def pdfsig(pdf, nss, path):
    path.write_bytes(pdf)
    out = subprocess.run(['pdfsig', '-nssdir', f'sql:{nss}', str(path)], capture_output=True, text=True,
                         check=True).stdout
    assert out.count('Certificate is Trusted') >= 2, out
    return out


def nss_database(directory: Path, root_pem: Path) -> Path:
    directory.mkdir()
    subprocess.run(['certutil', '-N', '--empty-password', '-d', f'sql:{directory}'], check=True,
                   capture_output=True)
    subprocess.run(['certutil', '-A', '-d', f'sql:{directory}', '-n', 'root', '-t', 'CT,C,C',
                    '-i', str(root_pem)], check=True, capture_output=True)
    return directory


def plain_pyhanko(pdf, p12, png, tsa_url, font_path):
    signer = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=[],
                                                   passphrase=PIN.encode())
    where = placement.signer_placement(pdf, TITLE)
    look = appearance.signer_appearance(png, full_name=NAME, signed_at=dt.datetime.now(dt.timezone.utc),
                                        placement=where)
    text_style = dataclasses.replace(look.style.text_box_style,
                                     font=GlyphAccumulatorFactory(font_path, font_size=7))
    style = dataclasses.replace(look.style, text_box_style=text_style)
    meta = signers.PdfSignatureMetadata(field_name='signer',
                                        subfilter=fields.SigSeedSubFilter.PADES,
                                        embed_validation_info=True,
                                        validation_context=validation_context())
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, timestamper=HTTPTimeStamper(tsa_url), stamp_style=style,
        new_field_spec=fields.SigFieldSpec('signer', on_page=where.page, box=where.box))
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    return pdf_signer.sign_pdf(writer, appearance_text_params=look.text_params).getvalue()


def median_ms(action, rounds):
    gc.collect()  # start each side without the previous side's garbage
    action()  # warm-up: imports, first font preparation
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def median_ms_fresh(action, variants):
    """Like median_ms, but every call gets the next never-signed document."""
    docs = iter(variants)
    return median_ms(lambda: action(next(docs)), len(variants) - 1)


def variants_of(pdf: bytes, count: int) -> list[bytes]:
    """``count`` copies of ``pdf`` that differ in bytes only (re-saved, own /Producer)."""
    out = []
    for index in range(count):
        writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf)))
        writer.add_metadata({'/Producer': f'sign_bench variant {index}'})
        buffer = BytesIO()
        writer.write(buffer)
        out.append(buffer.getvalue())
    return out


def main(rounds=15):
    logging.getLogger('pyhanko').setLevel(logging.ERROR)  # "fetching is not allowed": by design here
    with tempfile.TemporaryDirectory() as tmp:
        keys_dir = Path(tmp) / 'keys'
        keys_dir.mkdir()
        records = CertificateRecords(keys_dir)
        server = start_pki_server(keys_dir, records)
        authority.init_pki(keys_dir, 'UBND huyện Cờ Đỏ', base_url=server.base_url)
        credential = records.note_issued(authority.issue_person_certificate(
            keys_dir, full_name=NAME, title='Chủ tịch', unit_name='UBND huyện Cờ Đỏ', pin=PIN,
            base_url=server.base_url))
        font_path = Path(tmp) / 'stamp-font.ttf'  # the same prepared font for both sides
        font_path.write_bytes(fonts.font_bytes())
        tsa_url = server.base_url + authority.TSA_PATH
        global ROOT_DER, KEYS, RECORDS
        KEYS, RECORDS = keys_dir, records
        from asn1crypto import x509 as asn1_x509
        from cryptography.hazmat.primitives import serialization
        ROOT_DER = asn1_x509.Certificate.load(
            authority.root_certificate(keys_dir).public_bytes(serialization.Encoding.DER))
        png = (FIXTURES / 'chu-ky-nguyen-van-men.png').read_bytes()
        two_pages = (FIXTURES / 'quyet-dinh-ke-hoach-cds-2026.pdf').read_bytes()
        documents = {'1 page': (FIXTURES / 'cong-van-dong-hiep.pdf').read_bytes(),
                     '50 pages': fifty_pages(two_pages)}
        titles = {'1 page': 'PHÓ CHỦ TỊCH', '50 pages': 'CHỦ TỊCH'}
        shipped_font = str(fonts.FONT_DIR / fonts.STAMP_FONT)
        print(f'{"document":<10} {"plain pyHanko":>14} {"(prepared font)":>16} '
              f'{"this library":>13} {"ratio":>7} {"(vs prepared)":>14}')
        for label, pdf in documents.items():
            global TITLE
            TITLE = titles[label]
            base = median_ms(lambda pdf=pdf: plain_pyhanko(pdf, credential.pkcs12, png, tsa_url,
                                                           shipped_font), rounds)
            base_prepared = median_ms(lambda pdf=pdf: plain_pyhanko(pdf, credential.pkcs12, png,
                                                                    tsa_url, str(font_path)),
                                      rounds)
            fast = median_ms(lambda pdf=pdf: ours(pdf, credential.pkcs12, png, tsa_url), rounds)
            print(f'{label:<10} {base:>11.1f} ms {base_prepared:>13.1f} ms {fast:>10.1f} ms '
                  f'{base / fast:>6.1f}x {base_prepared / fast:>13.1f}x')
        print('\nA new document every round:')
        print(f'{"document":<10} {"plain pyHanko":>14} {"this library":>13} {"ratio":>7}')
        for label, pdf in documents.items():
            TITLE = titles[label]
            base = median_ms_fresh(lambda doc: plain_pyhanko(doc, credential.pkcs12, png, tsa_url,
                                                             shipped_font),
                                   variants_of(pdf, rounds + 1))
            fast = median_ms_fresh(lambda doc: ours(doc, credential.pkcs12, png, tsa_url),
                                   variants_of(pdf, rounds + 1))
            print(f'{label:<10} {base:>11.1f} ms {fast:>10.1f} ms {base / fast:>6.1f}x')

        seal = records.note_issued(authority.issue_organisation_certificate(
            keys_dir, org_name='UBND huyện Cờ Đỏ', pin=PIN, base_url=server.base_url))
        seal_png = (FIXTURES / 'con-dau-ubnd-huyen-co-do.png').read_bytes()
        nss = nss_database(Path(tmp) / 'nss', keys_dir / 'root.pem')
        print('\nIssuance (seal + fresh revocation data + document time stamp) and verification:')
        print(f'{"document":<10} {"issuance":>10} {"verify (ours)":>14} {"pdfsig":>10}')
        for label, pdf in documents.items():
            TITLE = titles[label]
            signed = ours(pdf, credential.pkcs12, png, tsa_url)
            issued = issue(signed, seal.pkcs12, seal_png, tsa_url)
            assert verify_pdf(issued, [(keys_dir / 'root.pem').read_bytes()])['valid']
            issuing = median_ms(lambda signed=signed: issue(signed, seal.pkcs12, seal_png, tsa_url), rounds)
            checking = median_ms(lambda issued=issued: verify_pdf(issued, [(keys_dir / 'root.pem').read_bytes()]),
                                 rounds)
            poppler = median_ms(lambda issued=issued: pdfsig(issued, nss, Path(tmp) / 'checked.pdf'), rounds)
            print(f'{label:<10} {issuing:>7.1f} ms {checking:>11.1f} ms {poppler:>7.1f} ms')
        server.shutdown()


if __name__ == '__main__':
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
