"""Benchmark: validating chronologies as the service does, against the two bare engines.

Run: .venv/bin/python bench/validation.py [--reps N] [--sizes 10,1000,10000] [--profile]

For chronologies of 10, 1,000 and 10,000 entries, valid and with 1-3 mutations in every
entry, times (median of several runs):
  (a) the service: validate_document with the compiled engine and the form's rules,
      every problem collected, cap 1000;
  (b) python-jsonschema, schema only, every error (list(iter_errors));
  (c) the bare jsonschema-rs validator, schema only, every error (list(iter_errors)).
Goals: (a) at least 50x faster than (b), within 2x of (c), per-entry cost flat.
Also printed: (s), the service's schema pass alone (RustEngine.problems: the compiled
validator plus turning its errors into problems), so (a) - (s) is the rules' share.

Uses the health chronology when plugins/health provides one, otherwise a bench schema
built on the common chronology entry (schemas/common/chronology-entry.v1.json).
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scr_returns import RuleContext
from scr_returns.core.errors import PluginLoadError
from scr_returns.core.plugins import PluginHost
from scr_returns.core.schemas import SchemaLibrary
from scr_returns.core.validation import (
    RustEngine,
    SchemaEngine,
    validate_document,
    with_chronology,
)

CAP = 1000
COMMON = "https://scr-returns.invalid/schemas/common/"
BENCH_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://scr-returns.invalid/schemas/bench/chronology.v1.json",
    "title": "Bench chronology",
    "type": "object",
    "required": ["entries"],
    "properties": {"entries": {"type": "array", "items": {
        "allOf": [{"$ref": COMMON + "chronology-entry.v1.json"},
                  {"properties": {"event_type": {"enum": ["appointment", "referral",
                                                          "home-visit"]}}}],
        "unevaluatedProperties": False,
    }}},
    "additionalProperties": False,
}
BENCH_ENTRY: dict[str, Any] = {
    "id": "e-0001", "date": "2024-01-01", "source": {"service": "Health visiting",
                                                     "role": "Health visitor"},
    "subjects": ["child-a"], "event_type": "home-visit",
    "description": "Home visit; child seen.", "decision_or_action": "Next visit booked.",
}


class Target:
    """What is benchmarked: a schema, its engines, the form's rules and context."""

    def __init__(self) -> None:
        host = _host()
        lf = host.form("health", "chronology") if host else None
        if host is not None and lf is not None and lf.spec.example:
            version = lf.spec.newest or lf.spec.versions[-1]
            self.name = f"health/chronology v{version.version} ({len(lf.spec.rules)} rules)"
            self.schema: dict[str, Any] = dict(version.schema)
            self.library = host.library
            self.engine: SchemaEngine = lf.engines[version.version]
            self.rules: Sequence[Any] = lf.spec.rules
            self.plugin = lf.plugin
            self.example = dict(lf.spec.example)
            entries = (lf.spec.chronology.entries if lf.spec.chronology else "/entries")
            self.entries_key = entries.strip("/")
            self.context = _context("health", "chronology", version.version)
            self.mapping = lf.spec.chronology
        else:
            self.mapping = None
            self.name = "bench schema on the common chronology entry (no rules)"
            self.schema = BENCH_SCHEMA
            self.library = SchemaLibrary.with_shared()
            self.library.add(BENCH_SCHEMA, where="bench")
            self.engine = RustEngine(BENCH_SCHEMA, self.library)
            self.rules = ()
            self.plugin = "bench"
            self.example = {"entries": [BENCH_ENTRY]}
            self.entries_key = "entries"
            self.context = _context("bench", "chronology", 1)
        self.python = jsonschema.Draft202012Validator(
            self.schema, registry=self.library.python_registry,
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        self.bare = jsonschema_rs.validator_for(self.schema, registry=self.library.rust_registry,
                                                validate_formats=True)


def _host() -> PluginHost | None:
    try:
        return PluginHost()
    except PluginLoadError as exc:
        print(f"note: plugins did not load ({exc}); using the bench schema", file=sys.stderr)
        return None


def _context(agency: str, form: str, version: int) -> RuleContext:
    try:  # the example review context, when tests/support provides it
        from tests.support.example_review import context  # noqa: PLC0415
        return context(agency, form, version)  # type: ignore[no-any-return]
    except ImportError:
        return RuleContext(agency=agency, form=form, schema_version=version,
                           today=date(2026, 11, 26),
                           submitted_at=datetime(2026, 11, 26, 10, tzinfo=UTC))


def build(target: Target, size: int, *, invalid: bool, seed: int = 7) -> dict[str, Any]:
    """A chronology of ``size`` entries copied from the example, dated across 2024-2025."""
    template = target.example[target.entries_key]
    doc = copy.deepcopy(target.example)
    start, days = date(2024, 1, 1), 730
    entries = []
    per_day: dict[str, int] = {}
    for i in range(size):
        entry = copy.deepcopy(template[i % len(template)])
        for key in ("time", "background", "background_reason"):
            entry.pop(key, None)
        day = (start + timedelta(days=i * days // max(size, 1))).isoformat()
        per_day[day] = per_day.get(day, 0) + 1
        # Several entries a day at 10,000: each needs a sequence to be in order.
        entry.update(id=f"e-{i:05d}", date=day, date_precision="exact", sequence=per_day[day])
        entries.append(entry)
    doc[target.entries_key] = entries
    if invalid:
        rng = random.Random(seed)
        for entry in entries:
            for mutate in rng.sample(MUTATIONS, rng.randint(1, 3)):
                mutate(entry)
    return doc


def _bad_date(e: dict[str, Any]) -> None:
    e["date"] = "2023-02-30"


def _blank_description(e: dict[str, Any]) -> None:
    e["description"] = ""


def _unknown_field(e: dict[str, Any]) -> None:
    e["notes"] = "typed into the wrong column"


def _no_source(e: dict[str, Any]) -> None:
    e.pop("source", None)


def _subjects_text(e: dict[str, Any]) -> None:
    e["subjects"] = "child-a"


def _bad_event_type(e: dict[str, Any]) -> None:
    e["event_type"] = "Phone call"


def _bad_id(e: dict[str, Any]) -> None:
    e["id"] = "#" + str(e.get("id"))


MUTATIONS: list[Callable[[dict[str, Any]], None]] = [
    _bad_date, _blank_description, _unknown_field, _no_source, _subjects_text,
    _bad_event_type, _bad_id]


def median_ms(fn: Callable[[], object], reps: int) -> float:
    fn()  # warm up (caches, first-call costs)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--sizes", default="10,1000,10000")
    parser.add_argument("--profile", action="store_true",
                        help="profile (a) on the largest invalid chronology")
    args = parser.parse_args(argv)
    target = Target()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"target: {target.name}; cap {CAP}; median of {args.reps} runs "
          f"(python-jsonschema: fewer at 10,000 entries)\n")
    head = (f"{'entries':>8} {'doc':>7} {'errors':>7} {'(a) ms':>9} {'(b) ms':>10} "
            f"{'(c) ms':>9} {'b/a':>7} {'a/c':>6} {'a us/entry':>11} {'c us/entry':>11} "
            f"{'(s) ms':>8} {'s/c':>6}")
    print(head)
    print("-" * len(head))
    for size in sizes:
        for invalid in (False, True):
            doc = build(target, size, invalid=invalid)

            def service(doc: dict[str, Any] = doc) -> Any:
                # As the service does: the entries parsed once, for every rule.
                context = with_chronology(target.context, doc, target.mapping)
                return validate_document(target.engine, target.rules, doc, context,
                                         plugin=target.plugin, cap=CAP)

            report = service()
            a = median_ms(service, args.reps)
            b = median_ms(lambda doc=doc: list(target.python.iter_errors(doc)),
                          max(1, args.reps // 3) if size >= 10000 else args.reps)
            c = median_ms(lambda doc=doc: list(target.bare.iter_errors(doc)), args.reps)
            s = median_ms(lambda doc=doc: list(target.engine.problems(doc)), args.reps)
            print(f"{size:>8} {'invalid' if invalid else 'valid':>7} {report.error_count:>7} "
                  f"{a:>9.2f} {b:>10.1f} {c:>9.2f} {b / a:>6.0f}x {a / c:>5.2f}x "
                  f"{a * 1000 / size:>11.1f} {c * 1000 / size:>11.1f} "
                  f"{s:>8.2f} {s / c:>5.2f}x")
    if args.profile:
        doc = build(target, sizes[-1], invalid=True)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(3):
            validate_document(target.engine, target.rules, doc,
                              with_chronology(target.context, doc, target.mapping),
                              plugin=target.plugin, cap=CAP)
        profiler.disable()
        print()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(18)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
