"""``scr-returns serve`` with N throw-away agency plugins added: for bench/plugins.py.

Run: python bench/plugin_server.py PORT N   (settings from SCR_RETURNS_* as for serve)

Each throw-away agency ``benchN`` is the test plugin's agency (tests/testplugin)
under another name, with its schemas under their own $id, so the host
compiles and the catalog tracks 45 more real plugins.
"""

from __future__ import annotations

import copy
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scr_returns import AgencySpec, hookimpl
from scr_returns.core.bootstrap import build_services
from scr_returns.core.cli.main import _migrate
from scr_returns.core.cli.server import Server
from scr_returns.core.settings import Settings
from tests import testplugin


class ThrowAway:
    def __init__(self, n: int) -> None:
        self.n = n

    @hookimpl
    def scr_returns_register_agency(self) -> AgencySpec:
        spec = testplugin.scr_returns_register_agency()
        name = f"bench{self.n}"
        forms = []
        for form in spec.forms:
            versions = []
            for v in form.versions:
                schema: dict[str, Any] = copy.deepcopy(dict(v.schema))
                schema["$id"] = f"https://scr-returns.invalid/schemas/{name}/{form.name}" \
                                f".v{v.version}.json"
                versions.append(replace(v, schema=schema))
            forms.append(replace(form, versions=tuple(versions)))
        return replace(spec, name=name, title=f"Throw-away agency {self.n}",
                       forms=tuple(forms))


class PluginServer(Server):
    def __init__(self, settings: Settings, extra: dict[str, object], **options: Any) -> None:
        self.extra = extra
        super().__init__(settings, **options)

    def load(self) -> Any:
        from scr_returns.core.http import create_app  # noqa: PLC0415

        return create_app(services=build_services(self.settings, extra_plugins=self.extra))


def main() -> None:
    port, count = int(sys.argv[1]), int(sys.argv[2])
    settings = Settings.from_env()
    _migrate(settings)
    extra: dict[str, object] = {f"bench{i}": ThrowAway(i) for i in range(count)}
    services = build_services(settings, extra_plugins=extra)
    enabled = len(services.catalog.enabled())
    services.store.engine.dispose()
    print(f"plugin server: {enabled} enabled agency plugins", flush=True)
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    PluginServer(settings, extra, bind=f"127.0.0.1:{port}", workers=2).run()


if __name__ == "__main__":
    main()
