"""Writes of many-to-many relationships: a shot's casting (replaced as a whole,
one request) and the links of a Linked relationship (one request per link added
or removed, against the server's list when an earlier try lost its answer).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from .doubts import doubt
from .errors import ConnectionError, KitsuError, ServerError
from .model.base import Entity
from .model.production import Shot
from .model.relationships import Casting, Linked
from .model.state import instance_state, related_of
from .operations import Cast, Link
from .routes import ACTIONS, LINKS
from .urls import fill

if TYPE_CHECKING:
    from .persistence import Writer

__all__ = ["cast", "changed_links", "link"]


def cast(w: Writer, op: Cast) -> None:
    """Replace a shot's casting with the assets now in ``shot.assets``."""
    shot = op.obj
    related = instance_state(shot).related
    assert isinstance(shot, Shot) and related is not None
    assets = related.get("assets", [])
    counts: dict[str, int] = defaultdict(int)
    for asset in assets:
        if asset.id is None:
            raise KitsuError(f"{shot!r} casts {asset!r}, which was not created")
        counts[asset.id] += 1
    body = [{"asset_id": a, "nb_occurences": n} for a, n in counts.items()]
    path = fill(ACTIONS["casting"], project_id=shot.project_id, entity_id=shot.id)
    w.transport.put(path, body)
    related.pop(Casting.DIRTY, None)


def link(w: Writer, op: Link) -> None:
    """Link and unlink so that the server's links are the ones now in the list."""
    obj, name = op.obj, op.name
    assert obj is not None
    related = instance_state(obj).related
    assert related is not None
    route = LINKS[(type(obj).__kitsu_type__, name)]
    baseline: dict[str, list[str | None]] = related.setdefault(Linked.LOADED, {})
    wanted = [target.id for target in related[name]]
    if None in wanted:
        raise KitsuError(f"{obj!r}.{name} holds an object that was not created")
    if w.session.identity.pop_doubt(obj) is not None:
        # A link or unlink of an earlier try lost its answer: the server's list is the
        # baseline (adding a link twice is refused).
        listed: list[str | None] = [*route.listed_ids(w.transport.get(fill(route.list, id=obj.id)))]
        baseline[name] = listed
        w.session.identity.trust(obj)
    try:
        for target_id in [t for t in wanted if t not in baseline.get(name, [])]:
            w.transport.post(fill(route.add, id=obj.id), {route.add_key: target_id})
            baseline[name] = [*baseline.get(name, []), target_id]
        for target_id in [t for t in baseline.get(name, []) if t not in wanted]:
            w.transport.delete(fill(route.remove, id=obj.id, target=target_id))
            baseline[name] = [t for t in baseline[name] if t != target_id]
    except (ConnectionError, ServerError):
        doubt(w.session, "link", obj, None, (name,))
        raise


def changed_links(obj: Entity) -> list[str]:
    """The Linked relationships of ``obj`` whose list differs from the server's."""
    cache = related_of(obj)
    baseline = cache.get(Linked.LOADED, {})
    return [
        name
        for name, rel in type(obj).__relationships__.items()
        if isinstance(rel, Linked)
        and name in cache
        and sorted(map(str, (o.id for o in cache[name])))
        != sorted(map(str, baseline.get(name, [])))
    ]
