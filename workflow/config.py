"""Settings from the environment, with embedded defaults so that `make run` needs nothing."""
import logging
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from .privatefiles import open_private, private_dir, tighten

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / 'instance'


class ConfigError(RuntimeError):
    """A setting from the environment makes no sense; the app refuses to start."""


def _secret_key():
    if os.environ.get('SECRET_KEY'):
        return os.environ['SECRET_KEY']
    private_dir(INSTANCE)
    path = INSTANCE / 'secret_key'
    try:
        with open_private(path) as out:  # 0600 from the first byte; another process may win the race
            out.write(secrets.token_hex(32).encode())
    except FileExistsError:
        tighten(path)
    return path.read_text().strip()


def _key_encryption_key():
    """KEY_ENCRYPTION_KEY (32 bytes, base64), or one generated once into instance/ (0600).

    It wraps every signing key the database holds (workflow/signing/lib/keystore.py): it must never be
    in the database nor in a backup. A deployment with several hosts, or restoring a backup on a new
    machine, sets the same value everywhere (docs/security.md: key management)."""
    import base64
    raw = os.environ.get('KEY_ENCRYPTION_KEY', '').strip()
    if not raw:
        INSTANCE.mkdir(exist_ok=True)
        path = INSTANCE / 'key_encryption_key'
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, 'w') as handle:
                handle.write(base64.b64encode(secrets.token_bytes(32)).decode())
        raw = path.read_text().strip()
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError:
        key = b''
    if len(key) != 32:
        raise ConfigError('KEY_ENCRYPTION_KEY must be 32 bytes in base64 (e.g. from `openssl rand -base64 32`)')
    return key


def _database_url():
    url = os.environ.get('DATABASE_URL', 'sqlite:///' + str(INSTANCE / 'workflow.db'))
    if url.startswith('postgres://'):
        url = 'postgresql+psycopg://' + url[len('postgres://'):]
    elif url.startswith('postgresql://'):
        url = 'postgresql+psycopg://' + url[len('postgresql://'):]
    if url.startswith('sqlite:///') and not url.startswith('sqlite:////'):
        relative = url[len('sqlite:///'):]
        if relative and relative != ':memory:':
            url = 'sqlite:///' + str(ROOT / relative)
    if url.split(':', 1)[0] not in ('sqlite', 'postgresql+psycopg', 'postgresql'):
        raise ConfigError(f'Unsupported DATABASE_URL scheme: {url.split(":", 1)[0]}')
    return url


def _storage_url():
    url = os.environ.get('STORAGE_URL', 'file://instance/storage')
    if not url.startswith(('file://', 's3://')):
        raise ConfigError('STORAGE_URL must start with file:// or s3://')
    return url


def _non_negative_int(name, default):
    value = os.environ.get(name, '').strip()
    if not value:
        return default
    if not value.isdigit():
        raise ConfigError(f'{name} must be a whole number (0 or more), got {value!r}')
    return int(value)


def _positive_int(name, default):
    raw = os.environ.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f'{name} must be an integer, got {raw!r}') from None
    if value <= 0:
        raise ConfigError(f'{name} must be positive')
    return value


def _keys_dir():
    path = Path(os.environ.get('KEYS_DIR', 'keys'))
    return path if path.is_absolute() else ROOT / path


def from_environment():
    """Build the configuration mapping from the environment."""
    max_mb = _positive_int('MAX_UPLOAD_MB', 50)
    database_url = _database_url()
    return {
        'SECRET_KEY': _secret_key(),
        'KEY_ENCRYPTION_KEY': _key_encryption_key(),
        'SQLALCHEMY_DATABASE_URI': database_url,
        'STORAGE_URL': _storage_url(),
        'KEYS_DIR': str(_keys_dir()),
        'MAX_UPLOAD_MB': max_mb,
        'MAX_DOCUMENTS_PER_FILE': _positive_int('MAX_DOCUMENTS_PER_FILE', 30),
        'MAX_CONTENT_LENGTH': max_mb * 1024 * 1024 + 1024 * 1024,
        'TSA_URL': os.environ.get('TSA_URL', ''),
        # The TSA at /api/v1/pki/tsa answers this deployment's people only, unless made public.
        'TSA_PUBLIC': os.environ.get('TSA_PUBLIC', '0') == '1',
        'TSA_RATE_LIMIT': os.environ.get('TSA_RATE_LIMIT', '120 per minute'),
        # The audit chain's head is time-stamped into the object store every this many entries (0: only
        # by `audit anchor` and the maintenance job).
        'AUDIT_ANCHOR_EVERY': _positive_int('AUDIT_ANCHOR_EVERY', 200) if os.environ.get('AUDIT_ANCHOR_EVERY')
        != '0' else 0,
        # Settled by settle_public_base_url() once create_app's overrides are known (it needs the database).
        'PUBLIC_BASE_URL': os.environ.get('PUBLIC_BASE_URL', '').strip(),
        'CERTIFICATE_POLICY_OID': _oid('CERTIFICATE_POLICY_OID', DEFAULT_CERTIFICATE_POLICY_OID),
        'TSA_POLICY_OID': _oid('TSA_POLICY_OID', DEFAULT_TSA_POLICY_OID),
        'SESSION_COOKIE_HTTPONLY': True,
        'SESSION_COOKIE_SAMESITE': 'Lax',
        'SESSION_COOKIE_SECURE': os.environ.get('SESSION_COOKIE_SECURE', '0') == '1',
        'REMEMBER_COOKIE_HTTPONLY': True,
        'REMEMBER_COOKIE_SAMESITE': 'Lax',
        'REMEMBER_COOKIE_SECURE': os.environ.get('SESSION_COOKIE_SECURE', '0') == '1',
        # Flask-Login's default is 365 days; the cookie also ends with logout and a password change.
        'REMEMBER_COOKIE_DURATION': timedelta(days=_positive_int('REMEMBER_COOKIE_DAYS', 30)),
        'BABEL_DEFAULT_LOCALE': 'vi',
        'BABEL_DEFAULT_TIMEZONE': 'Asia/Ho_Chi_Minh',
        'BABEL_TRANSLATION_DIRECTORIES': str(ROOT / 'workflow' / 'translations'),
        'LANGUAGES': ('vi', 'en'),
        # Empty: REDIS_URL when set (one bucket for every worker and host), else this process's memory.
        'RATELIMIT_STORAGE_URI': os.environ.get('RATELIMIT_STORAGE_URI', ''),
        # How many proxies in front set X-Forwarded-For/-Proto: the client's address (rate limits) and
        # HTTPS (HSTS, secure cookies) are read from them. 0: none, the peer is the client.
        'TRUSTED_PROXIES': _non_negative_int('TRUSTED_PROXIES', 0),
        'RATELIMIT_ENABLED': os.environ.get('RATELIMIT_ENABLED', '1') == '1',
        'LOGIN_RATE_LIMIT': os.environ.get('LOGIN_RATE_LIMIT', '20 per minute'),
        'API_TOKEN_HOURS': _positive_int('API_TOKEN_HOURS', 12),
        'WTF_CSRF_TIME_LIMIT': None,
        'CONTENT_SECURITY_POLICY': True,
        # Production services (issue 5): all optional; the embedded mode needs none of them.
        'S3_ENDPOINT_URL': os.environ.get('S3_ENDPOINT_URL', ''),
        'S3_REGION': os.environ.get('AWS_DEFAULT_REGION') or os.environ.get('AWS_REGION') or 'us-east-1',
        'REDIS_URL': _redis_url(),
        'JOBS_QUEUE': os.environ.get('JOBS_QUEUE', 'workflow'),
        'SMTP_HOST': os.environ.get('SMTP_HOST', ''),
        'SMTP_PORT': _positive_int('SMTP_PORT', 25),
        'SMTP_USER': os.environ.get('SMTP_USER', ''),
        'SMTP_PASSWORD': os.environ.get('SMTP_PASSWORD', ''),
        'SMTP_STARTTLS': os.environ.get('SMTP_STARTTLS', '0') == '1',
        'MAIL_FROM': os.environ.get('MAIL_FROM', 'vanphong@localhost'),
        'REMINDER_DAYS': _positive_int('REMINDER_DAYS', 2),
        'BULK_SIGN_MAX': _positive_int('BULK_SIGN_MAX', 50),
        'PAGE_CACHE': _page_cache(),
        # Bounds of one verification (issue 11): the public /verify and every signed file's page.
        'VERIFY_TIMEOUT_SECONDS': _positive_int('VERIFY_TIMEOUT_SECONDS', 10),
        'VERIFY_AT_ONCE': _positive_int('VERIFY_AT_ONCE', 2),
        'VERIFY_MAX_PAGES': _positive_int('VERIFY_MAX_PAGES', 5000),
        'VERIFY_MAX_SIGNATURES': _positive_int('VERIFY_MAX_SIGNATURES', 30),
        'VERIFY_MAX_REVISIONS': _positive_int('VERIFY_MAX_REVISIONS', 100),
        'PAGE_CACHE_ENTRIES': _positive_int('PAGE_CACHE_ENTRIES', 2000),
        # Encrypts `backup` archives and opens them at `restore`; never written into an archive.
        'BACKUP_PASSPHRASE': os.environ.get('BACKUP_PASSPHRASE', ''),
    }


# The deployment's own policy identifiers, under a private-enterprise-style placeholder arc
# (1.3.6.1.4.1.59350 is not registered to anyone here): a deployment that has its own arc, or the
# national CA's policy OIDs, sets CERTIFICATE_POLICY_OID and TSA_POLICY_OID (docs/production.md).
DEFAULT_CERTIFICATE_POLICY_OID = '1.3.6.1.4.1.59350.1.2'
DEFAULT_TSA_POLICY_OID = '1.3.6.1.4.1.59350.1.1'
_OID = re.compile(r'^[0-2](\.(0|[1-9][0-9]*))+$')


def _oid(name, default):
    value = os.environ.get(name, '').strip() or default
    if not _OID.match(value):
        raise ConfigError(f'{name} must be a dotted object identifier such as 1.2.3.4, got {value!r}')
    return value


def is_embedded(database_url):
    """The embedded mode is what `make run` sets up: one process on an SQLite database."""
    return database_url.startswith('sqlite')


def settle_rate_limit_storage(config):
    """Rate limits in Redis when the deployment has one: per-process memory would give each worker
    (and each host) its own bucket, multiplying every limit."""
    if not config.get('RATELIMIT_STORAGE_URI'):
        config['RATELIMIT_STORAGE_URI'] = config.get('REDIS_URL') or 'memory://'


def settle_public_base_url(config):
    """Fill in or check PUBLIC_BASE_URL in `config` (a Flask config after create_app's overrides).

    Certificates carry this address as their OCSP responder and CRL distribution point, so PDF
    readers anywhere ask it whether a signature's certificate is still good: a deployment that is
    not the embedded one must say where it is reached instead of printing 127.0.0.1 into them."""
    url = (config.get('PUBLIC_BASE_URL') or '').strip()
    if not url:
        if not is_embedded(config['SQLALCHEMY_DATABASE_URI']):
            raise ConfigError(
                'PUBLIC_BASE_URL is required outside the embedded (SQLite) mode: certificates issued here '
                'point PDF readers at it for OCSP and CRLs, so it must be the address at which they reach '
                'this deployment (e.g. PUBLIC_BASE_URL=https://vanphong.example.gov.vn)')
        url = 'http://127.0.0.1:' + os.environ.get('PORT', '5000')
        logging.getLogger(__name__).warning(
            'PUBLIC_BASE_URL not set: certificates issued now point at %s, which only this machine reaches; '
            'PDF readers elsewhere cannot check their revocation (docs/production.md)', url)
    config['PUBLIC_BASE_URL'] = check_public_base_url(url)



def check_public_base_url(url):
    """`url` without a trailing slash, or ConfigError if it is not a plain http(s) address."""
    parts = urlsplit(url)
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        raise ConfigError(f'PUBLIC_BASE_URL must be an http:// or https:// address with a host, got {url!r}')
    if parts.query or parts.fragment or '?' in url or '#' in url:
        raise ConfigError(f'PUBLIC_BASE_URL must not carry a query or a fragment, got {url!r}')
    try:
        parts.port  # noqa: B018 (a port that is not a number fails here)
    except ValueError:
        raise ConfigError(f'PUBLIC_BASE_URL has an invalid port: {url!r}') from None
    return url.rstrip('/')


def _page_cache():
    kind = os.environ.get('PAGE_CACHE', 'memory')
    if kind not in ('memory', 'redis', 'off'):
        raise ConfigError('PAGE_CACHE must be memory, redis or off')
    if kind == 'redis' and not _redis_url():
        raise ConfigError('PAGE_CACHE=redis needs REDIS_URL')
    return kind


def _redis_url():
    url = os.environ.get('REDIS_URL', '')
    if url and not url.startswith(('redis://', 'rediss://', 'unix://')):
        raise ConfigError('REDIS_URL must start with redis://, rediss:// or unix://')
    return url


def engine_options(database_url):
    """Connection settings per database. PostgreSQL pools survive a server restart through the
    checkout check in dbsetup.py (cheaper than `pool_pre_ping`, which is therefore off)."""
    if database_url.startswith('sqlite'):
        return {'connect_args': {'timeout': 30, 'check_same_thread': False}}
    return {'pool_pre_ping': False, 'pool_size': 10, 'max_overflow': 20, 'pool_recycle': 1800}
