"""Names of indicators and of paper reasons as people read them (the labels live in vocabulary.py)."""
from ..vocabulary import INDICATOR_LABELS, REASON_LABELS, label


def indicator_label(code):
    return str(label(INDICATOR_LABELS, code))


def reason_label(code):
    return str(label(REASON_LABELS, code))
