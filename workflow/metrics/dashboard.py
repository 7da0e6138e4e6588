"""The dashboard: every figure its charts draw, read in one go (serialize.py turns it into their JSON)."""
from .dossiers import dossiers
from .indicators import indicators, monthly_trend
from .paperless import paperless
from .targets import Targets


def dashboard(period, selection):
    """Everything the dashboard's charts draw, in one JSON-ready mapping. Read from the daily counts
    only, so its cost does not grow with the number of files (the median handling time included: it
    comes from their handling-time histogram and is approximate to the bucket resolution)."""
    targets = Targets()
    return {'period': {**period.query_args(), 'label': str(period.label)},
            'paperless': paperless(period, selection, targets=targets, list_limit=20),
            'indicators': indicators(period, selection, targets=targets),
            'trend': monthly_trend(period, selection, targets=targets),
            'dossiers': dossiers(period, selection, targets=targets)}
