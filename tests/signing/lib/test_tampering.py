"""An issued document changed afterwards, by each class of attack a forger would try: our verifier
reports it not valid and names the change; where the seal's lock applies, pyHanko's own difference
analysis (default policy, knowing nothing of ours) flags it too. Adding validation data or a
document time stamp stays allowed."""

from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import FieldMDPAction, MDPPerm
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from tests.signing.lib.conftest import _der
from workflow.signing.lib import acroform, pades
from workflow.signing.lib.validation import verify_pdf


def _update(pdf, change):
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    change(writer)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def refilled_number_and_date(pdf):
    return _update(pdf, lambda w: acroform.fill_text_fields(w, {'issue_number': '99', 'issue_day': '31'}))


def changed_field_appearance(pdf):
    """The number's value left alone, its appearance redrawn to read 99."""
    def change(writer):
        field = next(f.get_object() for f in writer.root['/AcroForm']['/Fields']
                     if f.get_object().get('/T') == 'issue_number')
        stream = generic.StreamObject({pdf_name('/Type'): pdf_name('/XObject'),
                                       pdf_name('/Subtype'): pdf_name('/Form'),
                                       pdf_name('/BBox'): generic.ArrayObject([generic.NumberObject(0)] * 2
                                                                              + [generic.NumberObject(40)] * 2)},
                                      stream_data=b'BT /Helv 12 Tf 2 4 Td (99) Tj ET')
        field['/AP'] = generic.DictionaryObject({pdf_name('/N'): writer.add_object(stream)})
        writer.update_container(field)
    return _update(pdf, change)


def new_annotation(pdf):
    def change(writer):
        page_ref = writer.find_page_for_modification(1)[0]
        annotation = generic.DictionaryObject({
            pdf_name('/Type'): pdf_name('/Annot'), pdf_name('/Subtype'): pdf_name('/FreeText'),
            pdf_name('/Rect'): generic.ArrayObject(generic.FloatObject(v) for v in (300, 700, 500, 730)),
            pdf_name('/Contents'): pdf_string('Số: 99'), pdf_name('/DA'): pdf_string('/Helv 12 Tf 0 g')})
        writer.register_annotation(page_ref, writer.add_object(annotation))
    return _update(pdf, change)


def new_page(pdf):
    def change(writer):
        page = generic.DictionaryObject({
            pdf_name('/Type'): pdf_name('/Page'),
            pdf_name('/MediaBox'): generic.ArrayObject(generic.NumberObject(v) for v in (0, 0, 595, 842)),
            pdf_name('/Contents'): writer.add_object(generic.StreamObject(stream_data=b'BT ET')),
            pdf_name('/Resources'): generic.DictionaryObject()})
        writer.insert_page(page)
    return _update(pdf, change)


def replaced_content(pdf):
    def change(writer):
        page_ref, _resources = writer.find_page_for_modification(0)
        page = page_ref.get_object()
        page['/Contents'] = writer.add_object(generic.StreamObject(stream_data=b'BT /F1 14 Tf 72 700 Td (X) Tj ET'))
        writer.update_container(page)
    return _update(pdf, change)


def changed_signed_bytes(pdf):
    """One byte inside a content stream of the original, which every signature's range covers."""
    at = pdf.index(b'stream', 2000) + 40
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1:]


def damaged_certificate(pdf):
    """A hex digit changed inside the seal's own certificate, as its CMS (/Contents) carries it."""
    seal = PdfFileReader(BytesIO(pdf)).embedded_signatures[1]
    certificate = seal.signer_cert.dump().hex().encode()
    found = pdf.lower().index(certificate)
    at = found + len(certificate) // 2  # in the middle of the to-be-signed part
    return pdf[:at] + (b'1' if pdf[at:at + 1] == b'0' else b'0') + pdf[at + 1:]


def damaged_cms(pdf):
    """The seal's CMS cut short: its first bytes zeroed."""
    return _flip_in_contents(pdf, field_index=1, offset=0, width=16)


def _flip_in_contents(pdf, field_index, offset, width=1):
    signature = PdfFileReader(BytesIO(pdf)).embedded_signatures[field_index]
    start, length = int(signature.byte_range[0]), int(signature.byte_range[1])
    at = start + length + 1 + offset  # the hex string between the two signed ranges, after its "<"
    return pdf[:at] + (b'0' * width if width > 1 else bytes([ord('0') if pdf[at] != ord('0') else ord('1')])) \
        + pdf[at + width:]


ATTACKS = {
    'refilled number/date': (refilled_number_and_date, {'number_or_date'}),
    'changed form field appearance': (changed_field_appearance, {'form_field', 'number_or_date'}),
    'new annotation': (new_annotation, {'annotation'}),
    'new page': (new_page, {'page'}),
    'replaced content': (replaced_content, {'content'}),
    'bytes changed inside a signed range': (changed_signed_bytes, {'signed_bytes'}),
    'damaged certificate': (damaged_certificate, {'signed_bytes', 'signature_damaged'}),
    'damaged CMS': (damaged_cms, {'signed_bytes', 'signature_damaged'}),
}
LOCK_APPLIES = ('refilled number/date', 'changed form field appearance', 'new annotation', 'new page',
                'replaced content')


def test_the_issued_document_itself_is_valid_and_its_seal_locks_everything(local_pki, issued):
    report = verify_pdf(issued, [local_pki.root])
    assert report['valid'], report
    leader, seal, stamp = report['signatures']
    assert [c['kind'] for c in leader['changes_after']] == ['issuance', 'validation_data', 'validation_data']
    assert [c['kind'] for c in seal['changes_after']] == ['validation_data']
    assert seal['locks'] == 'everything' and leader['locks'] is None
    reader = PdfFileReader(BytesIO(issued))
    leader_sig, seal_sig = reader.embedded_signatures[:2]
    assert seal_sig.fieldmdp.action == FieldMDPAction.ALL and seal_sig.docmdp_level == MDPPerm.NO_CHANGES
    assert seal_sig.sig_field['/Lock']['/P'] == 1  # the PDF 2.0 lock: no changes permitted
    # the leader's lock: every field there was, except the blanks issuance fills and the seal's field
    assert leader_sig.fieldmdp.action == FieldMDPAction.INCLUDE
    locked = set(leader_sig.fieldmdp.fields)
    assert 'issue_number' not in locked and 'organisation' not in locked and 'signer' in locked


@pytest.mark.parametrize('attack', list(ATTACKS))
def test_every_change_after_issuance_is_reported_not_valid_and_named(local_pki, issued, attack):
    make, kinds = ATTACKS[attack]
    tampered = make(issued)
    report = verify_pdf(tampered, [local_pki.root])
    assert not report['valid'], (attack, report)
    seal = next((s for s in report['signatures'] if s['field'] == 'organisation'), None)
    assert seal is not None and seal['errors'], (attack, report)
    named = {c['kind'] for s in report['signatures'] for c in s['changes_after']}
    assert named & kinds, (attack, named)
    if attack not in ('damaged certificate', 'damaged CMS'):
        # a tampered file is not blamed on the certificate
        assert not any('trusted root' in e for e in seal['errors']), seal['errors']


@pytest.mark.parametrize('attack', LOCK_APPLIES)
def test_pyhanko_flags_the_change_against_the_seal_lock(local_pki, issued, attack):
    tampered = ATTACKS[attack][0](issued)
    seal = PdfFileReader(BytesIO(tampered)).embedded_signatures[1]
    assert seal.field_name == 'organisation'
    status = validate_pdf_signature(seal, ValidationContext(trust_roots=[_der(local_pki.root)]))
    assert status.intact and status.valid  # the seal's bytes are untouched ...
    assert status.docmdp_ok is False or status.modification_level == ModificationLevel.OTHER, \
        status.pretty_print_details()  # ... but what came after breaks its lock
    assert not status.bottom_line


def test_refilling_the_blanks_is_named_as_such_after_the_right_signature(local_pki, issued):
    report = verify_pdf(refilled_number_and_date(issued), [local_pki.root])
    leader, seal, _stamp = report['signatures'][:3]
    last = [c for c in seal['changes_after'] if c['kind'] == 'number_or_date']
    assert last and set(last[0]['fields']) == {'issue_number', 'issue_day'} and last[0]['by'] is None
    assert any(c['kind'] == 'number_or_date' for c in leader['changes_after'])


def test_validation_data_and_document_time_stamps_stay_allowed(local_pki, issued):
    archived = pades.archive_timestamp(issued, local_pki.timestamper, local_pki.validation_data)
    report = verify_pdf(archived, [local_pki.root])
    assert report['valid'], report
    seal = report['signatures'][1]
    assert {c['kind'] for c in seal['changes_after']} == {'validation_data'}


def test_a_second_signature_after_the_seal_breaks_its_lock(local_pki, issued, leader):
    """Even a genuine signature may not follow the seal: the issued text is final."""
    signed_again = pades.sign_pdf(issued, leader[1], field_name='late', box=(50, 50, 200, 100), page=0,
                                  timestamper=local_pki.timestamper)
    report = verify_pdf(signed_again, [local_pki.root])
    assert not report['valid']
    seal = report['signatures'][1]
    assert 'later_signature' in {c['kind'] for c in seal['changes_after']} and seal['errors']
