"""Prometheus metrics: requests, latency, validation time, returns, plugin state.

Metrics are created on first use, not at import: under ``scr-returns serve``
:func:`use_multiprocess` must first point prometheus-client at a directory
shared by the gunicorn workers (each writes its own memory-mapped files there)
so that one scrape of any worker reports the sum over all of them. Labels are
bounded: route templates (never paths), agency and form names of installed
plugins, status codes; nothing from a request body or a query string.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

from scr_returns.core.catalog import Catalog

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# generate_latest writes the classic format, which every Prometheus reads.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
# Finer than the defaults below 25 ms: the service's own goal is p99 under 10 ms.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                   2.5, 5.0, 10.0, 30.0)
VALIDATION_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                      0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
Outcome = Literal["accepted", "refused"]


@dataclass(frozen=True)
class _Metrics:
    requests: Counter
    latency: Histogram
    validation: Histogram
    returns: Counter


@cache
def _metrics() -> _Metrics:
    return _Metrics(
        requests=Counter("scr_returns_http_requests", "HTTP requests answered",
                         ["method", "route", "status"]),
        latency=Histogram("scr_returns_http_request_duration_seconds",
                          "Time from the request reaching the app to its answer",
                          ["method", "route"], buckets=LATENCY_BUCKETS),
        validation=Histogram("scr_returns_validation_duration_seconds",
                             "Whole validation of one document: schema and rules",
                             ["agency", "form"], buckets=VALIDATION_BUCKETS),
        returns=Counter("scr_returns_returns", "Submitted returns, accepted (stored) or "
                        "refused (422, invalid document)", ["agency", "form", "outcome"]),
    )


def use_multiprocess(parent: Path) -> Path:
    """Keep metric values in a fresh directory under ``parent``, shared by forked workers.

    Call before any metric is used (the serving master does, before forking).
    """
    if _metrics.cache_info().currsize:
        raise RuntimeError("metrics already exist in this process: too late for multiprocess")
    parent.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix="metrics-", dir=parent))
    os.environ[MULTIPROC_ENV] = str(directory)
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]  # read at import; re-read it now
    return directory


def remove_multiprocess(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


def mark_dead(pid: int) -> None:
    """A worker exited: drop its live-gauge files (gunicorn's ``child_exit`` hook)."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    m = _metrics()
    m.requests.labels(method, route, str(status)).inc()
    m.latency.labels(method, route).observe(seconds)


@contextmanager
def timed_validation(agency: str, form: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        _metrics().validation.labels(agency, form).observe(time.perf_counter() - started)


def count_return(agency: str, form: str, outcome: Outcome) -> None:
    _metrics().returns.labels(agency, form, outcome).inc()


class PluginState(Collector):
    """``scr_returns_plugin_enabled``: read from the catalog at scrape time, per plugin."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def collect(self) -> Iterable[Metric]:
        gauge = GaugeMetricFamily("scr_returns_plugin_enabled",
                                  "1 if the agency plugin is enabled now, else 0",
                                  labels=["plugin", "agency", "version"])
        for plugin, enabled in self.catalog.plugins():
            gauge.add_metric([plugin.name, plugin.agency.name, plugin.version],
                             1.0 if enabled else 0.0)
        yield gauge


def exposition(catalog: Catalog) -> bytes:
    """The text exposition: every worker's metrics (multiprocess) or this process's."""
    _metrics()  # so that an unused family still shows, at zero
    own = CollectorRegistry(auto_describe=True)
    own.register(PluginState(catalog))
    if os.environ.get(MULTIPROC_ENV):
        shared = CollectorRegistry()
        multiprocess.MultiProcessCollector(shared)  # type: ignore[no-untyped-call]
        return generate_latest(shared) + generate_latest(own)
    return generate_latest(REGISTRY) + generate_latest(own)
