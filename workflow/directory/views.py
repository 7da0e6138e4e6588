"""Admin pages: units and users."""
from flask import Blueprint

bp = Blueprint('directory', __name__, url_prefix='/admin')
