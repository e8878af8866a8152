"""Shared by the HTTP benchmarks: start servers, open a review, drive load with wrk.

Load: wrk (``apt-get install wrk``) with a Lua script that gives every request
a fresh Idempotency-Key and a document that differs from the last one (so each
accepted PUT stores a new revision, amending with ``If-Match: *``); without
wrk, a multiprocess Python client doing the same (slower: it competes with
the servers for the same cores, so its figures are lower).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MARK = "__BENCH_N__"
LUA = r"""
local counter = 0
local headers = %(headers)s
local template = %(body)s
function setup(thread)
  thread:set("tid", math.random(1, 1000000000))
end
function init(args)
  tid = tid or math.random(1, 1000000000)  -- the global that setup() gave this thread
end
local paths = %(paths)s
function request()
  counter = counter + 1
  local key = "%(run)s-" .. tid .. "-" .. counter
  headers["Idempotency-Key"] = key
  local body = string.gsub(template, "%(mark)s", key)
  return wrk.format("PUT", paths[(counter %% #paths) + 1], headers, body)
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not come up:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


@contextmanager
def process(args: list[str], env: dict[str, str], health: str, log: Path
            ) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT,
                                cwd=ROOT)
    try:
        wait_up(health, proc, log)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def database(postgres: str | None, data: Path) -> Iterator[str]:
    """A fresh SQLite file, or a fresh schema on the PostgreSQL server given."""
    if not postgres:
        yield f"sqlite:///{data / 'bench.sqlite3'}"
        return
    import sqlalchemy as sa  # noqa: PLC0415

    schema = "bench_" + uuid.uuid4().hex[:10]
    admin = sa.create_engine(postgres)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{postgres}{'&' if '?' in postgres else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@dataclass
class Target:
    """The PUTs to load-test: where (taken in turn), with which headers, a body template."""

    url: str
    paths: list[str]
    headers: dict[str, str]
    body: str  # contains MARK where each request puts its own key


def review_and_token(url: str, env: dict[str, str], reviews: int = 1) -> tuple[list[str], str]:
    """Open the tour's review (and copies of it) with an admin token from the CLI; a health
    agency token for them all."""
    admin = subprocess.run([str(BIN / "scr-returns"), "token", "create", "--role", "admin"],
                           env=env, capture_output=True, text=True, check=True,
                           cwd=ROOT).stdout.splitlines()[-1]
    review = json.loads((ROOT / "docs/tour/review.json").read_text())
    refs = [review["ref"]] + [f"{review['ref']}-C{n}" for n in range(2, reviews + 1)]
    with httpx.Client(base_url=url, timeout=30,
                      headers={"Authorization": f"Bearer {admin}"}) as http:
        for ref in refs:
            http.post("/v1/reviews", json={**review, "ref": ref}).raise_for_status()
        made = http.post("/v1/admin/tokens", json={
            "name": "bench", "role": "agency", "agency": "health", "reviews": refs})
        made.raise_for_status()
    return refs, str(made.json()["token"])


def health_document() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(
        (ROOT / "plugins/health/examples/valid/chronology.v1.json").read_text())
    # Every request's document differs here, so every PUT stores a new revision.
    doc["entries"][-1]["description"] = f"{doc['entries'][-1]['description']} ({MARK})"
    return doc


def service_target(url: str, env: dict[str, str], returns: int = 1) -> Target:
    """PUTs of the health chronology, amending ``returns`` returns (of as many reviews) in turn.

    One return is the worst case: every write waits for the one before it on the
    return's row (PostgreSQL; SQLite admits one writer at a time anyway).
    """
    refs, token = review_and_token(url, env, returns)
    paths = [f"/v1/reviews/{ref}/returns/health/chronology" for ref in refs]
    body = json.dumps({"document": health_document()})
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    # The first revision goes without If-Match; every later PUT amends ("If-Match: *").
    for path in paths:
        httpx.put(url + path, content=body.replace(MARK, "first"), headers=auth,
                  timeout=30).raise_for_status()
    return Target(url, paths, {**auth, "If-Match": "*"}, body)


def bare_target(url: str) -> Target:
    return Target(url, ["/bare"], {"Content-Type": "application/json"},
                  json.dumps({"document": health_document()}))


@dataclass
class Result:
    rps: float        # 2xx answers per second
    p50_ms: float
    p99_ms: float
    errors: int       # non-2xx answers and socket errors
    requests: int


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(target: Target, seconds: float, connections: int, threads: int = 2) -> Result:
    script = LUA % {"headers": _lua_table(target.headers), "body": _lua_string(target.body),
                    "run": uuid.uuid4().hex[:8], "mark": MARK,
                    "paths": "{" + ", ".join(_lua_string(p) for p in target.paths) + "}"}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        duration = f"{max(1, round(seconds))}s"
        out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", duration,
                              "--latency", "-s", f.name, target.url],
                             capture_output=True, text=True, check=True).stdout
    finally:
        Path(f.name).unlink()
    total = int(re.search(r"(\d+) requests in ([\d.]+)(\w+)", out).group(1))  # type: ignore[union-attr]
    took = re.search(r"requests in ([\d.]+\w+)", out).group(1)  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        out)
    bad = int(non2xx.group(1)) if non2xx else 0
    bad += sum(int(g) for g in sockets.groups()) if sockets else 0
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)  # type: ignore[union-attr]
    return Result((total - bad) / (_ms(took) / 1000), _ms(p50), _ms(p99), bad, total)


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def _lua_table(headers: dict[str, str]) -> str:
    return "{" + ", ".join(f'["{k}"] = {_lua_string(v)}' for k, v in headers.items()) + "}"


def _client(target: Target, seconds: float, out: Any) -> None:
    latencies, bad = [], 0
    prefix = uuid.uuid4().hex[:8]
    with httpx.Client(base_url=target.url, timeout=30) as http:
        end, n = time.monotonic() + seconds, 0
        while time.monotonic() < end:
            n += 1
            key = f"{prefix}-{n}"
            started = time.perf_counter()
            r = http.put(target.paths[n % len(target.paths)],
                         content=target.body.replace(MARK, key),
                         headers={**target.headers, "Idempotency-Key": key})
            latencies.append(time.perf_counter() - started)
            bad += not 200 <= r.status_code < 300
    out.put((latencies, bad))


def run_python(target: Target, seconds: float, connections: int) -> Result:
    queue: Any = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_client, args=(target, seconds, queue))
             for _ in range(connections)]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    lat = sorted(x * 1000 for r in results for x in r[0])
    bad = sum(r[1] for r in results)
    return Result((len(lat) - bad) / seconds, lat[len(lat) // 2],
                  lat[min(len(lat) - 1, int(len(lat) * 0.99))], bad, len(lat))


def load(target: Target, seconds: float, connections: int) -> Result:
    if shutil.which("wrk"):
        return run_wrk(target, seconds, connections)
    return run_python(target, seconds, connections)


def median(results: list[Result]) -> Result:
    return Result(statistics.median(r.rps for r in results),
                  statistics.median(r.p50_ms for r in results),
                  statistics.median(r.p99_ms for r in results),
                  sum(r.errors for r in results), sum(r.requests for r in results))


def show(name: str, r: Result) -> str:
    return (f"{name:<34} {r.rps:8.1f} accepted/s   p50 {r.p50_ms:7.2f} ms   "
            f"p99 {r.p99_ms:7.2f} ms   errors {r.errors}/{r.requests}")


def serve_env(data: Path, database_url: str) -> dict[str, str]:
    env = {**os.environ, "SCR_RETURNS_DATA_DIR": str(data),
           "SCR_RETURNS_DATABASE_URL": database_url}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env
