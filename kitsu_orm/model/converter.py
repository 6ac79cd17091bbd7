"""The one cattrs converter between Zou's JSON rows and entities.

Wire rules:

- Attribute names are Zou's field names, except where a field carries a
  ``wire`` name (``Task.assignee_ids`` is ``assignees``).
- Datetimes arrive as naive ISO strings in UTC (``2026-11-27T21:06:23``) or
  as dates (``2026-11-30``); they become timezone-aware UTC datetimes and go
  back as naive ISO strings in UTC, as Zou writes them.
- Keys a class does not declare are kept in ``_extra`` and sent back as they
  came; ``type`` is the class itself and is not kept.
- Private state (session, change tracking) is never structured nor sent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, TypeVar, cast

import attrs

from .base import Entity

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
    "structure_row",
    "positional_structure",
    "unstructure",
    "unstructure_fields",
    "PARTIAL",
]

# A row that carries this key holds only some of its type's fields: the
# others are left unset and loaded when first read.
PARTIAL = "__partial__"

E = TypeVar("E", bound=Entity)


def parse_datetime(value: Any, _: Any = None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def format_datetime(value: datetime | date) -> str:
    if not isinstance(value, datetime):
        return value.isoformat()
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.isoformat()


def make_converter() -> cattrs.Converter:
    """A private converter for entities; the global cattrs one is never touched."""
    import cattrs

    conv = cattrs.Converter()
    conv.register_structure_hook(datetime, parse_datetime)
    conv.register_unstructure_hook(datetime, format_datetime)
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


_STRUCTURE: dict[type[Entity], Callable[[Any, Any], Any]] = {}


def structure_hook(cls: type[Entity]) -> Callable[[Any, Any], Entity]:
    """The structure hook of an entity class, shared by every converter (it needs
    none: see :func:`_structure_fn`)."""
    hook = _STRUCTURE.get(cls)
    if hook is None:
        hook = _STRUCTURE[cls] = _structure_fn(cls)
    return hook


def _structure_fn(cls: type[Entity]) -> Callable[[Any, Any], Entity]:
    """A structure hook that fills the slots directly.

    Rows come from the server, already JSON-typed: they need no per-value
    conversion but datetimes, and going through ``__init__`` (and the
    tracked ``__setattr__``) would cost most of the time of a large load.
    """
    # The hook is generated per class, one straight line of code per field:
    # a loop over a field plan costs twice as much on a 4000-row load.
    namespace: dict[str, Any] = {
        "new": object.__new__,
        "cls": cls,
        "PARTIAL": PARTIAL,
        "parse": parse_datetime,
        "known": frozenset(cls.__from_wire__) | {"type", PARTIAL},
        "MISSING": _MISSING,
    }
    lines = ["def structure(row, _):", "    obj = new(cls)", "    get = row.get",
             "    partial = get(PARTIAL, False)"]
    for n, field in enumerate(attrs.fields(cls)):
        namespace[f"set{n}"] = _slot(cls, field.name).__set__
        if field.name.startswith("_"):
            namespace[f"default{n}"] = field.default
            lines.append(f"    set{n}(obj, default{n})")
            continue
        if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            namespace[f"factory{n}"] = field.default.factory
            default = f"factory{n}()"
        else:
            namespace[f"default{n}"] = field.default
            default = f"default{n}"
        value = "v" if field.name not in cls.__datetime_fields__ else (
            "v if v is None else parse(v)"
        )
        lines += [
            f"    v = get({cls.__wire__.get(field.name, field.name)!r}, MISSING)",
            "    if v is not MISSING:",
            f"        set{n}(obj, {value})",
            "    elif not partial:",
            f"        set{n}(obj, {default})",
        ]
    extra = _slot(cls, "_extra").__set__
    namespace["set_extra"] = extra
    lines += [
        "    if not known.issuperset(row):",
        "        set_extra(obj, {k: v for k, v in row.items() if k not in known})",
        "    return obj",
    ]
    exec(compile("\n".join(lines), f"<structure {cls.__name__}>", "exec"), namespace)
    structure: Callable[[Any, Any], Entity] = namespace["structure"]
    return structure


_MISSING = object()


def positional_structure(
    cls: type[E], fields: tuple[str, ...], *, keep_unknown: bool
) -> Callable[[Sequence[Any]], E]:
    """A builder of partial ``cls`` objects from positional rows whose column
    names are ``fields`` (Zou's compact answers). Skipping the dict of each
    row halves the cost of a large load. Columns the class does not declare
    go to ``_extra`` with ``keep_unknown``, else are dropped; fields with no
    column are left unset (loaded on first read)."""
    key = (cls, fields, keep_unknown)
    build = _POSITIONAL.get(key)
    if build is None:
        build = _POSITIONAL[key] = _positional_fn(cls, fields, keep_unknown)
    return build


_POSITIONAL: dict[tuple[type[Entity], tuple[str, ...], bool], Callable[[Sequence[Any]], Any]] = {}


def _positional_fn(
    cls: type[Entity], fields: tuple[str, ...], keep_unknown: bool
) -> Callable[[Sequence[Any]], Any]:
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls, "parse": parse_datetime}
    lines = ["def build(values):", "    obj = new(cls)"]
    unknown: list[str] = []
    for n, field in enumerate(attrs.fields(cls)):
        namespace[f"set{n}"] = _slot(cls, field.name).__set__
        if field.name.startswith("_"):
            namespace[f"default{n}"] = field.default
            lines.append(f"    set{n}(obj, default{n})")
            continue
        wire = cls.__wire__.get(field.name, field.name)
        if wire not in fields:
            continue
        at = fields.index(wire)
        value = f"values[{at}]"
        if field.name in cls.__datetime_fields__:
            value = f"None if values[{at}] is None else parse(values[{at}])"
        lines.append(f"    set{n}(obj, {value})")
    if keep_unknown:
        unknown = [f for f in fields if f not in cls.__from_wire__ and f != "type"]
    if unknown:
        namespace["set_extra"] = _slot(cls, "_extra").__set__
        pairs = ", ".join(f"{name!r}: values[{fields.index(name)}]" for name in unknown)
        lines.append(f"    set_extra(obj, {{{pairs}}})")
    lines.append("    return obj")
    exec(compile("\n".join(lines), f"<positional {cls.__name__}>", "exec"), namespace)
    build: Callable[[Sequence[Any]], Any] = namespace["build"]
    return build


def _slot(cls: type, name: str) -> Any:
    """The slot descriptor that stores ``name`` (a class may shadow it with a property)."""
    for klass in cls.__mro__:
        found = vars(klass).get(name)
        if found is not None and type(found).__name__ == "member_descriptor":
            return found
    raise TypeError(f"{cls.__name__} has no slot {name!r}")  # pragma: no cover


def _unstructure_fn(
    conv: cattrs.Converter, cls: type[Entity]
) -> Callable[[Entity], dict[str, Any]]:
    from cattrs.gen import make_dict_unstructure_fn

    base = make_dict_unstructure_fn(cls, conv, **_overrides(cls))

    def unstructure(obj: Entity) -> dict[str, Any]:
        row: dict[str, Any] = base(obj)
        if obj._extra:
            row = {**obj._extra, **row}
        row["type"] = cls.__kitsu_type__
        return row

    return unstructure


def structure_row(row: dict[str, Any], cls: type[E]) -> E:
    # What converter.structure(row, cls) does, straight to the hook: reads
    # then never import cattrs, nor pay for its dispatch on every row.
    hook = _STRUCTURE.get(cls) or structure_hook(cls)
    return cast(E, hook(row, cls))


def unstructure(value: Any) -> Any:
    """A value (an entity, a datetime, JSON data) as it goes on the wire."""
    return get_converter().unstructure(value)


def unstructure_fields(obj: Entity, names: list[str] | None = None) -> dict[str, Any]:
    """Wire values of some fields of ``obj`` (all when ``names`` is None)."""
    cls = type(obj)
    out: dict[str, Any] = {}
    for name in names if names is not None else sorted(cls.__fields__):
        value = object.__getattribute__(obj, name)
        out[cls.__wire__[name]] = unstructure(value) if value is not None else None
    return out
