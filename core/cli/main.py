"""``scr-returns``: serve, migrate, manage plugins and tokens, validate offline."""

from __future__ import annotations

import json
import os
import pwd
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import sqlalchemy.exc
from sqlalchemy.engine import make_url

from scr_returns.core import jsonio, metrics
from scr_returns.core.audit import AuditEntry
from scr_returns.core.auth import SYSTEM
from scr_returns.core.bootstrap import build_services, refuse_missing_agencies
from scr_returns.core.cli import db_cmd, plugins_cmd
from scr_returns.core.errors import (
    BadRequestError,
    NotFoundError,
    PluginLoadError,
    ServiceError,
    ValidationReport,
)
from scr_returns.core.plugins import PluginHost
from scr_returns.core.service import Services, utcnow
from scr_returns.core.service.returns import check_document, offered_version
from scr_returns.core.settings import Settings
from scr_returns.core.storage import make_engine, upgrade
from scr_returns.core.storage.auditkey import AuditKeyError
from scr_returns.core.storage.backup import sqlite_path
from scr_returns.core.storage.serving import ServingLockError, hold_while_serving

T = TypeVar("T")


def _services() -> Services:
    settings = Settings.from_env()
    try:
        return build_services(settings)
    except PluginLoadError as exc:
        raise click.ClickException(f"cannot start: {exc}") from None


def _migrate(settings: Settings) -> None:
    engine = make_engine(settings.database_url, busy_timeout=settings.sqlite_busy_timeout)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def _os_user() -> str:
    """Who runs this command, from the process's user id (not the environment, which
    anyone can set)."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # e.g. a container run under an id with no passwd entry
        return f"uid{uid}"


def audited(command: str, action: Callable[[Services, AuditEntry], T],
             target: str | None = None) -> T:
    """Run an administrative command with its audit record: which, run by whom, where.

    The service appends the record in the change's own transaction, as for an
    HTTP request (the request id names the operating-system user and host); a
    refused command is recorded with its status too, then reported.
    """
    services = _services()
    entry = AuditEntry(request_id=f"cli:{_os_user()}@{socket.gethostname()}",
                       method="CLI", route=f"scr-returns {command}", role="cli",
                       target=target)
    try:
        return action(services, entry)
    except AuditKeyError as exc:
        raise click.ClickException(str(exc)) from None
    except ServiceError as exc:
        if entry.appended is None:
            with services.store.write() as tx:
                entry.append(tx, exc.status, services.clock())
        raise click.ClickException(_cli_message(exc)) from None


OPTIONS = {"/agency": "--agency", "/reviews": "--review", "/expires_in_days":
           "--expires-in-days"}


def _cli_message(exc: ServiceError) -> str:
    """An error in the command line's words: each problem named by its option."""
    problems = getattr(exc, "problems", None) or []
    if not problems:
        return exc.detail
    lines = []
    for p in problems:
        field = "/" + p.pointer.split("/")[1] if p.pointer.count("/") else p.pointer
        lines.append(f"  {OPTIONS.get(field, p.pointer or '(body)')}: {p.message}")
    return "refused:\n" + "\n".join(lines)


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(json.loads(jsonio.dumps(value)), indent=2, ensure_ascii=False))


@click.group()
@click.version_option(package_name="scr-returns")
def main() -> None:
    """Multi-agency returns for safeguarding case reviews.

    Settings come from the environment: SCR_RETURNS_DATA_DIR (default ./data),
    SCR_RETURNS_DATABASE_URL (default SQLite in the data folder), and others
    listed in the README.
    """


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--config", "config", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A gunicorn configuration file (e.g. deploy/gunicorn.conf.py); --host, "
                   "--port and --workers, when given, override it.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int,
          config: Path | None) -> None:
    """Serve the API with gunicorn, after bringing the database schema up to date."""
    from scr_returns.core.cli.server import Server  # noqa: PLC0415 - gunicorn only when serving

    settings = Settings.from_env()
    given = {name for name in ("host", "port", "workers")
             if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT}
    if settings.is_sqlite:
        try:  # held by this process and every worker it forks (core/storage/serving.py)
            hold_while_serving(sqlite_path(settings.database_url))
        except ServingLockError as exc:
            raise click.ClickException(f"cannot start: {exc}") from None
    _migrate(settings)
    try:  # refuse to start on a broken, enabled plugin before forking any worker
        services = build_services(settings)
        try:
            refuse_missing_agencies(services)
            # The audit key: made at the first start, and checked against the log's
            # newest record (another host's key would fork the chain).
            with services.store.write() as tx:
                services.store.audit_keys.key(tx)  # type: ignore[union-attr]
        finally:
            services.store.engine.dispose()
    except (PluginLoadError, AuditKeyError) as exc:
        raise click.ClickException(f"cannot start: {exc}") from None
    where = settings.database_url if not settings.is_sqlite else \
        settings.database_url.removeprefix("sqlite:///")
    if config is None or given & {"host", "port"}:
        _refuse_busy_port(host, port)
    if config is None:
        click.echo(f"scr-returns listening on http://{host}:{port} with {workers} workers")
    else:
        click.echo(f"scr-returns serving with {config} (flags given override it)")
    click.echo(f"database: {where if settings.is_sqlite else '(from SCR_RETURNS_DATABASE_URL)'}")
    # The command as this process was started (e.g. .venv/bin/scr-returns), so
    # that the hint works pasted as it is.
    click.echo(f"first admin token: {sys.argv[0]} token create --role admin "
               "--name first-admin")
    sys.stdout.flush()
    # Before any worker forks: every worker's metrics go to one fresh folder.
    metrics_dir, master = metrics.use_multiprocess(settings.data_dir / "metrics"), os.getpid()
    bind = f"{host}:{port}" if config is None or given & {"host", "port"} else None
    try:
        Server(settings, config=config, bind=bind,
               workers=workers if config is None or "workers" in given else None).run()
    finally:
        if os.getpid() == master:  # a worker unwinds through here too when it exits
            metrics.remove_multiprocess(metrics_dir)


def _refuse_busy_port(host: str, port: int) -> None:
    """Say so, before claiming to listen, when the address is taken (gunicorn would exit 1)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror} "
                                       "(another server there? choose --port)") from None


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    _migrate(Settings.from_env())
    click.echo("database is up to date")


db.add_command(db_cmd.backup)
db.add_command(db_cmd.restore)


@main.group()
def plugins() -> None:
    """Agency plugins: list, enable, disable; for authors, new and check."""


plugins.add_command(plugins_cmd.new)
plugins.add_command(plugins_cmd.check)


@plugins.command("list")
def plugins_list() -> None:
    """Every installed plugin: enabled, disabled, or failed to load and why."""
    for p in _services().plugins.list():
        if p["load_error"] is not None:  # never offered; the log has the whole story
            click.echo(f"{p['name']:<14} {'failed':<9} {p['version']:<8} failed to load: "
                       f"{p['load_error']}")
            continue
        state = "enabled" if p["enabled"] else "disabled"
        forms = ", ".join(f"{f} v{'/'.join(map(str, v))}" for f, v in p["forms"].items())
        click.echo(f"{p['name']:<14} {state:<9} {p['version']:<8} {p['title']}: {forms}")


@plugins.command("enable")
@click.argument("name")
def plugins_enable(name: str) -> None:
    """Enable a plugin (every worker and host sees it within a second)."""
    _set_plugin(name, True)


@plugins.command("disable")
@click.argument("name")
def plugins_disable(name: str) -> None:
    """Disable a plugin; its stored returns stay readable."""
    _set_plugin(name, False)


def _set_plugin(name: str, enabled: bool) -> None:
    done = audited(f"plugins {'enable' if enabled else 'disable'}",
                   lambda services, audit: services.plugins.set_enabled(
                       SYSTEM, name, enabled, audit=audit), target=name)
    click.echo(f"{name} {'enabled' if enabled else 'disabled'}")
    if enabled and not done.get("builtin", True):
        # NOTE: a running service loaded its plugins when it started; it sees this
        # switch within a second, but cannot import a package installed since.
        click.echo(f"note: a service started before {name}'s package was installed does not "
                   "offer it until it is restarted (scr-returns serve); one started after "
                   "offers it within a second.")


@main.group()
def token() -> None:
    """Bearer tokens: create, list, revoke."""


@token.command("create")
@click.option("--role", required=True, type=click.Choice(["admin", "panel", "agency"]))
@click.option("--name", default=None, help="What the token is for (default: the role).")
@click.option("--agency", default=None, help="The agency of an agency token.")
@click.option("--review", "reviews", multiple=True, help="A review it is bound to (repeat).")
@click.option("--expires-in-days", type=click.IntRange(min=1), default=None,
              help="Days until it expires (default SCR_RETURNS_TOKEN_DEFAULT_DAYS).")
def token_create(role: str, name: str | None, agency: str | None, reviews: tuple[str, ...],
                 expires_in_days: int | None) -> None:
    """Issue a token. The secret alone is the last line of standard output."""
    secret, record = audited("token create", lambda services, audit: services.tokens.issue(
        name=name or role, role=role, agency=agency, reviews=list(reviews),
        expires_in_days=expires_in_days, agencies=services.catalog.host.by_agency,
        audit=audit))
    click.echo(f"token {record['id']} ({role}) expires {record['expires_at']:%Y-%m-%d}; "
               "the secret is shown once, below:", err=False)
    click.echo(secret)


@token.command("list")
def token_list() -> None:
    """Every token (never a secret)."""
    _echo_json(_services().tokens.list())


@token.command("revoke")
@click.argument("token_id")
def token_revoke(token_id: str) -> None:
    """Revoke a token; refused from the next request on."""
    audited("token revoke",
             lambda services, audit: services.tokens.revoke(token_id, audit=audit),
             target=token_id)
    click.echo(f"{token_id} revoked")


def plugin_host(settings: Settings) -> PluginHost:
    """The installed plugins, loaded without a database (offline validation)."""
    return PluginHost(engine=settings.schema_engine)


def _validate_offline(settings: Settings, agency: str, form: str, document: Any,
                      schema_version: int | None) -> ValidationReport:
    """The API's review-less dry run over the installed plugins; no database is opened.

    Whether an admin disabled the agency is stored in the database, so it is
    not known here: every installed plugin that loads is used.
    """
    host = plugin_host(settings)
    loaded = host.form(agency, form)
    if loaded is None:
        for failure in host.failed.values():
            if agency in (failure.agency, failure.name):
                raise click.ClickException(f"The plugin {failure.name!r} failed to load: "
                                           f"{failure.error}")
        raise NotFoundError(f"No form {form!r} for agency {agency!r}.")
    return check_document(settings, loaded, document, offered_version(loaded, schema_version),
                          None, utcnow()).report


def _services_over_migrated_database(settings: Settings) -> Services:
    """The services, once the database is known to exist and be migrated; never creates it."""
    if settings.is_sqlite:
        path = make_url(settings.database_url).database
        if path and path != ":memory:" and not Path(path).exists():
            raise click.ClickException(f"no database at {path}: a review is read from the "
                                       "database; run 'scr-returns db upgrade' first")
    services = _services()
    try:
        with services.store.read() as tx:
            current = tx.schema_current()
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise click.ClickException(f"cannot read the database: {type(exc).__name__}") \
            from None
    if not current:
        raise click.ClickException("the database is not migrated: run 'scr-returns db "
                                   "upgrade' first")
    return services


@main.command()
@click.option("--agency", required=True)
@click.option("--form", "form", required=True)
@click.option("--schema-version", type=int, default=None)
@click.option("--review", default=None,
              help="Also run the rules that need this review (reads the database).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(agency: str, form: str, schema_version: int | None, review: str | None,
             file: Path) -> None:
    """Validate FILE (a form document) exactly as the API would; exit 1 if invalid.

    FILE is the document itself, or the API's envelope {"document": ...}.

    Offline, against the installed plugins (enabled or not), touching no
    database; with --review, the review is read from the database, which must
    exist and be migrated.
    """
    settings = Settings.from_env()
    try:
        document = jsonio.loads(file.read_bytes(), max_depth=settings.max_json_depth)
        if not isinstance(document, dict):
            raise BadRequestError("The document must be a JSON object.")
        if "document" in document and set(document) <= {"document", "schema_version"}:
            # The API's envelope ({"document": ...}), as in the tour's files: unwrapped.
            if schema_version is None:
                schema_version = document.get("schema_version")
            document = document["document"]
            if not isinstance(document, dict):
                raise BadRequestError("The envelope's 'document' must be a JSON object.")
        if review is None:
            report = _validate_offline(settings, agency, form, document, schema_version)
        else:
            services = _services_over_migrated_database(settings)
            report = services.returns.dry_run(SYSTEM, agency, form, document, schema_version,
                                              review)
    except NotFoundError as exc:
        if review is not None and exc.detail == NotFoundError().detail:
            raise click.ClickException(f"there is no review {review!r} in the database "
                                       "(--review names a review's reference)") from None
        raise click.ClickException(exc.detail) from None
    except ServiceError as exc:
        raise click.ClickException(_cli_message(exc)) from None
    _echo_json(report.as_dict())
    sys.exit(0 if report.valid else 1)


@main.group()
def audit() -> None:
    """The audit log: print its head, verify its chain."""


@audit.command("head")
def audit_head() -> None:
    """Print the newest record as ID:HASH; keep it elsewhere to detect truncation later."""
    click.echo(_services().audit.head())


@audit.command("verify")
@click.option("--head", "head", default=None, metavar="ID:HASH",
              help="A head printed earlier by 'audit head': also detects truncation.")
def audit_verify(head: str | None) -> None:
    """Check every record's hash (keyed with the audit key) and chain; name the first bad
    record (exit 1)."""
    services = _services()
    keys = services.store.audit_keys
    try:
        if keys is not None and keys.existing() is None:
            click.echo(f"no audit key at {keys.path}: records chained with it cannot be "
                       "checked here", err=True)
        count, finding = services.audit.verify(head)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--head") from None
    except AuditKeyError as exc:
        raise click.ClickException(str(exc)) from None
    if finding is not None:
        click.echo(f"audit log BROKEN at {finding} ({count} records read)", err=True)
        sys.exit(1)
    click.echo(f"audit log intact: {count} records")
