"""gunicorn, through its own application class: each worker builds its own app."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from core.settings import Settings

# The access log omits query strings (%(U)s is the path alone): nothing a
# client puts in a URL, such as a misplaced token, reaches a log file.
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'


class Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, **options: Any) -> None:
        self.settings = settings
        self.options = {
            "worker_class": "sync",
            "timeout": 60,
            "graceful_timeout": 20,
            "limit_request_line": 8190,
            "limit_request_fields": 100,
            "limit_request_field_size": 8190,
            "accesslog": "-",
            "access_log_format": ACCESS_LOG_FORMAT,
            **options,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from core.http import create_app  # noqa: PLC0415 - built in each worker, after fork

        return create_app(self.settings)
