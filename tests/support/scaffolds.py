"""The types of the ``make_plugin`` fixture: a fresh ``plugins new`` scaffold, edited first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scr_returns.core.plugins import PluginHost

Edit = Callable[[Path], None]
"""Changes the files of a scaffolded package (given its folder) before it is imported."""

Make = Callable[..., tuple[PluginHost, str, Path]]
"""``make_plugin(edit=None) -> (host, agency, package folder)``."""
