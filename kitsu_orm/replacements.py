"""Deletes that a new object of the same commit replaces.

Zou keeps one row per natural key: one task of a type and name on an entity, one
shot of a name under its sequence. A task deleted and one of its type made again on
its shot, in one commit, cannot be created while the old one exists (the create
route answers the old row, or refuses the name): its delete goes before the creates
(:mod:`kitsu_orm.unitofwork`).

The pending objects that point at an object the commit deletes (a deleted task's new
comment or time spent) are forgotten: on the server they would go with it; sent
first, they would be refused for want of what the commit no longer sends for the
deleted object (the assignment time spent needs), or, after a replaced object's
early delete, for want of their parent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .model.base import Entity
from .model.relationships import ToOne
from .model.state import related_of

if TYPE_CHECKING:
    from .session import Session

__all__ = ["drop_orphans", "replaced_by_new", "row_key"]


def row_key(obj: Entity | None) -> tuple[Any, ...] | None:
    """The values that make ``obj`` one of a kind on the server (a task: its name, type
    and entity), foreign keys read through the objects assigned when not created yet;
    None when a part is unknown (a parent not created: no row can have that key)."""
    if obj is None or not type(obj).__natural_key__:
        return None
    values: list[Any] = [type(obj).__kitsu_type__]
    for name in type(obj).__natural_key__:
        value = getattr(obj, name)
        if value is None:
            for rel_name, rel in type(obj).__relationships__.items():
                target = related_of(obj).get(rel_name)
                if isinstance(rel, ToOne) and rel.key == name and isinstance(target, Entity):
                    value = target.id
        if value is None:
            return None
        values.append(value)
    return tuple(values)


def replaced_by_new(deleted: list[Entity], pending: list[Entity]) -> dict[int, Entity]:
    """The objects of ``deleted`` whose key an object of ``pending`` takes, by ``id()``."""
    taken = {key for o in pending if (key := row_key(o)) is not None}
    return {id(o): o for o in deleted if row_key(o) in taken}


def drop_orphans(session: Session, deleted: list[Entity]) -> None:
    """Forget the pending objects that point at one of ``deleted``, and those that point
    at them in turn."""
    gone_ids = {o.id for o in deleted if o.id}
    gone = {id(o) for o in deleted}
    found = True
    while found:
        found = False
        for obj in session.identity.pending():
            if _points_at(obj, gone, gone_ids):
                gone.add(id(obj))
                session.identity.clear_doubt(obj)
                session.identity.register_deleted(obj)  # pending: forgotten
                found = True


def _points_at(obj: Entity, objs: set[int], ids: set[str]) -> bool:
    """Does ``obj`` point at one of ``objs`` (by ``id()``) or of ``ids`` through a to-one?"""
    for name, rel in type(obj).__relationships__.items():
        if not isinstance(rel, ToOne):
            continue
        target = related_of(obj).get(name)
        if isinstance(target, Entity):
            if id(target) in objs:
                return True
        elif getattr(obj, rel.key) in ids:
            return True
    return False
