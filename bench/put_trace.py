"""What one PUT runs: every function of the project it calls, in order, and its transactions.

Run: .venv/bin/python bench/put_trace.py [--amend] [--postgres URL] [--tree]

The real app (every middleware, the audit, SQLite or the PostgreSQL named) is
driven by falcon's test client. A warm-up PUT goes first, so that what is built
once per process (compiled statements, encoders) is not counted; then one PUT of
the health chronology is traced with ``sys.setprofile``. Printed: the project's
functions in the order first called (with ``--tree``, every call, indented by
depth), the number of distinct functions and files, and each transaction opened
(BEGIN, read or write) with the statements run in it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from types import FrameType
from typing import Any

import sqlalchemy as sa
from falcon import testing

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scr_returns.core.bootstrap import build_services  # noqa: E402
from scr_returns.core.http import create_app  # noqa: E402
from scr_returns.core.settings import Settings  # noqa: E402
from scr_returns.core.storage import make_engine, upgrade  # noqa: E402

OWN = (str(ROOT / "scr_returns"),)  # core/, plugins/, schemas/ as imported: scr_returns.*


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL (a throw-away schema is used)")
    parser.add_argument("--amend", action="store_true",
                        help="trace an amendment (If-Match) instead of a first submission")
    parser.add_argument("--tree", action="store_true", help="every call, indented by depth")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.postgres or f"sqlite:///{tmp}/trace.sqlite3"
        if args.postgres:
            url = _pg_schema(args.postgres)
        engine = make_engine(url)
        upgrade(engine)
        services = build_services(Settings(data_dir=Path(tmp), database_url=url))
        client = testing.TestClient(create_app(services=services))
        admin, _ = services.tokens.create(name="trace", role="admin")
        review = json.loads((ROOT / "docs/tour/review.json").read_text())
        review2 = {**review, "ref": "IOW-2026-09"}
        for r in (review, review2):
            client.simulate_post("/v1/reviews", json=r,
                                 headers={"Authorization": f"Bearer {admin}"})
        made = client.simulate_post("/v1/admin/tokens", headers={
            "Authorization": f"Bearer {admin}"}, json={
            "name": "trace", "role": "agency", "agency": "health",
            "reviews": [review["ref"], review2["ref"]]})
        headers = {"Authorization": f"Bearer {made.json['token']}"}
        document = json.loads((ROOT / "plugins/health/examples/valid/chronology.v1.json")
                              .read_text())
        warm = client.simulate_put(f"/v1/reviews/{review2['ref']}/returns/health/chronology",
                                   json={"document": document}, headers=headers)
        assert warm.status_code == 201, warm.text
        path = f"/v1/reviews/{review['ref']}/returns/health/chronology"
        if args.amend:
            first = client.simulate_put(path, json={"document": document}, headers=headers)
            headers = {**headers, "If-Match": first.headers["etag"]}
            document = {**document, "entries": document["entries"][:-1]}
        transactions = _watch(services.store.engine)
        calls: list[tuple[int, str, str]] = []
        depth = 0

        def profile(frame: FrameType, event: str, arg: Any) -> None:
            nonlocal depth
            if event == "call":
                depth += 1
                filename = frame.f_code.co_filename
                if filename.startswith(OWN):
                    calls.append((depth, frame.f_code.co_qualname,
                                  str(Path(filename).relative_to(ROOT))))
            elif event == "return":
                depth -= 1

        sys.setprofile(profile)
        try:
            answer = client.simulate_put(path, json={"document": document},
                                         headers={**headers, "Idempotency-Key": "trace-1"})
        finally:
            sys.setprofile(None)
        assert answer.status_code in (200, 201), answer.text
        _report(calls, transactions, tree=args.tree)
        services.store.engine.dispose()
        engine.dispose()


def _pg_schema(url: str) -> str:
    import uuid  # noqa: PLC0415

    schema = "trace_" + uuid.uuid4().hex[:8]
    with sa.create_engine(url).begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def _watch(engine: sa.Engine) -> list[list[str]]:
    """Each transaction begun on ``engine`` from now on, with the statements run in it."""
    transactions: list[list[str]] = []

    @sa.event.listens_for(engine, "begin")
    def begin(conn: sa.Connection) -> None:
        transactions.append([])

    @sa.event.listens_for(engine, "before_cursor_execute")
    def statement(conn: Any, cursor: Any, text: str, *rest: Any) -> None:
        # SQLite's BEGIN is our own statement, sent from another "begin" listener.
        if transactions and not text.startswith("BEGIN"):
            transactions[-1].append(" ".join(text.split())[:90])

    return transactions


def _report(calls: list[tuple[int, str, str]], transactions: list[list[str]], *,
            tree: bool) -> None:
    base = min((d for d, _, _ in calls), default=0)
    if tree:
        for depth, name, file in calls:
            print(f"{'  ' * (depth - base)}{name}  ({file})")
    else:
        seen: set[tuple[str, str]] = set()
        for _, name, file in calls:
            if (name, file) not in seen:
                seen.add((name, file))
                print(f"{len(seen):4d}  {name}  ({file})")
    functions = {(n, f) for _, n, f in calls}
    files = {f for _, _, f in calls}
    print(f"\n{len(calls)} calls of {len(functions)} functions in {len(files)} files")
    print(f"{len(transactions)} transactions:")
    for number, statements in enumerate(transactions, start=1):
        kind = "write" if any(s.split()[0] in ("INSERT", "UPDATE", "DELETE")
                              for s in statements) else "read"
        print(f"  {number}. {kind}, {len(statements)} statements")
        for s in statements:
            print(f"       {s}")


if __name__ == "__main__":
    main()
