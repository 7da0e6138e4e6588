"""Vietnamese by default, English second; remembered per user."""
from flask import current_app, has_request_context, request, session
from flask_login import current_user


def select_locale():
    if not has_request_context():
        return 'vi'  # command line and background work speak the default language
    languages = current_app.config['LANGUAGES']
    if request.blueprint == 'api' or request.path.startswith('/api/'):
        return request.accept_languages.best_match(languages) or 'vi'
    person_locale = current_user.locale if current_user and current_user.is_authenticated else None
    return page_locale(person_locale)


def page_locale(person_locale):
    """The language of a page: the person's choice, else the session's, else Vietnamese."""
    languages = current_app.config['LANGUAGES']
    if person_locale in languages:
        return person_locale
    if session.get('locale') in languages:
        return session['locale']
    return 'vi'


def select_timezone():
    return 'Asia/Ho_Chi_Minh'
