"""File trees: Zou's own under Zou's names, kitsu_orm's under names of their own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm.compat import gazu
from kitsu_orm.devserver import ZouInstall
from kitsu_orm.transport import Transport


def _zou_tree(name: str) -> dict[str, Any]:
    """The tree a Zou server ships under ``name``, from the dev server's own install."""
    found = sorted(
        ZouInstall.from_env().root.glob(f"lib/python*/site-packages/zou/app/file_trees/{name}.json")
    )
    assert found, "the dev server's Zou install has no file trees"
    tree: dict[str, Any] = json.loads(Path(found[0]).read_text(encoding="utf-8"))
    return tree


@pytest.mark.server
@pytest.mark.parametrize("name", ["default", "simple"])
def test_zous_trees_are_shipped_under_zous_names(name: str) -> None:
    assert kitsu.file_tree(name) == _zou_tree(name)


def test_kitsu_orms_own_trees_have_names_of_their_own() -> None:
    assert kitsu.file_tree_names() == ["default", "simple", "studio", "studio-versioned"]
    assert kitsu.file_tree("studio")["working"]["mountpoint"] == "/mnt/studio"
    assert kitsu.file_tree("studio") != kitsu.file_tree("default")


@pytest.mark.server
def test_the_default_tree_gives_the_paths_of_zous_default_tree(
    gazu_facade: None, kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    """``set_project_file_tree(project, "default")`` then a working file path: under
    Zou's ``/simple`` mountpoint and ``productions`` root, in Zou's shot file name."""
    c, pid = kitsu_client, kitsu_project["id"]
    gazu.files.set_project_file_tree(pid, "default")
    seq = c.post(f"data/projects/{pid}/sequences", {"name": "SQ01"})
    shot = c.post(f"data/projects/{pid}/shots", {"name": "SH01", "sequence_id": seq["id"]})
    animation = next(t for t in c.get("data/task-types") if t["name"] == "Animation")
    todo = next(s for s in c.get("data/task-status") if s["short_name"] == "todo")
    task = c.post(
        "data/tasks",
        {
            "project_id": pid,
            "entity_id": shot["id"],
            "task_type_id": animation["id"],
            "task_status_id": todo["id"],
        },
    )
    path = gazu.files.build_working_file_path(task)
    project = kitsu_project["name"].lower().replace("-", "_")
    assert (
        path == f"/simple/productions/{project}/shots/sq01/sh01/animation/{project}_sh01_animation"
    )
