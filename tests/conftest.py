"""Shared fixtures: a fresh database per test on SQLite and (when switched on) PostgreSQL.

PostgreSQL runs when ``SCR_RETURNS_TEST_POSTGRES`` names a server (``.ci/run``
sets it and fails if the server is unreachable); each test gets a schema of
its own there, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from falcon.testing import TestClient

from core.bootstrap import build_services
from core.http import create_app
from core.plugins import PluginHost
from core.service import Services
from core.settings import Settings
from core.storage import Store, make_engine, upgrade
from tests import testplugin

PG_URL = os.environ.get("SCR_RETURNS_TEST_POSTGRES", "")

DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not PG_URL, reason="SCR_RETURNS_TEST_POSTGRES is not set")]),
]


def pytest_sessionstart(session: pytest.Session) -> None:
    """When PostgreSQL is switched on it must be there: fail, never skip."""
    if not PG_URL:
        return
    engine = sa.create_engine(PG_URL)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as exc:
        raise pytest.UsageError(f"SCR_RETURNS_TEST_POSTGRES is set but unreachable: {exc}") \
            from None
    finally:
        engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture(scope="session")
def test_host() -> PluginHost:
    """Only the throw-away test plugin: core tests do not depend on real agencies."""
    return PluginHost(entry_points=False, extra={"testing": testplugin})


class Clock:
    """A settable clock, so that dates in rules and tokens are reproducible."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url, production=True,
                    plugin_refresh_seconds=0.0)


@pytest.fixture
def services(settings: Settings, test_host: PluginHost, clock: Clock) -> Iterator[Services]:
    store = Store(make_engine(settings.database_url))
    yield build_services(settings, host=test_host, store=store, clock=clock)
    store.engine.dispose()


@pytest.fixture
def client(services: Services) -> TestClient:
    return TestClient(create_app(services=services))
