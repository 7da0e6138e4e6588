"""The online document office: create_app builds the Flask application."""
import logging

from . import config as settings
from . import unit_of_work
from .extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config=None):
    """Build the app from the environment, overridden by `config` (a mapping) when given."""
    app = unit_of_work.TransactionPerRequest(__name__, template_folder='../templates', static_folder='../static',
                                             instance_path=str(settings.INSTANCE))
    app.config.update(settings.from_environment())
    if config:
        app.config.update(config)
    settings.settle_public_base_url(app.config)
    settings.settle_rate_limit_storage(app.config)
    if app.config.get('TRUSTED_PROXIES'):
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = app.config['TRUSTED_PROXIES']
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.config.setdefault('SQLALCHEMY_ENGINE_OPTIONS',
                          settings.engine_options(app.config['SQLALCHEMY_DATABASE_URI']))
    logging.basicConfig(level=logging.INFO)
    _quiet_expected_library_warnings()

    _bind_extensions(app)
    from .web import BoundedIntegerConverter
    app.url_map.converters['int'] = BoundedIntegerConverter  # before any route is added
    _register_blueprints(app)
    from .web import install_request_hooks
    install_request_hooks(app)
    from .cli import register_cli
    register_cli(app)
    return app


class _DropMessage(logging.Filter):
    def __init__(self, fragment):
        super().__init__()
        self.fragment = fragment

    def filter(self, record):
        return self.fragment not in record.getMessage()


def _quiet_expected_library_warnings():
    """pyHanko warns on every signature about things that are deliberate here: validation data comes from
    our own CRL without fetching, and a stamp's box is filled to the last point."""
    logging.getLogger('pyhanko.sign.signers.pdf_signer').addFilter(_DropMessage('fetching is not allowed'))
    from .signing.lib.validation import log_failures_without_tracebacks
    log_failures_without_tracebacks()
    logging.getLogger('pyhanko.pdf_utils.layout').addFilter(_DropMessage('is too wide for container'))


def _bind_extensions(app):
    from . import models  # noqa: F401  (every table known to metadata and migrations)
    from .dbsetup import configure_engine
    from .i18n import select_locale, select_timezone

    db.init_app(app)
    configure_engine(app)
    migrate.init_app(app, db, directory=str(settings.ROOT / 'migrations'), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = 'auth.login'
    login_manager.login_message_category = 'warning'
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    _install_session_listeners()
    from .inbox.pages import init_page_cache
    init_page_cache(app)


def _install_session_listeners():
    """What every transaction does besides its own work, for requests, commands and jobs alike."""
    from .audit_anchors import install_anchoring
    from .inbox.versions import install_inbox_versions
    from .metrics.operations import install_daily_count_listener

    unit_of_work.install(db.session)
    install_anchoring(db.session)
    install_inbox_versions(db.session)
    install_daily_count_listener(db.session)


def _register_blueprints(app):
    from .api import init_app as init_api
    from .auth.views import bp as auth_bp
    from .directory.views import bp as directory_bp
    from .files.views import bp as files_bp
    from .registers.views import bp as registers_bp

    for bp in (auth_bp, directory_bp, files_bp, registers_bp):
        app.register_blueprint(bp)
    init_api(app)
    from .signing.panel import install as install_signing_panel
    from .signing.public import bp as verify_bp
    from .signing.views import bp as signing_bp

    app.register_blueprint(verify_bp)
    from .jobs.views import bp as jobs_bp
    from .notifications.views import bp as notifications_bp
    from .ops.views import bp as ops_bp

    for bp in (jobs_bp, notifications_bp, ops_bp):
        app.register_blueprint(bp)
    app.register_blueprint(signing_bp)
    install_signing_panel()  # the signing panel and reports on the file page (page_parts.py)

    from .metrics.views import bp as metrics_bp

    app.register_blueprint(metrics_bp)
