"""Health checks for load balancers and the load test's ceiling."""
from flask import Blueprint, jsonify
from sqlalchemy import text

from ..extensions import db

bp = Blueprint('ops', __name__)


@bp.get('/healthz')
def healthz():
    """The process is up: no database, no template — the cheapest response the app can give."""
    return 'ok\n', 200, {'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store'}


@bp.get('/readyz')
def readyz():
    """Ready to serve: the database answers (an OperationalError becomes the usual 503)."""
    db.session.execute(text('SELECT 1'))
    return jsonify({'status': 'ready', 'database': db.engine.dialect.name})
