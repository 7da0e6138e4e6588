"""Who a certificate the app issues names: the person by a stable identifier, the seal by its unit code,
both under the deployment's certificate policy."""
from types import SimpleNamespace

import pytest
from cryptography import x509

from tests.builders import enrol
from workflow.signing import credentials

ORGANIZATION_IDENTIFIER = x509.ObjectIdentifier('2.5.4.97')


def _policies(certificate):
    return [p.policy_identifier.dotted_string
            for p in certificate.extensions.get_extension_for_class(x509.CertificatePolicies).value]


def test_a_persons_certificate_names_them_by_username_under_the_configured_policy(app, sorg):
    certificate = credentials.certificate_of(credentials.active_credential(user=sorg.chairman))
    assert certificate.subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)[0].value == 'ct.huyen'
    assert _policies(certificate) == [app.config['CERTIFICATE_POLICY_OID']]


def test_a_seal_certificate_names_the_unit_by_its_code(app, sorg):
    certificate = credentials.certificate_of(credentials.active_credential(unit=sorg.district))
    assert [a.value for a in certificate.subject.get_attributes_for_oid(ORGANIZATION_IDENTIFIER)] == ['H17']
    assert _policies(certificate) == [app.config['CERTIFICATE_POLICY_OID']]


def test_a_policy_set_for_the_deployment_reaches_the_next_certificate(app, sorg, monkeypatch):
    monkeypatch.setitem(app.config, 'CERTIFICATE_POLICY_OID', '2.16.704.1.99.3')
    credential = enrol(sorg.admin, sorg.commune_leader, '444444')
    assert _policies(credentials.certificate_of(credential)) == ['2.16.704.1.99.3']


@pytest.mark.nodb
@pytest.mark.parametrize('username, identifier', [
    ('ct.huyen', 'ct.huyen'), ('nguyen_van_a', 'ID7'), ('men@codo.gov.vn', 'ID7'), ('x' * 65, 'ID7')])
def test_a_username_that_is_no_printable_string_gives_way_to_the_user_id(username, identifier):
    assert credentials.person_identifier(SimpleNamespace(username=username, id=7)) == identifier
