"""One SoftHSM2 token directory for the whole test session.

SoftHSM reads SOFTHSM2_CONF once, when the PKCS#11 library is first initialised in the process, so every
test that makes a token must use the same configuration; each test makes its own token (own label) there.
"""
import os
import subprocess
import tempfile
from pathlib import Path

_ROOT = Path(tempfile.mkdtemp(prefix='softhsm-tests-'))
(_ROOT / 'tokens').mkdir()
CONF = _ROOT / 'softhsm2.conf'
CONF.write_text(f'directories.tokendir = {_ROOT / "tokens"}\nobjectstore.backend = file\nlog.level = ERROR\n')
os.environ['SOFTHSM2_CONF'] = str(CONF)


def init_token(label, pin, so_pin='87654321'):
    """A fresh token called `label` with user PIN `pin` (an earlier token of that name is deleted)."""
    subprocess.run(['softhsm2-util', '--delete-token', '--token', label], capture_output=True, env=os.environ)
    subprocess.run(['softhsm2-util', '--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', so_pin],
                   check=True, capture_output=True, env=os.environ)


def import_key(pem_path, *, label, key_label, pin, key_id='01'):
    subprocess.run(['softhsm2-util', '--import', str(pem_path), '--token', label, '--label', key_label,
                    '--id', key_id, '--pin', pin], check=True, capture_output=True, env=os.environ)


def refresh_library(module_path='/usr/lib/softhsm/libsofthsm2.so'):
    """Make this process's already-loaded PKCS#11 module see tokens created since it was loaded."""
    import pkcs11
    library = pkcs11.lib(module_path)
    library.reinitialize()
    return library
