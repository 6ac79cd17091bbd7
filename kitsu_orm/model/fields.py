"""Field helpers shared by the entity modules."""

from __future__ import annotations

from typing import Any

import attrs

__all__ = [
    "DEFAULT_FILE_NAME",
    "derived",
    "holds_id",
    "id_kind",
    "is_derived",
    "max_length",
    "sized",
    "wire",
    "wire_name",
]

# The name of a working or output file made without one, as Zou's own routes
# default it: file constructors, paths and revision numbers all assume it.
DEFAULT_FILE_NAME = "main"

_DERIVED = "kitsu_derived"
_WIRE = "kitsu_wire"
_HOLDS_ID = "kitsu_holds_id"
_MAX_LENGTH = "kitsu_max_length"


def derived(wire_as: str | None = None) -> Any:
    """A field the server computes (``project_name``...): read-only data.

    It is neither a filter nor sent back: Zou ignores it on write and, worse,
    silently ignores it as a filter. ``wire_as`` is its name on the wire when
    a relationship takes the attribute's (``PreviewFile.comment_ids``).
    """
    metadata: dict[str, Any] = {_DERIVED: True}
    if wire_as is not None:
        metadata[_WIRE] = wire_as
    return attrs.field(default=None, metadata=metadata)


def is_derived(field: attrs.Attribute[Any]) -> bool:
    """Whether the server computes the field (never sent on a write)."""
    return bool(field.metadata.get(_DERIVED))


def wire(name: str) -> Any:
    """A field whose name on the wire differs, because the attribute name is
    taken by a relationship (``Task.assignee_ids`` is ``assignees``)."""
    return attrs.field(default=None, metadata={_WIRE: name})


def wire_name(field: attrs.Attribute[Any]) -> str:
    """The name the server gives the field (``assignees`` for ``assignee_ids``)."""
    return str(field.metadata.get(_WIRE, field.name))


def holds_id(*, many: bool = False) -> Any:
    """A field that holds an id (or a list of ids, ``many``) though its name does
    not end in ``_id`` (``created_by``, ``AssetType.task_types``): checked as one."""
    return attrs.field(default=None, metadata={_HOLDS_ID: "many" if many else "one"})


def id_kind(field: attrs.Attribute[Any]) -> str | None:
    """``"one"`` or ``"many"`` for a field marked by :func:`holds_id`, else None."""
    kind = field.metadata.get(_HOLDS_ID)
    return str(kind) if kind is not None else None


def sized(limit: int, default: str | None = None) -> Any:
    """A text field Zou stores in a column of ``limit`` characters
    (``db.String(limit)``): a longer value is a ValidationError when set,
    where PostgreSQL would refuse the whole commit with a 500."""
    return attrs.field(default=default, metadata={_MAX_LENGTH: limit})


def max_length(field: attrs.Attribute[Any]) -> int | None:
    """The column size a :func:`sized` field declares, else None."""
    limit = field.metadata.get(_MAX_LENGTH)
    return int(limit) if limit is not None else None
