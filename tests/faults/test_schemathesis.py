"""Schemathesis against the served OpenAPI document, with real tokens.

A real ``scr-returns serve`` (gunicorn, SQLite) with a review, a stored return
and admin, panel and agency tokens. Every operation of ``/v1/openapi.json`` is
called with generated requests, valid and invalid ones: no answer is a server
error, every status code and content type is one the document declares, every
body matches its declared schema, and invalid requests are refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.fault_harness import Instance, bearer, marked, new_marker, open_world

MAX_EXAMPLES = 25
REF = "FUZZ-2026-01"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection]


@dataclass
class Api:
    url: str
    tokens: dict[str, str]
    agency: str


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    instance = Instance(tmp_path_factory.mktemp("schemathesis"))
    instance.start()
    try:
        world = open_world(instance.url, instance.admin_token(), [REF])
        with httpx.Client(base_url=instance.url, timeout=60) as http:
            stored = http.put(world.path(REF), headers=bearer(world.token),
                              json={"document": marked(world.example, new_marker())})
            assert stored.status_code == 201, stored.text
            panel = http.post("/v1/admin/tokens", headers=bearer(world.admin), json={
                "name": "panel", "role": "panel", "reviews": [REF]})
            assert panel.status_code == 201, panel.text
        yield Api(instance.url, {"admin": world.admin, "panel": panel.json()["token"],
                                 "agency": world.token}, world.agency)
    finally:
        instance.stop()


@pytest.fixture(scope="module")
def openapi(api: Api) -> Any:
    loaded = schemathesis.openapi.from_url(api.url + "/v1/openapi.json", timeout=60)
    loaded.config.update(base_url=api.url)
    # The tokens are ours (below), not generated; and unknown query parameters are
    # ignored, as HTTP APIs commonly do, rather than counted as invalid requests.
    loaded.config.generation.update(max_examples=MAX_EXAMPLES, with_security_parameters=False,
                                    allow_extra_parameters=False)
    return loaded


def token_for(api: Api, roles: list[str] | None) -> str | None:
    """A token of a role the operation admits: the broadest one, else the only one."""
    if roles is None:
        return None  # public
    for role in ("admin", "panel", "agency"):
        if role in roles:
            return api.tokens[role]
    raise AssertionError(roles)


def aim_at_real_data(case: Any, api: Api) -> None:
    """Half the valid requests address the real review and return, not a random name."""
    params = case.path_parameters or {}
    if case.meta is None or case.meta.generation.mode.is_negative or "ref" not in params:
        return
    if len(str(params["ref"])) % 2:
        return
    params["ref"] = REF
    if "agency" in params:
        params["agency"] = api.agency
    if "form" in params:
        params["form"] = "chronology"


def exercise(operation: Any, mode: GenerationMode, headers: dict[str, str], api: Api,
             calls: list[int]) -> Any:
    """A hypothesis test calling ``operation`` with generated requests and checking each."""

    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: Any) -> None:
        aim_at_real_data(case, api)
        calls[0] += 1
        case.call_and_validate(headers=headers, checks=CHECKS, timeout=60)

    return call


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=lambda m: m.value)
def test_api_conforms_to_its_document(api: Api, openapi: Any, mode: GenerationMode) -> None:
    # NOTE: driven through hypothesis directly, not schemathesis' pytest plugin: its
    # lazy (fixture-loaded) schemas break on pytest 9.2 (Node._nodeid is gone).
    failures: dict[str, str] = {}
    calls = [0]
    nothing_invalid: list[str] = []
    for result in openapi.get_all_operations():
        operation = result.ok()
        secret = token_for(api, operation.definition.raw.get("x-roles"))
        headers = bearer(secret) if secret else {}

        call = exercise(operation, mode, headers, api, calls)
        try:
            call()
        except Unsatisfiable:
            # No request to this operation can break its document (e.g. no parameters,
            # or free strings only): there is no invalid request to send.
            assert mode is GenerationMode.NEGATIVE, operation.label
            nothing_invalid.append(operation.label)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
            failures[operation.label] = f"{type(exc).__name__}: {exc}"
    print(f"\nschemathesis ({mode.value}): {calls[0]} requests, "
          f"{len(nothing_invalid)} operations with no invalid request to send, "
          f"{len(failures)} operations failing")
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
