"""The hook specs are the plugin contract: documented, implemented and exercised."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from scr_returns import AgencySpec
from scr_returns.core import hookspecs
from scr_returns.core.plugins import PluginHost
from tests import testplugin

SPEC_MARK = f"{hookspecs.PROJECT}_spec"
IMPL_MARK = f"{hookspecs.PROJECT}_impl"


def hookspec_functions() -> dict[str, Callable[..., Any]]:
    return {name: fn for name, fn in vars(hookspecs).items()
            if callable(fn) and hasattr(fn, SPEC_MARK)}


def check_register_agency(host: PluginHost) -> None:
    results = host.pm.hook.scr_returns_register_agency()
    assert len(results) == 1
    spec = results[0]
    assert isinstance(spec, AgencySpec) and spec.name == "testing"
    assert spec == host.pm.hook.scr_returns_register_agency()[0]  # the same value every time
    assert host.plugins["testing"].agency == spec


# Each hook spec with a check that calls it through the test plugin: a hook added
# without an entry here fails test_every_hookspec_is_exercised.
EXERCISES: dict[str, Callable[[PluginHost], None]] = {
    "scr_returns_register_agency": check_register_agency,
}


def test_there_are_hookspecs() -> None:
    assert "scr_returns_register_agency" in hookspec_functions()


@pytest.mark.parametrize("name", sorted(hookspec_functions()))
def test_every_hookspec_documents_its_contract(name: str) -> None:
    fn = hookspec_functions()[name]
    doc = inspect.getdoc(fn) or ""
    summary, _, body = doc.partition("\n\n")
    assert summary and "\n" not in summary.strip(), "a one-line summary first"
    assert body, "then the contract"
    assert "Return" in body, "what the hook returns"
    assert "called" in doc.lower() or "collected" in doc.lower(), "when it is called"
    for parameter in inspect.signature(fn).parameters:
        assert f"``{parameter}``" in doc or parameter in body, f"parameter {parameter}"
    assert inspect.signature(fn).return_annotation != inspect.Signature.empty


@pytest.mark.parametrize("name", sorted(hookspec_functions()))
def test_every_hookspec_is_implemented_by_the_test_plugin(name: str) -> None:
    impl = getattr(testplugin, name, None)
    assert impl is not None and hasattr(impl, IMPL_MARK)
    spec_params = set(inspect.signature(hookspec_functions()[name]).parameters)
    assert set(inspect.signature(impl).parameters) <= spec_params


def test_every_hookspec_is_exercised() -> None:
    assert set(EXERCISES) == set(hookspec_functions())


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_exercise(name: str, test_host: PluginHost) -> None:
    EXERCISES[name](test_host)
