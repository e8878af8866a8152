"""The README's tour, run verbatim against a real server."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.serving import Served, serve

ROOT = Path(__file__).resolve().parents[2]


def tour_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- tour -->\n```sh\n(.*?)```", text, re.S)
    assert found, "the README has no tour block"
    return found.group(1)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(tmp_path_factory.mktemp("tour"))


def test_tour_runs_verbatim(fresh: Served) -> None:
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", tour_block()], cwd=ROOT, check=False,
                          env={**fresh.env, "SCR_URL": fresh.url}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert '"ref":"IOW-2026-01"' in out
    assert '"revision":1' in out and '"revision_created":true' in out
    assert "HTTP/1.1 200 OK" in out and "etag:" in out.lower()
    dry_run = json.loads(out[out.rindex('{"valid"'):])
    assert dry_run["valid"] is False
    assert "health.nhs_number.check_digit" in {p["code"] for p in dry_run["problems"]}
