"""The API tests speak to /api/v1 (tests/support/api.py) as people of Cờ Đỏ in miniature."""
import pytest


@pytest.fixture
def org(api_org):
    return api_org
