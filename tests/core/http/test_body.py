"""Request bodies: received after authentication, counted as they come, spooled, timed."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import falcon.testing
import pytest
import sqlalchemy as sa

from scr_returns.core.http import body as body_module
from scr_returns.core.settings import Settings
from tests.support.http_world import World, auth
from tests.support.problems import assert_problem

VALIDATE = "/v1/agencies/testing/forms/report/validate"
LIMIT = 256 * 1024


class CountingStream(io.RawIOBase):
    """A request body that counts what is read of it and can come slowly."""

    def __init__(self, data: bytes, pause: float = 0.0, piece: int = 0) -> None:
        self.data, self.pos, self.pause, self.piece = data, 0, pause, piece
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        if self.pause:
            time.sleep(self.pause)
        end = len(self.data) if size < 0 else self.pos + size
        if self.piece:
            end = min(end, self.pos + self.piece)
        out = self.data[self.pos:end]
        self.pos += len(out)
        self.read_bytes += len(out)
        return out


def post(world: World, stream: CountingStream, *, token: str | None, chunked: bool = True,
         length: int | None = None) -> tuple[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers.update(auth(token))
    if chunked:
        headers["Transfer-Encoding"] = "chunked"
    env = falcon.testing.create_environ(VALIDATE, method="POST", headers=headers)
    env.pop("CONTENT_LENGTH", None)
    if length is not None:
        env["CONTENT_LENGTH"] = str(length)
    env["wsgi.input"] = stream
    env["wsgi.input_terminated"] = True  # as gunicorn marks a chunked body
    start = falcon.testing.StartResponseMock()
    out = b"".join(world.client.app(env, start))
    return start.status, json.loads(out)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url, production=True,
                    plugin_refresh_seconds=0.0, max_body_bytes=LIMIT, body_timeout=0.5,
                    body_min_rate=1024 * 1024)


def test_a_chunked_body_over_the_limit_is_refused_once_the_limit_is_passed(
        world: World) -> None:
    stream = CountingStream(b"x" * (20 * LIMIT))
    status, problem = post(world, stream, token=world.agency)
    assert status.startswith("413"), problem
    assert problem["status"] == 413
    assert stream.read_bytes <= LIMIT + body_module.PIECE  # not the rest of the upload


def test_nothing_of_a_body_is_read_for_a_caller_without_a_valid_token(world: World) -> None:
    for token in (None, "scr_not-a-token"):
        stream = CountingStream(b"x" * (20 * LIMIT))
        status, problem = post(world, stream, token=token)
        assert status.startswith("401"), problem
        assert stream.read_bytes == 0


def test_a_body_that_comes_too_slowly_is_a_408(world: World) -> None:
    raw = json.dumps({"document": {"summary": "x" * 200}}).encode()
    stream = CountingStream(raw, pause=0.1, piece=1)  # a byte every 100 ms
    started = time.monotonic()
    status, problem = post(world, stream, token=world.agency)
    assert status.startswith("408"), problem
    assert problem["type"].endswith("request-timeout")
    assert time.monotonic() - started < 2.0  # the grace is 0.5 s


def test_a_body_shorter_than_its_content_length_is_a_400(world: World) -> None:
    stream = CountingStream(b'{"document": {}}')
    status, problem = post(world, stream, token=world.agency, chunked=False, length=100)
    assert status.startswith("400"), problem
    assert "Content-Length" in problem["detail"]


def test_a_body_larger_than_the_memory_spool_is_parsed_from_its_file(
        world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(body_module, "SPOOL_MEMORY", 1024)
    raw = json.dumps({"document": {"summary": "y" * (64 * 1024)}}).encode()
    status, report = post(world, CountingStream(raw), token=world.agency)
    assert status.startswith("200"), report
    assert "valid" in report
    assert list((tmp_path / "spool").iterdir()) == []  # unnamed, gone with the request


def test_a_refused_body_answers_in_the_one_error_shape(world: World) -> None:
    response = world.client.simulate_post(VALIDATE, body=b"x" * (LIMIT + 1), headers=auth(
        world.agency, **{"Content-Type": "application/json"}))
    assert_problem(response, 413)


@pytest.mark.parametrize(("entries", "shared"), [(1, True), (12, False)])
def test_a_put_keeps_its_read_transaction_only_over_a_small_body(
        world: World, monkeypatch: pytest.MonkeyPatch, entries: int, shared: bool) -> None:
    """A small body arrives with its headers: the token and the submission's reads stay one
    transaction; before a large one that transaction ends, so an upload holds no connection."""
    from tests.support.http_world import RETURN, document

    world.services.catalog.refresh = 3600.0
    world.put(document())  # the token's first use and the plugin set are read once
    seen: list[bool] = []
    real = body_module.ReceiveBody._receive

    def receive(self: Any, req: Any, spool: Any, length: int | None) -> int:
        seen.append(req.context.reads.is_open)
        return int(real(self, req, spool, length))

    monkeypatch.setattr(body_module.ReceiveBody, "_receive", receive)
    begun: list[object] = []
    sa.event.listen(world.services.store.engine, "begin", begun.append)
    doc = document(description="Seen again." + " x" * (7000 if entries > 1 else 0))
    doc["entries"] = [{**doc["entries"][0], "id": f"e{n}"} for n in range(1, entries + 1)]
    answer = world.client.simulate_put(RETURN, json={"document": doc, "reason": "padded"},
                                       headers=auth(world.agency, **{"If-Match": "*"}))
    assert answer.status_code == 200, answer.text
    assert seen == [shared]
    assert len(begun) == (2 if shared else 3)  # one read or two, then the write
