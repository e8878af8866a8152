"""The public routes: readiness answers 503 as a problem, and reports plugins that failed."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from falcon.testing import TestClient

from scr_returns.core.bootstrap import build_services
from scr_returns.core.http import create_app
from scr_returns.core.plugins import PluginHost
from scr_returns.core.service import Services
from scr_returns.core.settings import Settings
from scr_returns.core.storage import Store, make_engine
from tests.support.entry_points import install_with_a_broken_plugin
from tests.support.problems import assert_problem

Build = Callable[[str, PluginHost], TestClient]


@pytest.fixture
def build(tmp_path: Path) -> Iterator[Build]:
    """A client over a deployment on ``database_url`` with ``host``'s plugins."""
    started: list[Services] = []

    def make(database_url: str, host: PluginHost) -> TestClient:
        settings = Settings(data_dir=tmp_path, database_url=database_url)
        services = build_services(settings, host=host,
                                  store=Store(make_engine(settings.database_url)))
        started.append(services)
        return TestClient(create_app(services=services))

    yield make
    for services in started:
        services.store.engine.dispose()


def test_health_names_no_process(client: TestClient) -> None:
    # Public: a pid (or version, or host) helps nobody but someone mapping the workers.
    response = client.simulate_get("/v1/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert str(os.getpid()) not in response.text


def test_ready(client: TestClient) -> None:
    response = client.simulate_get("/v1/ready")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "checks": {
        "database": True, "migrations": True, "plugins": 1, "plugins_failed": 0}}


def test_a_plugin_that_failed_to_load_is_named_but_the_instance_is_ready(
        database_url: str, build: Build, monkeypatch: pytest.MonkeyPatch) -> None:
    response = build(database_url, install_with_a_broken_plugin(monkeypatch)) \
        .simulate_get("/v1/ready")
    assert response.status_code == 200
    assert response.json["checks"]["plugins"] == 2
    assert response.json["checks"]["plugins_failed"] == 1
    assert "acme" not in response.text  # public: counts only, names are the admin's


def test_migrations_behind_answer_503_as_a_problem(tmp_path: Path, build: Build,
                                                   test_host: PluginHost) -> None:
    path = tmp_path / "never-migrated.sqlite3"
    sqlite3.connect(path).close()
    response = build(f"sqlite:///{path}", test_host).simulate_get("/v1/ready")
    body = assert_problem(response, 503)
    assert body["checks"] == {"database": True, "migrations": False, "plugins": 1,
                              "plugins_failed": 0}
    assert "db upgrade" in body["detail"]


def test_an_unreachable_database_answers_503_as_a_problem(tmp_path: Path, build: Build,
                                                          test_host: PluginHost) -> None:
    folder = tmp_path / "a-folder-not-a-database"
    folder.mkdir()
    response = build(f"sqlite:///{folder}", test_host).simulate_get("/v1/ready")
    body = assert_problem(response, 503)
    assert body["checks"] == {"database": False, "migrations": False, "plugins": 1,
                              "plugins_failed": 0}
    assert body["detail"] == "Not ready: the database cannot be reached."
