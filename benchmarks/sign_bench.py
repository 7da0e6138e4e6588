"""Signing speed: this library versus plain pyHanko, same key, same PAdES level, same stamp.

Both sides sign PAdES B-T with a visible signer stamp (signature image + Vietnamese
caption) and a timestamp from the same local TSA over HTTP on 127.0.0.1.

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

    .venv/bin/python benchmarks/sign_bench.py [rounds]
"""

import dataclasses
import datetime as dt
import gc
import statistics
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import fields, signers  # noqa: E402
from pyhanko.sign.timestamps import HTTPTimeStamper  # noqa: E402
from pypdf import PdfReader, PdfWriter  # noqa: E402

from tests.signing.lib.pki_server import CertificateRecords, start_pki_server  # noqa: E402
from workflow.signing.lib import appearance, authority, decree30, fonts, keystore, placement  # noqa: E402

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


def ours(pdf, p12, png, tsa_url):
    signer = keystore.load_pkcs12_signer(p12, PIN)
    return decree30.sign_as_signer(pdf, signer, title=TITLE, full_name=NAME, signature_png=png,
                                   timestamper=HTTPTimeStamper(tsa_url))


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
                                        subfilter=fields.SigSeedSubFilter.PADES)
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
    with tempfile.TemporaryDirectory() as tmp:
        keys_dir = Path(tmp) / 'keys'
        keys_dir.mkdir()
        server = start_pki_server(keys_dir, CertificateRecords(keys_dir))
        authority.init_pki(keys_dir, 'UBND huyện Cờ Đỏ', base_url=server.base_url)
        credential = authority.issue_person_certificate(
            keys_dir, full_name=NAME, title='Chủ tịch', unit_name='UBND huyện Cờ Đỏ', pin=PIN,
            base_url=server.base_url)
        font_path = Path(tmp) / 'stamp-font.ttf'  # the same prepared font for both sides
        font_path.write_bytes(fonts.font_bytes())
        tsa_url = server.base_url + authority.TSA_PATH
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
        server.shutdown()


if __name__ == '__main__':
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
