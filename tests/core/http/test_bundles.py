"""``?bundle=1``: a form's schema with every schema it refers to embedded, which stock
python-jsonschema uses alone (no registry, no fetch) and which judges every built-in
form's valid and invalid examples exactly as the service's schema pass does (issue 17)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import referencing
import referencing.exceptions
from falcon.testing import TestClient

from scr_returns.core.bootstrap import build_services
from scr_returns.core.http import create_app
from scr_returns.core.plugins import PluginHost
from scr_returns.core.schemas import ID_PREFIX
from scr_returns.core.settings import Settings
from scr_returns.core.storage.migrate import upgrade

PLUGINS = Path(__file__).resolve().parents[3] / "plugins"


def _refuse(uri: str) -> referencing.Resource[Any]:
    raise referencing.exceptions.NoSuchResource(ref=uri)


def stock_validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """python-jsonschema as an agency would run it: nothing registered, nothing fetched."""
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, registry=referencing.Registry(retrieve=_refuse),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def built_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str,
                                                                          PluginHost]]:
    settings = Settings.from_env({"SCR_RETURNS_DATA_DIR": str(
        tmp_path_factory.mktemp("bundles"))})
    host = PluginHost()
    services = build_services(settings, host=host)
    upgrade(services.store.engine)
    client = TestClient(create_app(services=services))
    secret = services.tokens.create(name="reader", role="admin")[0]
    yield client, secret, host
    services.store.engine.dispose()


def _examples() -> list[tuple[str, str, int, Path]]:
    found = []
    for path in sorted(PLUGINS.glob("*/examples/*/*.json")):
        form, version = path.name.split(".")[0], int(path.name.split(".")[1][1:])
        found.append((path.parts[-4].replace("_", "-"), form, version, path))
    return found


EXAMPLES = _examples()


def test_there_are_examples_of_every_kind() -> None:
    kinds = {p.parts[-2] for *_, p in EXAMPLES}
    assert kinds == {"valid", "invalid"} and len(EXAMPLES) > 40


def test_every_built_in_form_bundles_and_judges_its_examples_as_the_service_does(
        built_in: tuple[TestClient, str, PluginHost]) -> None:
    client, secret, host = built_in
    compared = 0
    bundles: dict[tuple[str, str, int], jsonschema.Draft202012Validator] = {}
    for agency, form, version, path in EXAMPLES:
        loaded = host.form(agency, form)
        assert loaded is not None, path
        if version not in loaded.engines:
            continue
        key = (agency, form, version)
        if key not in bundles:
            answer = client.simulate_get(f"/v1/agencies/{agency}/forms/{form}", params={
                "version": str(version), "bundle": "true"},
                headers={"Authorization": f"Bearer {secret}"})
            assert answer.status_code == 200, answer.text
            schema = answer.json["schema"]
            assert ID_PREFIX + "common/" in json.dumps(schema)  # it did refer out
            bundles[key] = stock_validator(schema)
        document = json.loads(path.read_text(encoding="utf-8"))
        stock = sorted(e.json_path for e in bundles[key].iter_errors(document))
        service = [p for p in loaded.engines[version].problems(document)]
        assert (stock == []) == (service == []), (path.name, stock, service)
        compared += 1
    assert compared == len(EXAMPLES)


def test_a_form_schema_without_bundle_names_schemas_the_service_serves(
        built_in: tuple[TestClient, str, PluginHost]) -> None:
    client, secret, _ = built_in
    headers = {"Authorization": f"Bearer {secret}"}
    schema = client.simulate_get("/v1/agencies/health/forms/chronology",
                                 headers=headers).json["schema"]
    refs = {r.split("#")[0] for r in _refs(schema) if r.startswith(ID_PREFIX)}
    assert refs
    for ref in refs:
        served = client.simulate_get("/v1/schemas/" + ref.removeprefix(ID_PREFIX),
                                     headers=headers)
        assert served.status_code == 200 and served.json["$id"] == ref


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)
