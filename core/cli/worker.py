"""The gunicorn worker: gevent's, with a stop that answers every connection it accepted.

A connection the kernel has accepted but no worker has taken yet waits in the
listening socket's queue; when the last process holding that socket closes
it, the kernel resets every such connection, so a client whose request was
already sent sees a reset, not an answer. This worker keeps a duplicate of
each listening socket: told to stop (SIGTERM), it marks the process as
stopping (new requests: 503 with ``Retry-After``, core/http/stopping.py),
lets gevent's worker stop accepting and finish the requests under way, then
takes whatever is still queued through the duplicate, answers it, and only
then closes the duplicate. Before that last round it stops the kernel from
completing new connections on the socket (a socket filter that drops every
packet, on Linux): a connection attempted from then on is refused once nothing
listens, never reset after it was accepted. Only a handshake under way at that
very instant can still be lost.

Only a stop of the service does this (SIGTERM to the worker, as the master
sends it when it stops); a worker recycled after ``max_requests`` just leaves,
the others keep the socket and its queue.

With TLS terminated in gunicorn itself (``certfile``), queued connections
are not answered this way: the deployment terminates TLS in the proxy
(deploy/nginx.conf).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import socket
import struct
from typing import Any

from gevent.pool import Pool
from gunicorn.workers.ggevent import GeventWorker

from scr_returns.core.http import stopping


class GracefulWorker(GeventWorker):  # type: ignore[misc]
    def handle_exit(self, sig: int, frame: Any) -> None:
        stopping.begin()
        super().handle_exit(sig, frame)

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> Any:
        if stopping.is_stopping():
            req.must_close = True  # no keep-alive on a connection to a stopping worker
        return super().handle_request(listener_name, req, sock, addr)

    def run(self) -> None:
        # Duplicated (after gevent's patching: these are gevent sockets) before serving;
        # closed only once their queue is empty.
        self.spares = [socket.socket(fileno=os.dup(s.fileno())) for s in self.sockets]
        try:
            super().run()
        finally:
            if stopping.is_stopping() and not self.cfg.is_ssl:
                self.answer_queued()
            for spare in self.spares:
                spare.close()

    def answer_queued(self) -> None:
        """Answer each connection still queued on the listening sockets, then let them go."""
        pool = Pool(self.worker_connections)
        for spare in self.spares:
            refuse_new_connections(spare)
            spare.setblocking(False)
            while True:
                try:
                    client, addr = spare.accept()
                except OSError:  # BlockingIOError: the queue is empty
                    break
                pool.spawn(self.handle, spare, client, addr)
        pool.join(timeout=self.cfg.graceful_timeout)


SO_ATTACH_FILTER = 26  # Linux, <asm-generic/socket.h>
_DROP_ALL = struct.pack("HBBI", 0x06, 0, 0, 0)  # BPF_RET | BPF_K, 0: keep no byte


def refuse_new_connections(listener: socket.socket) -> None:
    """Drop every packet arriving for ``listener`` from now on (no new handshake completes);
    a no-op where the platform has no socket filters."""
    program = ctypes.create_string_buffer(_DROP_ALL)
    fprog = struct.pack("HL", 1, ctypes.addressof(program))
    with contextlib.suppress(OSError):
        listener.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
