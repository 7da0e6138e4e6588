"""A small district with real keys from the app's local PKI, signature and seal images."""
import pytest

from tests.conftest import FIXTURES
from tests.core.conftest import Org
from tests.pdfsig import nss_database
from workflow.extensions import db
from workflow.signing import operations as signing
from workflow.signing import trust

LEADER_PIN, SEAL_PIN = '2468', '1357'


class SigningOrg(Org):
    def __init__(self):
        super().__init__()
        self.chairman.full_name = 'Nguyễn Văn Mến'
        self.chairman.title = 'Chủ tịch'
        trust.ensure_pki()
        signing.set_signature_image(self.admin, self.chairman, (FIXTURES / 'chu-ky-nguyen-van-men.png').read_bytes())
        signing.issue_user_certificate(self.admin, self.chairman, LEADER_PIN)
        signing.issue_unit_seal(self.admin, self.district, png=(FIXTURES / 'con-dau-ubnd-huyen-co-do.png').read_bytes(),
                                pin=SEAL_PIN)
        db.session.flush()


@pytest.fixture
def sorg(ctx):
    return SigningOrg()


@pytest.fixture(scope='session')
def nss(app, tmp_path_factory):
    with app.app_context():
        root = trust.ensure_pki().read_bytes()
    return nss_database(tmp_path_factory.mktemp('nss'), root)
