"""Shared JSON Schema definitions, reached by ``$ref`` from every agency's forms."""

from __future__ import annotations

from pathlib import Path

SCHEMAS_DIR = Path(__file__).parent
