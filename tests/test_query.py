"""Queries: validated when built (no request for a bad one), immutable, and run on a real Kitsu."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest
from conftest import SessionFactory

import kitsu_orm as kitsu
from kitsu_orm.testing import ProjectFactory
from kitsu_orm.transport import Transport

# -- built without a session: nothing can be sent ------------------------------------------


def test_queries_are_immutable() -> None:
    base = kitsu.Shot.where(name="SH010")
    narrowed = base.where(nb_frames=48)
    assert narrowed is not base
    assert len(base.filters) == 1 and len(narrowed.filters) == 2
    for derived in (
        base.include("tasks"),
        base.order_by("-name"),
        base.limit(3),
        base.only("name"),
    ):
        assert derived is not base
    assert (base.includes, base.ordering, base.max_rows, base.fields) == ((), (), None, ())


def test_date_filters_take_values_as_the_fields_keep_them() -> None:
    at_midnight = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert kitsu.Task.where(due_date=date(2026, 1, 1)).filters[0].values == (at_midnight,)
    assert kitsu.Task.where(due_date="2026-01-01").filters[0].values == (at_midnight,)
    day = kitsu.Project.where(start_date=datetime(2026, 1, 1, 18, 0)).filters[0].values
    assert day == (date(2026, 1, 1),)
    with pytest.raises(kitsu.ValidationError, match=r"Task\.due_date takes an ISO date"):
        kitsu.Task.where(due_date="tomorrow")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: kitsu.Shot.where(nmae="SH010"), r"Shot has no field 'nmae'.*did you mean name"),
        (lambda: kitsu.Shot.where(sequense=None), r"did you mean sequence"),
        (lambda: kitsu.Shot.where(project_name="x"), r"computed by the server"),
        (lambda: kitsu.Shot.where(tasks=[]), r"Shot.tasks is a list of Task"),
        (
            lambda: kitsu.Shot.where().include("taskz"),
            r"no relationship 'taskz'.*did you mean tasks",
        ),
        (
            lambda: kitsu.Shot.where().include("tasks.task_stat"),
            r"Task has no relationship 'task_stat'",
        ),
        (lambda: kitsu.Shot.where().order_by("-nmae"), r"Shot has no field 'nmae'"),
        (lambda: kitsu.Shot.where().only("frame"), r"Shot has no field 'frame'"),
        (lambda: kitsu.Shot.where().limit(-1), r"limit takes a whole number"),
        (lambda: kitsu.Shot.where(nb_frames="48"), r"Shot.nb_frames takes int.*not str"),
        (lambda: kitsu.Shot.where(nb_frames=True), r"Shot.nb_frames takes int"),
        (lambda: kitsu.Shot.where(canceled="no"), r"Shot.canceled takes bool"),
        (lambda: kitsu.Task.where(estimation="3"), r"Task.estimation"),
        (lambda: kitsu.Shot.where(project=42), r"takes a Project or an id string, not int"),
        (lambda: kitsu.Shot.where(sequence=kitsu.Sequence(name="new")), r"is not created yet"),
    ],
)
def test_a_bad_query_is_refused_when_built(build: Any, message: str) -> None:
    with pytest.raises(kitsu.ValidationError, match=message):
        build()


# -- on the server ------------------------------------------------------------------------


@pytest.fixture
def production(
    kitsu_client: Transport, kitsu_project: dict[str, Any], session: kitsu.Session
) -> dict[str, Any]:
    """SQ01 with SH010..SH050: nb_frames 50 down to 10, description "even" on SH020 and SH040."""
    pid = kitsu_project["id"]
    seq = kitsu_client.post(f"data/projects/{pid}/sequences", {"name": "SQ01"})
    for n in range(1, 6):
        kitsu_client.post(
            f"data/projects/{pid}/shots",
            {
                "name": f"SH0{n}0",
                "sequence_id": seq["id"],
                "nb_frames": 10 * (6 - n),
                "description": None if n % 2 else "even",
            },
        )
    return {
        "project": session.get(kitsu.Project, pid),
        "sequence": session.get(kitsu.Sequence, seq["id"]),
    }


@pytest.fixture
def other_project(
    kitsu_client: Transport, kitsu_make_project: ProjectFactory, session: kitsu.Session
) -> kitsu.Project:
    """Another project with its own SQ01 / SH010."""
    project = kitsu_make_project()
    seq = kitsu_client.post(f"data/projects/{project['id']}/sequences", {"name": "SQ01"})
    kitsu_client.post(
        f"data/projects/{project['id']}/shots", {"name": "SH010", "sequence_id": seq["id"]}
    )
    return session.get(kitsu.Project, project["id"])


def _names(shots: list[kitsu.Shot]) -> list[str]:
    return [shot.name for shot in shots]


@pytest.mark.server
def test_a_typo_a_wrong_type_or_a_wrong_entity_fails_before_any_request(
    session: kitsu.Session, production: dict[str, Any]
) -> None:
    project, seq = production["project"], production["sequence"]
    task_type = kitsu.TaskType.where(name="Animation", session=session).one()
    session.transport.stats.reset()
    refused = [
        lambda: kitsu.Shot.where(projet=project, session=session).all(),
        lambda: kitsu.Shot.where(project=project, nb_frames="10", session=session).all(),
        lambda: kitsu.Shot.where(project=seq, session=session).all(),
        lambda: kitsu.Shot.where(sequence=project, session=session).first(),
        lambda: kitsu.Task.where(task_status=task_type, session=session).count(),
        lambda: kitsu.Task.where(assignees=[task_type], session=session).all(),
        lambda: kitsu.Shot.where(project=project, session=session).include("taks").all(),
    ]
    for run in refused:
        with pytest.raises(kitsu.ValidationError) as info:
            run()
        assert info.value.status is None  # refused here, not by the server
    assert session.transport.stats.total == 0
    with pytest.raises(kitsu.ValidationError, match=r"takes Project, not a Sequence"):
        kitsu.Shot.where(project=seq, session=session)
    with pytest.raises(kitsu.ValidationError, match=r"takes TaskStatus, not a TaskType"):
        kitsu.Task.where(task_status=task_type, session=session)
    assert session.transport.stats.total == 0


@pytest.mark.server
def test_where_all_count_first_one(
    session: kitsu.Session, production: dict[str, Any], other_project: kitsu.Project
) -> None:
    project, seq = production["project"], production["sequence"]
    shots = kitsu.Shot.where(project=project, session=session)
    assert sorted(_names(shots.all())) == ["SH010", "SH020", "SH030", "SH040", "SH050"]
    assert shots.count() == 5
    assert len(list(shots)) == 5  # iteration runs the query
    assert kitsu.Shot.where(sequence=seq, session=session).count() == 5
    assert kitsu.Shot.where(sequence=seq.id, session=session).count() == 5
    assert kitsu.Shot.where(parent_id=seq.id, session=session).count() == 5
    assert kitsu.Shot.where(project=project, nb_frames=30, session=session).one().name == "SH030"
    assert (
        kitsu.Shot.where(project=project, nb_frames=[10, 50], session=session)
        .order_by("name")
        .all()[0]
        .name
        == "SH010"
    )
    assert kitsu.Shot.where(project=project, nb_frames=999, session=session).first() is None
    with pytest.raises(kitsu.NotFound, match="no Shot matches"):
        kitsu.Shot.where(project=project, nb_frames=999, session=session).one()
    with pytest.raises(kitsu.MultipleResultsFound, match="2 Shot objects match"):
        kitsu.Shot.where(
            name="SH010",
            sequence=[seq, *kitsu.Sequence.where(project=other_project, session=session).all()],
            session=session,
        ).one()


@pytest.mark.server
def test_name_filters_are_exact_and_other_projects_stay_out(
    session: kitsu.Session, production: dict[str, Any], other_project: kitsu.Project
) -> None:
    project, other = production["project"], other_project
    # Zou matches names without case: the query must not.
    assert kitsu.Shot.where(project=project, name="sh010", session=session).all() == []
    assert _names(kitsu.Shot.where(project=project, name="SH010", session=session).all()) == [
        "SH010"
    ]
    both = kitsu.Shot.where(name="SH010", session=session).all()
    assert {s.project_id for s in both} >= {project.id, other.id}
    names = (
        kitsu.Shot.where(project=project, name=["SH020", "SH040"], session=session)
        .order_by("name")
        .all()
    )
    assert _names(names) == ["SH020", "SH040"]


@pytest.mark.server
def test_none_filters_order_by_and_limit(
    session: kitsu.Session, production: dict[str, Any]
) -> None:
    project = production["project"]
    query = kitsu.Shot.where(project=project, session=session)
    assert _names(query.where(description=None).order_by("name").all()) == [
        "SH010",
        "SH030",
        "SH050",
    ]
    assert _names(query.order_by("-name").all()) == ["SH050", "SH040", "SH030", "SH020", "SH010"]
    assert _names(query.order_by("nb_frames").limit(2).all()) == ["SH050", "SH040"]
    assert _names(query.order_by("description", "-name").all()) == [
        "SH040",
        "SH020",
        "SH050",
        "SH030",
        "SH010",
    ]
    assert query.limit(0).all() == []


@pytest.mark.server
def test_only_asks_the_server_for_the_named_fields(
    new_session: SessionFactory, kitsu_project: dict[str, Any]
) -> None:
    s = new_session()
    asked: list[dict[str, Any]] = []
    get = s.transport.get
    s.transport.get = lambda path, params=None: (
        asked.append(dict(params or {})) or get(path, params)
    )
    project = kitsu.Project.where(id=kitsu_project["id"], session=s).only("name").one()
    assert project.name == kitsu_project["name"]
    assert len(asked) == 1 and asked[0]["fields"] == "id,name,updated_at"


def test_fields_only_leaves_out_load_on_first_read_never_as_defaults(
    new_session: SessionFactory, kitsu_project: dict[str, Any], kitsu_client: Transport
) -> None:
    """``.only()`` rows lack the other fields: reading one loads them (one request),
    whether the object is new to the session or was loaded partially before (here from
    the project's shot board); it never reads as a default the server does not hold."""
    pid = kitsu_project["id"]
    kitsu_client.put(f"data/projects/{pid}", {"fps": "30", "description": "Kept"})
    seq = kitsu_client.post(f"data/projects/{pid}/sequences", {"name": "SQ01"})
    kitsu_client.post(
        f"data/projects/{pid}/shots",
        {"name": "SH01", "sequence_id": seq["id"], "description": "a shot to keep"},
    )
    kitsu_client.post(f"data/projects/{pid}/shots", {"name": "SH02", "sequence_id": seq["id"]})
    s = new_session()
    project = kitsu.Project.where(id=pid, session=s).only("name").one()
    before = s.transport.stats.total
    assert (project.fps, project.description) == ("30", "Kept")
    assert s.transport.stats.total == before + 1

    kind = next(t["id"] for t in kitsu_client.get("data/task-types") if t["for_entity"] == "Shot")
    status = kitsu_client.get("data/task-status")[0]["id"]
    shots = kitsu_client.get("data/shots/all", {"project_id": pid})
    for shot, text in zip(shots, ("Keep", None), strict=True):
        task = {"project_id": pid, "entity_id": shot["id"], "task_type_id": kind}
        kitsu_client.post("data/tasks", {**task, "task_status_id": status, "description": text})
    s = new_session()
    tasks = kitsu.Task.where(project=pid, session=s).only("priority").all()
    assert sorted(str(task.description) for task in tasks) == ["Keep", "None"]
    assert s.transport.stats.total == 2  # the fields left out, for both at once

    s = new_session()
    board = kitsu.Shot.where(project=pid, session=s).all()  # the board: no created_at
    assert s.transport.stats.total == 1 and len(board) == 2
    shot = next(x for x in board if x.name == "SH01")  # in the server's order, not by name
    assert kitsu.Shot.where(project=pid, name="SH01", session=s).only("name").one() is shot
    created = kitsu_client.get(f"data/shots/{shot.id}")["created_at"]
    assert shot.created_at is not None and shot.created_at.isoformat().startswith(created[:19])
    assert shot.description == "a shot to keep"


@pytest.mark.server
def test_class_level_queries_use_the_current_session(
    session: kitsu.Session, production: dict[str, Any]
) -> None:
    project = production["project"]
    with session.begin():
        assert kitsu.Shot.where(project=project).count() == 5
        assert kitsu.Project.get(project.id) is project


# -- long IN-lists ------------------------------------------------------------------------


@pytest.fixture
def two_hundred_tasks(kitsu_client: Transport, kitsu_project: dict[str, Any]) -> dict[str, Any]:
    """200 shots in one sequence, each with one task, made with plain requests."""
    project = kitsu_project["id"]
    seq = kitsu_client.post(f"data/projects/{project}/sequences", {"name": "SQ_LONG"})
    shots = [
        kitsu_client.post(
            f"data/projects/{project}/shots", {"name": f"SH{i:04d}", "sequence_id": seq["id"]}
        )
        for i in range(200)
    ]
    task_type = kitsu_client.get("data/task-types")[0]
    kitsu_client.post(
        f"data/projects/{project}/settings/task-types", {"task_type_id": task_type["id"]}
    )
    tasks = kitsu_client.post(
        f"actions/projects/{project}/task-types/{task_type['id']}/shots/create-tasks",
        [s["id"] for s in shots],
    )
    assert len(tasks) == 200
    return {"shots": shots, "tasks": tasks}


def _gets(session: kitsu.Session, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every GET the session's transport sends, with the length of its request line."""
    from kitsu_orm.urls import request_line_length

    sent: list[tuple[str, int]] = []
    transport = session.transport
    real = transport.get

    def get(path: str, params: Any = None) -> Any:
        sent.append((path, request_line_length(transport.host, path, params)))
        return real(path, params)

    monkeypatch.setattr(transport, "get", get)
    return sent


def _expected_requests(
    session: kitsu.Session, route: str, params: dict[str, Any], count: int = 200
) -> int:
    import math

    from kitsu_orm.urls import REQUEST_LINE_LIMIT, request_line_length

    # Ids per request, from the URL's own length: 45 encoded characters per id.
    fixed = request_line_length(session.transport.host, route, {**params, "id": "[]"})
    per = (REQUEST_LINE_LIMIT - 64 - fixed + 3) // 45
    assert per > 80  # more than the fixed count of before
    return math.ceil(count / per)


def test_a_long_list_of_ids_is_read_in_url_sized_requests(
    session: kitsu.Session, two_hundred_tasks: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    task_ids = [t["id"] for t in two_hundred_tasks["tasks"]]
    sent = _gets(session, monkeypatch)
    tasks = kitsu.Task.where(id=task_ids, session=session).all()
    assert sorted(t.id for t in tasks) == sorted(task_ids)
    assert len(sent) == _expected_requests(session, "data/tasks", {"relations": "true"})
    assert all(length <= 4094 for _, length in sent)

    shot_ids = [s["id"] for s in two_hundred_tasks["shots"]]
    sent.clear()
    shots = kitsu.Shot.where(id=shot_ids, session=session).all()
    assert sorted(s.id for s in shots) == sorted(shot_ids)
    assert len(sent) == _expected_requests(session, "data/shots/all", {})
    assert all(length <= 4094 for _, length in sent)


def test_a_lazy_load_of_many_parents_without_a_shared_scope_is_cut_too(
    new_session: SessionFactory, two_hundred_tasks: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    s = new_session()
    # Tasks known by id only: their shots load by a list of 200 ids.
    tasks = kitsu.Task.where(id=[t["id"] for t in two_hundred_tasks["tasks"]], session=s).all()
    sent = _gets(s, monkeypatch)
    assert tasks[0].entity is not None
    assert {t.entity.id for t in tasks} == {sh["id"] for sh in two_hundred_tasks["shots"]}
    assert sent and all(length <= 4094 for _, length in sent)
