"""The baseline for bench/submissions.py: falcon, the same body, the same kind of database.

``PUT /bare`` parses the JSON body (the same envelope the service gets),
checks it is an object with a ``document`` and inserts the document text with
the Idempotency-Key into one table, through the same engine factory as the
service (so SQLite has the same WAL, synchronous=FULL and BEGIN IMMEDIATE
writes, and its writers queue on the same file lock: core/storage/writers.py).
No auth, no validation, no revision logic, no audit.

Run: BARE_DATABASE_URL=sqlite:///... gunicorn -w 2 'bench.bare_app:create()'
"""

from __future__ import annotations

import json
import os
from contextlib import nullcontext

import falcon
import sqlalchemy as sa

from scr_returns.core.storage import make_engine
from scr_returns.core.storage.engine import WRITE
from scr_returns.core.storage.writers import writer_queue

META = sa.MetaData()
ROWS = sa.Table("bare_rows", META,
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                sa.Column("key", sa.String(200), nullable=False, unique=True),
                sa.Column("document", sa.Text, nullable=False))


class Bare:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.queue = writer_queue(engine)

    def on_put(self, req: falcon.Request, resp: falcon.Response) -> None:
        envelope = json.loads(req.bounded_stream.read())
        if not isinstance(envelope, dict) or not isinstance(envelope.get("document"), dict):
            raise falcon.HTTPUnprocessableEntity()
        with self.queue.turn() if self.queue else nullcontext(), self.engine.connect() as conn, \
                conn.execution_options(**{WRITE: True}).begin():
            conn.execute(ROWS.insert().values(key=req.get_header("Idempotency-Key") or "",
                                              document=json.dumps(envelope["document"])))
        resp.status = falcon.HTTP_201
        resp.media = {"stored": True}


def create() -> falcon.App[falcon.Request, falcon.Response]:
    engine = make_engine(os.environ["BARE_DATABASE_URL"])  # the table: made by the bench
    app = falcon.App()
    app.add_route("/bare", Bare(engine))
    return app
