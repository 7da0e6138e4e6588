"""Long-term validation, judged by others: poppler's pdfsig (default settings: it asks our OCSP
responder online) and pyHanko (its classic validator and its ETSI EN 319 102-1 AdES processes, both
offline, from what the document embeds) on five documents: leader-signed (B-LT), co-signed (B-LT),
issued (B-LTA), an attachment (B-LTA) and an issued document with a later archive time stamp.
And the freshness rule: each signature's revocation data was made after its time stamp, never
backdated."""

import asyncio
import dataclasses
import datetime as dt
from io import BytesIO

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.validation import ades
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule
from pyhanko_certvalidator.registry import SimpleTrustManager

from tests.signing.lib.conftest import _der, fixture_bytes
from tests.signing.lib.test_issuance import _validate_from_embedded_data_only
from workflow.signing.lib import decree30, pades
from workflow.signing.lib.validation import _timestamp_time, verify_pdf

SOURCE = 'quyet-dinh-ke-hoach-cds-2026.pdf'
SIGNATURE = 'chu-ky-nguyen-van-men.png'


@pytest.fixture(scope='module')
def documents(local_pki, leader, organisation):
    deputy_credential = local_pki.person(full_name='Trần Văn Phó', title='Phó Chủ tịch', pin='4321')
    from workflow.signing.lib import keystore
    deputy = keystore.load_pkcs12_signer(deputy_credential.pkcs12, '4321')

    def lead(pdf, signer, name, field='signer', box=None):
        return decree30.sign_as_signer(
            pdf, signer, title='CHỦ TỊCH', full_name=name, signature_png=fixture_bytes(SIGNATURE),
            timestamper=local_pki.timestamper, field_name=field,
            placement=None if box is None else decree30.Placement(0, box),
            validation_context=local_pki.validation_data, embed_validation_info=True)

    leader_signed = lead(fixture_bytes(SOURCE), leader[1], 'Nguyễn Văn Mến')
    co_signed = lead(leader_signed, deputy, 'Trần Văn Phó', field='signer-2', box=(60, 80, 300, 160))
    issued = decree30.issue_document(
        co_signed, organisation[1], seal_png=fixture_bytes('con-dau-ubnd-huyen-co-do.png'),
        number_notation='07/QĐ-UBND', issued_on=dt.date(2026, 2, 3), timestamper=local_pki.timestamper,
        validation_context=local_pki.validation_data)
    attachment = decree30.sign_attachment(
        fixture_bytes('phu-luc-chi-tieu.pdf'), organisation[1], number_notation='07/QĐ-UBND',
        timestamper=local_pki.timestamper, validation_context=local_pki.validation_data)
    archived = pades.archive_timestamp(issued, local_pki.timestamper, local_pki.validation_data)
    return {'leader-signed': leader_signed, 'co-signed': co_signed, 'issued': issued,
            'attachment': attachment, 'B-LTA archived': archived}


LEVELS = {'leader-signed': ['B-LT'], 'co-signed': ['B-LT', 'B-LT'], 'issued': ['B-LTA'] * 3,
          'attachment': ['B-LTA'], 'B-LTA archived': ['B-LTA'] * 3}


@pytest.mark.parametrize('name', list(LEVELS))
def test_our_verifier_finds_each_document_valid_at_its_level(local_pki, documents, name):
    report = verify_pdf(documents[name], [local_pki.root])
    assert report['valid'], report
    assert [s['level'] for s in report['signatures'] if s['type'] == 'signature'] == LEVELS[name]


@pytest.mark.parametrize('name', list(LEVELS))
def test_poppler_with_online_ocsp_trusts_every_signature(documents, pdfsig, name):
    blocks, out = pdfsig(documents[name])
    signatures = [b for b in blocks if 'Signature Field Name: doc-timestamp-' not in b]
    assert len(signatures) == len(LEVELS[name]), out
    for block in signatures:
        assert 'Signature Validation: Signature is Valid' in block, out
        assert 'Certificate Validation: Certificate is Trusted' in block, out
    # the last revision is always covered: by the last signature or the document time stamp
    assert 'Total document signed' in blocks[-1] and 'Not total' not in blocks[-1], out


@pytest.mark.parametrize('name', list(LEVELS))
def test_pyhanko_classic_validation_offline_from_the_embedded_data(local_pki, documents, name):
    for sig in PdfFileReader(BytesIO(documents[name])).embedded_regular_signatures:
        status = _validate_from_embedded_data_only(sig, local_pki.root)
        assert status.intact and status.valid and status.trusted and not status.revoked, \
            status.pretty_print_details()


@pytest.mark.parametrize('name', ['leader-signed', 'co-signed'])
def test_b_lt_passes_pyhanko_ades_validation_offline_at_the_current_time(local_pki, documents, name):
    reader = PdfFileReader(BytesIO(documents[name]))
    spec = _ades_spec(local_pki).signature_validation_spec
    spec = dataclasses.replace(spec, local_knowledge=ades._dss_to_local_knowledge(reader))
    for sig in reader.embedded_regular_signatures:
        result = asyncio.run(ades.ades_with_time_validation(
            sig.signed_data, spec, raw_digest=sig.compute_digest(), extra_status_kwargs={}))
        assert result.ades_subindic == AdESPassed.OK, (sig.field_name, result.ades_subindic)


@pytest.mark.parametrize('name', ['issued', 'attachment', 'B-LTA archived'])
def test_b_lta_passes_pyhanko_full_long_term_process_offline(local_pki, documents, name):
    reader = PdfFileReader(BytesIO(documents[name]))
    for sig in reader.embedded_regular_signatures:
        result = asyncio.run(ades.ades_lta_validation(sig, _ades_spec(local_pki)))
        assert result.ades_subindic == AdESPassed.OK, (sig.field_name, result.ades_subindic)


def test_the_control_b_t_is_not_long_term(local_pki, signed_by_leader):
    """Without embedded data (B-T), the same offline processes cannot conclude."""
    [sig] = PdfFileReader(BytesIO(signed_by_leader)).embedded_regular_signatures
    result = asyncio.run(ades.ades_lta_validation(sig, _ades_spec(local_pki)))
    assert result.ades_subindic != AdESPassed.OK


@pytest.mark.parametrize('name', ['issued', 'attachment'])
def test_revocation_data_for_every_signature_was_made_after_its_time_stamp(documents, name):
    """For each signature: an OCSP answer about its signer (producedAt and thisUpdate strictly after
    the signature's time stamp), and about its time-stamp authority an OCSP answer or a CRL of its
    issuer made after it too, inside a revision a signature or document time stamp covers."""
    pdf = documents[name]
    reader = PdfFileReader(BytesIO(pdf))
    answers, crl_times = _ocsp_answers(reader), _crl_times(reader)
    assert answers, 'no OCSP answers embedded'
    for sig in reader.embedded_regular_signatures:
        stamped_at = _timestamp_time(sig)
        made = [(p, t) for s, p, t in answers if s == sig.signer_cert.serial_number]
        assert any(p > stamped_at and t > stamped_at for p, t in made), (sig.field_name, made, stamped_at)
        for tsa in _tst_certificates(sig):
            if tsa.chosen.self_signed:
                continue
            made = [t for s, p, t in answers if s == tsa.chosen.serial_number and p > stamped_at]
            made += [t for t in crl_times if t > stamped_at]
            assert any(t > stamped_at for t in made), (sig.field_name, 'TSA', stamped_at)
    last = reader.embedded_signatures[-1].byte_range
    assert int(last[2]) + int(last[3]) == len(pdf)  # all of it inside the last signed revision


@pytest.mark.parametrize('name', ['leader-signed', 'issued', 'attachment'])
def test_no_revocation_data_is_backdated(documents, name):
    reader = PdfFileReader(BytesIO(documents[name]))
    for _serial, produced, this_update in _ocsp_answers(reader):
        assert produced == this_update  # made when it says, not a minute before
    stamps = [_timestamp_time(s) for s in reader.embedded_regular_signatures]
    first = min(stamps)
    dss = DocumentSecurityStore.read_dss(reader)
    for ref in dss.crls:
        crl = asn1_crl.CertificateList.load(ref.get_object().data)
        assert crl['tbs_cert_list']['this_update'].native >= first.replace(microsecond=0)


def _ocsp_answers(reader):
    dss = DocumentSecurityStore.read_dss(reader)
    found = []
    for ref in dss.ocsps:
        basic = asn1_ocsp.OCSPResponse.load(ref.get_object().data).basic_ocsp_response['tbs_response_data']
        for single in basic['responses']:
            found.append((single['cert_id']['serial_number'].native, basic['produced_at'].native,
                          single['this_update'].native))
    return found


def _crl_times(reader):
    dss = DocumentSecurityStore.read_dss(reader)
    return [asn1_crl.CertificateList.load(ref.get_object().data)['tbs_cert_list']['this_update'].native
            for ref in dss.crls]


def _tst_certificates(sig):
    attrs = sig.signer_info['unsigned_attrs']
    token = next(a['values'][0]['content'] for a in attrs if a['type'].native == 'signature_time_stamp_token')
    return token['certificates']


def _ades_spec(local_pki):
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=[_der(local_pki.root)]),
        revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy(
            ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
            intermediate_ca_cert_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED)))
    return PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=policy,
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY)))
