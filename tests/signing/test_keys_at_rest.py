"""Signing keys at rest: what a stolen database row or backup gives an attacker, and the PIN counter
under parallel guesses (finding 2 and 8 of the hardening issue)."""
import secrets
import threading
import time

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.builders import LEADER_PIN, build, signing_district
from workflow.directory.models import User
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.signing import credentials
from workflow.signing.lib import keystore
from workflow.signing.lib.errors import InvalidCredential
from workflow.signing.models import MAX_PIN_FAILURES, Credential


def _stored(user):
    return db.session.query(Credential).filter_by(user_id=user.id, active=True).one().pkcs12


def test_a_stolen_key_row_without_the_key_encryption_key_opens_nothing(app, sorg):
    blob = _stored(sorg.chairman)
    assert blob.startswith(keystore.WRAPPED) and b'0\x82' not in blob[:8]  # not a PKCS#12 as such
    with pytest.raises(InvalidCredential):
        keystore.unwrap(blob, secrets.token_bytes(32))  # any key but the deployment's
    with pytest.raises(InvalidCredential):
        keystore.unwrap(blob[:-1] + bytes([blob[-1] ^ 1]), app.config['KEY_ENCRYPTION_KEY'])


def test_with_the_kek_the_pin_alone_does_not_open_the_pkcs12_only_its_memory_hard_stretch_does(app, sorg):
    inner, salt = keystore.unwrap(_stored(sorg.chairman), app.config['KEY_ENCRYPTION_KEY'])
    assert len(salt) == 16
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(inner, LEADER_PIN.encode())  # PBKDF2 guessing on the PIN: no
    key, certificate, _chain = pkcs12.load_key_and_certificates(
        inner, keystore.stretched_pin(LEADER_PIN, salt).encode())
    assert key is not None and certificate is not None


def test_a_key_stored_before_wrapping_is_wrapped_when_its_pin_next_opens_it(app, sorg):
    credential = db.session.query(Credential).filter_by(user_id=sorg.chairman.id, active=True).one()
    inner, salt = keystore.unwrap(credential.pkcs12, app.config['KEY_ENCRYPTION_KEY'])
    key, certificate, chain = pkcs12.load_key_and_certificates(
        inner, keystore.stretched_pin(LEADER_PIN, salt).encode())
    from cryptography.hazmat.primitives import serialization
    credential.pkcs12 = pkcs12.serialize_key_and_certificates(  # as the first build stored it
        None, key, certificate, chain or None, serialization.BestAvailableEncryption(LEADER_PIN.encode()))
    credentials.check_pin(sorg.chairman, LEADER_PIN)
    assert credential.pkcs12.startswith(keystore.WRAPPED)
    credentials.check_pin(sorg.chairman, LEADER_PIN)  # and opens wrapped


def test_offline_guessing_cost_per_pin(app, sorg):
    """One guess costs one scrypt derivation (2^15, r=8: 32 MiB); printed for the security notes."""
    _inner, salt = keystore.unwrap(_stored(sorg.chairman), app.config['KEY_ENCRYPTION_KEY'])
    start = time.perf_counter()
    for guess in ('000000', '000001', '000002'):
        keystore.stretched_pin(guess, salt)
    per_guess = (time.perf_counter() - start) / 3
    print(f'scrypt per guess: {per_guess * 1000:.1f} ms; 10^6 six-digit PINs: {per_guess * 1e6 / 3600:.1f} '
          'core-hours (with the KEK)')
    assert keystore.SCRYPT_N >= 2 ** 15 and keystore.SCRYPT_R >= 8


@pytest.mark.committing
def test_parallel_wrong_pins_are_counted_one_after_another_and_lock_the_key(app):
    with app.app_context():
        org = build(signing_district)
        db.session.commit()
        chairman_id = org.chairman.id
    answers, barrier = [], threading.Barrier(12, timeout=60)

    def guess(n):
        barrier.wait()  # all at once, each in its own session (a request of its own)
        with app.app_context():
            person = db.session.get(User, chairman_id)
            try:
                credentials.check_pin(person, f'99{n:04d}')
                answers.append('opened')
            except DomainError as refused:
                answers.append(refused.code)
            db.session.commit()  # the counter is kept, as a refused request keeps it

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(answers) == 12 and 'opened' not in answers
    # at most MAX_PIN_FAILURES guesses were checked; the one that reached the limit locked the key
    assert answers.count('wrong_pin') == MAX_PIN_FAILURES - 1, answers
    assert answers.count('pin_locked') == 12 - (MAX_PIN_FAILURES - 1), answers
    with app.app_context():
        credential = db.session.query(Credential).filter_by(user_id=chairman_id, active=True).one()
        assert credential.pin_locked
