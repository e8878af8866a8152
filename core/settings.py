"""Settings, read once from the environment (``SCR_RETURNS_*``)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _bool(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    """Everything configurable; ``Settings.from_env()`` is what the service uses."""

    data_dir: Path = Path("data")
    database_url: str = ""
    max_body_bytes: int = 32 * 1024 * 1024
    body_timeout: float = 10.0
    """Seconds a request body may take, plus one per ``body_min_rate`` bytes received."""
    body_min_rate: int = 64 * 1024
    max_json_depth: int = 64
    problem_cap: int = 1000
    schema_engine: str = "rust"
    production: bool = True
    plugin_refresh_seconds: float = 0.5
    token_default_days: int = 90
    token_max_days: int = 365
    sqlite_busy_timeout: float = 30.0
    plugin_config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    audit_key_file: Path | None = None
    """The audit chain's key (core/storage/auditkey.py); default: data folder/audit.key."""
    timezone: str = "Europe/London"
    """Where "today" is: a record secured at 00:30 BST is secured that day, not the day before."""

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"SCR_RETURNS_TIMEZONE {self.timezone!r} is not a time zone") \
                from None
        if self.schema_engine not in ("rust", "python"):
            raise ValueError("SCR_RETURNS_SCHEMA_ENGINE must be 'rust' or 'python'")
        if not self.database_url:
            object.__setattr__(self, "database_url",
                               f"sqlite:///{self.data_dir / 'scr-returns.sqlite3'}")

    def local_date(self, instant: datetime) -> date:
        """The calendar date of ``instant`` where the service's users are."""
        return instant.astimezone(ZoneInfo(self.timezone)).date()

    @property
    def audit_key_path(self) -> Path:
        return self.audit_key_file or self.data_dir / "audit.key"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        kw: dict[str, Any] = {}
        if "SCR_RETURNS_DATA_DIR" in env:
            kw["data_dir"] = Path(env["SCR_RETURNS_DATA_DIR"])
        ints = {"MAX_BODY_BYTES": "max_body_bytes", "MAX_JSON_DEPTH": "max_json_depth",
                "PROBLEM_CAP": "problem_cap", "TOKEN_DEFAULT_DAYS": "token_default_days",
                "TOKEN_MAX_DAYS": "token_max_days", "BODY_MIN_RATE": "body_min_rate"}
        for key, attr in ints.items():
            if f"SCR_RETURNS_{key}" in env:
                kw[attr] = int(env[f"SCR_RETURNS_{key}"])
        if "SCR_RETURNS_AUDIT_KEY_FILE" in env:
            kw["audit_key_file"] = Path(env["SCR_RETURNS_AUDIT_KEY_FILE"])
        if "SCR_RETURNS_DATABASE_URL" in env:
            kw["database_url"] = env["SCR_RETURNS_DATABASE_URL"]
        if "SCR_RETURNS_SCHEMA_ENGINE" in env:
            kw["schema_engine"] = env["SCR_RETURNS_SCHEMA_ENGINE"]
        if "SCR_RETURNS_PRODUCTION" in env:
            kw["production"] = _bool(env["SCR_RETURNS_PRODUCTION"])
        if "SCR_RETURNS_TIMEZONE" in env:
            kw["timezone"] = env["SCR_RETURNS_TIMEZONE"]
        if "SCR_RETURNS_BODY_TIMEOUT" in env:
            kw["body_timeout"] = float(env["SCR_RETURNS_BODY_TIMEOUT"])
        if "SCR_RETURNS_PLUGIN_REFRESH_SECONDS" in env:
            kw["plugin_refresh_seconds"] = float(env["SCR_RETURNS_PLUGIN_REFRESH_SECONDS"])
        if "SCR_RETURNS_PLUGIN_CONFIG" in env:
            path = Path(env["SCR_RETURNS_PLUGIN_CONFIG"])
            kw["plugin_config"] = json.loads(path.read_text(encoding="utf-8"))
        return cls(**kw)
