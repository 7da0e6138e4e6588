"""The JSON API, version 1: a second front door onto the same operations, declared once.

Handlers load what the path names (404 when missing or not visible), check, call the operation the
HTML pages call, and return the object for its schema to dump. Requests are read, and answers
written, through marshmallow schemas (bodies.py, schemas.py) with flask-smorest, which writes the
OpenAPI document from the same schemas (openapi.py). Business rules stay in the operations, so both
front doors refuse the same things in the same words.
"""
from ..extensions import csrf
from .blueprint import Blueprint

bp = Blueprint('api', __name__)
pki_bp = Blueprint('pki', __name__, public=True)

from . import auth, directory, files, metrics, openapi, pki, registers, signing  # noqa: F401  (the routes register on bp)


def init_app(app):
    """Serve the API on `app`: its blueprints registered through flask-smorest, which documents them."""
    api = openapi.Api(app)
    for blueprint, prefix in ((bp, '/api/v1'), (pki_bp, '/api/v1/pki')):
        api.register_blueprint(blueprint, url_prefix=prefix)
        csrf.exempt(blueprint)
