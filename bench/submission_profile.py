"""Where one submission's time goes: the full PUT in process, stage by stage.

Run: .venv/bin/python bench/submission_profile.py [--puts 2000] [--postgres URL]

No HTTP server and no load generator: falcon's test client drives the real app
(every middleware, the audit, SQLite with WAL + synchronous=FULL, or the
PostgreSQL named), so the figures are the service's own cost per request.
Printed:
  - wall and CPU time per PUT, and the same for bench/bare_app.py driven the
    same way (over HTTP, gunicorn and the load generator add about the same
    cost to both sides, so bench/submissions.py's ratio comes out higher);
  - the SQL statements of one PUT, in order, and how many run inside the write
    transaction (on SQLite, while every other writer waits);
  - each stage's share of the time, timed by wrapping the functions of the
    request path that own the stages (a few microseconds of timing overhead per
    PUT; no profiler, whose overhead would inflate the many small calls of the
    rules).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from falcon import testing

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bare_app, harness
from scr_returns.core.bootstrap import build_services
from scr_returns.core.http import create_app
from scr_returns.core.service import Services
from scr_returns.core.settings import Settings
from scr_returns.core.storage import upgrade


def stages() -> tuple[tuple[str, Any, str], ...]:
    """(label, owner, attribute): each stage is timed where the request path calls it."""
    from scr_returns.core import jsonio  # noqa: PLC0415
    from scr_returns.core.http.resources import returns as resource  # noqa: PLC0415
    from scr_returns.core.service import returns as service  # noqa: PLC0415
    from scr_returns.core.service.tokens import TokenService  # noqa: PLC0415
    from scr_returns.core.storage.audit import AuditQueries  # noqa: PLC0415
    from scr_returns.core.storage.chronology import ChronologyQueries  # noqa: PLC0415

    return (
        ("authentication (token lookup)", TokenService, "authenticate"),
        ("body: strict JSON parse + envelope", resource, "body"),
        ("submit, all of it", service.ReturnService, "submit"),
        ("  reads: retry's answer, review", service, "visible_review"),
        ("  validation: schema + rules", service.ReturnService, "check"),
        ("  chronology rows extracted", service, "extract"),
        ("  document hash (canonical JSON)", jsonio, "document_sha256"),
        ("  write transaction, commit included", service.ReturnService, "_store"),
        ("    chronology rows inserted", ChronologyQueries, "insert_entries"),
        ("    audit record chained", AuditQueries, "append_audit"),
        ("    commit (fsync)", sa.Connection, "_commit_impl"),
    )


def service_client(url: str, data: Path) -> tuple[Callable[[int], None], Services]:
    upgrade(sa.create_engine(url))
    services = build_services(Settings(data_dir=data, database_url=url))
    client = testing.TestClient(create_app(services=services))
    admin, _ = services.tokens.create(name="profile", role="admin")
    review = json.loads((harness.ROOT / "docs/tour/review.json").read_text())
    as_admin = {"Authorization": f"Bearer {admin}"}
    client.simulate_post("/v1/reviews", json=review, headers=as_admin)
    made = client.simulate_post("/v1/admin/tokens", headers=as_admin, json={
        "name": "profile", "role": "agency", "agency": "health", "reviews": [review["ref"]]})
    headers = {"Authorization": f"Bearer {made.json['token']}",
               "Content-Type": "application/json"}
    path = f"/v1/reviews/{review['ref']}/returns/health/chronology"
    body = json.dumps({"document": harness.health_document()})

    def put(n: int) -> None:
        key = f"profile-{n}"
        sent = {**headers, "Idempotency-Key": key, **({"If-Match": "*"} if n else {})}
        answer = client.simulate_put(path, body=body.replace(harness.MARK, key), headers=sent)
        if answer.status_code not in (200, 201):
            raise RuntimeError(f"PUT answered {answer.status_code}: {answer.text}")

    return put, services


def bare_client(url: str) -> Callable[[int], None]:
    os.environ["BARE_DATABASE_URL"] = url
    app = bare_app.create()
    bare_app.META.create_all(sa.create_engine(url))
    client = testing.TestClient(app)
    body = json.dumps({"document": harness.health_document()})

    def put(n: int) -> None:
        key = f"bare-{n}"
        answer = client.simulate_put("/bare", body=body.replace(harness.MARK, key),
                                     headers={"Content-Type": "application/json",
                                              "Idempotency-Key": key})
        if answer.status_code != 201:
            raise RuntimeError(f"bare PUT answered {answer.status_code}")

    return put


def timed(put: Callable[[int], None], start: int, count: int) -> tuple[float, float]:
    """Median wall and CPU ms per PUT over 5 batches."""
    walls, cpus, batch = [], [], max(1, count // 5)
    n = start
    for _ in range(5):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(batch):
            put(n)
            n += 1
        walls.append((time.perf_counter() - wall) / batch * 1000)
        cpus.append((time.process_time() - cpu) / batch * 1000)
    return statistics.median(walls), statistics.median(cpus)


def statements_of_one(put: Callable[[int], None], engine: sa.Engine, n: int) -> list[str]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split())[:90])

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        put(n)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return seen


def stage_shares(put: Callable[[int], None], start: int, count: int) -> list[tuple[str, float]]:
    """Each stage's time as a share of the whole PUT, timed by wrapping the stage's function."""
    spent: dict[str, float] = {}
    originals = []
    for label, owner, name in stages():
        original = getattr(owner, name)
        originals.append((owner, name, original))
        spent[label] = 0.0

        def timer(*args: Any, _f: Any = original, _label: str = label, **kw: Any) -> Any:
            began = time.perf_counter()
            try:
                return _f(*args, **kw)
            finally:
                spent[_label] += time.perf_counter() - began

        setattr(owner, name, timer)
    try:
        began = time.perf_counter()
        for n in range(start, start + count):
            put(n)
        total = time.perf_counter() - began
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    return [(label, spent[label] / total) for label in spent]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--puts", type=int, default=2000)
    parser.add_argument("--postgres", default=None, metavar="URL",
                        help="profile on this PostgreSQL server (fresh schemas), not SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scr-profile-") as tmp:
        data = Path(tmp)
        (data / "svc").mkdir()
        (data / "bare").mkdir()
        with harness.database(args.postgres, data / "svc") as svc_url, \
                harness.database(args.postgres, data / "bare") as bare_url:
            figures = profile(svc_url, bare_url, data, args.puts)
    report(*figures, args.puts)


def profile(svc_url: str, bare_url: str, data: Path, puts: int) -> tuple[Any, ...]:
    put, services = service_client(svc_url, data)
    bare = bare_client(bare_url)
    try:
        for n in range(50):  # warm: first revision, caches, compiled statements
            put(n)
            bare(n)
        svc_wall, svc_cpu = timed(put, 100, puts)
        bare_wall, bare_cpu = timed(bare, 100, puts)
        statements = statements_of_one(put, services.store.engine, 10**6)
        shares = stage_shares(put, 2 * 10**6, min(puts, 1000))
    finally:
        services.store.engine.dispose()
    return svc_wall, svc_cpu, bare_wall, bare_cpu, statements, shares


def report(svc_wall: float, svc_cpu: float, bare_wall: float, bare_cpu: float,
           statements: list[str], shares: list[tuple[str, float]], puts: int) -> None:
    print(f"per PUT, median of 5 batches of {max(1, puts // 5)}:")
    print(f"  service  {svc_wall:6.2f} ms wall  {svc_cpu:6.2f} ms CPU")
    print(f"  bare     {bare_wall:6.2f} ms wall  {bare_cpu:6.2f} ms CPU")
    print(f"  service throughput as a share of bare: {bare_wall / svc_wall:.2f}x")
    begin = next((i for i, s in enumerate(statements) if s.startswith("BEGIN IMMEDIATE")),
                 None)
    inside = len(statements) - begin - 1 if begin is not None else None
    print(f"\nSQL statements of one PUT (PostgreSQL's BEGIN and COMMIT aside): {len(statements)}"
          + (f" ({inside} inside the write transaction, after BEGIN IMMEDIATE)"
             if inside is not None else ""))
    for statement in statements:
        periodic = "plugin_state" in statement
        print(f"  {statement}" + ("  [the enabled-plugin poll: at most every "
                                  "SCR_RETURNS_PLUGIN_REFRESH_SECONDS, not every PUT]"
                                  if periodic else ""))
    print("\nshare of a PUT's time (each stage includes the stages under it):")
    for label, share in shares:
        print(f"  {label:<40} {share * 100:5.1f}%")


if __name__ == "__main__":
    main()
