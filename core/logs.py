"""JSON logs, one object per line, carrying the request id and nothing a client sent.

What may reach a log is chosen here, not trusted to every call site: the
gunicorn access line is rebuilt from a short list of safe atoms (method, path
without its query string, status, sizes, time, request id; never the request
line, the query, a header or the user agent), query strings are cut from
gunicorn's own messages, and an exception is logged as its type and stack
frames without its message, which may quote a document's values.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import traceback
from collections.abc import Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "scr_returns_request_id", default=None)
QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")
# gunicorn access-log atoms that cannot carry a client's secret or data.
ACCESS_ATOMS = {"m": "method", "U": "path", "s": "status", "B": "bytes", "M": "duration_ms",
                "h": "remote"}


def _frames(tb: TracebackType | None) -> list[str]:
    return [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)]


def _exception(info: tuple[type[BaseException], BaseException, TracebackType | None]
               ) -> dict[str, Any]:
    kind, exc, tb = info
    out: dict[str, Any] = {"type": f"{kind.__module__}.{kind.__qualname__}",
                           "frames": _frames(tb)}
    cause = exc.__cause__ or exc.__context__
    if cause is not None:
        out["cause"] = _exception((type(cause), cause, cause.__traceback__))
    return out


def _number(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request_id, pid."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "pid": record.process}
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            out.update(self._access(record.args))
        else:
            message = record.getMessage()
            if record.name.startswith("gunicorn"):
                message = QUERY.sub(r"\1?[query removed]", message)
            out["message"] = message
            rid = REQUEST_ID.get()
            if rid is not None:
                out["request_id"] = rid
        if record.exc_info and record.exc_info[0] is not None:
            out["exception"] = _exception(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)

    @staticmethod
    def _access(atoms: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"message": "request"}
        for atom, key in ACCESS_ATOMS.items():
            out[key] = atoms.get(atom)
        out["status"] = _number(out["status"])
        out["bytes"] = _number(out["bytes"]) or 0
        out["duration_ms"] = _number(out["duration_ms"])
        rid = atoms.get("{x-request-id}o")
        out["request_id"] = rid if rid and rid != "-" else None
        return out


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the service and gunicorn, JSON on stderr."""
    handler = {"class": "logging.StreamHandler", "formatter": "json",
               "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "scr_returns.core.logs.JsonFormatter"}},
        "handlers": {"json": handler},
        "root": {"level": level, "handlers": ["json"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["json"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["json"], "propagate": False},
        },
    }
