import asyncio, subprocess, re
from io import BytesIO
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, ades
from pyhanko.sign.validation.policy_decl import (PdfSignatureValidationSpec, SignatureValidationSpec,
    RevocationInfoGatheringSpec, RevinfoOnlineFetchingRule)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager
from tests.signing.conftest import _der
from workflow.signing import signer
from workflow.signing.validation import verify_pdf


def pdfsig(local_pki, data, tmp_path):
    nss = tmp_path / 'nss'; nss.mkdir(exist_ok=True)
    root_pem = tmp_path / 'root.pem'
    root_pem.write_bytes((local_pki.keys_dir / 'root.pem').read_bytes())
    subprocess.run(['certutil', '-N', '--empty-password', '-d', f'sql:{nss}'], check=True)
    subprocess.run(['certutil', '-A', '-d', f'sql:{nss}', '-n', 'root', '-t', 'CT,C,C', '-i', str(root_pem)], check=True)
    pdf = tmp_path / 'x.pdf'; pdf.write_bytes(data)
    return subprocess.run(['pdfsig', '-nssdir', f'sql:{nss}', str(pdf)], capture_output=True, text=True).stdout


def lta(local_pki, data):
    spec = PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(trust_roots=[_der(local_pki.root)]),
            revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO)),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(RevinfoOnlineFetchingRule.LOCAL_ONLY)))
    out = []
    for sig in PdfFileReader(BytesIO(data)).embedded_signatures:
        if sig.sig_object_type == '/DocTimeStamp':
            continue
        r = asyncio.run(ades.ades_lta_validation(sig, spec))
        out.append((sig.field_name, r.ades_subindic, r.api_status.modification_level if r.api_status else None))
    return out


def test_dump(local_pki, issued, tmp_path):
    print(pdfsig(local_pki, issued, tmp_path))
    print(lta(local_pki, issued))
    r = PdfFileReader(BytesIO(issued))
    print('revisions', r.xrefs.total_revisions, [s.signed_revision for s in r.embedded_signatures])
    for s in verify_pdf(issued, [local_pki.root])['signatures']:
        print({k: s[k] for k in ('field', 'level', 'modification_level', 'covers_whole_file', 'changes')})
    archived = signer.archive_timestamp(issued, local_pki.timestamper, local_pki.validation_context())
    print(pdfsig(local_pki, archived, tmp_path))
    for s in verify_pdf(archived, [local_pki.root])['signatures']:
        print({k: s[k] for k in ('field', 'level', 'modification_level', 'covers_whole_file', 'errors')})
    print(lta(local_pki, archived))
