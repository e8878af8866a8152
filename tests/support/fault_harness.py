"""What the fault tests share: a served instance they can kill, a review, checks of the data.

Every instance listens on loopback only. The checks read the database directly
(not the API), so that they see what was really stored.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from tests.support.serving import BIN, free_port

SUBJECTS = ("child-a", "mother", "father", "sibling-1", "partner-of-mother")


def bearer(secret: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **extra}


def children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (gunicorn's workers of a master), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        # The command name (2nd field) is in parentheses and may hold spaces.
        fields = stat[stat.rindex(")") + 2:].split()
        state, ppid = fields[0], int(fields[1])
        if ppid == pid and state != "Z":
            found.append(int(entry.name))
    return sorted(found)


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


@dataclass
class Instance:
    """One ``scr-returns serve`` (gunicorn master and workers) on a fixed loopback port."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    workers: int = 2
    env_extra: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = {**os.environ, "SCR_RETURNS_DATA_DIR": str(self.data_dir),
               "SCR_RETURNS_PLUGIN_REFRESH_SECONDS": "0.5", **self.env_extra}
        if "SCR_RETURNS_DATABASE_URL" not in self.env_extra:
            env.pop("SCR_RETURNS_DATABASE_URL", None)
        return env

    @property
    def log(self) -> Path:
        return self.data_dir / f"serve-{self.port}.log"

    def start(self, timeout: float = 90.0) -> None:
        """Start (or restart) on the same port and data; wait until both workers answer."""
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"\n--- start {self.starts} ---\n".encode())
            out.flush()
            self.proc = subprocess.Popen(
                [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--workers", str(self.workers)],
                env=self.env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(self.url + "/v1/ready", timeout=5).status_code == 200 \
                        and len(self.worker_pids()) >= self.workers:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"serve did not come up:\n{self.log.read_text()[-4000:]}")
            time.sleep(0.2)

    @property
    def master(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def worker_pids(self) -> list[int]:
        return children(self.master) if self.proc is not None else []

    def kill_master(self) -> None:
        """SIGKILL the master, then its orphaned workers (a host losing the process tree)."""
        assert self.proc is not None
        orphans = self.worker_pids()
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        # gunicorn's workers notice the lost parent within about a second and
        # leave; any still holding the listening socket would block the restart.
        deadline = time.monotonic() + 5
        while any(alive(p) for p in orphans) and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in orphans:
            if alive(pid):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while any(alive(p) for p in orphans) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        workers = self.worker_pids()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for pid in workers:
            if alive(pid):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self.proc = None

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN), *args], env=self.env, capture_output=True, text=True,
                              check=check, timeout=120)

    def admin_token(self) -> str:
        out = self.cli("token", "create", "--role", "admin", "--name", "faults").stdout
        return out.splitlines()[-1]


@contextmanager
def served(data_dir: Path, **kw: Any) -> Iterator[Instance]:
    instance = Instance(data_dir, **kw)
    instance.start()
    try:
        yield instance
    finally:
        instance.stop()


def review_body(ref: str, agencies: list[dict[str, Any]]) -> dict[str, Any]:
    """A review asking every listed agency for every form, with the example register."""
    return {
        "ref": ref, "type": "cspr", "title": "Child A",
        "scoping_period": {"from": "2024-01-01", "to": "2025-12-31"},
        "subjects": [{"key": k, "role": k} for k in SUBJECTS],
        "kloes": [{"id": "kloe-1", "question": "How well was information shared?"},
                  {"id": "kloe-2", "question": "Was the voice of the child heard?"},
                  {"id": "kloe-3", "question": "Were escalation procedures used?"}],
        "agencies": [{"agency": a["name"], "forms": [{"form": f["name"], "due": "2026-03-01"}
                                                      for f in a["forms"]]}
                     for a in agencies],
    }


@dataclass
class World:
    """Reviews on a served instance, an admin token and one agency token bound to them."""

    url: str
    admin: str
    agency: str
    token: str
    refs: list[str]
    example: dict[str, Any]

    def path(self, ref: str, form: str = "chronology") -> str:
        return f"/v1/reviews/{ref}/returns/{self.agency}/{form}"


def open_world(url: str, admin: str, refs: list[str], agency: str = "health") -> World:
    with httpx.Client(base_url=url, timeout=60) as http:
        agencies = http.get("/v1/agencies", headers=bearer(admin)).json()["agencies"]
        assert agency in [a["name"] for a in agencies], agencies
        form = http.get(f"/v1/agencies/{agency}/forms/chronology", headers=bearer(admin))
        assert form.status_code == 200, form.text
        for ref in refs:
            opened = http.post("/v1/reviews", json=review_body(ref, agencies),
                               headers=bearer(admin))
            assert opened.status_code == 201, opened.text
        made = http.post("/v1/admin/tokens", headers=bearer(admin), json={
            "name": f"{agency} submitter", "role": "agency", "agency": agency,
            "reviews": refs})
        assert made.status_code == 201, made.text
    return World(url, admin, agency, str(made.json()["token"]), refs, form.json()["example"])


def marked(example: dict[str, Any], marker: str) -> dict[str, Any]:
    """The example document with ``marker`` in its first entry's free text: one per request."""
    doc = json.loads(json.dumps(example))
    entry = doc["entries"][0]
    entry["description"] = f"{entry.get('description', '')} [{marker}]".strip()
    return doc


def new_marker() -> str:
    return "m-" + uuid.uuid4().hex


# -- checks of what was stored --------------------------------------------------------------

def stored_revisions(engine: sa.Engine) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """Every revision by (review, agency, form), in revision order, documents parsed."""
    found: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT rv.ref, r.agency, r.form, r.latest_revision, v.number, v.document "
            "FROM revisions v JOIN returns r ON r.id = v.return_id "
            "JOIN reviews rv ON rv.id = r.review_id ORDER BY rv.ref, r.agency, r.form, v.number"))
        for ref, agency, form, latest, number, document in rows:
            found.setdefault((ref, agency, form), []).append(
                {"number": number, "latest": latest, "document": json.loads(document)})
    return found


def marker_of(document: dict[str, Any]) -> str | None:
    text = str(document["entries"][0].get("description", ""))
    if not text.endswith("]") or "[m-" not in text:
        return None
    return text[text.rindex("[m-") + 1:-1]


def check_revisions(engine: sa.Engine) -> dict[str, tuple[tuple[str, str, str], int]]:
    """Numbers run 1..n with no gap or repeat, ``latest_revision`` is n, no marker twice.

    Answers marker -> (return, revision number) for every marked revision.
    """
    where: dict[str, tuple[tuple[str, str, str], int]] = {}
    for key, revisions in stored_revisions(engine).items():
        numbers = [r["number"] for r in revisions]
        assert numbers == list(range(1, len(numbers) + 1)), (key, numbers)
        assert revisions[-1]["latest"] == len(numbers), key
        for rev in revisions:
            marker = marker_of(rev["document"])
            if marker is None:
                continue
            assert marker not in where, f"{marker} stored twice: {where[marker]} and " \
                                        f"{(key, rev['number'])}"
            where[marker] = (key, rev["number"])
    return where


def audit_verifies(engine: sa.Engine, instance: Instance) -> int:
    """The audit chain verifies with the instance's audit key, every record keyed
    (``scr-returns audit verify`` too)."""
    from scr_returns.core.audit import verify_store
    from scr_returns.core.settings import Settings
    from scr_returns.core.storage import Store
    from scr_returns.core.storage.auditkey import AuditKeySource, read_key

    path = Settings.from_env(instance.env).audit_key_path
    key = read_key(path)
    assert key is not None and key.keyed_from == 1, f"no audit key at {path}"
    with Store(engine, AuditKeySource(path)).read() as tx:
        count, finding = verify_store(tx)
    assert finding is None, f"audit chain broken at {finding}"
    assert count > 0
    done = instance.cli("audit", "verify", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return count
