"""The schema the migrations build is the schema the models describe (no forgotten migration)."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from workflow.extensions import db


@pytest.mark.nodb  # reads the schema on a connection of its own
def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={'render_as_batch': True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
