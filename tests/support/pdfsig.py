"""poppler's pdfsig as an independent validator: trust the local root in an NSS database, parse the report."""
import re
import subprocess
from pathlib import Path


def nss_database(directory, root_pem):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if not (directory / 'cert9.db').exists():
        subprocess.run(['certutil', '-N', '--empty-password', '-d', f'sql:{directory}'], check=True)
        (directory / 'root.pem').write_bytes(root_pem)
        subprocess.run(['certutil', '-A', '-d', f'sql:{directory}', '-n', 'local-root', '-t', 'CT,C,C',
                        '-i', str(directory / 'root.pem')], check=True)
    return directory


def pdfsig(pdf_bytes, nss_dir, tmp_path):
    """[{'valid': bool, 'trusted': bool, 'total': bool, 'field': str, 'timestamp': bool, 'text': str}] per
    signature, with poppler's default (online) revocation checking. pdfsig exits 0 even for invalid
    signatures, so only its words count. poppler 22.12 does not verify document time stamps
    (ETSI.RFC3161): for those ('timestamp': True) it reports the type unknown and nothing verified."""
    path = Path(tmp_path) / 'checked.pdf'
    path.write_bytes(pdf_bytes)
    out = subprocess.run(['pdfsig', '-nssdir', f'sql:{nss_dir}', str(path)], capture_output=True, text=True,
                         timeout=120).stdout
    blocks = re.split(r'\nSignature #\d+:', '\n' + out)[1:]
    return [{
        'valid': 'Signature Validation: Signature is Valid' in block,
        'trusted': 'Certificate Validation: Certificate is Trusted' in block,
        'total': 'Total document signed' in block and 'Not total document signed' not in block,
        'field': (re.findall(r'Signature Field Name: (\S+)', block) or [''])[0],
        'timestamp': (re.findall(r'Signature Field Name: (\S+)', block) or [''])[0].startswith('doc-timestamp-'),
        'text': block,
    } for block in blocks]
