"""Throwaway projects for tests: a name no other test or run shares, and a removal
that leaves nothing behind, or says what it left.

The pytest plugin (:mod:`kitsu_orm.testing`) makes and removes its projects with
these; a suite of your own can use them for projects it makes by other means.
"""

from __future__ import annotations

import re
import uuid
import warnings
from typing import TYPE_CHECKING, Any

from .errors import KitsuError, NotFound, ServerError

if TYPE_CHECKING:
    from .transport import Transport

__all__ = ["KitsuFixtureWarning", "remove_project", "unique_project_name"]

_MAX_PROJECT_NAME = 80


class KitsuFixtureWarning(UserWarning):
    """A fixture could not clean up after a test, or could not reset a shared server."""


def unique_project_name(test_name: str) -> str:
    """``test-<test name>-<8 hex>``, at most 80 characters, safe for any test id."""
    suffix = uuid.uuid4().hex[:8]
    room = _MAX_PROJECT_NAME - len("test--") - len(suffix)
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name).strip("-")[:room].rstrip("-")
    return f"test-{slug}-{suffix}"


def remove_project(client: Transport, project: dict[str, Any]) -> None:
    """Close, then delete (Zou deletes closed projects only); warn instead of failing."""
    path = f"data/projects/{project['id']}"
    try:
        client.put(path, json={"project_status_id": _closed_status_id(client)})
        try:
            client.delete(path, params={"force": "true"})
        except ServerError:
            # Zou's forced delete removes the project's entities before the asset
            # instances that point at them, and fails on that foreign key.
            _remove_asset_instances(client, project)
            client.delete(path, params={"force": "true"})
    except NotFound:
        pass  # the test deleted it itself
    except KitsuError as exc:
        warnings.warn(
            KitsuFixtureWarning(f"test project {project.get('name')!r} left on the server: {exc}"),
            stacklevel=1,
        )


def _remove_asset_instances(client: Transport, project: dict[str, Any]) -> None:
    """Unlink the project's asset instances from its shots, then delete them."""
    scope = {"project_id": project["id"]}
    for shot in client.get("data/shots/all", scope):
        for instance in _instance_rows(client.get(f"data/shots/{shot['id']}/asset-instances")):
            client.delete(f"data/shots/{shot['id']}/asset-instances/{instance['id']}")
    for asset in client.get("data/assets/all", scope):
        listed = client.get(f"data/assets/{asset['id']}/asset-asset-instances")
        for instance in _instance_rows(listed):
            client.delete(f"data/asset-instances/{instance['id']}")


def _instance_rows(body: Any) -> list[dict[str, Any]]:
    """A list of rows, or Zou's dict of lists of them (instances grouped by asset)."""
    if isinstance(body, dict):
        return [row for rows in body.values() for row in rows]
    return list(body or [])


def _closed_status_id(client: Transport) -> str:
    statuses: list[dict[str, Any]] = client.get("data/project-status")
    for status in statuses:
        if str(status.get("name", "")).lower() == "closed":
            return str(status["id"])
    raise KitsuError("the server has no 'Closed' project status", path="data/project-status")
