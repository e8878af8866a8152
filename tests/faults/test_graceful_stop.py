"""A graceful stop (SIGTERM) answers every connection it accepted: finished, or a clean 503.

Eight clients each open a new connection for every request (reads and
submissions) while the master gets SIGTERM. Every request must end in a whole
HTTP answer (2xx, or 503 with ``Retry-After`` and ``Connection: close``) or
in a refused connection once nothing listens any more; a connection the
service accepted and then reset (a read error after sending) fails the test.
"""

from __future__ import annotations

import signal
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx

from tests.support.fault_harness import bearer, marked, new_marker, open_world, served

CLIENTS = 8
BEFORE_STOP = 2.0


def test_sigterm_finishes_or_refuses_cleanly_what_it_accepted(tmp_path: Path) -> None:
    with served(tmp_path) as instance:
        world = open_world(instance.url, instance.admin_token(), ["IOW-2026-40"])
        path = f"/v1/reviews/{world.refs[0]}/returns/{world.agency}/chronology"
        first = httpx.put(instance.url + path, headers=bearer(world.token),
                          json={"document": marked(world.example, new_marker())})
        assert first.status_code == 201, first.text
        outcomes: Counter[str] = Counter()
        lock = threading.Lock()
        stop = threading.Event()
        refused_503 = []

        def client(n: int) -> None:
            while not stop.is_set():
                # A new connection each time: what matters is what the listener accepted.
                with httpx.Client(base_url=instance.url, timeout=30) as http:
                    try:
                        if n % 2:
                            answer = http.get("/v1/reviews", headers=bearer(world.token))
                        else:
                            answer = http.put(path, json={"document": marked(
                                world.example, new_marker())}, headers=bearer(
                                world.token, **{"If-Match": "*",
                                                "Idempotency-Key": uuid.uuid4().hex}))
                    except httpx.ConnectError:
                        kind = "refused"  # nothing listens: the stop is complete
                        time.sleep(0.01)
                    except httpx.TransportError as exc:
                        kind = f"reset:{type(exc).__name__}"
                    else:
                        kind = str(answer.status_code)
                        if answer.status_code == 503:
                            refused_503.append(answer)
                with lock:
                    outcomes[kind] += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        time.sleep(BEFORE_STOP)
        assert instance.proc is not None
        instance.proc.send_signal(signal.SIGTERM)
        instance.proc.wait(timeout=60)
        time.sleep(0.5)  # some refused connections after the stop
        stop.set()
        for t in threads:
            t.join(timeout=60)
        instance.proc = None
        print(f"\ngraceful stop: {dict(sorted(outcomes.items()))}")
        resets = {k: v for k, v in outcomes.items() if k.startswith("reset")}
        assert not resets, f"accepted, then reset: {resets} of {dict(outcomes)}"
        assert sum(v for k, v in outcomes.items() if k in ("200", "201")) > 20
        assert set(outcomes) <= {"200", "201", "503", "refused"}, outcomes
        for answer in refused_503:
            assert answer.headers["retry-after"] and \
                answer.headers["connection"].lower() == "close"
            assert answer.headers["content-type"] == "application/problem+json"
