"""The signing room's tests: a small district with real keys from the app's local PKI (service level),
and the pages walked as people use them (an admin equips the district, a leader signs in the page,
the clerk issues with the seal, the commune receives), everything through HTML forms."""
import io
import re
from html import unescape

import pytest

from tests.builders import FIXTURES, LEADER_PIN, SEAL_PIN, build, signing_district  # noqa: F401
from tests.support.pages import act, file_id_from, login, upload_file
from tests.support.pdfsig import nss_database
from workflow.extensions import db
from workflow.files.models import WorkFile
from workflow.signing import trust

SIGNATURE_PNG = (FIXTURES / 'chu-ky-nguyen-van-men.png').read_bytes()
SEAL_PNG = (FIXTURES / 'con-dau-ubnd-huyen-co-do.png').read_bytes()
TITLE = 'Quyết định ban hành Kế hoạch chuyển đổi số năm 2026'


@pytest.fixture
def sorg(ctx):
    """The small district with keys (tests/builders.py: signing_district), in the test's own session."""
    return build(signing_district)


@pytest.fixture
def org(communes_org):
    """For the page journeys: the district and two communes, someone in every role."""
    return communes_org


CODE = re.compile(r'[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}')


def start_enrolment(admin, user):
    """The admin makes a one-time code on the person's keys page; returns the response and the code shown."""
    response = admin.post(f'/admin/users/{user.id}/certificate', data={})
    if response.status_code != 302:
        return response, None
    page = html(admin.get(response.headers['Location']))
    return response, CODE.search(page).group(0)


def enrol(holder, code, pin=LEADER_PIN, confirm=None):
    """The person enters the code and chooses the PIN (twice) on their own keys page."""
    return holder.post('/account/signing/enrolment', data={
        'enrolment-code': code, 'enrolment-pin': pin, 'enrolment-confirm': pin if confirm is None else confirm})


def issue_certificate(admin, user, pin=LEADER_PIN, confirm=None):
    """The whole enrolment through the pages: the admin's code, then the holder's PIN; the holder's answer."""
    response, code = start_enrolment(admin, user)
    if code is None:
        return response
    return enrol(login(admin.application.test_client(), user), code, pin, confirm)


def upload_signature_image(client, user, png=SIGNATURE_PNG):
    return client.post(f'/users/{user.id}/signature-image', data={'image-image': (io.BytesIO(png), 'chu-ky.png')},
                       content_type='multipart/form-data')


def set_seal(admin, unit, pin=SEAL_PIN, png=SEAL_PNG):
    return admin.post(f'/admin/units/{unit.id}/seal', content_type='multipart/form-data',
                      data={'seal-image': (io.BytesIO(png), 'con-dau.png'), 'seal-pin': pin, 'seal-confirm': pin})


def sign(client, file_id, pin=LEADER_PIN, *, page=None, box=None):
    fields = {'pin': pin, 'placement': 'auto'}
    if box is not None:
        fields.update(placement='manual', page=page, x1=box[0], y1=box[1], x2=box[2], y2=box[3])
    return act(client, file_id, 'sign', **fields)


def issue(client, file_id, unit, pin=SEAL_PIN):
    return act(client, file_id, 'issue', recipients=unit.id, seal_pin=pin)


def html(response):
    """The page as one line, entities decoded (quotes in messages arrive as &#34;)."""
    return unescape(re.sub(r'\s+', ' ', response.get_data(as_text=True)))


def stored_file(app, file_id):
    with app.app_context():
        file = db.session.get(WorkFile, file_id)
        db.session.expunge(file)
        return file


def main_document_id(app, file_id):
    with app.app_context():
        return db.session.get(WorkFile, file_id).main_document.id


@pytest.fixture
def equipped(org, as_user):  # noqa: F811
    """The chairman has a certificate and a signature image; the district UBND has its seal."""
    admin = as_user(org.admin)
    assert issue_certificate(admin, org.leader).status_code == 302
    assert upload_signature_image(admin, org.leader).status_code == 302
    assert set_seal(admin, org.district).status_code == 302
    return org


@pytest.fixture
def awaiting(equipped, as_user):  # noqa: F811
    """A draft the specialist uploaded and sent to the chairman for signature: its file id."""
    specialist = as_user(equipped.specialist)
    file_id = file_id_from(upload_file(specialist, title=TITLE, doc_type='QĐ'))
    response = act(specialist, file_id, 'forward', purpose='sign', to_user=equipped.leader.id, to_unit=0,
                   note='Kính trình Chủ tịch ký ban hành.')
    assert response.status_code == 302
    return file_id


@pytest.fixture(scope='session')
def nss(app, tmp_path_factory):
    """An NSS database trusting the deployment's root, for poppler's pdfsig."""
    with app.app_context():
        root = trust.ensure_pki().read_bytes()
    return nss_database(tmp_path_factory.mktemp('nss'), root)
