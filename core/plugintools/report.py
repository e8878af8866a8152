"""What the conformance check found: one :class:`Finding` per check, in a :class:`Report`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    """One check: where (``section``, ``subject``), whether it passed, and why."""

    section: str
    subject: str
    ok: bool
    detail: str = ""


@dataclass
class Report:
    """Everything the check found about one plugin."""

    plugin: str
    agency: str
    version: str
    distribution: str | None
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    def add(self, section: str, subject: str, ok: bool, detail: str = "") -> None:
        self.findings.append(Finding(section, subject, ok, detail))
