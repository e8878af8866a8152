"""A worker that is stopping answers new requests with a clean 503, never a reset.

The gunicorn worker (core/cli/worker.py) calls :func:`begin` when it is told
to stop; from then on :class:`RefuseWhileStopping` answers every request that
has not started yet with 503 and ``Retry-After`` (the worker closes the
connection after it), while requests already under way finish as usual.
"""

from __future__ import annotations

import falcon

from scr_returns.core.errors import ServiceUnavailableError

RETRY_AFTER = 5
"""Seconds to wait: about what another worker, host or a restart needs."""
DISCARD_MAX = 1024 * 1024
"""How much of a refused request's body is read (and dropped) before the answer."""


class _State:
    stopping = False


def begin() -> None:
    """This process is stopping: refuse whatever request starts from now on."""
    _State.stopping = True


def is_stopping() -> bool:
    return _State.stopping


class RefuseWhileStopping:
    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if _State.stopping:
            # NOTE: a socket closed with unread data in it is reset, and the client may
            # lose the answer with it: the (small) body is read first.
            left = DISCARD_MAX
            while left > 0 and (piece := req.bounded_stream.read(min(left, 65536))):
                left -= len(piece)
            raise ServiceUnavailableError("The service is stopping; send the request again "
                                          "shortly.", retry_after=RETRY_AFTER)
