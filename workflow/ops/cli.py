"""Production commands: `flask --app wsgi worker | send-reminders | backup PATH | restore PATH`."""
import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db


def register_ops_cli(app):
    for command in (worker, send_reminders, backup_command, restore_command):
        app.cli.add_command(command)


@click.command('worker')
@click.option('--burst', is_flag=True, help='stop when the queue is empty')
@click.option('--queue', 'queue_name', default=None, help='queue name (default: JOBS_QUEUE)')
@with_appcontext
def worker(burst, queue_name):
    """Run an RQ worker for background jobs (bulk signing, reminders, archive timestamps)."""
    from rq import Queue, Worker

    from ..jobs.queue import redis_connection

    if not current_app.config.get('REDIS_URL'):
        raise click.ClickException('REDIS_URL is not set: the embedded mode runs jobs inside the web process')
    connection = redis_connection()
    queue = Queue(queue_name or current_app.config['JOBS_QUEUE'], connection=connection)
    db.engine.dispose()  # each forked job opens its own connections, never the parent's
    Worker([queue], connection=connection).work(burst=burst, with_scheduler=False)


@click.command('send-reminders')
@click.option('--background', is_flag=True, help='queue the job instead of running it now')
@with_appcontext
def send_reminders(background):
    """Deadline reminders: in-app notifications and e-mail for files due soon or overdue."""
    from ..jobs import tasks
    from ..jobs.queue import enqueue

    if background:
        job_id = enqueue(tasks.send_reminders)
        click.echo(f'queued ({job_id or "embedded"})')
        return
    created, mailed = tasks.send_reminders()
    click.echo(f'{created} notifications, {mailed} e-mails sent')


@click.command('backup')
@click.argument('path', type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(path):
    """Database, stored PDFs and images, and KEYS_DIR in one archive, encrypted with BACKUP_PASSPHRASE."""
    from ..ops.backup import BackupError, backup

    try:
        manifest = backup(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    rows = sum(manifest['tables'].values())
    click.echo(f'backup written to {path} (encrypted, mode 0600): {rows} rows in {len(manifest["tables"])} '
               f'tables, {manifest["blobs"]} blobs, {manifest["key_files"]} key files')


@click.command('restore')
@click.argument('path', type=click.Path(exists=True, dir_okay=False))
@click.option('--force', is_flag=True, help='replace the data this deployment already holds')
@with_appcontext
def restore_command(path, force):
    """Restore an archive made by `backup` (BACKUP_PASSPHRASE) into an empty or blank deployment,
    then check every blob's hash, every signature and the audit chain."""
    from ..ops.backup import BackupError, restore

    try:
        manifest = restore(path, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    verified = manifest['verified']
    schema = 'schema created, ' if manifest['schema_created'] else ''
    click.echo(f'restored {sum(manifest["tables"].values())} rows and {manifest["blobs"]} blobs from {path} '
               f'({schema}{verified["blobs"]} blobs checked, {verified["signed_pdfs"]} signed PDFs '
               'verified)')
    if verified['problems']:
        for problem in verified['problems']:
            click.echo(f'PROBLEM: {problem}', err=True)
        raise click.ClickException(f'{len(verified["problems"])} problems found after the restore')
