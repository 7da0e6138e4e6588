"""Translations for the metrics room.

Source strings are Vietnamese and wrapped in `_()` like everywhere else, so `pybabel extract`
finds them. Until they are merged into the application's catalogue, English comes from the small
table below; whatever the application's catalogue translates wins.
"""
from flask_babel import get_locale
from flask_babel import gettext as app_gettext
from flask_babel.speaklater import LazyString

from .messages_en import EN


def gettext(message, **variables):
    translated = app_gettext(message)
    if translated == message and str(get_locale() or 'vi') == 'en':
        translated = EN.get(message, message)
    return translated % variables if variables else translated


def lazy_gettext(message, **variables):
    return LazyString(gettext, message, **variables)


_ = gettext
_l = lazy_gettext
