"""The read path: an answer's rows become objects of the asked type only."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm.testing import FakeTransport, Team
from kitsu_orm.transport import Transport


def _row(kind: str, name: str, project_id: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "type": kind, "name": name, "project_id": project_id}


def test_a_row_of_another_kind_of_entity_is_not_merged_as_the_asked_one() -> None:
    """Episodes, scenes, shots... share Zou's entity table: a list answer holding a
    scene beside the episodes gives the episodes only (and no Episode named like the
    scene in the identity map)."""
    project = str(uuid.uuid4())
    rows = [
        _row("Episode", "E01", project),
        _row("Scene", "SC01", project),
        _row("Edit", "ED", project),
    ]
    s = kitsu.Session(transport=FakeTransport(lambda *_: rows))
    episodes = kitsu.Episode.where(session=s, project_id=project).lazy("tasks").all()
    assert [e.name for e in episodes] == ["E01"]
    assert all(type(o) is not kitsu.Episode or o.name == "E01" for o in s.identity.objects())


def test_a_row_without_a_type_or_of_its_own_type_is_kept() -> None:
    project = str(uuid.uuid4())
    plain = _row("Episode", "E02", project)
    del plain["type"]
    rows = [_row("Episode", "E01", project), plain]
    s = kitsu.Session(transport=FakeTransport(lambda *_: rows))
    assert sorted(e.name for e in kitsu.Episode.where(session=s, project_id=project).lazy("tasks").all()) == [
        "E01",
        "E02",
    ]


def test_rows_that_say_entity_are_told_apart_by_their_entity_type_read_once() -> None:
    """Some routes call every row ``"Entity"``: its entity type says its kind. The
    entity types are read once a session, whole; an id not among them is an asset type."""
    project, kinds = str(uuid.uuid4()), {"Episode": str(uuid.uuid4()), "Scene": str(uuid.uuid4())}
    rows = [
        {**_row("Entity", name, project), "entity_type_id": kinds[kind]}
        for name, kind in (("E01", "Episode"), ("SC01", "Scene"))
    ] + [{**_row("Entity", "Hero", project), "entity_type_id": str(uuid.uuid4())}]
    types = [{"id": i, "name": n, "type": "EntityType"} for n, i in kinds.items()]

    def answer(method: str, path: str, params: Any, json: Any) -> Any:
        return types if "entity-types" in path else rows

    transport = FakeTransport(answer)
    s = kitsu.Session(transport=transport)
    assert [e.name for e in kitsu.Episode.where(session=s, project_id=project).lazy("tasks").all()] == ["E01"]
    assert [a.name for a in kitsu.Asset.where(session=s, project_id=project).lazy("tasks").all()] == ["Hero"]
    assert sum("entity-types" in r.path for r in transport.requests) == 1


@pytest.mark.server
def test_a_vendor_lists_the_episodes_of_a_project_whose_shot_is_linked_to_a_scene(
    kitsu_client: Transport, kitsu_team: Team, kitsu_as: Any
) -> None:
    """Linking a shot to a scene makes the scene the shot's source: Zou then lists the
    scene among a vendor's episodes. The vendor's Episode query gives the episode."""
    c, pid = kitsu_client, kitsu_team.project["id"]
    c.put(f"data/projects/{pid}", {"production_type": "tvshow"})
    episode = c.post(f"data/projects/{pid}/episodes", {"name": "E01"})
    seq = c.post(f"data/projects/{pid}/sequences", {"name": "SQ01", "episode_id": episode["id"]})
    shot = c.post(f"data/projects/{pid}/shots", {"name": "SH01", "sequence_id": seq["id"]})
    scene = c.post(f"data/projects/{pid}/scenes", {"name": "SC01", "sequence_id": seq["id"]})
    c.post(f"data/scenes/{scene['id']}/shots", {"shot_id": shot["id"]})
    layout = next(t for t in c.get("data/task-types") if t["name"] == "Layout")
    todo = next(s for s in c.get("data/task-status") if s["short_name"] == "todo")
    task = c.post(
        "data/tasks",
        {
            "project_id": pid,
            "entity_id": shot["id"],
            "task_type_id": layout["id"],
            "task_status_id": todo["id"],
        },
    )
    c.put(f"actions/persons/{kitsu_team['vendor'].id}/assign", {"task_ids": [task["id"]]})
    s = kitsu_as("vendor")
    episodes = kitsu.Episode.where(session=s, project_id=pid).all()
    assert [(e.id, e.name) for e in episodes] == [(episode["id"], "E01")]


def test_the_parts_of_a_long_id_list_a_commit_reads_are_sent_side_by_side() -> None:
    """A conflict check of hundreds of objects is several URL-sized GETs: sent at
    once, a distant server costs one round trip for them, not one each."""
    import itertools
    import json
    import threading

    ids = [str(uuid.uuid4()) for _ in range(400)]
    together = threading.Barrier(2, timeout=5)  # broken if the parts go one by one
    calls = itertools.count()

    def server(method: str, path: str, params: dict[str, Any], body: Any) -> Any:
        if next(calls) < 2:
            together.wait()
        return [{"id": i} for i in json.loads(params["id"])]

    s = kitsu.Session(transport=FakeTransport(server))
    rows = s.get_rows("data/entities", {"id": json.dumps(ids)})
    assert [r["id"] for r in rows] == ids  # every part's rows, in order
    assert len(s.transport.requests) >= 2
