"""A fresh deployment, as an operator makes it: `init-db` leaves the default targets for the levels (the
dashboard has something to measure against before any admin opens the targets page), and `audit verify`
answers on it."""
import sqlite3

from sqlalchemy import delete, func, select

from tests.support.services import app_environment, flask_cli
from workflow.extensions import db
from workflow.metrics.models import Target
from workflow.metrics.operations import seed_default_targets_once


def test_init_db_seeds_the_default_targets_and_audit_verify_answers(tmp_path):
    env = app_environment(tmp_path, DATABASE_URL=f'sqlite:///{tmp_path}/fresh.db')
    assert 'database ready' in flask_cli(env, 'init-db').stdout
    with sqlite3.connect(tmp_path / 'fresh.db') as conn:
        levels = {row[0] for row in conn.execute('SELECT DISTINCT level_code FROM metric_targets')}
    assert {'district', 'commune'} <= levels
    verified = flask_cli(env, 'audit', 'verify')
    assert verified.returncode == 0 and 'audit chain intact' in verified.stdout


def test_seeding_once_leaves_the_admins_choices_alone(ctx):
    db.session.execute(delete(Target))
    assert seed_default_targets_once() > 0
    count = db.session.scalar(select(func.count()).select_from(Target))
    first = db.session.scalars(select(Target)).first()
    first.value = 0.42
    db.session.flush()
    assert seed_default_targets_once() == 0
    assert db.session.scalar(select(func.count()).select_from(Target)) == count and first.value == 0.42
