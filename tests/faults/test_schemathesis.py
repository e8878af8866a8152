"""Schemathesis against the served OpenAPI document, with real tokens, every check.

A real ``scr-returns serve`` (gunicorn, SQLite) with a review, a stored return
and admin, panel and agency tokens. Every operation of ``/v1/openapi.json`` is
called by every role it admits (each with its own token), with generated
requests, valid and invalid ones, seeded (derandomized) and bounded
(``MAX_EXAMPLES`` per operation, role and mode); every one of schemathesis'
checks runs and no failure is allowed: no server error, every status code,
header and content type is one the document declares, every body matches its
schema, valid requests are accepted and invalid ones refused.

Generation leaves out U+0000 in strings (``allow_x00=False``): the service refuses
a NUL anywhere in a request with 400 by design, and docs/api.md says so.

What the OpenAPI document cannot state is refused for a reason a client can read,
so ``positive_data_acceptance`` also admits 412, 422 and 428: a document that is
not valid against its form (each form's JSON Schema is served on its own), a form
version that form does not offer, a scoping period that ends before it starts, a
token for an agency or review that does not exist, an If-Match that is not current.
``envelope_is_described`` below keeps the rest honest: a schema-valid request never
gets a 422 about the *shape* of its envelope (a type, a length, a missing or unknown
field).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS as REGISTERED
from schemathesis.checks import load_all_checks
from schemathesis.config._checks import PositiveDataAcceptanceConfig

from tests.support.fault_harness import Instance, bearer, marked, new_marker, open_world

# Per operation, role and mode; a deeper run: SCR_RETURNS_FUZZ_EXAMPLES=100.
MAX_EXAMPLES = int(os.environ.get("SCR_RETURNS_FUZZ_EXAMPLES", "10"))
REF = "FUZZ-2026-01"
# What a 422 about an envelope may say of a schema-valid request: rules across fields
# or about what exists, which JSON Schema cannot state.
SEMANTIC = ("The scoping period must not end before it starts.", "may appear only once",
            "reopening needs a reason",  # only an accepted return is reopened
            "of this form is not offered")  # each form's versions: GET /v1/agencies


@schemathesis.check
def envelope_is_described(ctx: Any, response: Any, case: Any) -> bool | None:
    """A schema-valid request gets no 422 about its envelope's shape."""
    if case.meta is None or case.meta.generation.mode.is_negative:
        return None
    if response.status_code != 422:
        return None
    body = response.json()
    if body.get("type") != "/v1/problems/invalid-request":
        return None
    shape = [p for p in body.get("problems", []) if p["code"].startswith("request.")
             and not any(words in p["message"] for words in SEMANTIC)]
    if shape:
        raise AssertionError(f"the document allows what the envelope refuses: {shape}")
    return None


load_all_checks()
CHECKS = REGISTERED.get_all()
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "412", "422", "428", "429", "5xx"]
ROLES = ("admin", "panel", "agency")


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
    # The tokens are ours (below), not generated. Unknown query parameters are sent
    # too (negative mode): the service refuses them with 400.
    loaded.config.generation.update(max_examples=MAX_EXAMPLES, with_security_parameters=False,
                                    allow_extra_parameters=True, allow_x00=False)
    loaded.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig.from_dict(
        {"expected-statuses": ACCEPTED})
    return loaded


def roles_of(operation: Any) -> list[str | None]:
    """Every role the operation admits (None: public)."""
    roles = operation.definition.raw.get("x-roles")
    return [None] if roles is None else [r for r in ROLES if r in roles]


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
        for role in roles_of(operation):
            headers = bearer(api.tokens[role]) if role else {}
            label = f"{operation.label} as {role or 'anyone'}"
            call = exercise(operation, mode, headers, api, calls)
            try:
                call()
            except Unsatisfiable:
                # No request to this operation can break its document (e.g. no
                # parameters, or free strings only): no invalid request to send.
                assert mode is GenerationMode.NEGATIVE, label
                nothing_invalid.append(label)
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
                failures[label] = f"{type(exc).__name__}: {exc}"
    print(f"\nschemathesis ({mode.value}): {calls[0]} requests, "
          f"{len(nothing_invalid)} operations with no invalid request to send, "
          f"{len(failures)} operations failing")
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
