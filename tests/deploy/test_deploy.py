"""deploy/: the files parse and agree with the service (no container engine needed)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from scr_returns.core.cli.server import Server, defaults
from scr_returns.core.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_compose_has_postgres_two_instances_and_a_proxy() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "app1", "app2", "proxy"}
    for name in ("app1", "app2"):
        app = services[name]
        assert app["environment"]["SCR_RETURNS_DATABASE_URL"].startswith(
            "postgresql+psycopg://")
        assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert app["build"]["dockerfile"] == "deploy/Containerfile"
    assert services["app1"]["volumes"] != services["app2"]["volumes"]
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in services["proxy"]["volumes"]


def test_the_proxy_passes_to_both_with_the_service_body_limit() -> None:
    conf = (DEPLOY / "nginx.conf").read_text()
    assert re.search(r"server app1:8000", conf) and re.search(r"server app2:8000", conf)
    size = re.search(r"client_max_body_size (\d+)m;", conf)
    assert size is not None
    assert int(size.group(1)) * 1024 * 1024 == Settings().max_body_bytes
    assert "proxy_set_header X-Request-ID $req_id;" in conf
    assert "$request_uri" not in conf and "$args" not in conf and "$query_string" not in conf
    assert "location = /metrics { return 404; }" in conf


def test_the_image_runs_as_a_user_with_a_healthcheck_and_a_volume() -> None:
    text = (DEPLOY / "Containerfile").read_text()
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    assert re.search(r"^USER (?!root)\w+", text, re.M)
    assert "HEALTHCHECK" in text and "/v1/health" in text
    assert 'VOLUME ["/data"]' in text and "pip install" in text
    assert "--config /app/deploy/gunicorn.conf.py" in text.replace('", "', " ")


def test_the_gunicorn_file_is_read_by_serve_and_agrees_with_its_defaults(
        monkeypatch: Any) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    server = Server(Settings(), config=DEPLOY / "gunicorn.conf.py")
    cfg = server.cfg
    assert cfg.workers == 3 and cfg.bind == ["0.0.0.0:8000"]
    for key, value in defaults().items():
        assert cfg.settings[key].get() == value, key
    assert cfg.max_requests_jitter > 0 and cfg.limit_request_line <= 8190


def test_command_line_flags_override_the_file() -> None:
    server = Server(Settings(), config=DEPLOY / "gunicorn.conf.py", bind="127.0.0.1:9",
                    workers=1)
    assert server.cfg.bind == ["127.0.0.1:9"] and server.cfg.workers == 1
