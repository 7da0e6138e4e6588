"""The transition table, checked exhaustively against every status and action."""
import itertools

import pytest

from workflow.directory.models import User
from workflow.errors import NotAllowed
from workflow.files import transitions
from workflow.files.models import WorkFile
from workflow.files.transitions import CLOSED, STATUS_LABELS, TRANSITIONS, WHO


@pytest.fixture
def org(small_district_org):
    """A small district (tests/builders.py: small_district), in the test's own session."""
    return small_district_org

ACTIONS = sorted({row.action for row in TRANSITIONS})
STATUSES = sorted(STATUS_LABELS)


def test_every_status_named_in_the_table_has_a_label():
    named = {row.target for row in TRANSITIONS if row.target} | {s for row in TRANSITIONS for s in row.sources}
    assert named <= set(STATUS_LABELS)
    assert all(row.who in WHO for row in TRANSITIONS)


def test_no_two_rows_claim_the_same_move():
    keys = [(row.direction, row.action, source) for row in TRANSITIONS for source in row.sources]
    assert len(keys) == len(set(keys))


def test_closed_files_only_reopen():
    for row in TRANSITIONS:
        for source in row.sources:
            if source in CLOSED and source != 'issued':
                assert row.action == 'reopen', row
    # nothing leads out of `issued`: an issued document is final
    assert {r.action for r in TRANSITIONS if 'issued' in r.sources} == set()


def _everything_user():
    user = User(id=7, unit_id=3, roles=['specialist', 'leader', 'clerk', 'admin'])
    return user


@pytest.mark.nodb
@pytest.mark.parametrize('direction,status,action',
                         list(itertools.product(('outgoing', 'incoming'), STATUSES, ACTIONS)))
def test_each_status_action_pair_is_allowed_or_refused_with_409(direction, status, action, app):
    actor = _everything_user()
    file = WorkFile(direction=direction, status=status, holder_user_id=actor.id,
                    holder_unit_id=actor.unit_id, owner_unit_id=actor.unit_id)
    row = transitions.find(file, action)
    if row is None:
        with app.test_request_context(), pytest.raises(NotAllowed) as refused:
            transitions.require(file, action, actor)
        assert refused.value.status == 409
    else:
        assert status in row.sources and row.direction == direction
        assert (row.target or status) in STATUS_LABELS
        assert transitions.allowed(file, action, actor)  # a holder with every role may take every listed move


def test_not_the_holder_is_refused_with_403(org):
    file = WorkFile(direction='outgoing', status='draft', holder_user_id=org.specialist.id,
                    holder_unit_id=org.office.id, owner_unit_id=org.office.id)
    with pytest.raises(NotAllowed) as refused:
        transitions.require(file, 'forward_sign', org.chairman)
    assert refused.value.status == 403
    assert transitions.require(file, 'forward_sign', org.specialist).target == 'awaiting_signature'


def test_available_actions_for_a_leader_holding_a_file_to_sign(org):
    file = WorkFile(direction='outgoing', status='awaiting_signature', holder_user_id=org.chairman.id,
                    holder_unit_id=org.district.id, owner_unit_id=org.office.id)
    actions = transitions.available_actions(file, org.chairman)
    assert {'sign', 'return', 'forward_handle'} <= actions
    assert 'issue' not in actions and 'register' not in actions
