"""``serve``: a real ``scr-returns serve`` (gunicorn) on a free port, as a ``Served``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent / "scr-returns"


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
