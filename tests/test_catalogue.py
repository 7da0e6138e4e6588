"""One gettext catalogue: every message the code and the templates show has its English translation."""
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
METHODS = [('workflow/**.py', 'python'), ('templates/**.html', 'jinja2')]
KEYWORDS = {**DEFAULT_KEYWORDS, '_l': None, 'lazy_gettext': None}


def _source_messages():
    found = {}
    for path, _line, message, _comments, _context in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        if not path.startswith(('workflow/', 'templates/')):
            continue
        for text in (message if isinstance(message, tuple) else (message,)):
            if text:
                found.setdefault(text, path)
    return found


@pytest.mark.nodb
def test_every_message_has_an_english_translation():
    with open(ROOT / 'workflow/translations/en/LC_MESSAGES/messages.po', 'rb') as handle:
        catalogue = read_po(handle)
    missing = [(text, where) for text, where in sorted(_source_messages().items())
               if not (catalogue.get(text) and catalogue.get(text).string and not catalogue.get(text).fuzzy)]
    assert missing == []


@pytest.mark.nodb
def test_the_metrics_speak_through_the_same_catalogue():
    """No room keeps a translation table of its own beside the catalogue."""
    assert not (ROOT / 'workflow/metrics/i18n.py').exists()
    assert not list((ROOT / 'workflow').rglob('messages_*.py'))
