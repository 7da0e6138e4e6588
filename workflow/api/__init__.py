"""The JSON API, version 1: a second front door onto the same operations."""
from flask import Blueprint

bp = Blueprint('api', __name__)
