"""The one cattrs converter between Zou's JSON rows and entities.

Wire rules:

- Attribute names are Zou's field names, except where a field carries a
  ``wire`` name (``Task.assignee_ids`` is ``assignees``).
- Datetimes arrive as naive ISO strings in UTC (``2026-11-27T21:06:23``) or
  as dates (``2026-11-30``); they become timezone-aware UTC datetimes and go
  back as naive ISO strings in UTC, as Zou writes them.
- Days (Zou's Date columns: ``TimeSpent.date``, ``Project.start_date``...)
  arrive and go back as ``2026-11-30`` and are ``date`` objects.
- Keys a class does not declare are kept in the object's state
  (``instance_state(obj).extra``) and sent back as they came; ``type`` is the
  class itself and is not kept.
- The object's state (session, change tracking) is never structured nor sent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import attrs

from .base import Entity
from .state import instance_state
from .wire import format_datetime, parse_date, parse_datetime

if TYPE_CHECKING:
    import cattrs

    # Made on first use (see __getattr__ below): importing cattrs costs 10 to
    # 20 ms, much of `import kitsu_orm`, and only writes need it.
    converter: cattrs.Converter

__all__ = [
    "make_converter",
    "converter",
    "get_converter",
    "structure_hook",
    "unstructure",
    "unstructure_fields",
]


def make_converter() -> cattrs.Converter:
    """A private converter for entities; the global cattrs one is never touched."""
    import cattrs

    conv = cattrs.Converter()
    conv.register_structure_hook(datetime, parse_datetime)
    conv.register_unstructure_hook(datetime, format_datetime)
    conv.register_structure_hook(date, parse_date)
    conv.register_unstructure_hook(date, format_datetime)
    conv.register_structure_hook(dict, lambda value, _: value)
    conv.register_structure_hook(list, lambda value, _: value)
    conv.register_structure_hook_factory(
        lambda cls: isinstance(cls, type) and issubclass(cls, Entity),
        structure_hook,
    )
    conv.register_unstructure_hook_factory(
        lambda cls: isinstance(cls, type) and issubclass(cls, Entity),
        lambda cls: _unstructure_fn(conv, cls),
    )
    return conv


_converter: cattrs.Converter | None = None
_converter_lock = threading.Lock()


def get_converter() -> cattrs.Converter:
    """The module's converter (``converter``), made on first use."""
    global _converter
    if _converter is None:
        with _converter_lock:
            if _converter is None:
                _converter = make_converter()
    return _converter


if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        if name == "converter":
            return get_converter()
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _overrides(cls: type[Entity]) -> dict[str, Any]:
    from cattrs.gen import override

    out: dict[str, Any] = {}
    for field in attrs.fields(cls):
        if field.name.startswith("_"):
            out[field.name] = override(omit=True)
        elif cls.__wire__.get(field.name, field.name) != field.name:
            out[field.name] = override(rename=cls.__wire__[field.name])
    return out


def structure_hook(cls: type[Entity]) -> Callable[[Any, Any], Entity]:
    """The cattrs structure hook of an entity class, shared by every converter:
    it needs none (see :mod:`kitsu_orm.model.builders`)."""
    from .builders import structure_row

    def hook(row: dict[str, Any], _: Any) -> Entity:
        return structure_row(row, cls)

    return hook


def _unstructure_fn(
    conv: cattrs.Converter, cls: type[Entity]
) -> Callable[[Entity], dict[str, Any]]:
    from cattrs.gen import make_dict_unstructure_fn

    base = make_dict_unstructure_fn(cls, conv, **_overrides(cls))

    def unstructure(obj: Entity) -> dict[str, Any]:
        row: dict[str, Any] = base(obj)
        extra = instance_state(obj).extra
        if extra:
            row = {**extra, **row}
        row["type"] = cls.__kitsu_type__
        return row

    return unstructure


# Values that go on the wire as they are: most of what a commit compares and sends.
_AS_IS = frozenset({str, int, float, bool, type(None)})


def unstructure(value: Any) -> Any:
    """A value (an entity, a datetime, JSON data) as it goes on the wire."""
    if type(value) in _AS_IS:
        return value
    return get_converter().unstructure(value)


def unstructure_fields(obj: Entity, names: list[str] | None = None) -> dict[str, Any]:
    """Wire values of some fields of ``obj`` (all when ``names`` is None)."""
    cls = type(obj)
    out: dict[str, Any] = {}
    for name in names if names is not None else sorted(cls.__fields__):
        value = object.__getattribute__(obj, name)
        out[cls.__wire__[name]] = unstructure(value)
    return out
