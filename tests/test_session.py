"""The session on a real Kitsu: round trips of every entity class, identity, rollback,
unknown fields, delete and expunge."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from functools import cached_property
from typing import Any

import pytest
from conftest import SessionFactory

import kitsu_orm as kitsu
from kitsu_orm.model.state import instance_state
from kitsu_orm.testing import ProjectFactory
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server

UTC = timezone.utc
# Set by the server, or mirrors of it, on every class.
_TIMESTAMPS = frozenset({"created_at", "updated_at"})


class World:
    """What a round trip needs around the object under test, made with plain requests
    so that only the class under test goes through the ORM."""

    def __init__(self, client: Transport, make_project: ProjectFactory, s: kitsu.Session) -> None:
        self.client = client
        self.make_project = make_project
        self.s = s
        self.tag = uuid.uuid4().hex[:8]

    @cached_property
    def project(self) -> dict[str, Any]:
        return self.make_project(production_type="tvshow")

    def _in_project(self, route: str, body: dict[str, Any]) -> dict[str, Any]:
        row: dict[str, Any] = self.client.post(f"data/projects/{self.project['id']}/{route}", body)
        return row

    @cached_property
    def episode(self) -> dict[str, Any]:
        return self._in_project("episodes", {"name": "E07"})

    @cached_property
    def sequence(self) -> dict[str, Any]:
        return self._in_project("sequences", {"name": "SQ01", "episode_id": self.episode["id"]})

    @cached_property
    def shot(self) -> dict[str, Any]:
        return self._in_project("shots", {"name": "SH010", "sequence_id": self.sequence["id"]})

    def asset(self, name: str = "Hero") -> dict[str, Any]:
        return self._in_project(
            f"asset-types/{self.asset_type_id('Character')}/assets/new", {"name": name}
        )

    @cached_property
    def task(self) -> dict[str, Any]:
        row: dict[str, Any] = self.client.post(
            "data/tasks",
            {
                "project_id": self.project["id"],
                "entity_id": self.shot["id"],
                "task_type_id": self.task_type_id("Animation"),
                "task_status_id": self.status_id("todo"),
            },
        )
        return row

    @cached_property
    def person(self) -> dict[str, Any]:
        row: dict[str, Any] = self.client.post(
            "data/persons",
            {
                "first_name": "Rex",
                "last_name": f"Round{self.tag}",
                "email": f"rex.{self.tag}@example.com",
                "role": "user",
            },
        )
        return row

    @cached_property
    def department(self) -> dict[str, Any]:
        row: dict[str, Any] = self.client.post(
            "data/departments", {"name": f"Dep {self.tag}", "color": "#112233"}
        )
        return row

    @cached_property
    def software(self) -> dict[str, Any]:
        row: dict[str, Any] = self.client.post(
            "data/softwares",
            {"name": f"Blender {self.tag}", "short_name": "bl", "file_extension": ".blend"},
        )
        return row

    @cached_property
    def output_type(self) -> dict[str, Any]:
        row: dict[str, Any] = self.client.post(
            "data/output-types", {"name": f"Cache {self.tag}", "short_name": "ch"}
        )
        return row

    @cached_property
    def file_status(self) -> dict[str, Any]:
        row: dict[str, Any] = self.client.post(
            "data/file-status", {"name": f"Ok {self.tag}", "color": "#00ff00"}
        )
        return row

    def task_type_id(self, name: str) -> str:
        return next(t["id"] for t in self.client.get("data/task-types") if t["name"] == name)

    def status_id(self, short_name: str) -> str:
        return next(
            t["id"] for t in self.client.get("data/task-status") if t["short_name"] == short_name
        )

    def asset_type_id(self, name: str) -> str:
        return next(t["id"] for t in self.client.get("data/asset-types") if t["name"] == name)

    def orm(self, cls: type[kitsu.Entity], row: dict[str, Any]) -> Any:
        return self.s.get(cls, row["id"])


def _project(w: World) -> kitsu.Project:
    open_status = next(p for p in w.client.get("data/project-status") if p["name"] == "Open")
    return kitsu.Project(
        name=f"test-round-trip-{w.tag}",
        code="RT",
        description="made by the ORM",
        data={"studio": "blue", "nb": 1},
        fps="24",
        ratio="2.39",
        resolution="2048x858",
        production_type="tvshow",
        production_style="3d",
        man_days=120,
        max_retakes=3,
        start_date=datetime(2026, 1, 5, tzinfo=UTC),
        end_date=datetime(2026, 6, 30, tzinfo=UTC),
        project_status_id=open_status["id"],
    )


def _person(w: World) -> kitsu.Person:
    return kitsu.Person(
        first_name="Ada",
        last_name=f"Lovelace{w.tag}",
        email=f"ada.{w.tag}@example.com",
        phone="+33 1 23 45 67 89",
        role="supervisor",
        position="lead",
        seniority="senior",
        contract_type="freelance",
        timezone="Europe/Paris",
        locale="fr_FR",
        desktop_login=f"ada{w.tag}",
        data={"desk": 12},
        departments=[w.orm(kitsu.Department, w.department)],
    )


BUILDERS: dict[str, Callable[[World], kitsu.Entity]] = {
    "Project": _project,
    "Person": _person,
    "Department": lambda w: kitsu.Department(name=f"Lighting {w.tag}", color="#abcdef"),
    "AssetType": lambda w: kitsu.AssetType(
        name=f"Vehicle {w.tag}", short_name="veh", description="things that move"
    ),
    "TaskType": lambda w: kitsu.TaskType(
        name=f"Grooming {w.tag}",
        short_name="grm",
        description="hair",
        color="#ff8800",
        priority=7,
        for_entity="Asset",
        allow_timelog=False,
        department=w.orm(kitsu.Department, w.department),
    ),
    "TaskStatus": lambda w: kitsu.TaskStatus(
        name=f"Client review {w.tag}",
        short_name=f"cr{w.tag[:4]}",
        description="sent out",
        color="#123456",
        priority=5,
        is_done=False,
        is_artist_allowed=False,
        is_client_allowed=False,
        is_retake=True,
        is_feedback_request=True,
    ),
    "Software": lambda w: kitsu.Software(
        name=f"Houdini {w.tag}",
        short_name="hou",
        file_extension=".hip",
        secondary_extensions=["hiplc", "hipnc"],
        version="20.5",
    ),
    "OutputType": lambda w: kitsu.OutputType(name=f"Alembic {w.tag}", short_name="abc"),
    "FileStatus": lambda w: kitsu.FileStatus(name=f"Approved {w.tag}", color="#22aa22"),
    "Episode": lambda w: kitsu.Episode(
        name="E02",
        project=w.orm(kitsu.Project, w.project),
        description="the second",
        data={"air_date": "2026-03-01"},
        code="EP2",
    ),
    "Sequence": lambda w: kitsu.Sequence(
        name="SQ02",
        project=w.orm(kitsu.Project, w.project),
        episode=w.orm(kitsu.Episode, w.episode),
        description="chase",
        data={"mood": "tense"},
    ),
    "Shot": lambda w: kitsu.Shot(
        name="SH020",
        project=w.orm(kitsu.Project, w.project),
        sequence=w.orm(kitsu.Sequence, w.sequence),
        frame_in=101,
        frame_out=148,
        nb_frames=48,
        description="wide",
        data={"camera": "A"},
    ),
    "Scene": lambda w: kitsu.Scene(
        name="SC01",
        project=w.orm(kitsu.Project, w.project),
        sequence=w.orm(kitsu.Sequence, w.sequence),
        description="layout scene",
    ),
    "Asset": lambda w: kitsu.Asset(
        name="Villain",
        project=w.orm(kitsu.Project, w.project),
        asset_type=w.s.get(kitsu.AssetType, w.asset_type_id("Character")),
        episode=w.orm(kitsu.Episode, w.episode),
        description="the bad one",
        data={"height": 180},
    ),
    "Task": lambda w: kitsu.Task(
        project=w.orm(kitsu.Project, w.project),
        entity=w.orm(kitsu.Shot, w.shot),
        task_type=w.s.get(kitsu.TaskType, w.task_type_id("Layout")),
        task_status=w.s.get(kitsu.TaskStatus, w.status_id("wip")),
        assignees=[w.orm(kitsu.Person, w.person)],
        priority=2,
        difficulty=4,
        estimation=3.5,
        start_date=datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
        due_date=datetime(2026, 1, 30, 18, 0, tzinfo=UTC),
        description="block it",
        data={"notes": "fast"},
    ),
    "Comment": lambda w: kitsu.Comment(
        task=w.orm(kitsu.Task, w.task),
        text="Looks good",
        task_status=w.s.get(kitsu.TaskStatus, w.status_id("wip")),
        person=w.orm(kitsu.Person, w.person),
        checklist=[{"text": "fix hands", "checked": False}],
        pinned=True,
    ),
    "TimeSpent": lambda w: kitsu.TimeSpent(
        task=w.orm(kitsu.Task, w.task),
        person=w.orm(kitsu.Person, w.person),
        duration=90.0,
        date=datetime(2026, 1, 6, tzinfo=UTC),
    ),
    "WorkingFile": lambda w: kitsu.WorkingFile(
        name="main",
        task=w.orm(kitsu.Task, w.task),
        entity_id=w.shot["id"],
        person=w.orm(kitsu.Person, w.person),
        software=w.orm(kitsu.Software, w.software),
        revision=3,
        comment="v3",
        size=1024,
        path="/prod/sh010/main_v003.blend",
        data={"frames": 48},
    ),
    "OutputFile": lambda w: kitsu.OutputFile(
        name="main",
        entity_id=w.shot["id"],
        output_type=w.orm(kitsu.OutputType, w.output_type),
        file_status=w.orm(kitsu.FileStatus, w.file_status),
        task_type=w.s.get(kitsu.TaskType, w.task_type_id("Animation")),
        person=w.orm(kitsu.Person, w.person),
        revision=2,
        extension="abc",
        representation="abc",
        nb_elements=48,
        size=2048,
        checksum="abc123",
        description="anim cache",
        comment="v2",
        source="blender",
        path="/prod/sh010/anim_v002.abc",
        data={"fps": 24},
    ),
    "AssetInstance": lambda w: kitsu.AssetInstance(
        asset=w.orm(kitsu.Asset, w.asset("Chair")),
        target_asset_id=w.asset("Room")["id"],
        name="chair_0001",
        number=1,
        description="by the window",
        active=False,
        data={"x": 1.5},
    ),
}

# Fields the server fills in after it answered the create (Zou sets the assigner
# of a task created with assignees once the row is serialized).
_SERVER_SET: dict[str, frozenset[str]] = {"Task": frozenset({"assigner_id"})}


@pytest.mark.parametrize("type_name", list(BUILDERS))
def test_round_trip_of_every_creatable_class(
    type_name: str,
    kitsu_client: Transport,
    kitsu_make_project: ProjectFactory,
    new_session: SessionFactory,
    orm_projects: list[kitsu.Project],
    request: pytest.FixtureRequest,
) -> None:
    """Create through the ORM, commit, read back in a new session: same fields."""
    s = new_session()
    world = World(kitsu_client, kitsu_make_project, s)
    obj = BUILDERS[type_name](world)
    cls = type(obj)
    assert cls.__kitsu_type__ == type_name
    if isinstance(obj, kitsu.Project):
        orm_projects.append(obj)
    defaults = cls()
    compared = sorted(cls.__fields__ - cls.__derived__ - _TIMESTAMPS - {"id"})
    chosen = {n: getattr(obj, n) for n in compared if getattr(obj, n) != getattr(defaults, n)}
    s.add(obj)

    s.commit()
    if isinstance(obj, kitsu.AssetInstance):
        # Zou cannot delete a project that still has asset instances.
        request.addfinalizer(lambda: kitsu_client.delete(f"data/asset-instances/{obj.id}"))

    assert obj.id is not None and obj.state is kitsu.State.PERSISTENT
    assert not s.new and not s.dirty
    again = new_session().get(cls, obj.id)
    assert again is not obj
    # What the user chose is what the server keeps...
    assert {n: getattr(again, n) for n in chosen} == chosen
    # ...and the committed object holds exactly what a fresh read gives, timestamps included.
    skip = _SERVER_SET.get(type_name, frozenset())
    mine = {n: getattr(obj, n) for n in sorted(cls.__fields__ - cls.__derived__ - skip)}
    theirs = {n: getattr(again, n) for n in sorted(cls.__fields__ - cls.__derived__ - skip)}
    assert mine == theirs


# -- unknown fields ---------------------------------------------------------------------


def test_unknown_fields_are_sent_on_create_and_come_back(
    session: kitsu.Session, new_session: SessionFactory, orm_projects: list[kitsu.Project]
) -> None:
    """``homepage`` and ``is_clients_isolated`` are Project columns the class does not declare."""
    project = kitsu.Project(name=f"test-extra-{uuid.uuid4().hex[:8]}")
    instance_state(project).extra = {"homepage": "shots", "is_clients_isolated": True}
    session.add(project)
    orm_projects.append(project)
    session.commit()
    extra = instance_state(new_session().get(kitsu.Project, project.id)).extra
    assert extra is not None
    assert extra["homepage"] == "shots"
    assert extra["is_clients_isolated"] is True


def test_unknown_fields_survive_load_edit_and_commit(
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    session: kitsu.Session,
    new_session: SessionFactory,
) -> None:
    kitsu_client.put(
        f"data/projects/{kitsu_project['id']}", {"homepage": "shots", "revision_padding": 3}
    )
    project = session.get(kitsu.Project, kitsu_project["id"])
    extra = instance_state(project).extra
    assert extra is not None
    assert extra["homepage"] == "shots" and extra["revision_padding"] == 3

    project.description = "edited"
    session.commit()

    extra = instance_state(project).extra
    assert extra is not None
    assert extra["homepage"] == "shots" and extra["revision_padding"] == 3
    session.refresh(project)
    assert (instance_state(project).extra or {})["homepage"] == "shots"
    row = kitsu_client.get(f"data/projects/{kitsu_project['id']}")
    assert (row["homepage"], row["revision_padding"], row["description"]) == ("shots", 3, "edited")
    again = instance_state(new_session().get(kitsu.Project, kitsu_project["id"])).extra
    assert again is not None and again["revision_padding"] == 3


# -- identity --------------------------------------------------------------------------


@pytest.fixture
def shots_in_project(kitsu_client: Transport, kitsu_project: dict[str, Any]) -> dict[str, Any]:
    """Plain rows: a sequence and two shots."""
    pid = kitsu_project["id"]
    seq = kitsu_client.post(f"data/projects/{pid}/sequences", {"name": "SQ01"})
    shots = [
        kitsu_client.post(
            f"data/projects/{pid}/shots",
            {
                "name": name,
                "sequence_id": seq["id"],
                "description": "original",
                "data": {"frame_in": 1, "frame_out": 24, "keep": "yes"},
            },
        )
        for name in ("SH010", "SH020")
    ]
    return {"project": kitsu_project, "sequence": seq, "shots": shots}


def test_one_id_is_one_object_whatever_the_way_it_was_reached(
    session: kitsu.Session, shots_in_project: dict[str, Any], kitsu_client: Transport
) -> None:
    shot_id = shots_in_project["shots"][0]["id"]
    animation = next(t for t in kitsu_client.get("data/task-types") if t["name"] == "Animation")
    kitsu_client.post(
        "data/tasks",
        {
            "project_id": shots_in_project["project"]["id"],
            "entity_id": shot_id,
            "task_type_id": animation["id"],
            "task_status_id": kitsu_client.get("data/task-status")[0]["id"],
        },
    )
    shot = session.get(kitsu.Shot, shot_id)
    assert session.get(kitsu.Shot, shot_id) is shot
    assert kitsu.Shot.get(shot_id, session=session) is shot
    project = session.get(kitsu.Project, shots_in_project["project"]["id"])
    queried = kitsu.Shot.where(project=project, session=session).order_by("name").all()
    assert queried[0] is shot and queried[1].id == shots_in_project["shots"][1]["id"]
    assert kitsu.Shot.where(project=project, name="SH010", session=session).one() is shot

    task = kitsu.Task.where(entity=shot, session=session).one()
    assert task.entity is shot
    assert shot.tasks == [task]
    seq = shot.sequence
    assert seq is session.get(kitsu.Sequence, shots_in_project["sequence"]["id"])
    assert [s.id for s in seq.shots] == [shot_id, shots_in_project["shots"][1]["id"]]
    assert seq.shots[0] is shot and seq.shots[1] is queried[1]


def test_get_of_an_id_of_another_type_is_refused(
    session: kitsu.Session, shots_in_project: dict[str, Any]
) -> None:
    shot_id = shots_in_project["shots"][0]["id"]
    session.get(kitsu.Shot, shot_id)
    before = session.stats.requests
    with pytest.raises(kitsu.ValidationError, match="is a Shot, not a Sequence"):
        session.get(kitsu.Sequence, shot_id)
    assert session.stats.requests == before


def test_a_reload_never_overwrites_unsaved_edits(
    session: kitsu.Session, shots_in_project: dict[str, Any], kitsu_client: Transport
) -> None:
    """A row read again keeps the user's edits, updates the rest, and is still the same object."""
    shot = session.get(kitsu.Shot, shots_in_project["shots"][0]["id"])
    shot.description = "mine"
    kitsu_client.put(f"data/entities/{shot.id}", {"name": "SH011"})
    project = session.get(kitsu.Project, shots_in_project["project"]["id"])
    assert shot in kitsu.Shot.where(project=project, session=session).all()
    assert shot.description == "mine" and shot.changes() == {"description": ("original", "mine")}
    assert shot.name == "SH011"
    assert kitsu.Shot.where(name="SH011", session=session).one() is shot


def test_rollback_restores_loaded_values_and_forgets_pending_objects(
    session: kitsu.Session, shots_in_project: dict[str, Any]
) -> None:
    shot, other = (session.get(kitsu.Shot, row["id"]) for row in shots_in_project["shots"])
    seq = shot.sequence
    shot.name = "SH999"
    shot.description = "changed"
    shot.data["keep"] = "no"  # in place
    shot.frame_out = 96
    shot.sequence = None
    new_seq = kitsu.Sequence(name="SQ02", project=seq.project)
    session.add(new_seq)
    new_shot = kitsu.Shot(name="SH030", project=seq.project, sequence=new_seq)
    session.add(new_shot)
    session.delete(other)
    assert len(session.dirty) == 1 and len(session.new) == 2 and session.deleted == [other]

    session.rollback()

    assert (shot.name, shot.description) == ("SH010", "original")
    assert shot.data == {"frame_in": 1, "frame_out": 24, "keep": "yes"}
    assert shot.sequence is seq and shot.parent_id == seq.id
    assert not shot.changes()
    assert new_seq.state is kitsu.State.TRANSIENT and new_shot.state is kitsu.State.TRANSIENT
    assert other.state is kitsu.State.PERSISTENT
    assert session.new == [] and session.dirty == [] and session.deleted == []
    session.transport.stats.reset()
    session.commit()
    assert session.transport.stats.total == 0


def test_rollback_undoes_a_casting_so_the_next_commit_does_not_send_it(
    session: kitsu.Session, shots_in_project: dict[str, Any], kitsu_client: Transport
) -> None:
    """Found by tests/test_unitofwork_stateful.py: ``shot.assets = [...]`` survived a
    rollback, and the next commit cast the asset on the server."""
    pid = shots_in_project["project"]["id"]
    character = next(t for t in kitsu_client.get("data/asset-types") if t["name"] == "Character")
    hero = kitsu_client.post(
        f"data/projects/{pid}/asset-types/{character['id']}/assets/new", {"name": "Hero"}
    )
    shot = session.get(kitsu.Shot, shots_in_project["shots"][0]["id"])
    assert shot.assets == []
    shot.assets = [session.get(kitsu.Asset, hero["id"])]

    session.rollback()

    assert shot.assets == []
    session.transport.stats.reset()
    session.commit()
    assert session.transport.stats.total == 0
    assert not kitsu_client.get(f"data/projects/{pid}/sequences/all/casting").get(shot.id)


def test_an_asset_cast_twice_reads_back_twice(
    new_session: Any, shots_in_project: dict[str, Any], kitsu_client: Transport
) -> None:
    """Found by tests/test_unitofwork_stateful.py: Zou keeps an asset cast twice
    as one row of ``nb_occurences`` 2, and reading the casting listed it once."""
    pid = shots_in_project["project"]["id"]
    character = next(t for t in kitsu_client.get("data/asset-types") if t["name"] == "Character")
    hero = kitsu_client.post(
        f"data/projects/{pid}/asset-types/{character['id']}/assets/new", {"name": "Hero"}
    )
    shot_id = shots_in_project["shots"][0]["id"]
    writer = new_session()
    shot = writer.get(kitsu.Shot, shot_id)
    twice = [writer.get(kitsu.Asset, hero["id"])] * 2
    shot.assets = twice
    writer.commit()
    cast = kitsu_client.get(f"data/projects/{pid}/sequences/all/casting")[shot_id]
    assert [c["nb_occurences"] for c in cast] == [2]

    reader = new_session()
    assert [a.id for a in reader.get(kitsu.Shot, shot_id).assets] == [hero["id"]] * 2
    writer.rollback()  # read again from the server: the same
    assert [a.id for a in shot.assets] == [hero["id"]] * 2


def test_begin_rolls_back_when_the_block_raises(
    session: kitsu.Session, shots_in_project: dict[str, Any]
) -> None:
    shot = session.get(kitsu.Shot, shots_in_project["shots"][0]["id"])
    session.transport.stats.reset()
    with pytest.raises(RuntimeError), session.begin():
        shot.description = "never sent"
        session.add(kitsu.Sequence(name="SQ09", project_id=shot.project_id))
        raise RuntimeError("boom")
    assert shot.description == "original" and not session.new
    assert session.transport.stats.total == 0


def test_begin_commits_when_the_block_ends(
    session: kitsu.Session, shots_in_project: dict[str, Any], kitsu_client: Transport
) -> None:
    shot = session.get(kitsu.Shot, shots_in_project["shots"][0]["id"])
    with session.begin():
        shot.description = "committed"
    assert not session.dirty
    assert kitsu_client.get(f"data/shots/{shot.id}")["description"] == "committed"


# -- delete, expunge, refresh ------------------------------------------------------------


def test_editing_a_deleted_object_fails_before_any_request(
    session: kitsu.Session, shots_in_project: dict[str, Any], kitsu_client: Transport
) -> None:
    shot = session.get(kitsu.Shot, shots_in_project["shots"][1]["id"])
    session.delete(shot)
    session.transport.stats.reset()
    with pytest.raises(kitsu.DetachedError, match="deleted"):
        shot.description = "too late"
    with pytest.raises(kitsu.DetachedError):
        shot.frame_in = 5
    assert session.transport.stats.total == 0
    session.commit()
    assert shot.state is kitsu.State.DETACHED
    with pytest.raises(kitsu.NotFound):
        kitsu_client.get(f"data/shots/{shot.id}")
    with pytest.raises(kitsu.DetachedError):
        session.refresh(shot)


def test_deleting_a_pending_object_forgets_it(
    session: kitsu.Session, shots_in_project: dict[str, Any]
) -> None:
    project = session.get(kitsu.Project, shots_in_project["project"]["id"])
    seq = kitsu.Sequence(name="SQ05", project=project)
    session.add(seq)
    session.delete(seq)
    assert session.new == [] and seq.state is kitsu.State.TRANSIENT
    session.transport.stats.reset()
    session.commit()
    assert session.transport.stats.total == 0


def test_an_expunged_object_is_no_longer_committed(
    session: kitsu.Session, shots_in_project: dict[str, Any], kitsu_client: Transport
) -> None:
    shot = session.get(kitsu.Shot, shots_in_project["shots"][0]["id"])
    shot.description = "not saved"
    session.expunge(shot)
    assert shot.state is kitsu.State.DETACHED and session.dirty == []
    session.commit()
    assert kitsu_client.get(f"data/shots/{shot.id}")["description"] == "original"
    assert session.get(kitsu.Shot, shot.id) is not shot


def test_refresh_drops_unsaved_edits_and_returns_the_object(
    session: kitsu.Session, shots_in_project: dict[str, Any], kitsu_client: Transport
) -> None:
    shot = session.get(kitsu.Shot, shots_in_project["shots"][0]["id"])
    shot.description = "mine"
    kitsu_client.put(f"data/entities/{shot.id}", {"name": "SH015"})
    assert session.refresh(shot) is shot
    assert (shot.name, shot.description) == ("SH015", "original") and not shot.changes()


# -- not found: the error names the object ---------------------------------------------------

_FLASK_404 = "The requested URL was not found on the server"


def test_get_of_a_missing_id_names_type_and_id(session: kitsu.Session) -> None:
    missing = str(uuid.uuid4())
    with pytest.raises(kitsu.NotFound) as nf:
        session.get(kitsu.Shot, missing)
    exc = nf.value
    assert exc.message == f"Shot {missing} not found (deleted, or never existed)"
    assert (exc.method, exc.path, exc.status) == ("GET", f"/data/shots/{missing}", 404)
    assert _FLASK_404 not in str(exc)
    with pytest.raises(kitsu.NotFound, match=f"Person {missing} not found"):
        kitsu.Person.get(missing, session=session)


def test_refresh_of_a_shot_deleted_on_the_server_names_it(
    session: kitsu.Session, shots_in_project: dict[str, Any], kitsu_client: Transport
) -> None:
    shot = session.get(kitsu.Shot, shots_in_project["shots"][0]["id"])
    kitsu_client.delete(f"data/shots/{shot.id}", {"force": "true"})
    with pytest.raises(kitsu.NotFound) as nf:
        session.refresh(shot)
    assert nf.value.message == (
        f"Shot SH010 {shot.id} not found (deleted on the server since it was loaded)"
    )
    assert nf.value.status == 404 and nf.value.path == f"/data/shots/{shot.id}"


@pytest.mark.parametrize("edit", ["update", "delete"])
def test_a_commit_touching_a_shot_deleted_on_the_server_names_it(
    edit: str,
    session: kitsu.Session,
    shots_in_project: dict[str, Any],
    kitsu_client: Transport,
) -> None:
    shot = session.get(kitsu.Shot, shots_in_project["shots"][0]["id"])
    other = session.get(kitsu.Shot, shots_in_project["shots"][1]["id"])
    kitsu_client.delete(f"data/shots/{shot.id}", {"force": "true"})
    if edit == "update":
        shot.frame_out = 96
    else:
        session.delete(shot)
    other.description = "kept"

    # The conflict check sees it gone before anything is written.
    with pytest.raises(kitsu.ConflictError) as conflict:
        session.commit()
    assert conflict.value.objects == [shot]
    text = str(conflict.value)
    assert f"Shot SH010 {shot.id}" in text and "deleted since they were loaded" in text
    assert "changed on the server" not in text and "Nothing was written" in text
    assert kitsu_client.get(f"data/shots/{other.id}")["description"] == "original"

    # Sent anyway, the 404 names it too.
    with pytest.raises(kitsu.CommitError) as failed:
        session.commit(overwrite=True)
    cause = failed.value.__cause__
    assert isinstance(cause, kitsu.NotFound) and cause.status == 404
    assert cause.message == (
        f"Shot SH010 {shot.id} not found (deleted on the server since it was loaded)"
    )
    assert cause.message in str(failed.value) and _FLASK_404 not in str(failed.value)


def test_a_lazy_to_one_whose_target_is_gone_names_it(
    session: kitsu.Session, shots_in_project: dict[str, Any], kitsu_client: Transport
) -> None:
    shot = session.get(kitsu.Shot, shots_in_project["shots"][0]["id"])
    old_seq = shots_in_project["sequence"]["id"]
    # Behind the session's back: the shot moves to another sequence, the old one goes.
    new_seq = kitsu_client.post(f"data/projects/{shot.project_id}/sequences", {"name": "SQ02"})
    for row in shots_in_project["shots"]:
        kitsu_client.put(f"data/entities/{row['id']}", {"parent_id": new_seq["id"]})
    kitsu_client.delete(f"data/sequences/{old_seq}")
    # The shot's row names its sequence: the sequence is made of that, with no request,
    # and finds itself gone when a field the name did not give is read.
    sequence = shot.sequence
    assert sequence is not None and sequence.name == "SQ01"
    with pytest.raises(kitsu.NotFound) as nf:
        sequence.description  # noqa: B018
    assert nf.value.message == (
        f"Sequence SQ01 {old_seq} not found (deleted on the server since it was loaded)"
    )
    # A key set in the session names no target: it is read by its id.
    gone = str(uuid.uuid4())
    shot.parent_id = gone
    with pytest.raises(kitsu.NotFound) as nf:
        shot.sequence  # noqa: B018
    assert nf.value.message == (
        f"Sequence {gone} not found (deleted, or never existed): {shot!r}.sequence points at it"
    )


def test_an_object_of_another_session_cannot_be_added(
    new_session: SessionFactory, shots_in_project: dict[str, Any]
) -> None:
    one, two = new_session(), new_session()
    shot = one.get(kitsu.Shot, shots_in_project["shots"][0]["id"])
    with pytest.raises(kitsu.ValidationError, match="another session"):
        two.add(shot)


# -- hostile ids --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad", ["../../auth/logout", "../persons/{person}", "", "x" * 36, "{person}/../..", None, 42]
)
def test_an_id_that_is_not_a_uuid_is_refused_before_any_request(
    session: kitsu.Session, kitsu_client: Transport, bad: Any
) -> None:
    person = str(kitsu_client.user["id"])  # type: ignore[index]
    bad = bad.format(person=person) if isinstance(bad, str) else bad
    before = session.stats.requests
    with pytest.raises(kitsu.ValidationError, match=r"Shot.get\(\) takes an id"):
        kitsu.Shot.get(bad, session=session)
    assert session.stats.requests == before
    # Nobody was logged out.
    assert session.transport.current_user()["id"] == person


def test_get_of_an_id_of_another_type_never_builds_the_wrong_object(
    session: kitsu.Session, kitsu_client: Transport, shots_in_project: dict[str, Any]
) -> None:
    """Through routes that answer any entity (data/entities/{id} for assets) too."""
    person = str(kitsu_client.user["id"])  # type: ignore[index]
    with pytest.raises((kitsu.NotFound, kitsu.ValidationError)):
        kitsu.Shot.get(person, session=session)
    shot_id = shots_in_project["shots"][0]["id"]
    with pytest.raises(kitsu.ValidationError, match=f"{shot_id} is a Shot, not a Asset"):
        kitsu.Asset.get(shot_id, session=session)
    assert session.identity_get(shot_id) is None and session.identity_get(person) is None


def test_refresh_refuses_a_row_of_another_type(
    session: kitsu.Session, shots_in_project: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    shot = session.get(kitsu.Shot, shots_in_project["shots"][0]["id"])
    real_get = session.transport.get

    def answers_a_person(path: str, params: Any = None) -> Any:
        row = dict(real_get(path, params))
        row["type"] = "Person"
        return row

    monkeypatch.setattr(session.transport, "get", answers_a_person)
    with pytest.raises(kitsu.ValidationError, match="is a Person, not a Shot"):
        session.refresh(shot)
