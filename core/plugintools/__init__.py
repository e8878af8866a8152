"""Tools for plugin authors: the conformance check and the plugin scaffold.

Used by ``scr-returns plugins check`` and ``scr-returns plugins new``; nothing
in the running service depends on this package.
"""

from __future__ import annotations

from scr_returns.core.plugintools.conformance import check_plugin, host_for
from scr_returns.core.plugintools.examples import (
    EXAMPLE_REVIEW,
    EXAMPLE_REVIEWS,
    SUBMITTED_AT,
    TODAY,
    Example,
    example_context,
    examples_of,
)
from scr_returns.core.plugintools.report import Finding, Report
from scr_returns.core.plugintools.scaffold import scaffold

__all__ = [
    "EXAMPLE_REVIEW",
    "EXAMPLE_REVIEWS",
    "SUBMITTED_AT",
    "TODAY",
    "Example",
    "Finding",
    "Report",
    "check_plugin",
    "example_context",
    "examples_of",
    "host_for",
    "scaffold",
]
