"""Every public function of gazu 1.3.1's modules that scripts call exists in the
facade, with gazu's parameter names, kinds and defaults (found by introspection)."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest

from kitsu_orm.compat import gazu as facade

real = pytest.importorskip("gazu")

MODULES = [
    "asset",
    "cache",
    "casting",
    "client",
    "entity",
    "files",
    "person",
    "playlist",
    "project",
    "scene",
    "shot",
    "task",
    "user",
]


def gazu_functions(module: Any) -> dict[str, inspect.Signature]:
    """The public functions a gazu module defines itself (not those it imports)."""
    return {
        name: inspect.signature(function)
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
    }


def _shape(signature: inspect.Signature) -> list[tuple[str, Any, Any]]:
    shape = []
    for p in signature.parameters.values():
        default = p.default
        if p.name == "client" and default is not inspect.Parameter.empty:
            default = "<default client>" if default is _default_client(default) else default
        shape.append((p.name, p.kind, default))
    return shape


def _default_client(value: Any) -> Any:
    """The default client of whichever library ``value`` comes from."""
    if type(value).__module__.startswith("gazu"):
        return real.client.default_client
    return facade.client.default_client


def differences(name: str) -> list[str]:
    theirs = gazu_functions(importlib.import_module(f"gazu.{name}"))
    ours = getattr(facade, name, None)
    found = []
    for function, signature in sorted(theirs.items()):
        mine = getattr(ours, function, None)
        if not callable(mine):
            found.append(f"{name}.{function}: missing")
        elif _shape(inspect.signature(mine)) != _shape(signature):
            found.append(f"{name}.{function}{inspect.signature(mine)} != gazu's {signature}")
    return found


@pytest.mark.parametrize("name", MODULES)
def test_the_facade_has_every_function_of_the_gazu_module_with_its_signature(name: str) -> None:
    found = differences(name)
    assert not found, "\n".join(found)
