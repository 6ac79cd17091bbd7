"""Field helpers shared by the entity modules."""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["derived", "is_derived", "wire", "wire_name"]

_DERIVED = "kitsu_derived"
_WIRE = "kitsu_wire"


def derived() -> Any:
    """A field the server computes (``project_name``...): read-only data.

    It is neither a filter nor sent back: Zou ignores it on write and, worse,
    silently ignores it as a filter.
    """
    return attrs.field(default=None, metadata={_DERIVED: True})


def is_derived(field: attrs.Attribute[Any]) -> bool:
    return bool(field.metadata.get(_DERIVED))


def wire(name: str) -> Any:
    """A field whose name on the wire differs, because the attribute name is
    taken by a relationship (``Task.assignee_ids`` is ``assignees``)."""
    return attrs.field(default=None, metadata={_WIRE: name})


def wire_name(field: attrs.Attribute[Any]) -> str:
    return str(field.metadata.get(_WIRE, field.name))
