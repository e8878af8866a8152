"""JSON in and out, strictly: the same parser serves the API and the command line.

Refused, with a :class:`~scr_returns.core.errors.BadRequestError` that says why: invalid
UTF-8 or JSON, duplicate keys, ``NaN``/``Infinity``, integers of more than 30
digits, floats that overflow, nesting deeper than the limit, and strings (values
or keys) holding NUL or an unpaired surrogate escape (``"\\ud800"``: JSON syntax
allows it, but it is no Unicode character, so no database or UTF-8 answer can hold it).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from scr_returns.core.errors import BadRequestError

MAX_INT_DIGITS = 30
NUL_REFUSED = "The JSON contains a NUL character (\\u0000), which is not accepted."
SURROGATE_REFUSED = ("The JSON contains an unpaired surrogate escape (\\ud800-\\udfff), which "
                     "is not a Unicode character and is not accepted.")
SURROGATE = re.compile("[\ud800-\udfff]")
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""Where a surrogate can come from: UTF-8 input cannot encode one, only a ``\\u`` escape can
(a valid pair becomes one character when parsed; only a lone half survives)."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise BadRequestError(f"The JSON object has the key {dup!r} more than once.")
    return obj


def _constant(name: str) -> Any:
    raise BadRequestError(f"{name} is not a number JSON allows.")


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise BadRequestError(f"An integer of more than {MAX_INT_DIGITS} digits is refused.")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise BadRequestError("A number too large to represent is refused.")
    return value


def _check_text(text: str, surrogates: bool) -> None:
    if "\x00" in text:
        raise BadRequestError(NUL_REFUSED)
    if surrogates and SURROGATE.search(text):
        raise BadRequestError(SURROGATE_REFUSED)


def _walk(value: Any, limit: int, surrogates: bool) -> None:
    """Refuse nesting past ``limit``, NUL characters (no database stores them in text) and,
    if the text escaped any (``surrogates``), unpaired surrogates."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item, surrogates)
            continue
        if isinstance(item, dict):
            for key in item:
                _check_text(key, surrogates)
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            raise BadRequestError(f"The JSON is nested more than {limit} levels deep.")
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list | str))


def loads(data: bytes | str, *, max_depth: int = 64) -> Any:
    """Parse ``data`` strictly (see the module docstring)."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequestError("The body is not valid UTF-8.") from None
    else:
        text = data
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant,
                           parse_int=_int, parse_float=_float)
    except RecursionError:
        raise BadRequestError(f"The JSON is nested more than {max_depth} levels deep.") from None
    except json.JSONDecodeError as exc:
        raise BadRequestError(f"The body is not valid JSON: {exc.msg} at line {exc.lineno}, "
                              f"column {exc.colno}.") from None
    _walk(value, max_depth, SURROGATE_ESCAPE.search(text) is not None)
    return value


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


# Encoders built once: json.dumps with any option builds a new encoder per call.
_API = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_default,
                        allow_nan=False)
_DOCUMENT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              allow_nan=False)


def dumps(value: Any) -> str:
    """Compact JSON of API values (dates and datetimes as ISO 8601)."""
    return _API.encode(value)


def document_text(document: Mapping[str, Any]) -> str:
    """The stored text of a document: compact, keys in the order they were sent."""
    return _DOCUMENT.encode(document)


def document_sha256(document: Any) -> str:
    """A hash that is equal for equal documents, whatever their key order."""
    return hashlib.sha256(_CANONICAL.encode(document).encode("utf-8")).hexdigest()


def with_raw(meta: Mapping[str, Any], key: str, raw: str) -> str:
    """``meta`` as JSON with ``key`` set to already-encoded JSON text (not re-parsed)."""
    head = dumps(meta)
    return head[:-1] + ("," if len(head) > 2 else "") + dumps(key) + ":" + raw + "}"
