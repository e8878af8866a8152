"""Benchmark: streaming the integrated chronology of 100,000 entries from 10 agencies.

Run: .venv/bin/python bench/chronology.py [--entries 100000] [--agencies 10]
     [--database-url URL]   (default: a SQLite file in a temporary data folder)

1. Builds a review whose 10 agencies each return one chronology (10,000 entries
   each by default), stored as the service stores a revision (revision row,
   review-state event and extracted chronology entries, one transaction per
   agency); validation is skipped, the bench is about reading.
2. Starts a real ``scr-returns serve`` (gunicorn, one worker) on that database
   and streams ``GET /v1/reviews/{ref}/chronology?format=csv``: rows per second,
   and the worker's peak resident memory (VmHWM) before and after.
3. In the same run, a plain SELECT of the same rows in the same order, fetched
   whole (``fetchall``) and written with ``csv.writer``, in a fresh process
   whose VmHWM is read the same way.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scr_returns import ChronologyMapping
from scr_returns.core import jsonio
from scr_returns.core.bootstrap import build_services
from scr_returns.core.envelopes import ReviewSchema, load
from scr_returns.core.rulekit.entries import parse_chronology
from scr_returns.core.service.chronology import extract
from scr_returns.core.settings import Settings
from scr_returns.core.storage import Store, make_engine, upgrade
from scr_returns.core.storage import tables as t
from scr_returns.core.storage.events import EventRecord
from tests.support.serving import serve

REF = "BENCH-2026-01"
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
EVENTS = ("visit", "call", "meeting", "referral", "assessment")


def vm_hwm_kib(pid: int | str = "self") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def build_document(agency: int, count: int) -> dict[str, Any]:
    start = date(2015, 1, 1)
    entries = []
    for i in range(count):
        day = start + timedelta(days=(i * 7 + agency) % 3650)
        entry: dict[str, Any] = {
            "id": f"e-{i:06d}", "date": day.isoformat(),
            "source": {"service": f"Service {agency}", "role": "Practitioner"},
            "subjects": ["child-a", "mother"] if i % 3 else ["child-a"],
            "event_type": EVENTS[i % len(EVENTS)],
            "description": f"Entry {i} of agency {agency}: contact recorded, child seen, "
                           "concerns discussed with the family and the school.",
            "decision_or_action": "Advice given; follow-up visit booked.",
            "own_reference": f"REF/{agency}/{i}",
        }
        if i % 4 == 0:
            entry["time"] = f"{8 + i % 10:02d}:{i % 60:02d}"
        if i % 50 == 0:
            entry["description"] = '=HYPERLINK("http://x","y")'
        entries.append(entry)
    return {"entries": entries}


def build(url: str, entries: int, agencies: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    store = Store(engine)
    names = [f"agency-{n:02d}" for n in range(1, agencies + 1)]
    review = load(ReviewSchema(), {
        "ref": REF, "type": "cspr", "title": "Bench", "status": "returns-requested",
        "scoping_period": {"from": "2015-01-01", "to": "2025-12-31"},
        "subjects": [{"key": "child-a", "role": "subject child"},
                     {"key": "mother", "role": "mother"}],
        "agencies": [{"agency": a, "forms": [{"form": "chronology", "due": None}]}
                     for a in names]})
    values = {"ref": REF, "type": review["type"], "title": review["title"],
              "status": review["status"], "scope_from": review["scoping_period"]["start"],
              "scope_to": review["scoping_period"]["end"], "terms_of_reference": None,
              "subjects": review["subjects"], "kloes": [], "created_at": NOW,
              "updated_at": NOW, "version": 1}
    with store.write() as tx:
        review_id = tx.insert_review(values, {a: {"chronology": None} for a in names})
    per = entries // agencies
    for n, name in enumerate(names, 1):
        document = build_document(n, per)
        with store.write() as tx:
            ret = tx.lock_or_create_return(review_id, name, "chronology", NOW)
            number = tx.insert_revision(
                ret, schema_version=1, document=jsonio.document_text(document),
                sha256=jsonio.document_sha256(document), warnings=[], by="bench", now=NOW
            ).number
            tx.append_event(ret.id, EventRecord(number, "submitted", None, "submitted", None,
                                                "bench", NOW))
            tx.insert_entries(ret.id, number, extract(
                review_id=review_id, agency=name, form="chronology",
                chronology=parse_chronology(document, ChronologyMapping())))
    engine.dispose()


def panel_token(url: str) -> str:
    services = build_services(Settings(database_url=url))
    secret = services.tokens.create(name="bench panel", role="panel", reviews=[REF])[0]
    services.store.engine.dispose()
    return secret


def workers_of(port: int) -> list[int]:
    """The gunicorn worker processes of the server listening on ``port``."""
    procs = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            procs[int(entry.name)] = (int(stat.rsplit(")", 1)[1].split()[1]), cmd)
    master = [pid for pid, (_, cmd) in procs.items() if f"--port {port}" in cmd
              and "serve" in cmd]
    return [pid for pid, (ppid, _) in procs.items() if ppid in master]


def stream(url: str, port: int, token: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}", "X-Purpose": "benchmark"}
    (worker,) = workers_of(port)
    # Warm the worker (imports, plugins, first connection) before the baseline reading.
    httpx.get(f"{url}/v1/reviews/{REF}/tracker", headers=headers, timeout=60)
    before = vm_hwm_kib(worker)
    rows, size, first_byte = -1, 0, None
    started = time.perf_counter()
    with httpx.stream("GET", f"{url}/v1/reviews/{REF}/chronology?format=csv",
                      headers=headers, timeout=600) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            if first_byte is None:
                first_byte = time.perf_counter() - started
            size += len(chunk)
            rows += chunk.count(b"\n")  # no cell of the bench data holds a line break
    seconds = time.perf_counter() - started
    return {"rows": rows, "bytes": size, "seconds": seconds, "first_byte_s": first_byte,
            "hwm_before_kib": before, "hwm_after_kib": vm_hwm_kib(worker)}


def plain_select(url: str) -> dict[str, Any]:
    """Run in a fresh process: SELECT everything, then csv.writer over it."""
    engine = make_engine(url)
    before = vm_hwm_kib()
    ce, r = t.chronology_entries, t.returns
    query = (sa.select(ce.c.agency, ce.c.entry_id, ce.c.revision, r.c.state, ce.c.common,
                       ce.c.own)
             .join(r, sa.and_(r.c.id == ce.c.return_id, r.c.latest_revision == ce.c.revision))
             .join(t.reviews, t.reviews.c.id == ce.c.review_id).where(t.reviews.c.ref == REF)
             .order_by(sa.nulls_last(ce.c.date.asc()), ce.c.precision_rank,
                       sa.nulls_last(ce.c.time.asc()), ce.c.agency,
                       sa.nulls_last(ce.c.sequence.asc()), ce.c.form, ce.c.position))
    started = time.perf_counter()
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    out = io.StringIO()
    writer = csv.writer(out)
    for agency, entry_id, revision, state, common, own in rows:
        c = json.loads(common)
        writer.writerow([agency, f"{agency}:{entry_id}", revision, state, c.get("date"),
                         c.get("time"), ";".join(c.get("subjects", [])), c.get("event_type"),
                         c.get("description"), c.get("decision_or_action"), own])
    seconds = time.perf_counter() - started
    return {"rows": len(rows), "bytes": len(out.getvalue().encode()), "seconds": seconds,
            "hwm_before_kib": before, "hwm_after_kib": vm_hwm_kib()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=10)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--plain-select", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain_select:
        print(json.dumps(plain_select(args.plain_select)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        url = args.database_url or f"sqlite:///{data / 'scr-returns.sqlite3'}"
        started = time.perf_counter()
        build(url, args.entries, args.agencies)
        print(f"built {args.entries:,} entries from {args.agencies} agencies "
              f"in {time.perf_counter() - started:.1f}s ({url.split(':')[0]})")
        token = panel_token(url)
        env = {"SCR_RETURNS_DATABASE_URL": url} if args.database_url else None
        server = serve(data, env, workers=1)
        served = next(server)
        try:
            port = int(served.url.rsplit(":", 1)[1])
            streamed = stream(served.url, port, token)
        finally:
            server.close()
        done = subprocess.run([sys.executable, __file__, "--plain-select", url],
                              capture_output=True, text=True, check=True)
        plain = json.loads(done.stdout)
    for name, result in (("served CSV stream (scr-returns serve, 1 worker)", streamed),
                         ("plain SELECT + csv.writer (fresh process)", plain)):
        growth = (result["hwm_after_kib"] - result["hwm_before_kib"]) / 1024
        print(f"{name}:\n  {result['rows']:,} rows, {result['bytes'] / 2**20:.1f} MiB in "
              f"{result['seconds']:.2f}s = {result['rows'] / result['seconds']:,.0f} rows/s; "
              f"peak RSS {result['hwm_after_kib'] / 1024:.1f} MiB "
              f"(+{growth:.1f} MiB over {result['hwm_before_kib'] / 1024:.1f} MiB before)")
        if "first_byte_s" in result:
            print(f"  first byte after {result['first_byte_s']:.3f}s")


if __name__ == "__main__":
    main()
