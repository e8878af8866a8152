"""Benchmark: the same submission with 5 and with 50 enabled agency plugins.

Run: .venv/bin/python bench/plugins.py [--seconds 10] [--runs 3] [--connections 8]

Two servers (gunicorn, 2 workers, SQLite each), identical but for 45
throw-away agencies added to the second (bench/plugin_server.py); the health
chronology PUT of bench/submissions.py is driven at each alternately, and the
medians compared. Goal: 50 plugins within 5% of 5 (accepted/s and p50).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scr-bench-") as tmp:
        servers, targets, counts = [], {}, {}
        for extra in (0, 45):
            data = Path(tmp) / f"extra-{extra}"
            data.mkdir()
            with harness.database(None, data) as url:
                env = harness.serve_env(data, url)
            port = harness.free_port()
            http = f"http://127.0.0.1:{port}"
            cm = harness.process([sys.executable, "bench/plugin_server.py", str(port),
                                  str(extra)], env, http + "/v1/health", data / "serve.log")
            cm.__enter__()
            servers.append(cm)
            counts[extra] = re.search(r"(\d+) enabled", (data / "serve.log").read_text()
                                      ).group(1)  # type: ignore[union-attr]
            targets[extra] = harness.service_target(http, env)
        try:
            for target in targets.values():
                harness.load(target, 2, args.connections)  # warm up
            runs: dict[int, list[harness.Result]] = {0: [], 45: []}
            for _ in range(args.runs):
                for extra, target in targets.items():
                    runs[extra].append(harness.load(target, args.seconds, args.connections))
                    print(f"  run: {harness.show(f'{counts[extra]} plugins', runs[extra][-1])}")
        finally:
            for cm in servers:
                cm.__exit__(None, None, None)
    few, many = harness.median(runs[0]), harness.median(runs[45])
    print(f"\n== {args.connections} connections, {args.runs} x {args.seconds}s, medians ==")
    print(harness.show(f"{counts[0]} enabled plugins", few))
    print(harness.show(f"{counts[45]} enabled plugins", many))
    ratio = many.rps / few.rps
    paired = statistics.median(m.rps / f.rps for m, f in zip(runs[45], runs[0], strict=True))
    print(f"paired runs, median of 50/5 accepted/s: {paired:.3f}x")
    print(f"accepted/s ratio 50/5: {ratio:.3f}x; p50 ratio: {many.p50_ms / few.p50_ms:.3f}x "
          f"(goal within 5%: {'met' if abs(1 - ratio) <= 0.05 else 'MISSED'})")


if __name__ == "__main__":
    main()
