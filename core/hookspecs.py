"""The hooks an agency plugin implements. This module is the plugin contract.

A plugin is a module (or object) registered under the entry-point group
``scr_returns``; the entry point's name is the plugin's name. It implements the
hooks below with :data:`scr_returns.core.hookimpl`. Keep the set small: a hook is added only
when a second plugin needs it.
"""

from __future__ import annotations

import pluggy

from scr_returns.core.descriptors import AgencySpec

PROJECT = "scr_returns"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def scr_returns_register_agency() -> AgencySpec:  # type: ignore[empty-body]
    """Declare the one agency this plugin provides, with all of its forms.

    Called once per plugin at start-up; results are collected (one per
    plugin). Returns an :class:`~scr_returns.core.descriptors.AgencySpec`: its ``name`` is
    the agency's URL name (``[a-z][a-z0-9-]*``) and must be unique across all
    installed plugins: of two plugins claiming one agency, the second fails to
    load (see :mod:`scr_returns.core.plugins` for what a failed plugin does). Every form
    version's schema must pass the draft 2020-12 meta-schema and may ``$ref``
    the shared definitions in the top-level ``schemas/`` by their ``$id``.
    The hook must not do I/O beyond reading the plugin's own files, and must
    return the same value every time: build the spec once (a standard agency
    declared with :func:`scr_returns.core.standard_agency` is) rather than on each call.
    ``scr-returns plugins check`` calls it again and compares.
    """
