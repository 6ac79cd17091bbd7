"""The many-to-many links the API shows per object only: where each is listed,
added and removed (``shot.asset_instances``, ``scene.shots``, ``project.team``, a
project's settings). Declarative data, read by :mod:`kitsu_orm.loading` and written
by :mod:`kitsu_orm.links`; :mod:`kitsu_orm.routes` re-exports it.
"""

from __future__ import annotations

import builtins
from typing import Any

import attrs

__all__ = ["LINKS", "LinkRoutes"]


@attrs.frozen
class LinkRoutes:
    """A many-to-many link the API shows per object only (``shot.asset_instances``).

    ``list`` answers the linked rows (possibly grouped in a dict of lists), or,
    with ``ids_in``, the object's own row, which lists the linked ids under that
    key; ``add`` takes ``{add_key: target id}``; ``remove`` takes ``{target}``.
    """

    list: str
    add: str
    add_key: str
    remove: str
    ids_in: str | None = None

    def listed_ids(self, body: Any) -> builtins.list[str]:
        """The linked ids the ``list`` route answered."""
        if self.ids_in is not None:
            return [str(i) for i in (body or {}).get(self.ids_in) or ()]
        rows = [r for group in body.values() for r in group] if isinstance(body, dict) else body
        return [str(row["id"]) for row in rows or ()]


def _link(base: str, key: str, list: str | None = None, ids_in: str | None = None) -> LinkRoutes:
    """A link added at ``base`` and removed at ``base/{target}``."""
    return LinkRoutes(list or base, base, key, f"{base}/{{target}}", ids_in)


_SETTINGS = "data/projects/{id}/settings"

LINKS: dict[tuple[str, str], LinkRoutes] = {
    ("Shot", "asset_instances"): _link("data/shots/{id}/asset-instances", "asset_instance_id"),
    ("Scene", "shots"): _link("data/scenes/{id}/shots", "shot_id"),
    # A project's settings (Zou's data/projects/{id}/settings/...) and its team.
    ("Project", "team"): _link("data/projects/{id}/team", "person_id"),
    ("Project", "task_types"): _link(
        f"{_SETTINGS}/task-types", "task_type_id", "data/projects/{id}/task-types"
    ),
    ("Project", "task_statuses"): _link(f"{_SETTINGS}/task-status", "task_status_id"),
    # No route lists a project's asset types setting: its row does.
    ("Project", "asset_types"): _link(
        f"{_SETTINGS}/asset-types", "asset_type_id", "data/projects/{id}", "asset_types"
    ),
}
