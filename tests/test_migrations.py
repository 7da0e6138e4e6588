"""The schema the migrations build is the schema the models describe (no forgotten migration)."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from tests.support.services import fresh_database
from workflow import create_app
from workflow.directory.models import User
from workflow.extensions import db
from workflow.timeutil import now

BEFORE_ROLE_COLUMNS = 'ebc11d50a961'


@pytest.mark.nodb  # reads the schema on a connection of its own
def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={'render_as_batch': True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


@pytest.mark.nodb  # a database of its own
def test_roles_written_as_a_list_become_one_column_each_and_back(tmp_path):
    """The migration that replaced `users.roles` ('leader,clerk') by one boolean per role keeps what
    each person may do, both ways."""
    listed = {'chutich': 'leader', 'vanthu': 'specialist,clerk', 'quantri': 'admin', 'pho': 'leader,clerk,admin'}
    with fresh_database(tmp_path) as url:
        other = create_app({'SQLALCHEMY_DATABASE_URI': url, 'TESTING': True, 'SECRET_KEY': 'x' * 32,
                            'KEYS_DIR': str(tmp_path / 'keys'), 'STORAGE_URL': f'file://{tmp_path}/storage',
                            'PUBLIC_BASE_URL': 'http://127.0.0.1:5000'})
        with other.app_context():
            upgrade(revision=BEFORE_ROLE_COLUMNS)
            with db.engine.begin() as connection:
                connection.execute(text("INSERT INTO levels (code, name, rank) VALUES ('commune', 'Xã', 2)"))
                connection.execute(text("INSERT INTO units (id, code, name, abbreviation, level_code, active, "
                                        "created_at) VALUES (1, 'H01.01', 'UBND xã', 'UBND', 'commune', true, :at)"),
                                   {'at': now()})
                for number, (username, roles) in enumerate(listed.items(), start=1):
                    connection.execute(text(
                        "INSERT INTO users (id, username, password_hash, full_name, title, unit_id, roles, active, "
                        "failed_logins, created_at) VALUES (:id, :username, 'x', :username, '', 1, :roles, true, 0, "
                        ":at)"), {'id': number, 'username': username, 'roles': roles, 'at': now()})
            upgrade()
            people = {u.username: u.roles for u in db.session.scalars(select(User))}
            assert people == {name: roles.split(',') for name, roles in listed.items()}
            clerks = db.session.scalars(select(User.username).where(User.having_role('clerk'))).all()
            assert sorted(clerks) == ['pho', 'vanthu']
            db.session.remove()

            downgrade(revision=BEFORE_ROLE_COLUMNS)
            with db.engine.connect() as connection:
                back = dict(connection.execute(text('SELECT username, roles FROM users')).all())
            assert back == listed
            db.engine.dispose()
