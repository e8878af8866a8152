"""No plaintext token anywhere it could leak: the database (file and WAL), the logs.

Tokens are made every way there is (service, admin API, command line) and
used every way there is (valid, revoked, in a query string, malformed), then
every byte the database holds and everything logged is searched for them.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from scr_returns.core.auth import hash_secret
from scr_returns.core.bootstrap import build_services
from scr_returns.core.cli.main import main
from scr_returns.core.plugins import PluginHost
from scr_returns.core.service import Services
from tests.support.http_world import REF, RETURN, World, auth, document

cli_main = importlib.import_module("scr_returns.core.cli.main")


def database_bytes(services: Services) -> bytes:
    """Everything the database holds: SQLite's files as they are, or every PostgreSQL row."""
    url = make_url(services.settings.database_url)
    if url.get_backend_name() == "sqlite":
        base = Path(str(url.database))
        files = [base, Path(f"{base}-wal"), Path(f"{base}-shm"), Path(f"{base}-journal")]
        assert Path(f"{base}-wal").exists()  # the WAL is searched, not just the main file
        return b"".join(f.read_bytes() for f in files if f.exists())
    with services.store.engine.connect() as conn:
        names = conn.execute(sa.text(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema()")).scalars().all()
        rows = [conn.execute(sa.text(f'SELECT CAST(t AS text) FROM "{name}" t')).scalars().all()
                for name in names]
    return "\n".join(str(r) for table in rows for r in table).encode()


def test_no_plaintext_token_in_the_database_or_the_logs(
        world: World, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, test_host: PluginHost) -> None:
    caplog.set_level(logging.DEBUG)
    # The command line checks the agency against the installed plugins: here, the test one.
    monkeypatch.setattr(cli_main, "build_services",
                        lambda settings, **_: build_services(settings, host=test_host))
    s, client = world.services, world.client
    made = client.simulate_post("/v1/admin/tokens", headers=auth(world.admin),
                                json={"name": "api", "role": "panel", "reviews": [REF]})
    assert made.status_code == 201
    cli = CliRunner().invoke(main, ["token", "create", "--role", "agency", "--agency",
                                    "testing", "--review", REF],
                             env={"SCR_RETURNS_DATABASE_URL": s.settings.database_url,
                                  "SCR_RETURNS_AUDIT_KEY_FILE": str(s.settings.audit_key_path)})
    assert cli.exit_code == 0, cli.output
    from_cli = cli.output.strip().splitlines()[-1]
    secrets = [world.admin, world.panel, world.agency, world.other, made.json["token"],
               from_cli]
    assert world.put(document(), token=from_cli).status_code == 201
    for secret in secrets:
        assert world.get(token=secret).status_code in (200, 404)
    assert client.simulate_get(f"/v1/reviews/{REF}",
                               params={"access_token": world.panel}).status_code == 401
    assert client.simulate_get(RETURN, headers={"Authorization": world.panel}).status_code == 401
    assert client.simulate_delete(f"/v1/admin/tokens/{made.json['id']}",
                                  headers=auth(world.admin)).status_code == 200
    assert world.get(token=made.json["token"]).status_code == 401  # revoked

    stored = database_bytes(s)
    logged = caplog.text + "".join(capsys.readouterr())
    assert hash_secret(from_cli).encode() in stored  # what is kept: the hash
    for secret in secrets:
        random_part = secret.removeprefix("scr_")
        assert random_part.encode() not in stored, "a token is stored in plaintext"
        assert random_part not in logged, "a token was logged"
