"""The loaded lists of parents kept in step with a commit's creates and deletes.

A sequence whose ``shots`` were loaded before the commit lists the shot the
commit created in it, and no longer lists the one it deleted, without a
request: the list a relationship handed out stays true to the server.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .model.base import REGISTRY, Entity
from .model.relationships import ToMany
from .model.state import related_of

if TYPE_CHECKING:
    from .session import Session

__all__ = ["attach_to_parents", "detach_from_parents"]


def attach_to_parents(session: Session, obj: Entity) -> None:
    """A created object joins the loaded lists of its parents (``seq.shots``)."""
    for parent, rel_name in _parents(session, obj):
        cached = related_of(parent).get(rel_name)
        if cached is not None and obj not in cached:
            list.append(cached, obj)  # the list handed out is read-only to the user


def detach_from_parents(session: Session, obj: Entity) -> None:
    """Take a deleted ``obj`` out of the loaded lists of its parents' relationships."""
    for parent, rel_name in _parents(session, obj):
        cached = related_of(parent).get(rel_name)
        if cached is not None and obj in cached:
            list.remove(cached, obj)


def _parents(session: Session, obj: Entity) -> Iterable[tuple[Entity, str]]:
    for cls in {c for c in REGISTRY.values() if hasattr(c, "__relationships__")}:
        for name, rel in cls.__relationships__.items():
            if isinstance(rel, ToMany) and rel.target_name == type(obj).__kitsu_type__:
                key = getattr(obj, rel.key, None)
                parent = session.identity.get(key) if isinstance(key, str) else None
                if isinstance(parent, cls):
                    yield parent, name
