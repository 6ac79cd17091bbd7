"""Every public class, function and method of kitsu_orm says why or when to use it.

Public: a name without a leading underscore, defined in kitsu_orm (not
imported from elsewhere), in a module whose own name is public. A method
that overrides a documented one inherits its docstring (``inspect.getdoc``).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import kitsu_orm

# Modules run as programs, not imported as a library: their entry points are
# documented by their --help, and importing them has effects (argument parsing).
_SKIPPED = frozenset({"kitsu_orm.devserver.__main__"})


def _modules() -> Iterator[ModuleType]:
    yield kitsu_orm
    for info in pkgutil.walk_packages(kitsu_orm.__path__, "kitsu_orm."):
        if info.name in _SKIPPED or any(p.startswith("_") for p in info.name.split(".")[1:]):
            continue
        yield importlib.import_module(info.name)


def _defined_in(obj: Any, module: ModuleType) -> bool:
    return getattr(obj, "__module__", None) == module.__name__


def _members(cls: type) -> Iterator[tuple[str, Any]]:
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if isinstance(value, property) or inspect.isfunction(value):
            yield name, value


def undocumented() -> list[str]:
    """``module.Class.method`` of every public object without a docstring."""
    missing: set[str] = set()
    for module in _modules():
        for name, obj in vars(module).items():
            if name.startswith("_") or not _defined_in(obj, module):
                continue
            if inspect.isclass(obj):
                if not (obj.__doc__ or "").strip():
                    missing.add(f"{module.__name__}.{name}")
                for member, value in _members(obj):
                    if not (inspect.getdoc(getattr(obj, member, value)) or "").strip():
                        missing.add(f"{module.__name__}.{name}.{member}")
            elif inspect.isfunction(obj) and not (obj.__doc__ or "").strip():
                missing.add(f"{module.__name__}.{name}")
    return sorted(missing)


def test_every_public_class_and_method_has_a_docstring() -> None:
    assert undocumented() == []


def test_the_walk_sees_the_whole_package() -> None:
    names = {m.__name__ for m in _modules()}
    assert {"kitsu_orm.session", "kitsu_orm.model.tasks", "kitsu_orm.compat.gazu.shot"} <= names
