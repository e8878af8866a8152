"""Throw-away plugins handed to a host directly: one form ``report`` of agency ``acme``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scr_returns import AgencySpec, FormSpec, FormVersion, hookimpl
from scr_returns.core.schemas import DRAFT

SCHEMA: dict[str, Any] = {
    "$schema": DRAFT,
    "$id": "https://scr-returns.invalid/schemas/acme/report.v1.json",
    "type": "object",
    "properties": {"summary": {"type": "string"}},
    "additionalProperties": False,
}


def agency(name: str = "acme", **form_changes: Any) -> AgencySpec:
    """Agency ``name`` with the one form ``report``, changed by ``form_changes``."""
    form = FormSpec(name="report", title="Report", description="A summary.",
                    versions=(FormVersion(1, SCHEMA),))
    return AgencySpec(name=name, title=name.title(), version="1.0",
                      forms=(replace(form, **form_changes),))


class Plugin:
    """A throw-away plugin object whose hook returns ``spec``."""

    def __init__(self, spec: AgencySpec) -> None:
        self.spec = spec

    @hookimpl
    def scr_returns_register_agency(self) -> AgencySpec:
        return self.spec


class Misspelt:
    """A plugin whose one hook implementation is misspelt: no hook spec has its name."""

    @hookimpl
    def scr_returns_register_agnecy(self) -> AgencySpec:
        return agency()
