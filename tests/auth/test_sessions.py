"""The signed-in person is read as one row and becomes an ordinary persistent User of the request."""
from datetime import UTC

import pytest
from sqlalchemy import inspect, select

from workflow.auth.sessions import signed_in_person
from workflow.directory.models import User
from workflow.extensions import db
from workflow.inbox.models import InboxVersion

# Committed for real: on PostgreSQL the person is read on a pooled connection of its own.
pytestmark = pytest.mark.committing


def test_the_person_read_as_a_row_is_the_person_a_query_gives(app, small_district_org):
    org = small_district_org
    db.session.add(InboxVersion(user_id=org.clerk.id, version=41))
    db.session.commit()
    clerk_id, district = org.clerk.id, org.district.name
    expected = {c.key: getattr(org.clerk, c.key) for c in inspect(User).column_attrs}
    db.session.remove()  # the request starts with a session of its own
    with app.test_request_context('/'):
        person = signed_in_person(f'{clerk_id}:0')
        state = inspect(person)
        assert state.persistent and not state.modified and person in db.session
        assert {c.key: getattr(person, c.key) for c in inspect(User).column_attrs} == expected
        assert person.created_at.tzinfo == UTC  # read as UTC, as UtcDateTime gives it
        assert person.inbox_version == 41
        assert person.unit.name == district  # relationships load lazily, as after a query
        assert db.session.get(User, clerk_id) is person  # one identity per request


def test_a_change_to_the_signed_in_person_is_saved_with_the_request(app, small_district_org):
    specialist_id = small_district_org.specialist.id
    db.session.commit()
    db.session.remove()
    with app.test_request_context('/'):
        person = signed_in_person(f'{specialist_id}:0')
        person.locale = 'en'
        db.session.commit()
    db.session.remove()
    assert db.session.scalar(select(User.locale).where(User.id == specialist_id)) == 'en'


def test_nobody_is_signed_in_for_an_unknown_a_deactivated_or_a_garbled_id(app, small_district_org):
    officer = small_district_org.commune_officer
    officer.active = False
    db.session.commit()
    officer_id = officer.id
    db.session.remove()
    with app.test_request_context('/'):
        assert signed_in_person('999999:0') is None
        assert signed_in_person(f'{officer_id}:0') is None
        assert signed_in_person(str(officer_id)) is None  # an id without its epoch: from before epochs
        assert signed_in_person('1 OR 1=1') is None
        assert signed_in_person(None) is None
