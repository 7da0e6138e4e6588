"""The JSON API, version 1: a second front door onto the same operations.

Handlers load (404 when missing or not visible), check, call the operation the HTML pages call,
and serialise. Validation of the request shape lives in `inputs`; business rules stay in the
operations, so both front doors answer the same way.
"""
from flask import Blueprint

bp = Blueprint('api', __name__)

from . import auth, directory, files, openapi, registers, signing  # noqa: F401  (routes register on bp)
