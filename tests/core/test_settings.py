"""Settings from the environment, and the local date the rules use."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scr_returns.core.settings import Settings


def test_defaults_put_sqlite_in_the_data_folder() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///data/scr-returns.sqlite3"
    assert settings.is_sqlite and settings.production


def test_environment_overrides() -> None:
    settings = Settings.from_env({"SCR_RETURNS_DATA_DIR": "/srv/scr",
                                  "SCR_RETURNS_PROBLEM_CAP": "7",
                                  "SCR_RETURNS_PRODUCTION": "false",
                                  "SCR_RETURNS_TIMEZONE": "Europe/London"})
    assert settings.database_url == "sqlite:////srv/scr/scr-returns.sqlite3"
    assert (settings.problem_cap, settings.production) == (7, False)


def test_today_is_the_date_in_the_service_time_zone() -> None:
    # 23:30 UTC on 1 June is 00:30 on 2 June in British Summer Time: a record
    # secured "today" then is secured on the 2nd, not after the submission.
    late = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
    assert Settings().local_date(late) == date(2026, 6, 2)
    assert Settings(timezone="UTC").local_date(late) == date(2026, 6, 1)


@pytest.mark.parametrize("changes", [{"timezone": "Nowhere/Atlantis"},
                                     {"schema_engine": "perl"}])
def test_impossible_settings_are_refused(changes: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="SCR_RETURNS_"):
        Settings(**changes)  # type: ignore[arg-type]
