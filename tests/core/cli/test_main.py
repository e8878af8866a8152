"""The command line: migrate, tokens, plugins and offline validation, over the test plugin."""

from __future__ import annotations

import importlib
import json
import os
import pwd
import socket
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from falcon.testing import TestClient

from scr_returns.core.bootstrap import build_services
from scr_returns.core.errors import UnauthorizedError
from scr_returns.core.plugins import PluginHost
from scr_returns.core.service import Services
from scr_returns.core.settings import Settings
from scr_returns.core.storage.migrate import is_current
from tests.support.entry_points import BROKEN_ERROR, install_with_a_broken_plugin
from tests.support.http_world import REF, World, auth, document
from tests.support.throwaway_plugins import Misspelt

# The module, not the click group that ``scr_returns.core.cli`` re-exports under the same name.
cli = importlib.import_module("scr_returns.core.cli.main")
STARTED: list[Services] = []


def cli_over(host: PluginHost, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the CLI build its services, and load its plugins, over ``host``."""
    def services_over(settings: Settings, **_: Any) -> Services:
        built = build_services(settings, host=host)
        STARTED.append(built)
        return built

    monkeypatch.setattr(cli, "build_services", services_over)
    monkeypatch.setattr(cli, "plugin_host", lambda settings: host)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
            test_host: PluginHost) -> Iterator[Path]:
    """The CLI's environment: a data folder of its own, and only the test plugin.

    Real agency plugins are loaded from entry points in production; here the CLI
    builds its services over the test plugin host, so these tests do not depend on them.
    """
    for name in ("SCR_RETURNS_DATABASE_URL", "SCR_RETURNS_PLUGIN_CONFIG",
                 "SCR_RETURNS_SCHEMA_ENGINE", "SCR_RETURNS_MAX_JSON_DEPTH"):
        monkeypatch.delenv(name, raising=False)
    data = tmp_path / "cli-data"
    monkeypatch.setenv("SCR_RETURNS_DATA_DIR", str(data))
    monkeypatch.setenv("SCR_RETURNS_PLUGIN_REFRESH_SECONDS", "0")

    cli_over(test_host, monkeypatch)
    yield data
    while STARTED:
        STARTED.pop().store.engine.dispose()


@pytest.fixture
def shared_db(cli_env: Path, database_url: str, monkeypatch: pytest.MonkeyPatch,
              settings: Settings) -> str:
    """The CLI and the test's services on one (migrated) database, with one audit key."""
    monkeypatch.setenv("SCR_RETURNS_DATABASE_URL", database_url)
    monkeypatch.setenv("SCR_RETURNS_AUDIT_KEY_FILE", str(settings.audit_key_path))
    return database_url


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def test_db_upgrade_creates_a_current_database(cli_env: Path) -> None:
    result = run("db", "upgrade")
    assert result.exit_code == 0, result.output
    path = cli_env / "scr-returns.sqlite3"
    assert path.exists()
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert is_current(conn)
            assert {"reviews", "returns", "revisions", "tokens"} <= \
                set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert run("db", "upgrade").exit_code == 0  # a second run changes nothing


def test_token_create_prints_the_secret_alone_last(shared_db: str, services: Services,
                                                   client: TestClient) -> None:
    result = run("token", "create", "--role", "admin", "--name", "first-admin")
    assert result.exit_code == 0, result.output
    secret = result.stdout.splitlines()[-1]
    assert secret == secret.strip() and " " not in secret and secret.startswith("scr_")
    principal = services.tokens.authenticate(secret)
    assert principal.role == "admin"
    assert client.simulate_get("/v1/reviews", headers=auth(secret)).status_code == 200


def test_token_create_refuses_a_bad_binding(shared_db: str) -> None:
    result = run("token", "create", "--role", "agency")
    assert result.exit_code == 1
    assert "agency" in result.output and "scr_" not in result.output


@pytest.mark.parametrize(("args", "said"), [
    (["--role", "agency", "--agency", "nowhere", "--review", "NOPE-2026-01"],
     ["--agency: No installed plugin provides the agency 'nowhere'.",
      "--review: There is no review 'NOPE-2026-01'."]),
    (["--role", "admin", "--expires-in-days", "0"], ["--expires-in-days"]),
    (["--role", "admin", "--expires-in-days", "-3"], ["--expires-in-days"]),
])
def test_token_create_names_every_problem_and_issues_nothing(
        shared_db: str, services: Services, args: list[str], said: list[str]) -> None:
    # issue 17: an unknown agency and a missing review were accepted; 0 days gave a
    # 90-day token and -3 an expired one
    result = run("token", "create", *args)
    assert result.exit_code in (1, 2), result.output
    for words in said:
        assert words in result.output
    assert "scr_" not in result.output
    assert services.tokens.list() == []


def test_token_list_never_shows_a_secret(shared_db: str, world: World) -> None:
    created = run("token", "create", "--role", "panel", "--review", REF)
    secret = created.stdout.splitlines()[-1]
    result = run("token", "list")
    assert result.exit_code == 0, result.output
    assert secret not in result.output and "scr_" not in result.output
    listed = [t for t in json.loads(result.stdout) if t["name"] == "panel"]
    assert [t["role"] for t in listed] == ["panel", "panel"]  # the world's and this one
    assert listed[-1]["reviews"] == [REF]
    assert not {"token", "secret", "secret_sha256"} & set(listed[0])


def test_token_revoke(shared_db: str, services: Services) -> None:
    secret = run("token", "create", "--role", "admin").stdout.splitlines()[-1]
    token_id = services.tokens.authenticate(secret).token_id
    result = run("token", "revoke", token_id)
    assert result.exit_code == 0, result.output
    with pytest.raises(UnauthorizedError):
        services.tokens.authenticate(secret)
    assert run("token", "revoke", "tok_nonexistent0000").exit_code == 1


def test_administrative_commands_are_audited(shared_db: str, services: Services,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER", "mallory")  # the environment does not name the actor
    monkeypatch.setenv("LOGNAME", "mallory")
    secret = run("token", "create", "--role", "admin").stdout.splitlines()[-1]
    token_id = services.tokens.authenticate(secret).token_id
    assert run("token", "revoke", token_id).exit_code == 0
    assert run("token", "revoke", "tok_nonexistent0000").exit_code == 1  # refused: recorded
    assert run("plugins", "disable", "testing").exit_code == 0
    assert run("plugins", "enable", "testing").exit_code == 0
    assert run("token", "list").exit_code == 0  # from the shell, only changes are recorded
    records = [r for r in services.audit.page()["items"] if r["method"] == "CLI"]
    assert [(r["route"], r["status"], r["target"]) for r in records] == [
        ("scr-returns token create", 201, token_id),
        ("scr-returns token revoke", 200, token_id),
        ("scr-returns token revoke", 404, "tok_nonexistent0000"),
        ("scr-returns plugins disable", 200, "testing"),
        ("scr-returns plugins enable", 200, "testing"),
    ]
    actor = f"cli:{pwd.getpwuid(os.getuid()).pw_name}@{socket.gethostname()}"
    assert all(r["role"] == "cli" and r["request_id"] == actor[:64] and r["token_id"] is None
               for r in records)
    count, finding = services.audit.verify()
    assert finding is None and count >= len(records)


def _plugin_line(output: str, name: str) -> str:
    return next(line for line in output.splitlines() if line.split()[0] == name)


def test_plugins_list_disable_enable(shared_db: str, services: Services) -> None:
    listed = run("plugins", "list")
    assert listed.exit_code == 0, listed.output
    line = _plugin_line(listed.output, "testing")
    assert "enabled" in line.split() and "chronology v1/2" in line
    assert run("plugins", "disable", "testing").exit_code == 0
    assert "disabled" in _plugin_line(run("plugins", "list").output, "testing").split()
    assert services.catalog.agency("testing") is None  # the service sees it too
    assert run("plugins", "enable", "testing").exit_code == 0
    assert "enabled" in _plugin_line(run("plugins", "list").output, "testing").split()
    assert services.catalog.agency("testing") is not None


def test_plugins_enable_an_unknown_plugin_fails(shared_db: str) -> None:
    result = run("plugins", "enable", "no-such-plugin")
    assert result.exit_code == 1
    assert "no-such-plugin" in result.output


def _validate_both(tmp_path: Path, world: World, doc: dict[str, Any],
                   *review: str) -> tuple[Result, dict[str, Any]]:
    file = tmp_path / "doc.json"
    file.write_text(json.dumps(doc), encoding="utf-8")
    options = ["--review", review[0]] if review else []
    result = run("validate", "--agency", "testing", "--form", "chronology", *options, str(file))
    query = f"?review={review[0]}" if review else ""
    api = world.client.simulate_post(f"/v1/agencies/testing/forms/chronology/validate{query}",
                                     json={"document": doc}, headers=auth(world.panel))
    assert api.status_code == 200, api.text
    return result, api.json


@pytest.mark.parametrize("review", [(), (REF,)], ids=["offline", "with-review"])
@pytest.mark.parametrize(("case", "changes", "valid"), [
    ("valid", {}, True),
    ("schema", {"date": "2024-02-30", "event_type": "party"}, False),
    ("subject", {"subjects": ["stranger"]}, None),
    ("warning", {"description": "A gap in contact."}, True),
])
def test_validate_gives_the_same_problems_as_the_api(
        tmp_path: Path, shared_db: str, services: Services, client: TestClient,
        review: tuple[str, ...], case: str, changes: dict[str, Any],
        valid: bool | None) -> None:
    world = World(services, client)
    result, api = _validate_both(tmp_path, world, document(**changes), *review)
    assert json.loads(result.stdout) == api
    if valid is None:  # an unknown subject is known only with the review's register
        valid = not review
    assert api["valid"] is valid
    assert result.exit_code == (0 if valid else 1), result.output


def test_validate_an_unknown_review_fails(tmp_path: Path, shared_db: str) -> None:
    file = tmp_path / "doc.json"
    file.write_text(json.dumps(document()), encoding="utf-8")
    result = run("validate", "--agency", "testing", "--form", "chronology", "--review",
                 "NO-SUCH-REVIEW", str(file))
    assert result.exit_code == 1
    # issue 17: it said "No such resource.", the API's words
    assert "there is no review 'NO-SUCH-REVIEW' in the database" in result.output
    assert "resource" not in result.output


def test_validate_takes_the_apis_envelope_too(tmp_path: Path, cli_env: Path) -> None:
    bare, wrapped = tmp_path / "bare.json", tmp_path / "wrapped.json"
    bare.write_text(json.dumps(document(date="2024-02-30")), encoding="utf-8")
    wrapped.write_text(json.dumps({"document": document(date="2024-02-30")}),
                       encoding="utf-8")
    answers = [run("validate", "--agency", "testing", "--form", "chronology", str(f))
               for f in (bare, wrapped)]
    assert [a.exit_code for a in answers] == [1, 1]
    assert answers[0].stdout == answers[1].stdout
    assert "/document" not in answers[1].stdout  # issue 17: "/document: not part of the form"


@pytest.mark.parametrize("content", [b'{"entries": [], "entries": []}', b"[1, 2]", b"\xff"])
def test_validate_refuses_what_the_api_refuses(tmp_path: Path, cli_env: Path,
                                               content: bytes) -> None:
    file = tmp_path / "doc.json"
    file.write_bytes(content)
    result = run("validate", "--agency", "testing", "--form", "chronology", str(file))
    assert result.exit_code == 1
    assert "Error:" in result.output


def test_a_plugin_handed_in_directly_that_fails_stops_the_cli(
        cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whoever builds the host with a broken plugin of their choosing is told at once."""
    def with_a_broken_plugin(settings: Settings, **_: Any) -> Services:
        return build_services(settings, extra_plugins={"acme": Misspelt()})

    monkeypatch.setattr(cli, "build_services", with_a_broken_plugin)
    result = run("plugins", "list")
    assert result.exit_code == 1
    assert "acme" in result.output and "cannot start" in result.output


@pytest.fixture
def broken_install(shared_db: str, monkeypatch: pytest.MonkeyPatch) -> PluginHost:
    """The CLI over installed plugins of which ``acme`` failed to load."""
    host = install_with_a_broken_plugin(monkeypatch)
    cli_over(host, monkeypatch)
    return host


def test_enabling_a_third_party_plugin_says_a_running_service_may_need_a_restart(
        broken_install: PluginHost) -> None:
    enabled = run("plugins", "enable", "zeta")
    assert enabled.exit_code == 0, enabled.output
    assert "zeta enabled" in enabled.output and "restarted" in enabled.output
    builtin = run("plugins", "enable", "testing")
    assert "restarted" not in builtin.output


def test_serve_on_a_busy_port_says_so_before_claiming_to_listen(
        shared_db: str, services: Services) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--port", str(port))
    assert result.exit_code == 1
    assert "listening" not in result.output
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


def test_plugins_list_shows_a_plugin_that_failed_to_load(broken_install: PluginHost) -> None:
    listed = run("plugins", "list")
    assert listed.exit_code == 0, listed.output
    assert _plugin_line(listed.output, "acme").split(None, 3)[1:] == [
        "failed", "2.1", f"failed to load: {BROKEN_ERROR}"]
    assert "enabled" in _plugin_line(listed.output, "testing").split()
    assert "disabled" in _plugin_line(listed.output, "zeta").split()
    enable = run("plugins", "enable", "acme")
    assert enable.exit_code == 1
    assert "'acme' failed to load" in enable.output
    assert "failed" in _plugin_line(run("plugins", "list").output, "acme").split()


def test_serve_refuses_to_start_while_a_failed_plugin_is_enabled(
        broken_install: PluginHost, services: Services) -> None:
    with services.store.write() as tx:  # e.g. enabled before an upgrade broke it
        tx.set_plugin_state("acme", True, by=None, now=datetime(2026, 11, 26, tzinfo=UTC))
    refused = run("serve", "--port", "1")  # refused before gunicorn binds anything
    assert refused.exit_code == 1
    assert "cannot start" in refused.output and "acme" in refused.output
    assert "scr-returns plugins disable acme" in refused.output
    # The way out works from the shell, broken plugin and all.
    assert run("plugins", "disable", "acme").exit_code == 0


def test_validate_names_the_plugin_that_failed_to_load(tmp_path: Path,
                                                       broken_install: PluginHost) -> None:
    file = tmp_path / "doc.json"
    file.write_text("{}", encoding="utf-8")
    result = run("validate", "--agency", "acme", "--form", "report", str(file))
    assert result.exit_code == 1
    assert f"The plugin 'acme' failed to load: {BROKEN_ERROR}" in result.output


@pytest.mark.parametrize(("agency", "form", "doc", "valid"), [
    ("testing", "chronology", document(), True),
    ("testing", "chronology", document(date="2024-02-30"), False),
    ("zeta", "report", {"summary": "Seen weekly."}, True),  # installed, never enabled
    ("zeta", "report", {"summary": 3}, False),
], ids=["valid", "invalid", "third-party-valid", "third-party-invalid"])
def test_validate_offline_touches_no_database(
        tmp_path: Path, cli_env: Path, monkeypatch: pytest.MonkeyPatch, agency: str,
        form: str, doc: dict[str, Any], valid: bool) -> None:
    host = install_with_a_broken_plugin(monkeypatch)
    monkeypatch.setattr(cli, "plugin_host", lambda settings: host)
    file = tmp_path / "doc.json"
    file.write_text(json.dumps(doc), encoding="utf-8")
    result = run("validate", "--agency", agency, "--form", form, str(file))
    assert result.exit_code == (0 if valid else 1), result.output
    assert json.loads(result.stdout)["valid"] is valid
    assert not cli_env.exists()  # no data folder, so no database file either
    assert not STARTED  # the services (and their database) were never built


def test_validate_with_a_review_and_no_database_says_so(tmp_path: Path,
                                                        cli_env: Path) -> None:
    file = tmp_path / "doc.json"
    file.write_text(json.dumps(document()), encoding="utf-8")
    result = run("validate", "--agency", "testing", "--form", "chronology", "--review", REF,
                 str(file))
    assert result.exit_code == 1
    assert "no database at" in result.output and "db upgrade" in result.output
    assert "Traceback" not in result.output
    assert not (cli_env / "scr-returns.sqlite3").exists()


def test_validate_with_a_review_and_an_unmigrated_database_says_so(
        tmp_path: Path, cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).close()
    monkeypatch.setenv("SCR_RETURNS_DATABASE_URL", f"sqlite:///{path}")
    file = tmp_path / "doc.json"
    file.write_text(json.dumps(document()), encoding="utf-8")
    result = run("validate", "--agency", "testing", "--form", "chronology", "--review", REF,
                 str(file))
    assert result.exit_code == 1
    assert "the database is not migrated" in result.output


def test_the_cli_writes_the_configured_database(shared_db: str, services: Services) -> None:
    """SCR_RETURNS_DATABASE_URL wins over the data folder."""
    run("token", "create", "--role", "admin", "--name", "from-cli")
    with services.store.read() as tx:
        assert [t.name for t in tx.tokens()] == ["from-cli"]
