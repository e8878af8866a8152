"""The ``scr-returns`` command line (click)."""

from __future__ import annotations

from scr_returns.core.cli.main import main

__all__ = ["main"]
