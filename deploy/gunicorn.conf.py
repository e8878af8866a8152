"""gunicorn settings for production: ``scr-returns serve --config deploy/gunicorn.conf.py``.

It starts from the defaults every ``scr-returns serve`` uses (core/cli/server.py:
limits, timeouts, worker recycling, JSON logs, the metrics hook) and sets only
what differs in production. Environment: SCR_RETURNS_BIND (default 0.0.0.0:8000)
and WEB_CONCURRENCY (workers; default 2 x cores + 1, at most 16). Flags given
to ``serve`` (--host, --port, --workers) override this file.
"""

import os

from scr_returns.core.cli.server import defaults, workers_for_cores

globals().update(defaults())

bind = os.environ.get("SCR_RETURNS_BIND", "0.0.0.0:8000")  # every interface, in a container
workers = int(os.environ.get("WEB_CONCURRENCY") or workers_for_cores())

# Request limits (gunicorn refuses past them with 400 before the app sees anything);
# bodies are limited by the service itself (SCR_RETURNS_MAX_BODY_BYTES, 413) and by the proxy.
limit_request_line = 8190         # bytes in the request line: our paths are short
limit_request_fields = 100        # header count
limit_request_field_size = 8190   # bytes per header

timeout = 60                      # a worker silent this long is killed and replaced
graceful_timeout = 20             # on restart, in-flight requests get this long to finish
keepalive = 5                     # behind a proxy that keeps connections open

max_requests = 10000              # recycle each worker now and then...
max_requests_jitter = 1000        # ...not all at once

# Behind the reverse proxy: trust its X-Forwarded-* (the proxy's address, in compose).
forwarded_allow_ips = os.environ.get("SCR_RETURNS_FORWARDED_ALLOW_IPS", "127.0.0.1")
