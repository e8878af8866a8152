"""``db restore`` against a live service: refused, and nothing acknowledged is lost.

The attack run restored an older backup while the service ran: the command
exited 0, acknowledged revisions vanished and the service kept answering. Now
the serving processes hold a lock that the restore needs exclusively
(core/storage/serving.py): while ``serve`` runs, the restore is refused and
every revision stays; once it is stopped, the restore says how far back the
backup goes, and the restored log records the restore.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.fault_harness import (
    bearer,
    check_revisions,
    marked,
    new_marker,
    open_world,
    served,
)


@pytest.mark.slow
def test_restore_is_refused_while_the_service_runs(tmp_path: Path) -> None:
    from scr_returns.core.storage import make_engine

    saved = tmp_path / "backup.sqlite3"
    with served(tmp_path, workers=2) as instance:
        world = open_world(instance.url, instance.admin_token(), ["REST-2026-01"])
        path = instance.url + world.path(world.refs[0])
        with httpx.Client(timeout=30) as http:
            first = http.put(path, json={"document": world.example},
                             headers=bearer(world.token))
            assert first.status_code == 201, first.text
            instance.cli("db", "backup", str(saved))
            for _ in range(5):
                amended = http.put(path, json={"document": marked(world.example, new_marker())},
                                   headers=bearer(world.token, **{"If-Match": "*"}))
                assert amended.status_code == 200, amended.text
            refused = instance.cli("db", "restore", "--yes", str(saved), check=False)
            assert refused.returncode != 0
            assert "service is running" in refused.stderr, refused.stdout + refused.stderr
            assert "goes back" in refused.stdout  # how far back, even when refused
            after = http.get(path, headers=bearer(world.token, **{"X-Purpose": "fault test"}))
            assert after.status_code == 200 and after.json()["revision"] == 6
        engine = make_engine(f"sqlite:///{tmp_path / 'scr-returns.sqlite3'}")
        try:
            assert len(check_revisions(engine)) == 5  # every acknowledged revision is there
        finally:
            engine.dispose()
        workers = instance.worker_pids()
        instance.stop()
        assert workers
    done = instance.cli("db", "restore", "--yes", str(saved), check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "goes back" in done.stdout and "5 revisions" in done.stdout
