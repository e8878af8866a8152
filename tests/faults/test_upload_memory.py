"""A 100 MB chunked upload: refused with 413 early, and a worker's memory barely moves.

A chunked body has no length to refuse it by, so the service counts it as it
arrives (core/http/body.py) and keeps at most a megabyte of it in memory, the
rest in a spool file. The peak resident memory of every worker (``VmHWM``,
reset through ``/proc/<pid>/clear_refs`` before the upload) is measured against
its resident memory just before: the figure is printed for the operations note.
"""

from __future__ import annotations

import select
import socket
from pathlib import Path

import pytest

from tests.support.fault_harness import Instance, open_world, served

UPLOAD = 100 * 1024 * 1024
PIECE = 1024 * 1024
MIB = 1024 * 1024
PEAK_LIMIT = 16 * MIB
"""Well below the 32 MiB body limit: what the worker may add while refusing the upload."""


def kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field} for {pid}")


def chunked_upload(port: int, path: str, token: str) -> tuple[bytes, int]:
    """POST ``UPLOAD`` bytes of JSON-ish text chunked, until the server answers: (answer, sent)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sent = 0
    try:
        sock.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                      f"{token}\r\nContent-Type: application/json\r\nTransfer-Encoding: "
                      "chunked\r\n\r\n").encode())
        piece = b'{"document": {"summary": "' + b"x" * (PIECE - 26)
        while sent < UPLOAD:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
            piece = b"x" * PIECE
        else:
            sock.sendall(b"0\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
        return answer, sent
    finally:
        sock.close()


@pytest.mark.slow
def test_a_100_mb_chunked_upload_is_refused_without_holding_it(tmp_path: Path) -> None:
    with served(tmp_path, workers=2) as instance:
        world = open_world(instance.url, instance.admin_token(), ["MEM-2026-01"])
        path = f"/v1/agencies/{world.agency}/forms/chronology/validate"
        workers = instance.worker_pids()
        base = {pid: kib(pid, "VmRSS") for pid in workers}
        for pid in workers:
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset the peak (VmHWM)
        answer, sent = chunked_upload(instance.port, path, world.token)
        peaks = {pid: kib(pid, "VmHWM") - base[pid] for pid in workers}
        assert_serving(instance)
    status = answer.split(b"\r\n", 1)[0]
    growth = max(peaks.values())
    print(f"\nupload memory: 100 MB chunked POST answered {status.decode()!r} after "
          f"{sent / MIB:.0f} MiB sent; peak worker memory growth {growth / MIB:.1f} MiB "
          f"(per worker: {', '.join(f'{p / MIB:.1f}' for p in peaks.values())} MiB; "
          f"body limit 32 MiB)")
    assert status.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b"application/problem+json" in answer
    assert sent < 48 * MIB, "refused only after most of the upload"
    assert growth < PEAK_LIMIT


def assert_serving(instance: Instance) -> None:
    import httpx

    assert httpx.get(instance.url + "/v1/health", timeout=10).status_code == 200
