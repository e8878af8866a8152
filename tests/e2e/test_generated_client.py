"""A client generated from the served ``/v1/openapi.json`` works (issue 17).

openapi-python-client (pinned in the test extra) generates a Python client from
the document a real ``scr-returns serve`` serves, with no warning; the README's
tour then runs through that client; a PATCH sent through it changes only what it
sets; and the document passes openapi-spec-validator.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from tests.support.serving import Served, serve

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "scr_generated_client"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(tmp_path_factory.mktemp("client"))


@pytest.fixture(scope="module")
def document(served: Served) -> dict[str, Any]:
    found: dict[str, Any] = httpx.get(served.url + "/v1/openapi.json", timeout=30).json()
    return found


@pytest.fixture(scope="module")
def generated(document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[ModuleType, str]]:
    where = tmp_path_factory.mktemp("generated")
    (where / "openapi.json").write_text(json.dumps(document), encoding="utf-8")
    (where / "config.yml").write_text(f"post_hooks: []\npackage_name_override: {PACKAGE}\n",
                                      encoding="utf-8")
    done = subprocess.run(
        [str(GENERATOR), "generate", "--path", "openapi.json", "--output-path", PACKAGE,
         "--meta", "none", "--config", "config.yml"],
        cwd=where, capture_output=True, text=True, timeout=300, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE), output
    finally:
        sys.path.remove(str(where))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def api(package: ModuleType, tag: str, operation: str) -> Any:
    return importlib.import_module(f"{package.__name__}.api.{tag}.{operation}")


def models(package: ModuleType) -> Any:
    return importlib.import_module(f"{package.__name__}.models")


def client_for(package: ModuleType, served: Served, token: str) -> Any:
    return package.AuthenticatedClient(base_url=served.url, token=token,
                                       raise_on_unexpected_status=True)


def test_the_document_passes_openapi_spec_validator(document: dict[str, Any]) -> None:
    validate(document)


def test_the_client_is_generated_without_a_warning(generated: tuple[ModuleType, str]) -> None:
    _, output = generated
    assert "Warning" not in output and "warning" not in output, output
    assert "Generating" in output


def test_every_operation_has_an_id_and_a_tag(document: dict[str, Any]) -> None:
    seen = []
    for item in document["paths"].values():
        for method, op in item.items():
            if method in ("get", "head", "post", "put", "patch", "delete"):
                assert op["operationId"] and op["tags"], op["summary"]
                seen.append(op["operationId"])
    assert len(seen) == len(set(seen))


def open_tour_review(package: ModuleType, served: Served, ref: str) -> tuple[Any, Any]:
    """An admin client (its token from the command line, as in the tour) and the tour's
    review opened under ``ref``."""
    m = models(package)
    admin = client_for(package, served, served.cli(
        "token", "create", "--role", "admin", "--name", f"admin {ref}").splitlines()[-1])
    review = json.loads((ROOT / "docs/tour/review.json").read_text(encoding="utf-8"))
    opened = api(package, "reviews", "open_review").sync_detailed(
        client=admin, body=m.ReviewCreate.from_dict({**review, "ref": ref}))
    assert opened.status_code == 201 and opened.parsed.ref == ref
    return admin, review


def test_the_readme_tour_runs_through_the_generated_client(
        generated: tuple[ModuleType, str], served: Served) -> None:
    package, _ = generated
    m = models(package)
    admin, _review = open_tour_review(package, served, "IOW-2026-01")
    issued = api(package, "admin", "create_token").sync_detailed(
        client=admin, body=m.TokenCreate(name="health submitter", role=m.TokenCreateRole.AGENCY,
                                         agency="health", reviews=["IOW-2026-01"]))
    assert issued.status_code == 201
    agency = client_for(package, served, issued.parsed.token)

    listed = api(package, "agencies", "list_agencies").sync(client=agency)
    assert isinstance(listed, m.AgencyList)  # not an empty Error
    health = next(a for a in listed.agencies if a.name == "health")
    assert "chronology" in {f.name for f in health.forms}
    form = api(package, "agencies", "get_form").sync(agency="health", form="chronology",
                                                     client=agency)
    assert isinstance(form, m.Form) and form.schema.to_dict()["$id"].endswith(".json")

    example = json.loads((ROOT / "plugins/health/examples/valid/chronology.v1.json")
                         .read_text(encoding="utf-8"))
    stored = api(package, "returns", "put_return").sync_detailed(
        ref="IOW-2026-01", agency="health", form="chronology", client=agency,
        body=m.ReturnPut(document=m.ReturnPutDocument.from_dict(example)),
        idempotency_key="tour-1")
    assert stored.status_code == 201 and stored.parsed.revision == 1
    assert stored.parsed.revision_created is True
    read = api(package, "returns", "get_return").sync_detailed(
        ref="IOW-2026-01", agency="health", form="chronology", client=agency,
        x_purpose="tour of the service")
    assert read.status_code == 200 and read.headers["etag"]
    assert read.parsed.document.to_dict() == example
    dry = api(package, "agencies", "validate_document").sync(
        agency="health", form="chronology", client=agency, body=m.Validate(
            document=m.ValidateDocument.from_dict({
                "organisation": "Island NHS Trust", "subject_nhs_number": "9434765918",
                "entries": [{"id": "e1", "date": "2024-02-30", "subjects": ["child-a"]}]})))
    assert isinstance(dry, m.ValidationResult) and dry.valid is False
    assert "health.nhs_number.check_digit" in {p.code for p in dry.problems}


def test_a_patch_through_the_generated_client_changes_only_what_it_sets(
        generated: tuple[ModuleType, str], served: Served) -> None:
    package, _ = generated
    m = models(package)
    admin, review = open_tour_review(package, served, "IOW-2026-77")
    get = api(package, "reviews", "get_review")
    update = api(package, "reviews", "update_review")
    etag = get.sync_detailed(ref="IOW-2026-77", client=admin).headers["etag"]
    moved = update.sync_detailed(ref="IOW-2026-77", client=admin, if_match=etag,
                                 body=m.ReviewPatch(status=m.ReviewPatchStatus.ANALYSIS))
    assert moved.status_code == 200 and moved.parsed.status == "analysis"
    renaming = m.ReviewPatch(title="Child A (renamed)")
    assert renaming.to_dict() == {"title": "Child A (renamed)"}  # no status sent
    renamed = update.sync_detailed(ref="IOW-2026-77", client=admin,
                                   if_match=moved.headers["etag"], body=renaming)
    assert renamed.status_code == 200
    after = get.sync(ref="IOW-2026-77", client=admin)
    assert (after.title, after.status) == ("Child A (renamed)", "analysis")
    assert after.scoping_period.to_dict() == review["scoping_period"]
    # No field the service sets can be sent: the request shapes do not have them.
    assert not {"revision", "state", "agency"} & {a.name for a in m.ReturnPut.__attrs_attrs__}
    assert not {"version", "created_at"} & {a.name for a in m.ReviewCreate.__attrs_attrs__}
