"""The JSON API, version 1: a second front door onto the same operations, declared once.

Handlers load what the path names (404 when missing or not visible), check, call the operation the
HTML pages call, and return the object for its schema to dump. Requests are read, and answers
written, through marshmallow schemas (bodies.py, schemas/) with flask-smorest, which writes the
OpenAPI document from the same schemas (openapi.py). The schema reads a request before its handler
runs, so a malformed request is refused (400) before the path's object is loaded or the policy asked.
Business rules stay in the operations, so both front doors refuse the same things in the same words.

Why flask-smorest (marshmallow, apispec, webargs) rather than pydantic with spectree or flask-openapi3:
it is the Flask world's own (Indico reads requests with webargs over marshmallow), its Blueprint keeps
every URL and endpoint name as it was, webargs lets the body be read as the first build read it and
the refusal be told in its words, and marshmallow dumps the ORM objects themselves (relationships,
properties, a signature followed through its blobs) where pydantic would want a model built for
each answer and its own errors mapped back to ours just the same.
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
