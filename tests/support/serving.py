"""``serve``: a real ``scr-returns serve`` (gunicorn) on a free port, as a ``Served``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent / "scr-returns"


def answered_by(log: Path, request_id: str, timeout: float = 10.0) -> int:
    """The pid of the worker that answered ``request_id``, read from its JSON access line
    (``/v1/health`` names no process: it is public)."""
    deadline = time.monotonic() + timeout
    while True:
        for line in log.read_text(errors="replace").splitlines():
            if request_id not in line:
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("request_id") == request_id and record.get("message") == "request":
                return int(record["pid"])
        if time.monotonic() > deadline:
            raise AssertionError(f"no access line for request {request_id} in {log}")
        time.sleep(0.05)


def which_worker(http: httpx.Client, log: Path) -> int:
    """Ask ``/v1/health`` and answer which worker answered it."""
    request_id = "which-" + uuid.uuid4().hex
    assert http.get("/v1/health", headers={"X-Request-ID": request_id}).status_code == 200
    return answered_by(log, request_id)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    url: str
    env: dict[str, str]
    log: Path

    def cli(self, *args: str) -> str:
        done = subprocess.run([str(BIN), *args], env=self.env, capture_output=True, text=True,
                              check=True, timeout=60)
        return done.stdout


def serve(data_dir: Path, env_extra: dict[str, str] | None = None,
          workers: int = 2) -> Iterator[Served]:
    port = free_port()
    env = {**os.environ, "SCR_RETURNS_DATA_DIR": str(data_dir),
           "SCR_RETURNS_PLUGIN_REFRESH_SECONDS": "0.5", **(env_extra or {})}
    if "SCR_RETURNS_DATABASE_URL" not in (env_extra or {}):
        env.pop("SCR_RETURNS_DATABASE_URL", None)  # SQLite in the data folder
    log = data_dir / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(BIN), "serve", "--port", str(port), "--workers",
                                 str(workers)], env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("serve did not come up:\n" + log.read_text())
            time.sleep(0.1)
        yield Served(url, env, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
