"""``scr-returns db backup|restore``: SQLite through the online backup API."""

from __future__ import annotations

from pathlib import Path

import click

from scr_returns.core.audit import AuditEntry
from scr_returns.core.service import Services
from scr_returns.core.settings import Settings
from scr_returns.core.storage.backup import BackupError, compare
from scr_returns.core.storage.backup import backup as make_backup
from scr_returns.core.storage.backup import restore as apply_backup


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path) -> None:
    """Write a consistent copy of the SQLite database to PATH while the service runs."""
    try:
        written = make_backup(Settings.from_env().database_url, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written to {written} (integrity check ok)")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm replacing the database with PATH.")
def restore(path: Path, yes: bool) -> None:
    """Replace the SQLite database with the backup at PATH (refused while the service runs).

    Says first how far back the backup goes: its audit head and revisions
    against the live database's.
    """
    settings = Settings.from_env()
    try:
        comparison = compare(settings.database_url, path)
        click.echo(comparison.describe())
        if not yes:
            raise click.ClickException("restore replaces every record in the database; stop "
                                       "the service, then run it again with --yes")
        target = apply_backup(settings.database_url, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    live = comparison.live.head if comparison.live is not None else "none"
    record_restore(f"backup {comparison.backup.head} over {live}")
    click.echo(f"restored {path} into {target}; run 'scr-returns db upgrade' if the backup "
               "is from an older release, then 'scr-returns audit head' and keep the new head")


def record_restore(target: str) -> None:
    """The restore in the restored audit log: which backup, over which live head."""
    from scr_returns.core.cli.main import audited  # noqa: PLC0415 - main imports this module

    audited("db restore", _append, target=target)


def _append(services: Services, audit: AuditEntry) -> None:
    with services.store.write() as tx:
        audit.append(tx, 200, services.clock())
