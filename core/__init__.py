"""scr-returns core. This module is the public API for agency plugins.

A plugin imports only the names in ``__all__``; everything else in ``core`` is
private to the service and may change without notice.
"""

from __future__ import annotations

from core.descriptors import (
    AgencySpec,
    ChronologyMapping,
    FormSpec,
    FormVersion,
    Kloe,
    ReviewContext,
    Rule,
    RuleContext,
    json_pointer,
    load_json_resource,
    problem,
)
from core.errors import Problem
from core.hookspecs import hookimpl

__all__ = [
    "AgencySpec",
    "ChronologyMapping",
    "FormSpec",
    "FormVersion",
    "Kloe",
    "Problem",
    "ReviewContext",
    "Rule",
    "RuleContext",
    "hookimpl",
    "json_pointer",
    "load_json_resource",
    "problem",
]
