"""One real PKI per session, served over HTTP on 127.0.0.1, and the signed documents built from it."""

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext

from tests.signing.lib.pki_server import CertificateRecords, start_pki_server
from workflow.signing.lib import authority, decree30, keystore, revocation

FIXTURES = Path(__file__).parents[2] / 'fixtures'
ORG = 'UBND huyện Cờ Đỏ'


def fixture_bytes(name):
    return (FIXTURES / name).read_bytes()


class Pki:
    """The session's PKI: its directory, HTTP endpoints, the record of what it issued and revoked
    (what the app keeps in its database), and a few issued credentials."""

    def __init__(self, keys_dir, server, records):
        self.keys_dir, self.server, self.records = keys_dir, server, records
        self.base_url = server.base_url
        self.root = authority.root_certificate(keys_dir)

    @property
    def timestamper(self):
        return HTTPTimeStamper(self.base_url + authority.TSA_PATH)

    def revoke(self, serial, *, reason='unspecified'):
        self.records.revoke(serial, reason=reason)

    def crl(self):
        return revocation.build_crl(self.keys_dir, self.records.revocations())

    def validation_context(self):
        # revocation data fetched now may be dated up to a second ahead (rounded up, never back)
        return ValidationContext(trust_roots=[_der(self.root)], allow_fetching=True,
                                 revocation_mode='hard-fail', retroactive_revinfo=True)

    def validation_data(self, _pdf_bytes=b''):
        """A new context for each step (pades.ValidationData): what it fetches is fetched then."""
        return self.validation_context()

    def person(self, full_name='Nguyễn Văn Mến', title='Chủ tịch', pin='1234'):
        return self.records.note_issued(authority.issue_person_certificate(
            self.keys_dir, full_name=full_name, title=title, unit_name=ORG, pin=pin, base_url=self.base_url))

    def organisation(self, pin='5678'):
        return self.records.note_issued(authority.issue_organisation_certificate(
            self.keys_dir, org_name=ORG, pin=pin, base_url=self.base_url))


def _der(cert):
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


@pytest.fixture(scope='session')
def local_pki(tmp_path_factory):
    keys_dir = tmp_path_factory.mktemp('keys')
    # The server must exist before certificates can point at it: bind first, then issue.
    records = CertificateRecords(keys_dir)
    server = start_pki_server(keys_dir, records)
    authority.init_pki(keys_dir, ORG, base_url=server.base_url)
    yield Pki(keys_dir, server, records)
    server.shutdown()


@pytest.fixture(scope='session')
def leader(local_pki):
    credential = local_pki.person()
    return credential, keystore.load_pkcs12_signer(credential.pkcs12, '1234')


@pytest.fixture(scope='session')
def organisation(local_pki):
    credential = local_pki.organisation()
    return credential, keystore.load_pkcs12_signer(credential.pkcs12, '5678')


@pytest.fixture(scope='session')
def signed_by_leader(local_pki, leader):
    return decree30.sign_as_signer(
        fixture_bytes('quyet-dinh-ke-hoach-cds-2026.pdf'), leader[1], title='CHỦ TỊCH',
        full_name='Nguyễn Văn Mến', signature_png=fixture_bytes('chu-ky-nguyen-van-men.png'),
        timestamper=local_pki.timestamper)


@pytest.fixture(scope='session')
def issued(local_pki, organisation, signed_by_leader):
    return decree30.issue_document(
        signed_by_leader, organisation[1], seal_png=fixture_bytes('con-dau-ubnd-huyen-co-do.png'),
        number_notation='01/QĐ-UBND', issued_on=dt.date(2026, 1, 5),
        timestamper=local_pki.timestamper, validation_context=local_pki.validation_data)


@pytest.fixture(scope='session')
def pdfsig(local_pki, tmp_path_factory):
    """Run poppler's ``pdfsig`` with an NSS database trusting the local root; returns its blocks.

    Each block is the text about one signature, in file order (pdfsig lists the
    last-made signature first).  pdfsig exits 0 even for invalid signatures, so
    callers assert on the text.
    """
    workdir = tmp_path_factory.mktemp('pdfsig')
    nss = workdir / 'nss'
    nss.mkdir()
    root_pem = workdir / 'root.pem'
    root_pem.write_bytes((local_pki.keys_dir / 'root.pem').read_bytes())
    subprocess.run(['certutil', '-N', '--empty-password', '-d', f'sql:{nss}'], check=True,
                   stdin=subprocess.DEVNULL, capture_output=True)
    subprocess.run(['certutil', '-A', '-d', f'sql:{nss}', '-n', 'root', '-t', 'CT,C,C',
                    '-i', str(root_pem)], check=True, stdin=subprocess.DEVNULL,
                   capture_output=True)

    def run(pdf_bytes):
        pdf = workdir / 'checked.pdf'
        pdf.write_bytes(pdf_bytes)
        out = subprocess.run(['pdfsig', '-nssdir', f'sql:{nss}', str(pdf)], capture_output=True,
                             text=True, timeout=60, stdin=subprocess.DEVNULL).stdout
        blocks = [b for b in re.split(r'\nSignature #\d+:', out)[1:]
                  if 'The signature form field is not signed' not in b]  # the seal's field, still empty
        return sorted(blocks, key=signed_end), out
    return run


def signed_end(pdfsig_block):
    """Where the signature's last signed byte range ends."""
    return int(re.findall(r'\[\d+ - (\d+)\]', pdfsig_block)[-1])


@pytest.fixture(autouse=True)
def isolation():
    """The signing library touches no database: replaces the suite-wide per-test isolation here."""
    yield
