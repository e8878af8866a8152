"""Strict JSON: what the API and the command line refuse, and how values are written."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from scr_returns.core import jsonio
from scr_returns.core.errors import BadRequestError


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(("text", "why"), [
    ('{"a": NaN}', "NaN"),
    ('{"a": Infinity}', "Infinity"),
    ('{"a": -Infinity}', "-Infinity"),
    ('{"a": 1, "a": 2}', "'a'"),
    ('[{"x": {"b": 1, "b": 1}}]', "'b'"),
    ("1" * 31, "30 digits"),
    ("-" + "9" * 40, "30 digits"),
    ("1e400", "too large"),
    ("-1e400", "too large"),
    ('{"a": ', "not valid JSON"),
    ("", "not valid JSON"),
    ("[1,]", "not valid JSON"),
    ("'single'", "not valid JSON"),
])
def test_refused(text: str, why: str) -> None:
    with pytest.raises(BadRequestError) as caught:
        jsonio.loads(text.encode())
    assert why in caught.value.detail
    assert caught.value.status == 400


def test_accepted_edges() -> None:
    assert jsonio.loads("9" * 30) == int("9" * 30)
    assert jsonio.loads("-" + "9" * 30) == -int("9" * 30)
    assert jsonio.loads("1e308") == 1e308
    assert jsonio.loads('{"a": {"a": 1}}') == {"a": {"a": 1}}  # same key, different objects
    assert jsonio.loads(b'"\xc3\xa9"') == "é"


@pytest.mark.parametrize("text", ['"\\u0000"', '{"a\\u0000": 1}', '[["x\\u0000y"]]'])
def test_nul_is_refused_anywhere(text: str) -> None:
    # No database stores U+0000 in text (PostgreSQL refuses it outright).
    with pytest.raises(BadRequestError, match="NUL"):
        jsonio.loads(text)


@pytest.mark.parametrize("text", ['"\\ud800"', '"a\\udfffb"', '{"k\\uDBFF": 1}',
                                  '[["\\ud83d"]]', '"\\ude00\\ud83d"'])
def test_a_lone_surrogate_is_refused_anywhere(text: str) -> None:
    # Parsed, it is a str that no UTF-8 encoder (database, answer, log) accepts.
    with pytest.raises(BadRequestError, match="surrogate"):
        jsonio.loads(text.encode())


def test_a_surrogate_pair_and_a_look_alike_are_accepted() -> None:
    assert jsonio.loads(b'"\\ud83d\\ude00"') == "\U0001f600"
    assert jsonio.loads(b'"\\\\ud800"') == "\\ud800"  # an escaped backslash, then text
    assert jsonio.loads('"\U0001f600"'.encode()) == "\U0001f600"


def test_invalid_utf8_is_refused() -> None:
    with pytest.raises(BadRequestError, match="UTF-8"):
        jsonio.loads(b'{"a": "\xff"}')
    with pytest.raises(BadRequestError, match="UTF-8"):
        jsonio.loads(b'"\xed\xa0\x80"')  # a surrogate encoded in UTF-8


@pytest.mark.parametrize("limit", [1, 2, 10, 64])
def test_depth_limit_is_exact(limit: int) -> None:
    assert jsonio.loads(nested(limit), max_depth=limit) is not None
    with pytest.raises(BadRequestError, match=f"more than {limit} levels"):
        jsonio.loads(nested(limit + 1), max_depth=limit)
    deep_object = '{"a":' * (limit + 1) + "1" + "}" * (limit + 1)
    with pytest.raises(BadRequestError, match="levels"):
        jsonio.loads(deep_object, max_depth=limit)


def test_scalars_are_not_nesting() -> None:
    assert jsonio.loads("[1, [2], {}]", max_depth=2) == [1, [2], {}]


@pytest.mark.parametrize("text", ["[" * 100_000, nested(100_000), '{"a":' * 100_000])
def test_very_deep_input_is_a_bad_request_not_a_crash(text: str) -> None:
    with pytest.raises(BadRequestError):
        jsonio.loads(text)


def test_dumps_writes_dates_and_refuses_nan() -> None:
    value = {"d": date(2026, 11, 26), "t": datetime(2026, 11, 26, 10, 0, tzinfo=UTC),
             "s": "é"}
    assert jsonio.dumps(value) == \
        '{"d":"2026-11-26","t":"2026-11-26T10:00:00+00:00","s":"é"}'
    with pytest.raises(ValueError):
        jsonio.dumps({"x": float("nan")})
    with pytest.raises(TypeError):
        jsonio.dumps({"x": {1, 2}})


def test_document_text_keeps_key_order() -> None:
    assert jsonio.document_text({"b": 1, "a": [1, {"d": 2, "c": 3}]}) == \
        '{"b":1,"a":[1,{"d":2,"c":3}]}'


def test_document_sha256_ignores_key_order_only() -> None:
    a = jsonio.document_sha256({"b": 1, "a": {"y": 2, "x": 3}})
    assert a == jsonio.document_sha256({"a": {"x": 3, "y": 2}, "b": 1})
    assert a != jsonio.document_sha256({"b": 1, "a": {"y": 2, "x": 4}})
    assert a != jsonio.document_sha256([{"b": 1, "a": {"y": 2, "x": 3}}])
    assert len(a) == 64


@pytest.mark.parametrize("meta", [{}, {"revision": 2, "state": "submitted"}])
def test_with_raw_embeds_text_unchanged(meta: dict[str, object]) -> None:
    raw = '{"z":1,"a":[2.50,"x"]}'
    out = jsonio.with_raw(meta, "document", raw)
    assert json.loads(out) == {**meta, "document": {"z": 1, "a": [2.5, "x"]}}
    assert out.endswith('"document":' + raw + "}")  # not re-encoded: 2.50 stays 2.50
