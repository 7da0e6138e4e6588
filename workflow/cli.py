"""Command-line entry points (`flask --app wsgi …`), as CONTRACT.md lists them."""

import click
from flask import current_app
from flask_migrate import upgrade

from .extensions import db
from .privatefiles import private_dir
from .unit_of_work import transaction


def register_cli(app):
    app.cli.add_command(init_db)
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(verify_audit)
    app.cli.add_command(audit_group)
    app.cli.add_command(pki_group)
    app.cli.add_command(archive_timestamp)
    from .ops.cli import register_ops_cli

    register_ops_cli(app)


@click.command('init-db')
def init_db():
    """Create or migrate the schema (idempotent)."""
    from .directory.operations import ensure_levels
    from .metrics.operations import seed_default_targets_once

    private_dir(current_app.instance_path)
    upgrade()
    with transaction():
        ensure_levels()
        seed_default_targets_once()
    click.echo('database ready')


@click.command('create-admin')
@click.argument('username')
@click.option('--password', required=True)
@click.option('--unit-code', required=True)
@click.option('--unit-name', default=None)
@click.option('--unit-abbreviation', default=None)
@click.option('--unit-level', default='district')
@click.option('--full-name', default=None)
def create_admin(username, password, unit_code, unit_name, unit_abbreviation, unit_level, full_name):
    """The first administrator, in the unit with UNIT_CODE (created if missing)."""
    from .directory.models import Unit, User
    from .directory.operations import create_unit, create_user, ensure_levels, validate_unit_code
    from .metrics.operations import seed_default_targets_once
    from .policy import SYSTEM

    with transaction():
        ensure_levels()
        seed_default_targets_once()
        code = validate_unit_code(unit_code)
        unit = db.session.query(Unit).filter_by(code=code).one_or_none()
        if unit is None:
            unit = create_unit(SYSTEM, code=code, name=unit_name or code, abbreviation=unit_abbreviation or 'UBND',
                               level=unit_level)
        user = db.session.query(User).filter_by(username=username.lower()).one_or_none()
        if user is None:
            user = create_user(SYSTEM, username=username, password=password, full_name=full_name or username,
                               unit=unit, roles=['admin'])
        else:
            user.roles = sorted(set(user.roles) | {'admin'})
            user.set_password(password)
    click.echo(f'admin {user.username} in {unit.code} {unit.name}')


@click.command('seed-demo')
@click.option('--files', 'file_count', default=300, show_default=True, help='work files in the history')
@click.option('--if-empty', is_flag=True, help='do nothing if the database already has units')
def seed_demo(file_count, if_empty):
    """The Cờ Đỏ demo organisation, users and a history of work files."""
    from .demo.seed import AlreadySeeded, seed

    try:
        with transaction():
            summary = seed(file_count=file_count, if_empty=if_empty)
    except AlreadySeeded as exc:
        raise click.ClickException(f'{exc} (or pass --if-empty)') from None
    click.echo(summary)


@click.command('verify-audit')
def verify_audit():
    """Check the audit log's hash chain and its anchors (the same as `audit verify`)."""
    _verify_audit()


@click.group('audit')
def audit_group():
    """The audit log: verify its chain, anchor its head outside the database."""


@audit_group.command('verify')
def audit_verify():
    """Check the chain and every anchor kept in the object store; non-zero naming the first broken entry."""
    _verify_audit()


def _verify_audit():
    from .audit_anchors import verify_audit_log

    report = verify_audit_log()
    if report.broken_entry is None:
        click.echo(f'audit chain intact: {report.entries} entries, {report.anchors} anchors checked')
        return
    raise click.ClickException(f'audit chain broken at entry {report.broken_entry}: {report.reason}')


@audit_group.command('anchor')
def audit_anchor():
    """Time-stamp the chain's head (RFC 3161) and keep the token in the object store."""
    from .audit_anchors import anchor_head

    with transaction():
        anchor = anchor_head()
    click.echo(f'anchored entry {anchor.entry_id} ({anchor.hash})' if anchor else 'nothing new to anchor')


@click.group('pki')
def pki_group():
    """The local PKI in KEYS_DIR."""


@pki_group.command('init')
@click.option('--organisation', default=None, help='name on the root CA (default: PKI_ORGANISATION)')
def pki_init(organisation):
    """Create the root CA, the TSA certificate and the CRL/OCSP signer (idempotent; never overwrites)."""
    from .signing import trust

    if organisation:
        current_app.config['PKI_ORGANISATION'] = organisation
    root = trust.ensure_pki()
    click.echo(f'local PKI ready in {trust.keys_dir()} (root certificate {root.name})')


@pki_group.command('reissue')
@click.option('--dry-run', is_flag=True, help='only list the certificates that point elsewhere')
def pki_reissue(dry_run):
    """After PUBLIC_BASE_URL changed: certify the TSA and the people's and seals' keys anew for it.

    Keys stay (people's are under PINs the server never knows); the root has no pointers and stays."""
    from .policy import SYSTEM
    from .signing import credentials, trust
    from .signing.lib import authority

    click.echo(f'PUBLIC_BASE_URL is {trust.base_url()}')
    if dry_run:
        tsa_current = authority.points_at(authority.tsa_certificate(trust.keys_dir()), trust.base_url())
        click.echo('TSA certificate ' + ('points here' if tsa_current else 'points elsewhere'))
        for credential in credentials.pointing_elsewhere():
            click.echo(f'points elsewhere: {_holder(credential)} certificate {credential.serial}')
        return
    with transaction():
        tsa, renewed = credentials.reissue_for_public_address(SYSTEM)
        lines = [f'recertified: {_holder(old)} certificate {old.serial} -> {new.serial}' for old, new in renewed]
    click.echo(f'TSA certificate re-issued: {tsa.serial_number:x}' if tsa else 'TSA certificate already points here')
    for line in lines:
        click.echo(line)
    click.echo(f'{len(renewed)} people\'s and seals\' certificates recertified')


def _holder(credential):
    return f'user {credential.user.username}' if credential.user_id else f'unit {credential.unit.code}'


@click.command('archive-timestamp')
@click.option('--limit', type=int, default=None)
def archive_timestamp(limit):
    """Add an archive timestamp (PAdES B-LTA) to issued documents that lack one."""
    from .files.operations import archive_timestamp_issued

    with transaction():
        count = archive_timestamp_issued(limit)
    click.echo(f'{count} documents archive-timestamped')
