"""The generated part of an entity class's docstring: its fields and relationships.

``help(Shot)`` and IPython's ``Shot?`` show what an object holds without
reading the source: each field with its type (and when the server computes
it), each relationship with what it answers. ``@entity`` appends it to the
class's own docstring, which it keeps.
"""

from __future__ import annotations

import inspect
import types
import typing
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from .base import Entity

__all__ = ["document", "fields_doc", "type_name"]

_MARK = "\n\nFields:\n"


def type_name(hint: Any) -> str:
    """An annotation as a person writes it: ``str | None``, ``dict[str, Any]``."""
    if hint is type(None):
        return "None"
    if hint is Any:
        return "Any"
    origin = typing.get_origin(hint)
    if origin in (typing.Union, getattr(types, "UnionType", None)):
        return " | ".join(type_name(a) for a in typing.get_args(hint))
    if origin is not None:
        args = ", ".join(type_name(a) for a in typing.get_args(hint))
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{args}]" if args else name
    if isinstance(hint, type):
        return hint.__name__
    return str(hint).replace("typing.", "")


def _relationship_line(name: str, rel: Any) -> str:
    target = "an entity (shot, asset...)" if rel.polymorphic else rel.target_name
    if rel.many:
        how = f"list[{target}]"
        kind = type(rel).__name__  # by name: relationships imports the declaration
        if kind == "ManyIds":
            via = f" (by ids in ``{rel.key}``)"
        elif kind == "ToMany":
            via = f" (whose ``{rel.key}`` is this one's id)"
        else:
            via = ""
    else:
        how = f"{target} | None"
        via = f" (through ``{rel.key}``)"
    return f"    {name}: {how}{via}"


def fields_doc(cls: type[Entity]) -> str:
    """The list of ``cls``'s fields, relationships and other settable attributes."""
    lines = ["Fields:"]
    for field in attrs.fields(cls):
        if field.name.startswith("_"):
            continue
        note = " (computed by the server)" if field.name in cls.__derived__ else ""
        lines.append(f"    {field.name}: {type_name(field.type)}{note}")
    if cls.__relationships__:
        lines += ["", "Relationships (loaded on first access, in batches):"]
        lines += [_relationship_line(n, r) for n, r in sorted(cls.__relationships__.items())]
    others = sorted(
        name
        for klass in cls.__mro__
        for name, value in vars(klass).items()
        if hasattr(type(value), "__set__")
        and not name.startswith("_")
        and name not in cls.__fields__
        and name not in cls.__relationships__
        and not isinstance(value, property)
    )
    if others:
        lines += ["", "Also settable: " + ", ".join(others)]
    return "\n".join(lines)


def document(cls: type[Entity]) -> None:
    """Append the list of fields to ``cls``'s own docstring (made again when a
    subclass is declared, never twice)."""
    own = inspect.cleandoc(cls.__dict__.get("__doc__") or "").split(_MARK, 1)[0]
    listing = fields_doc(cls)
    cls.__doc__ = f"{own}\n\n{listing}" if own else listing
