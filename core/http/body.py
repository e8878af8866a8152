"""Request bodies are received whole, once the caller is known: bounded in size, time and memory.

:class:`ReceiveBody` runs after authentication, so that a caller without a
valid token never makes the service read a byte of its body. It then reads
the body in small pieces into a spool that stays in memory up to
:data:`SPOOL_MEMORY` and goes to an unnamed file in the data folder beyond
(``tempfile.SpooledTemporaryFile``; the folder is the one operators encrypt at
rest), so a worker holds at most that much of any body while receiving it. It
refuses as soon as the count passes the limit (413), chunked or not, and when
the body comes too slowly (408): the client gets ``grace`` seconds, plus one
second per ``min_rate`` bytes received (the model of Apache's mod_reqtimeout),
so a client trickling a byte at a time holds a worker thread for seconds, not
for as long as it likes. Only then does a responder parse the body, from the spool.

A request whose responder shares the read transaction of its authentication
(``req.context.reads``, a PUT of a return) keeps it open while a small body
(one piece, 64 KiB at most, declared by its Content-Length) is received; before
a larger or chunked body the transaction is ended, and the submission's reads
take one of their own: a database connection is never held for a long or slow upload.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path
from typing import IO, Any, cast

import falcon

from scr_returns.core.errors import BadRequestError, PayloadTooLargeError, RequestTimeoutError

log = logging.getLogger(__name__)

PIECE = 64 * 1024
SPOOL_MEMORY = 1024 * 1024
"""A body larger than this waits in a file, not in the worker's memory."""


class ReceiveBody:
    def __init__(self, max_bytes: int, spool_dir: Path, *, grace: float = 10.0,
                 min_rate: int = 64 * 1024) -> None:
        self.max_bytes = max_bytes
        self.spool_dir = spool_dir
        self.grace = grace
        self.min_rate = min_rate
        spool_dir.mkdir(parents=True, exist_ok=True)

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: Any,
                         params: dict[str, Any]) -> None:
        length = req.content_length
        chunked = "chunked" in (req.get_header("Transfer-Encoding") or "").lower()
        if resource is None or not (length or chunked):
            return
        reads = getattr(req.context, "reads", None)
        if reads is not None and (length is None or length > PIECE):
            reads.close()
        spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed in process_response
            max_size=SPOOL_MEMORY, mode="w+b", dir=str(self.spool_dir))
        req.context.spool = spool
        received = self._receive(req, spool, length)
        spool.seek(0)
        req.env["wsgi.input"] = req.stream = cast(Any, spool)
        req.env["CONTENT_LENGTH"] = str(received)

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: Any,
                         req_succeeded: bool) -> None:
        spool = getattr(req.context, "spool", None)
        if spool is not None:
            spool.close()

    def _receive(self, req: falcon.Request, spool: IO[bytes], length: int | None) -> int:
        # NOTE: the server's socket (gunicorn puts it in the environ) bounds each read
        # by the time left; without it (a test client) the reads cannot block anyway.
        sock = req.env.get("gunicorn.socket")
        before = sock.gettimeout() if sock is not None else None
        started, received = time.monotonic(), 0
        try:
            while length is None or received < length:
                left = started + self.grace + received / self.min_rate - time.monotonic()
                if left <= 0:
                    raise _too_slow(received)
                if sock is not None:
                    sock.settimeout(left)
                want = PIECE if length is None else min(PIECE, length - received)
                piece = req.stream.read(min(want, self.max_bytes + 1 - received))
                if not piece:
                    break
                received += len(piece)
                if received > self.max_bytes:
                    raise PayloadTooLargeError(f"The body is larger than {self.max_bytes} "
                                               "bytes.")
                spool.write(piece)
        except TimeoutError:
            raise _too_slow(received) from None
        except (PayloadTooLargeError, RequestTimeoutError):
            raise
        except Exception as exc:  # the server's reader: a malformed chunk, a reset, ...
            log.info("request body unreadable: %s", type(exc).__name__)
            raise BadRequestError("The request body could not be read.") from None
        finally:
            if sock is not None:
                sock.settimeout(before)
        if length is not None and received < length:
            raise BadRequestError(f"The body ended after {received} of the {length} bytes its "
                                  "Content-Length announced.")
        return received


def _too_slow(received: int) -> RequestTimeoutError:
    return RequestTimeoutError(f"The body arrived too slowly ({received} bytes so far); send "
                               "it again on a faster connection.")
