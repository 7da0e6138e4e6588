"""Damaged and tampered files are reported invalid with a reason; verify_pdf never raises."""

import re

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name

from tests.signing.lib.conftest import fixture_bytes
from tests.signing.lib.test_tampering import _update
from workflow.signing.lib.validation import verify_pdf


def _replace_page_content(writer):
    page = writer.root['/Pages']['/Kids'][1].get_object()
    stream = generic.StreamObject(stream_data=b'BT /F1 30 Tf 100 700 Td (FORGED) Tj ET')
    page[pdf_name('/Contents')] = writer.add_object(stream)
    writer.update_container(page)


def _add_annotation(writer):
    page_ref = writer.find_page_for_modification(1)[0]
    annot = generic.DictionaryObject({
        pdf_name('/Type'): pdf_name('/Annot'), pdf_name('/Subtype'): pdf_name('/Square'),
        pdf_name('/Rect'): generic.ArrayObject(generic.NumberObject(v) for v in (90, 600, 300, 700))})
    writer.register_annotation(page_ref, writer.add_object(annot))


def _add_page(writer):
    writer.insert_page(generic.DictionaryObject({
        pdf_name('/Type'): pdf_name('/Page'),
        pdf_name('/MediaBox'): generic.ArrayObject(generic.NumberObject(v) for v in (0, 0, 595, 842)),
        pdf_name('/Resources'): generic.DictionaryObject()}))


def _contents_span(pdf):
    match = re.search(rb'/Contents <([0-9a-fA-F]+)>', pdf)
    return match.start(1), match.end(1)


def _damage_cms(pdf):
    start, _ = _contents_span(pdf)
    middle = start + 200
    return pdf[:middle] + b'0' * 64 + pdf[middle + 64:]


def _garble_certificate(pdf, cert_der):
    hex_cert = cert_der.hex().encode()
    start, end = _contents_span(pdf)
    contents = pdf[start:end]
    offset = contents.lower().find(hex_cert[40:120])
    assert offset > 0, 'certificate not found in the CMS container'
    at = start + offset + 10  # a byte of the certificate's serial number, inverted (never left as it was)
    flipped = b'%02x' % (int(pdf[at:at + 2], 16) ^ 0xff)
    return pdf[:at] + flipped + pdf[at + 2:]


def _change_signed_byte(pdf):
    at = pdf.index(b'/Producer')
    return pdf[:at + 3] + b'X' + pdf[at + 4:]


HOSTILE = {
    'replaced page content': lambda pdf, _: _update(pdf, _replace_page_content),
    'added annotation': lambda pdf, _: _update(pdf, _add_annotation),
    'added page': lambda pdf, _: _update(pdf, _add_page),
    'damaged CMS container': lambda pdf, _: _damage_cms(pdf),
    'garbled embedded certificate': _garble_certificate,
    'byte changed in signed range': lambda pdf, _: _change_signed_byte(pdf),
}


@pytest.mark.parametrize('case', sorted(HOSTILE))
def test_tampered_signed_document_is_invalid_with_a_reason(case, local_pki, leader,
                                                           signed_by_leader):
    cert_der = leader[1].signing_cert.dump()
    tampered = HOSTILE[case](signed_by_leader, cert_der)
    assert tampered != signed_by_leader
    report = verify_pdf(tampered, [local_pki.root])
    assert report['valid'] is False
    reasons = report['errors'] + [e for s in report['signatures'] for e in s['errors']]
    assert reasons, report


def test_content_replacement_is_reported_as_a_change_after_signing(local_pki, signed_by_leader):
    report = verify_pdf(_update(signed_by_leader, _replace_page_content), [local_pki.root])
    [signature] = report['signatures']
    assert signature['intact'] and signature['modified_after_signing']
    assert any('changed after signing' in e for e in signature['errors'])


@pytest.mark.parametrize('data', [b'', b'hello, not a pdf', b'%PDF-1.7\n%%EOF', b'\x00' * 2000])
def test_not_a_pdf_is_invalid_without_raising(local_pki, data):
    report = verify_pdf(data, [local_pki.root])
    assert report['valid'] is False and report['errors']


def test_unsigned_pdf_has_no_signatures(local_pki):
    report = verify_pdf(fixture_bytes('quyet-dinh-ke-hoach-cds-2026.pdf'), [local_pki.root])
    assert report == {'valid': False, 'signatures': [],
                      'errors': ['the document has no signatures']}


def test_untrusted_root_is_not_trusted(signed_by_leader, local_pki, tmp_path):
    from workflow.signing.lib import authority
    other = authority.init_pki(tmp_path / 'other', 'Somewhere else')
    report = verify_pdf(signed_by_leader, [authority.root_certificate(tmp_path / 'other')])
    assert not report['valid'] and not report['signatures'][0]['trusted']
    assert other.exists()
