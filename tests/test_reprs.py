"""Reprs that say what a thing is, from what the session holds: never a request.

Offline tests build objects into a session on a FakeTransport that records
every request; the server tests read a production, then count the requests
the reprs send (none), as the admin and as an artist.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sample_rows import SHOT_ROW, TASK_ROW

import kitsu_orm as kitsu
from kitsu_orm.fake_transport import FakeTransport
from kitsu_orm.model.labels import Column, Shown, Span, describe
from kitsu_orm.model.state import instance_state
from kitsu_orm.testing import Team
from kitsu_orm.transport import Transport


def _id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def offline() -> Iterator[tuple[kitsu.Session, FakeTransport]]:
    """A session whose transport answers nothing: any request would be recorded."""
    fake = FakeTransport()
    session = kitsu.Session(transport=fake)
    yield session, fake
    assert fake.requests == [], "a repr sent a request"


def _row(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    row = copy.deepcopy(base)
    row.update(changes)
    return row


def _production(session: kitsu.Session) -> dict[str, Any]:
    """A sequence, a shot, a task type and status, an artist and a task, merged into
    the session as if read from the server."""
    ids = {k: _id() for k in ("seq", "shot", "type", "status", "person", "task", "project")}
    merge = session.identity.merge_row
    out: dict[str, Any] = {"ids": ids}
    out["seq"] = merge(kitsu.Sequence, {"id": ids["seq"], "name": "SQ01", "type": "Sequence"})
    out["shot"] = merge(
        kitsu.Shot,
        _row(SHOT_ROW, id=ids["shot"], parent_id=ids["seq"], sequence_name=None)
        | {"data": {"frame_in": 1, "frame_out": 24}},
    )
    out["type"] = merge(kitsu.TaskType, {"id": ids["type"], "name": "Animation"})
    out["status"] = merge(
        kitsu.TaskStatus, {"id": ids["status"], "name": "Work In Progress", "short_name": "wip"}
    )
    out["person"] = merge(
        kitsu.Person,
        {"id": ids["person"], "first_name": "Ana", "last_name": "Lima", "role": "user"},
    )
    out["task"] = merge(
        kitsu.Task,
        _row(
            TASK_ROW,
            id=ids["task"],
            task_type_id=ids["type"],
            task_status_id=ids["status"],
            entity_id=ids["shot"],
            assignees=[ids["person"]],
            project_id=ids["project"],
        ),
    )
    return out


# -- each type says what it is ------------------------------------------------------------


def test_a_task_reads_as_its_type_entity_and_status(offline: Any) -> None:
    session, _ = offline
    p = _production(session)
    assert repr(p["task"]) == "<Task Animation · SH010 · wip>"
    assert repr(p["shot"]) == "<Shot SH010 (SQ01, 1-24)>"
    assert repr(p["seq"]) == "<Sequence SQ01>"
    assert repr(p["type"]) == "<TaskType Animation>"
    assert repr(p["status"]) == "<TaskStatus wip (Work In Progress)>"
    assert repr(p["person"]) == "<Person Ana Lima (user)>"


def test_a_related_object_not_loaded_reads_as_its_short_id(offline: Any) -> None:
    session, _ = offline
    task = session.identity.merge_row(kitsu.Task, _row(TASK_ROW))  # nothing else loaded
    assert repr(task) == "<Task tt · e · ts>"
    type_id = _id()
    task.task_type_id = type_id
    assert repr(task).startswith(f"<Task {type_id[:8]} · ")
    shot = session.identity.merge_row(kitsu.Shot, _row(SHOT_ROW))
    # The sequence is not loaded, the name the server computed stands in for it.
    assert repr(shot) == "<Shot SH010 (SQ01, 1-48)>"
    bare = session.identity.merge_row(kitsu.Shot, _row(SHOT_ROW, id=_id(), sequence_name=None))
    assert repr(bare) == f"<Shot SH010 ({SHOT_ROW['parent_id'][:8]}, 1-48)>"


def test_an_object_without_a_name_reads_as_its_short_id_and_a_new_one_as_its_lifecycle() -> None:
    id = _id()
    shot = kitsu.Shot(id=id)
    assert repr(shot) == f"<Shot {id[:8]} (transient)>"
    assert repr(kitsu.Shot()) == "<Shot (transient)>"
    assert repr(kitsu.Shot(name="SH999", frame_in=1, frame_out=48)) == (
        "<Shot SH999 (1-48) (transient)>"
    )
    loaded = kitsu.Session(transport=FakeTransport()).identity.merge_row(kitsu.Shot, SHOT_ROW)
    instance_state(loaded).move_to(kitsu.State.DELETED, None)
    assert repr(loaded) == "<Shot SH010 (SQ01, 1-48) (deleted)>"


def test_a_partial_row_leaves_out_what_it_lacks_and_loads_nothing(offline: Any) -> None:
    session, _ = offline
    shot = session.identity.merge_row(kitsu.Shot, {"id": SHOT_ROW["id"], "name": "SH010"})
    assert repr(shot) == "<Shot SH010>"
    comment = session.identity.merge_row(
        kitsu.Comment, {"id": _id(), "text": "Blocking is done, please review the camera"}
    )
    assert repr(comment) == f"<Comment {comment.id[:8]} (Blocking is done, please review the cam…)>"


def test_every_entity_type_prints_without_a_session_and_without_a_name() -> None:
    for name, cls in kitsu.model.REGISTRY.items():
        if name == "EntityRow":
            continue
        assert repr(cls()).startswith(f"<{cls.__name__}")
        assert isinstance(cls.__shown__, Shown)


def test_a_type_declares_its_own_parts() -> None:
    assert [c.title for c in kitsu.Task.__shown__.columns] == [
        "task_type",
        "entity",
        "task_status",
        "assignees",
        "due_date",
    ]
    assert kitsu.Shot.__shown__.details == (
        Column("sequence.name|sequence_name"),
        Span("data.frame_in", "data.frame_out"),
    )


def test_a_class_declared_in_a_test_names_itself_its_own_way(offline: Any) -> None:
    class Note(kitsu.Shot):
        """A shot as a test sees it."""

        __shown__ = Shown("code", details=(Column("data.camera.lens", fmt="{}mm"),))

    session, _ = offline
    note = session.identity.merge_row(Note, _row(SHOT_ROW, code="C1"))
    assert describe(note) == "<Note C1 (35mm)>"


def test_a_person_repr_holds_no_secret(offline: Any) -> None:
    session, _ = offline
    person = session.identity.merge_row(
        kitsu.Person,
        {
            "id": _id(),
            "first_name": "Ana",
            "last_name": "Lima",
            "password": "hunter2-secret",
            "totp_secret": "JBSWY3DP",
            "email": "ana@example.com",
        },
    )
    for text in (repr(person), person._repr_html_()):
        assert "hunter2" not in text and "JBSWY3DP" not in text


# -- queries ------------------------------------------------------------------------------


def test_a_query_reads_as_what_it_asks() -> None:
    project = kitsu.Project(name="Agent 327", id=_id())
    seq = kitsu.Sequence(name="SQ01", id=_id())
    query = (
        kitsu.Shot.where(project=project, sequence=seq)
        .include("tasks")
        .only("name")
        .order_by("-name")
        .limit(10)
    )
    assert repr(query) == (
        "<Query Shot where project='Agent 327', sequence='SQ01' include tasks only name "
        "order by -name limit 10>"
    )
    assert repr(kitsu.Shot.query()) == "<Query Shot>"
    assert repr(kitsu.Shot.where(project=project).lazy("tasks")) == (
        "<Query Shot where project='Agent 327' lazy tasks>"
    )
    assert repr(kitsu.Shot.where(name=["SH010", "SH020"], canceled=False)) == (
        "<Query Shot where name in ['SH010', 'SH020'], canceled=False>"
    )
    assert "Filter(" not in repr(query) and "values=" not in repr(query)


def test_a_query_by_id_shows_the_id_it_was_given() -> None:
    pid = _id()
    assert repr(kitsu.Shot.where(project=pid)) == f"<Query Shot where project='{pid}'>"


# -- on the real server ------------------------------------------------------------------


def _build(kitsu_client: Transport, project_id: str, person_id: str | None = None) -> None:
    """SQ01 with SH010 (1-24) and SH020, an Animation task on each, todo; the first
    assigned to ``person_id``."""
    s = kitsu.Session(transport=Transport(kitsu_client.host, token=kitsu_client.tokens))
    with s.begin():
        p = s.get(kitsu.Project, project_id)
        anim = kitsu.TaskType.where(name="Animation", for_entity="Shot", session=s).one()
        todo = kitsu.TaskStatus.where(short_name="todo", session=s).one()
        seq = kitsu.Sequence(name="SQ01", project=p)
        s.add(seq)
        for name, frames in (("SH010", (1, 24)), ("SH020", (25, 48))):
            shot = kitsu.Shot(
                name=name, project=p, sequence=seq, frame_in=frames[0], frame_out=frames[1]
            )
            task = kitsu.Task(project=p, entity=shot, task_type=anim, task_status=todo)
            if person_id and name == "SH010":
                task.assignee_ids = [person_id]
            s.add_all([shot, task])
    s.close()
    s.transport.close()


def _everything_shown(session: kitsu.Session, project_id: str) -> dict[str, Any]:
    """Read the production (requests allowed), then show it all, counting requests."""
    project = kitsu.Project.get(project_id, session=session)
    query = kitsu.Shot.where(project=project, session=session).include("tasks").order_by("name")
    shots = query.all()
    for shot in shots:
        for task in shot.tasks:
            assert task.task_type is not None and task.task_status is not None
            list(task.assignees)
    before = session.transport.stats.total
    shown = {
        "shots": [repr(s) for s in shots],
        "tasks": [repr(t) for s in shots for t in s.tasks],
        "query": repr(query),
        "html": [s._repr_html_() for s in shots] + [shots._repr_html_(), query._repr_html_()],
        "task_html": [t._repr_html_() for s in shots for t in s.tasks],
        "project": repr(project),
    }
    shown["requests"] = session.transport.stats.total - before
    return shown


@pytest.mark.server
def test_reprs_on_the_server_send_no_request(
    kitsu_client: Transport, kitsu_project: dict[str, Any], new_session: Any
) -> None:
    _build(kitsu_client, kitsu_project["id"])
    shown = _everything_shown(new_session(), kitsu_project["id"])
    assert shown["requests"] == 0
    assert shown["shots"] == ["<Shot SH010 (SQ01, 1-24)>", "<Shot SH020 (SQ01, 25-48)>"]
    assert shown["tasks"] == ["<Task Animation · SH010 · todo>", "<Task Animation · SH020 · todo>"]
    assert (
        shown["query"]
        == f"<Query Shot where project={kitsu_project['name']!r} include tasks order by name>"
    )


@pytest.mark.server
def test_reprs_as_an_artist_sees_them(
    kitsu_client: Transport, kitsu_team: Team, kitsu_artist: kitsu.Session
) -> None:
    artist = kitsu_team["artist"]
    _build(kitsu_client, kitsu_team.project["id"], artist.id)
    shown = _everything_shown(kitsu_artist, kitsu_team.project["id"])
    assert shown["requests"] == 0
    assert shown["shots"] == ["<Shot SH010 (SQ01, 1-24)>", "<Shot SH020 (SQ01, 25-48)>"]
    assert "<Task Animation · SH010 · todo>" in shown["tasks"]
    # The assignee is named in the task's card, from the session's own people.
    card = next(h for h in shown["task_html"] if "SH010" in h)
    assert "Artist Test" in card
    for text in (*shown["html"], *shown["task_html"]):
        assert artist.password not in text


def test_a_path_that_ends_on_objects_reads_as_their_titles(offline: Any) -> None:
    session, _ = offline
    p = _production(session)
    comment = session.identity.merge_row(
        kitsu.Comment,
        {
            "id": _id(),
            "text": "Blocking done",
            "person_id": p["ids"]["person"],
            "task_status_id": p["ids"]["status"],
            "object_id": p["ids"]["task"],
        },
    )
    assert repr(comment) == "<Comment wip · Ana Lima (Blocking done)>"
    row = kitsu.ResultList([p["task"]])._repr_html_()
    assert "<td>Animation</td><td>SH010</td><td>wip</td><td>Ana Lima</td>" in row
