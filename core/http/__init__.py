"""The HTTP face (falcon): thin resources over the service layer."""

from __future__ import annotations

from scr_returns.core.http.app import create_app

__all__ = ["create_app"]
