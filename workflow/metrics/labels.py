"""Names of indicators as people read them (the labels live in vocabulary.py)."""
from ..vocabulary import INDICATOR_LABELS, label


def indicator_label(code):
    return str(label(INDICATOR_LABELS, code))
