"""gunicorn, through its own application class: each worker builds its own app.

:func:`defaults` are the limits and timeouts every ``scr-returns serve`` runs
with; ``deploy/gunicorn.conf.py`` starts from the same function, so a
production configuration file changes only what it names. Precedence: these
defaults, then the configuration file (``serve --config``), then the flags
given on the command line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gunicorn.app.base import Application

from scr_returns.core import metrics
from scr_returns.core.logs import logging_config
from scr_returns.core.settings import Settings

# Kept for anyone who turns the JSON logging off: %(U)s is the path alone, so
# no query string (a misplaced token, say) reaches a log file. The JSON access
# line is rebuilt from a few safe atoms by scr_returns.core.logs.JsonFormatter instead.
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn hook: a worker is gone; prometheus-client forgets its live values."""
    metrics.mark_dead(worker.pid)


def workers_for_cores(cores: int | None = None) -> int:
    """The usual 2 x cores + 1 workers, at most 16 (each holds database connections)."""
    return min(2 * (cores or os.cpu_count() or 1) + 1, 16)


def defaults() -> dict[str, Any]:
    return {
        # NOTE: gevent, not sync or gthread, by measurement (tests/faults/test_slow_clients.py,
        # docs/operations.md): a connection that sends nothing, or a body a byte at a
        # time, costs a greenlet, not the worker (sync) or a thread of a fixed pool
        # (gthread); a worker holds up to worker_connections of them, and the request
        # line and headers must arrive within keepalive seconds (gunicorn's async
        # workers time that read), bodies within the service's own limit (core/http/body.py).
        "worker_class": "scr_returns.core.cli.worker.GracefulWorker",
        "worker_connections": 1000,
        # A 32 MiB chronology validates in seconds; a minute is a stuck worker.
        "timeout": 60,
        "graceful_timeout": 20,
        "keepalive": 5,
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
        # Recycle workers now and then (a slow leak in a plugin stays small); the
        # jitter keeps them from all restarting at once.
        "max_requests": 10000,
        "max_requests_jitter": 1000,
        "accesslog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "logconfig_dict": logging_config(),
        "child_exit": child_exit,
        # gunicorn's control socket (one per user by default) would be shared by
        # every instance on a host, and it can change the worker count: off.
        "control_socket_disable": True,
    }


class Server(Application):  # type: ignore[misc]
    def __init__(self, settings: Settings, *, config: Path | None = None,
                 **options: Any) -> None:
        self.settings = settings
        self.config = config
        self.options = {key: value for key, value in options.items() if value is not None}
        super().__init__()

    def load_config(self) -> None:
        for key, value in defaults().items():
            self.cfg.set(key, value)
        if self.config is not None:
            self.load_config_from_file(str(self.config))
        for key, value in self.options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from scr_returns.core.http import create_app  # noqa: PLC0415 - built in each worker, after fork

        return create_app(self.settings)
