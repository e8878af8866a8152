"""Idle and slow clients: 50 connections that send nothing and 50 that trickle a body.

With no proxy in front (the README's run command), anyone who can reach the
port can open connections and send nothing, or send a body a byte at a time.
While 50 of each are held open (and opened again whenever the service closes
one), a prober asks ``/v1/health`` every 50 ms on a fresh connection (answered
within 2 s or failed) and an agency keeps submitting amendments. The health
checks' success rate and latency, and the submissions answered, are printed
for the operations note.
"""

from __future__ import annotations

import socket
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.fault_harness import bearer, marked, new_marker, open_world, served

IDLE = 50
SLOW = 50
ATTACK_SECONDS = 10.0
PROBE_EVERY = 0.05
PROBE_TIMEOUT = 2.0
TRICKLE_EVERY = 0.5  # one body byte per connection this often


@dataclass
class Attack:
    port: int
    token: str
    path: str
    stop: threading.Event = field(default_factory=threading.Event)
    opened: int = 0
    held: list[int] = field(default_factory=list)
    """How many attack connections were open, sampled every trickle round."""

    def connect(self, slow: bool) -> socket.socket | None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        except OSError:
            return None
        self.opened += 1
        if slow:
            try:
                sock.sendall((f"POST {self.path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                              f"{self.token}\r\nContent-Type: application/json\r\n"
                              "Content-Length: 100000\r\n\r\n{").encode())
            except OSError:
                sock.close()
                return None
        return sock

    def run(self) -> None:
        idle: list[socket.socket | None] = [self.connect(False) for _ in range(IDLE)]
        slow: list[socket.socket | None] = [self.connect(True) for _ in range(SLOW)]
        try:
            while not self.stop.wait(TRICKLE_EVERY):
                for group, is_slow in ((idle, False), (slow, True)):
                    for i, sock in enumerate(group):
                        group[i] = self.keep(sock, is_slow)
                self.held.append(sum(s is not None for s in idle + slow))
        finally:
            for sock in idle + slow:
                if sock is not None:
                    sock.close()

    def keep(self, sock: socket.socket | None, slow: bool) -> socket.socket | None:
        """The connection still held (a byte sent if slow), or a new one if it was closed."""
        if sock is not None:
            try:
                sock.setblocking(False)
                try:
                    closed = sock.recv(65536) == b""  # an answer (408) or the close
                except BlockingIOError:
                    closed = False
                else:
                    closed = True
                sock.setblocking(True)
                if not closed:
                    if slow:
                        sock.sendall(b" ")
                    return sock
            except OSError:
                pass
            sock.close()
        return self.connect(slow)


@dataclass
class Probes:
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    submitted: int = 0
    refused: list[str] = field(default_factory=list)


def probe(url: str, stop: threading.Event, out: Probes) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            answer = httpx.get(url + "/v1/health", timeout=PROBE_TIMEOUT)
            ok = answer.status_code == 200
        except httpx.TransportError:
            ok = False
        if ok:
            out.latencies.append(time.monotonic() - started)
        else:
            out.failures += 1
        stop.wait(PROBE_EVERY)


def submit(url: str, world_path: str, token: str, example: dict[str, object],
           stop: threading.Event, out: Probes) -> None:
    with httpx.Client(base_url=url, timeout=10) as http:
        while not stop.is_set():
            headers = bearer(token, **{"If-Match": "*", "Idempotency-Key": uuid.uuid4().hex})
            try:
                answer = http.put(world_path, json={"document": marked(example, new_marker())},
                                  headers=headers)
                if answer.status_code in (200, 201):
                    out.submitted += 1
                else:
                    out.refused.append(f"{answer.status_code}")
            except httpx.TransportError as exc:
                out.refused.append(type(exc).__name__)
            stop.wait(0.2)


@pytest.mark.slow
def test_idle_and_slow_clients_do_not_stop_the_service(tmp_path: Path) -> None:
    with served(tmp_path, workers=2) as instance:
        world = open_world(instance.url, instance.admin_token(), ["SLOW-2026-01"])
        path = world.path(world.refs[0])
        first = httpx.put(instance.url + path, json={"document": world.example},
                          headers=bearer(world.token), timeout=30)
        assert first.status_code == 201, first.text
        attack = Attack(instance.port, world.token,
                        f"/v1/agencies/{world.agency}/forms/chronology/validate")
        probes, stop = Probes(), threading.Event()
        threads = [threading.Thread(target=attack.run),
                   threading.Thread(target=probe, args=(instance.url, stop, probes)),
                   threading.Thread(target=submit, args=(instance.url, path, world.token,
                                                         world.example, stop, probes))]
        threads[0].start()
        time.sleep(1.0)  # the attack connections are open before the first probe
        for thread in threads[1:]:
            thread.start()
        time.sleep(ATTACK_SECONDS)
        stop.set()
        attack.stop.set()
        for thread in threads:
            thread.join(timeout=30)
        assert not any(t.is_alive() for t in threads)
    sent = len(probes.latencies) + probes.failures
    rate = len(probes.latencies) / sent if sent else 0.0
    lat = sorted(probes.latencies) or [0.0]
    print(f"\nslow clients: {IDLE} idle + {SLOW} slow-body connections held "
          f"(median {statistics.median(attack.held or [0]):.0f} open, {attack.opened} opened "
          f"in all) for {ATTACK_SECONDS:.0f} s; health checks {len(probes.latencies)}/{sent} "
          f"answered ({100 * rate:.1f}%), latency median {1000 * statistics.median(lat):.0f} "
          f"ms, max {1000 * lat[-1]:.0f} ms; submissions {probes.submitted} accepted, "
          f"{len(probes.refused)} not {sorted(set(probes.refused))}")
    assert statistics.median(attack.held) >= 0.9 * (IDLE + SLOW), "the attack did not hold"
    assert sent >= 50
    assert rate >= 0.99
    assert probes.submitted >= 10 and not probes.refused
