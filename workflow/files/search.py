"""Search that ignores Vietnamese diacritics: 'chuyen doi so' finds 'chuyển đổi số'."""
import re

from unidecode import unidecode


def fold(text):
    """Lower-case ASCII form of Vietnamese text (đ → d, ổ → o), spaces collapsed."""
    return re.sub(r'\s+', ' ', unidecode(text or '').lower()).strip()


def search_text_of(file):
    return fold(' '.join(filter(None, [file.title, file.summary, file.number or '',
                                       file.doc_type_name])))
