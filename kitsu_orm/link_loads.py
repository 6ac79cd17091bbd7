"""Loads of relationships kept in link tables: a shot's casting, read for a whole
project in one request, and the links Zou shows per object only
(``shot.asset_instances``), one request per object. An include plan runs them
whole at their turn (:meth:`Load.inline <kitsu_orm.load_plan.Load.inline>`):
they are not cut where they wait for the server.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .boards import in_listing_order as _sorted
from .model.base import REGISTRY, Entity
from .model.declaration import is_row_of
from .model.relationships import Casting, Linked
from .model.state import instance_state, related_of
from .model.wire import PARTIAL
from .read_routes import CASTING, read_plan
from .routes import LINKS
from .urls import fill

if TYPE_CHECKING:
    from .loading import Loader
    from .session import Session

__all__ = ["load_casting", "load_linked"]


def load_casting(loader: Loader, rel: Casting, objs: Sequence[Entity]) -> list[Entity]:
    """One request per project gives the casting of all its shots (a vendor,
    whom Zou refuses it, reads one request per shot)."""
    todo = [o for o in objs if o.id and rel.name not in related_of(o)]
    by_project: dict[str, list[Entity]] = defaultdict(list)
    for shot in todo:
        by_project[getattr(shot, "project_id", None) or ""].append(shot)
    identity = loader.session.identity
    for project_id, shots in by_project.items():
        if not project_id:
            casting: dict[str, list[str]] = {}
        else:
            context = {"project_id": project_id, "id": [s.id for s in shots if s.id]}
            casting = _casting(loader.session, context)
        wanted = sorted({i for s in shots for i in casting.get(s.id or "", [])})
        missing = [i for i in wanted if i not in identity]
        if missing:
            loader.fetch_ids("Asset", missing, scope=("project_id", project_id))
        for shot in shots:
            ids = casting.get(shot.id or "", [])
            instance_state(shot).related_cache()[rel.name] = identity.found(ids)
    assets = {id(a): a for o in objs for a in related_of(o).get(rel.name, [])}
    return list(assets.values())


def _casting(session: Session, context: dict[str, Any]) -> dict[str, list[str]]:
    """Asset ids by shot id, from the casting route this user may read."""

    def read(role: str) -> dict[str, list[str]]:
        plan = read_plan("Casting", role, {}, context, routes=CASTING)
        out: dict[str, list[str]] = {}
        for request in plan.requests:
            body = session.read("Casting", request.path, dict(request.params))
            if isinstance(body, dict):  # the project's: {shot id: [{asset_id...}]}
                for shot_id, cast in body.items():
                    # An asset cast twice is one row of nb_occurences 2: listed twice,
                    # as the casting write takes it.
                    out[shot_id] = [c["asset_id"] for c in cast for _ in range(_occurrences(c))]
            else:  # one shot's assets, as rows
                assets = [session.identity.merge_row(REGISTRY["Asset"], row) for row in body]
                out[request.values["id"]] = [a.id for a in assets if a.id]
        return out

    return session.as_role(read)


def load_linked(loader: Loader, rel: Linked[Any], objs: Sequence[Entity]) -> list[Entity]:
    """One request per object: the link routes answer one object's links."""
    if not objs:
        return []
    route = LINKS[(type(objs[0]).__kitsu_type__, rel.name)]
    target, identity = rel.target, loader.session.identity
    for obj in objs:
        cache = instance_state(obj).related_cache()
        if rel.name in cache:
            continue
        body = loader.session.transport.get(fill(route.list, id=obj.id)) if obj.id else []
        if route.ids_in is not None:  # the object's row lists the ids: load the targets
            ids = route.listed_ids(body)
            missing = [i for i in ids if i not in identity]
            if missing:
                loader.fetch_ids(rel.target_name, missing)
            known = [identity.get(i) for i in ids]
            rows_linked = [o for o in known if o is not None]
        else:
            rows = [r for g in body.values() for r in g] if isinstance(body, dict) else body
            # Partial: Zou shows some roles fewer fields (a team's people to artists).
            rows_linked = [
                identity.merge_row(target, {**r, PARTIAL: True})
                for r in rows
                if is_row_of(target, r)
            ]
        # Zou answers links in no stable order.
        linked = _sorted(rows_linked)
        cache[rel.name] = linked
        cache.setdefault(Linked.LOADED, {})[rel.name] = [o.id for o in linked]
    found = {id(o): o for obj in objs for o in related_of(obj).get(rel.name, [])}
    return list(found.values())


def _occurrences(cast: dict[str, Any]) -> int:
    """How many times a casting row puts its asset in the shot (Zou spells it nb_occurences)."""
    count = cast.get("nb_occurences")
    return count if isinstance(count, int) and count > 0 else 1
