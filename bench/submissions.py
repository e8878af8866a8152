"""Benchmark: accepted returns per second over HTTP, the full service against a bare endpoint.

Run: .venv/bin/python bench/submissions.py [--seconds 10] [--runs 3] [--connections 8]
                                            [--returns 1]
     SCR_RETURNS_BENCH_POSTGRES=postgresql+psycopg://postgres@127.0.0.1:5432/test  (also PG)

Both sides run under gunicorn with 2 sync workers on loopback, on a fresh
database of the same kind, and take the same body (the health chronology
example, 30-odd entries, with a per-request marker so every PUT stores):
  (a) the service, ``scr-returns serve``: token auth, envelope, schema and
      rules, the revision with its event and chronology rows, idempotency,
      the audit record, metrics and logs;
  (b) bench/bare_app.py: falcon parses the body and inserts it in one write.
Load: wrk, 8 connections, a fresh Idempotency-Key per request, for a bounded
time; the two are measured alternately, and each figure is the median over
the runs. Goals: (a) at least 0.8x the accepted/s of (b); p99 of (a) under 10 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness


def bench(label: str, postgres: str | None, args: argparse.Namespace) -> None:
    import sqlalchemy as sa  # noqa: PLC0415

    from bench.bare_app import META  # noqa: PLC0415
    from scr_returns.core.storage import make_engine  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="scr-bench-") as tmp:
        data = Path(tmp)
        (data / "bare").mkdir()
        with harness.database(postgres, data / "svc") as svc_url, \
                harness.database(postgres, data / "bare") as bare_url:
            engine = make_engine(bare_url)
            META.create_all(engine)
            engine.dispose()
            env = harness.serve_env(data / "svc", svc_url)
            svc_port, bare_port = harness.free_port(), harness.free_port()
            svc_url_http = f"http://127.0.0.1:{svc_port}"
            bare_http = f"http://127.0.0.1:{bare_port}"
            serve = [str(harness.BIN / "scr-returns"), "serve", "--port", str(svc_port),
                     "--workers", "2"]
            bare = [str(harness.BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{bare_port}",
                    "--access-logfile", "-", "bench.bare_app:create()"]
            bare_env = {**os.environ, "BARE_DATABASE_URL": bare_url}
            with harness.process(serve, env, svc_url_http + "/v1/health",
                                 data / "serve.log"), \
                    harness.process(bare, bare_env, bare_http + "/nothing",
                                    data / "bare.log"):
                service = harness.service_target(svc_url_http, env, args.returns)
                baseline = harness.bare_target(bare_http)
                # Warm both (imports, schema caches, connection pools).
                harness.load(service, 2, args.connections)
                harness.load(baseline, 2, args.connections)
                svc_runs, bare_runs = [], []
                for _ in range(args.runs):
                    bare_runs.append(harness.load(baseline, args.seconds, args.connections))
                    svc_runs.append(harness.load(service, args.seconds, args.connections))
                    print(f"  run: {harness.show('service', svc_runs[-1])}")
                    print(f"  run: {harness.show('bare', bare_runs[-1])}")
                with sa.create_engine(svc_url).connect() as conn:
                    stored = conn.execute(sa.text("SELECT count(*) FROM revisions")).scalar()
    svc, base = harness.median(svc_runs), harness.median(bare_runs)
    print(f"\n== {label}: {args.connections} connections, {args.returns} return(s) amended, "
          f"{args.runs} x {args.seconds}s, medians ==")
    print(harness.show("(a) service, full path", svc))
    print(harness.show("(b) bare falcon + insert", base))
    ratio = svc.rps / base.rps
    paired = statistics.median(s.rps / b.rps for s, b in zip(svc_runs, bare_runs, strict=True))
    print(f"ratio (a)/(b) accepted/s: {ratio:.2f}x of the medians, {paired:.2f}x median of the "
          f"paired runs (goal >= 0.80x: {'met' if ratio >= 0.8 else 'MISSED'})")
    print(f"p99 (a): {svc.p99_ms:.2f} ms (goal < 10 ms: "
          f"{'met' if svc.p99_ms < 10 else 'MISSED'}); p99 ratio (a)/(b): "
          f"{svc.p99_ms / base.p99_ms:.2f}x")
    print(f"revisions stored by the service: {stored}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--returns", type=int, default=1,
                        help="amend this many returns (of as many reviews) in turn; 1, the "
                             "default, is the worst case: every write waits for the last")
    args = parser.parse_args()
    print(f"load generator: {'wrk' if harness.shutil.which('wrk') else 'python clients'}; "
          f"cores: {os.cpu_count()}")
    bench("SQLite", None, args)
    postgres = os.environ.get("SCR_RETURNS_BENCH_POSTGRES")
    if postgres:
        bench("PostgreSQL", postgres, args)


if __name__ == "__main__":
    main()
