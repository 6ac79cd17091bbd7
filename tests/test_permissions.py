"""Commits as each role: written in the order the server's permissions need, checked
against the role before anything is sent, and a refusal nobody could predict reported
with what to fix."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm.testing import Team
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server

WRITES = ("POST", "PUT", "DELETE")


def _writes(s: kitsu.Session) -> int:
    return sum(s.stats.by_method.get(m, 0) for m in WRITES)


class Studio:
    """Built by the admin: SQ01 with three shots, a Compositing task per shot assigned to
    the artist, and an Animation task on SH01 assigned to nobody."""

    def __init__(self, s: kitsu.Session, team: Team) -> None:
        self.team = team
        project = s.get(kitsu.Project, team.project["id"])
        project.file_tree = kitsu.file_tree("default")  # new working files need one
        self.compositing = kitsu.TaskType.where(name="Compositing", session=s).one()
        self.animation = kitsu.TaskType.where(name="Animation", for_entity="Shot", session=s).one()
        self.todo = kitsu.TaskStatus.where(short_name="todo", session=s).one()
        self.wip = kitsu.TaskStatus.where(short_name="wip", session=s).one()
        self.maya = kitsu.Software.get_or_create(
            name="Maya",
            defaults={"short_name": "ma", "file_extension": ".ma"},
            session=s,
            commit=True,
        )
        self.sequence = kitsu.Sequence(name="SQ01", project=project)
        s.add(self.sequence)
        self.shots = []
        self.comp_tasks = []
        artist = s.get(kitsu.Person, team["artist"].id)
        for n in range(1, 4):
            shot = kitsu.Shot(
                name=f"SH{n:02d}", project=project, sequence=self.sequence, frame_in=1, frame_out=48
            )
            task = kitsu.Task(
                project=project, entity=shot, task_type=self.compositing, task_status=self.todo
            )
            s.add_all([shot, task])
            task.assign(artist)
            self.shots.append(shot)
            self.comp_tasks.append(task)
        self.anim_task = kitsu.Task(
            project=project, entity=self.shots[0], task_type=self.animation, task_status=self.todo
        )
        s.add(self.anim_task)
        s.commit()
        self.project = project


@pytest.fixture
def studio(session: kitsu.Session, kitsu_team: Team) -> Studio:
    return Studio(session, kitsu_team)


def test_an_artist_new_working_file_then_comment_on_a_task_not_yet_theirs(
    studio: Studio, kitsu_artist: kitsu.Session, kitsu_client: Transport
) -> None:
    a = kitsu_artist
    task = a.get(kitsu.Task, studio.anim_task.id)
    wip = kitsu.TaskStatus.where(short_name="wip", session=a).one()
    assert studio.team["artist"].id not in (task.assignee_ids or [])
    maya = a.get(kitsu.Software, studio.maya.id)
    task.new_working_file("main", comment="first try", software=maya)
    task.set_status(wip, "started")
    a.commit()  # the working file first: Zou assigns the task to its author
    row = kitsu_client.get(f"data/tasks/{task.id}")
    assert row["task_status_id"] == wip.id
    assert studio.team["artist"].id in row["assignees"]
    comments = kitsu_client.get(f"data/tasks/{task.id}/comments")
    assert [c["text"] for c in comments] == ["started"]


def test_a_manager_assigns_an_artist_and_logs_their_time_in_one_commit(
    studio: Studio, kitsu_manager: kitsu.Session, kitsu_client: Transport
) -> None:
    m = kitsu_manager
    task = m.get(kitsu.Task, studio.anim_task.id)
    artist2 = m.get(kitsu.Person, studio.team["artist2"].id)
    task.assign(artist2)
    spent = task.add_time_spent(artist2, date(2024, 5, 2), 90)
    assert spent in m.new and _writes(m) == 0
    m.commit()  # the assignment first: Zou takes time only from assigned people
    assert spent.id and spent.duration == 90
    assert kitsu_client.get(f"actions/tasks/{task.id}/time-spents/2024-05-02")["total"] == 90
    assert artist2.id in kitsu_client.get(f"data/tasks/{task.id}")["assignees"]


def test_an_artist_commit_of_refused_writes_sends_nothing(
    studio: Studio, kitsu_artist: kitsu.Session
) -> None:
    a = kitsu_artist
    shot = a.get(kitsu.Shot, studio.shots[0].id)
    shot.frame_out = 99
    a.add(kitsu.TaskType(name=f"Lighting-{uuid.uuid4().hex[:6]}", for_entity="Shot"))
    other = a.get(kitsu.Person, studio.team["artist2"].id)
    task = a.get(kitsu.Task, studio.comp_tasks[1].id)
    task.add_time_spent(other, date(2024, 5, 2), 30)  # someone else's time
    done = kitsu.TaskStatus.where(short_name="done", session=a).one()
    if not done.is_artist_allowed:
        task.set_status(done)
    before = dict(a.stats.by_method)
    with pytest.raises(kitsu.PermissionDenied) as info:
        a.commit()
    assert {m: a.stats.by_method.get(m, 0) - before.get(m, 0) for m in WRITES} == dict.fromkeys(
        WRITES, 0
    )
    refused = info.value.refused
    kinds = sorted(type(r.obj).__name__ for r in refused)
    expected = ["Shot", "TaskType", "TimeSpent"] + ([] if done.is_artist_allowed else ["Comment"])
    assert kinds == sorted(expected)
    assert all(r.role == "user" and r.advice for r in refused)
    text = str(info.value)
    assert "nothing was sent" in text and "artist" in text
    assert shot in a.dirty  # everything is kept, to fix
    a.rollback()


def test_a_refusal_nobody_could_predict_says_what_to_fix_and_resumes(
    studio: Studio,
    kitsu_artist: kitsu.Session,
    kitsu_client: Transport,
    kitsu_make_project: Any,
) -> None:
    # A task of another project, whose team the artist is not on.
    other = kitsu_make_project()
    seq = kitsu_client.post(f"data/projects/{other['id']}/sequences", {"name": "SQ01"})
    shot = kitsu_client.post(
        f"data/projects/{other['id']}/shots", {"name": "SH01", "sequence_id": seq["id"]}
    )
    [foreign] = kitsu_client.post(
        f"actions/projects/{other['id']}/task-types/{studio.compositing.id}/shots/create-tasks",
        [shot["id"]],
    )
    a = kitsu_artist
    own = a.get(kitsu.Task, studio.comp_tasks[0].id)
    made = own.new_working_file("main", software=a.get(kitsu.Software, studio.maya.id))
    comment = kitsu.Comment(
        text="looks good", object_id=foreign["id"], task_status_id=studio.todo.id
    )
    a.add(comment)
    with pytest.raises(kitsu.CommitError) as info:
        a.commit()
    error = info.value
    assert isinstance(error.__cause__, kitsu.PermissionDenied)
    assert [op.obj for op in error.applied] == [made] and made.id
    assert comment in [o for op in error.pending for o in op.objects]
    text = str(error)
    assert "commit() again" not in text
    assert "refused" in text and "may not" in text
    assert comment in a.new

    # The fix: the artist joins that team and gets the task; the commit then finishes.
    artist_id = studio.team["artist"].id
    kitsu_client.post(f"data/projects/{other['id']}/team", {"person_id": artist_id})
    kitsu_client.put(f"actions/persons/{artist_id}/assign", {"task_ids": [foreign["id"]]})
    a.commit()
    assert comment.id and not a.new
    texts = [c["text"] for c in kitsu_client.get(f"data/tasks/{foreign['id']}/comments")]
    assert texts == ["looks good"]
    files = kitsu_client.get("data/working-files", {"task_id": own.id})
    assert len(files) == 1  # not created twice


def test_a_manager_batch_edit_in_one_commit(
    studio: Studio, kitsu_manager: kitsu.Session, kitsu_client: Transport
) -> None:
    m = kitsu_manager
    shots = [m.get(kitsu.Shot, s.id) for s in studio.shots]
    tasks = [m.get(kitsu.Task, t.id) for t in studio.comp_tasks]
    artist = m.get(kitsu.Person, studio.team["artist"].id)
    artist2 = m.get(kitsu.Person, studio.team["artist2"].id)
    lighting = kitsu.TaskType.get_or_create(session=m, name="Lighting", for_entity="Shot")
    assert lighting.id  # Kitsu ships one: found, nothing to create
    for shot in shots:
        shot.frame_in = (shot.frame_in or 0) + 10
        shot.frame_out = (shot.frame_out or 0) + 10
        m.add(kitsu.Task(project=studio.project, entity=shot, task_type=lighting))
    for task in tasks:
        task.unassign(artist)
        task.assign(artist2)
    m.commit()
    assert not m.new and not m.dirty
    for shot in shots:
        row = kitsu_client.get(f"data/shots/{shot.id}")
        assert (row["data"]["frame_in"], row["data"]["frame_out"]) == (11, 58)
        found = kitsu_client.get("data/tasks", {"entity_id": shot.id, "task_type_id": lighting.id})
        assert len(found) == 1
    for task in tasks:
        assert kitsu_client.get(f"data/tasks/{task.id}")["assignees"] == [artist2.id]

    # A task type that does not exist yet: only an admin may create it, and the commit says so.
    missing = kitsu.TaskType.get_or_create(session=m, name=f"Relight-{uuid.uuid4().hex[:6]}")
    assert missing in m.new
    for shot in shots:
        m.add(kitsu.Task(project=studio.project, entity=shot, task_type=missing))
    shots[0].frame_out = 70
    before = _writes(m)
    with pytest.raises(kitsu.PermissionDenied) as info:
        m.commit()
    assert _writes(m) == before
    assert [(type(r.obj).__name__, r.action) for r in info.value.refused] == [
        ("TaskType", "create")
    ]
    assert "admin" in str(info.value)


def _batch_edit(s: kitsu.Session, studio: Studio) -> None:
    """The issue's batch edit, found by names as a script would: shift SQ01's shots by 10
    frames, move its compositing tasks from the artist to artist2, a Lighting task per shot."""
    with s.begin():  # class-level queries use this session
        project = kitsu.Project.where(name=studio.project.name).one()
        seq = kitsu.Sequence.where(project=project, name="SQ01").one()
        artist = s.get(kitsu.Person, studio.team["artist"].id)
        artist2 = s.get(kitsu.Person, studio.team["artist2"].id)
        lighting = kitsu.TaskType.get_or_create(name="Lighting", for_entity="Shot")
        for shot in kitsu.Shot.where(project=project, sequence=seq).include("tasks.task_type"):
            shot.frame_in = (shot.frame_in or 0) + 10
            shot.frame_out = (shot.frame_out or 0) + 10
            for task in shot.tasks:
                if task.task_type.name == "Compositing":
                    task.unassign(artist)
                    task.assign(artist2)
            s.add(kitsu.Task(project=project, entity=shot, task_type=lighting))


def test_the_batch_edit_found_by_names_as_manager_and_refused_to_the_artist(
    studio: Studio,
    kitsu_manager: kitsu.Session,
    kitsu_artist: kitsu.Session,
    kitsu_client: Transport,
) -> None:
    a = kitsu_artist
    with pytest.raises(kitsu.PermissionDenied) as info:
        _batch_edit(a, studio)
    assert _writes(a) == 0  # checked before anything was sent
    refused = {(type(r.obj).__name__, r.action) for r in info.value.refused}
    assert {("Shot", "update data"), ("Task", "create"), ("Task", "assign")} <= refused
    assert len(a.new) == 3 and len(a.dirty) == 6  # kept, to fix: 3 shots, 3 tasks
    a.rollback()

    m = kitsu_manager
    _batch_edit(m, studio)
    assert not m.new and not m.dirty
    artist2 = studio.team["artist2"].id
    for shot in studio.shots:
        row = kitsu_client.get(f"data/shots/{shot.id}")
        assert (row["data"]["frame_in"], row["data"]["frame_out"]) == (11, 58)
        tasks = kitsu_client.get("data/tasks", {"entity_id": shot.id, "relations": "true"})
        by_type = {t["task_type_id"]: t for t in tasks}
        assert by_type[studio.compositing.id]["assignees"] == [artist2]
        assert len(tasks) == (3 if shot is studio.shots[0] else 2)  # + Lighting (+ Animation)


def test_a_publish_tool_run_as_the_artist(
    studio: Studio, kitsu_as: Any, kitsu_client: Transport
) -> None:
    """Find the shot by names, a new working file revision and its output file from the
    file tree, a "v002 ready" comment with status wfa, two hours of time: one commit."""
    name = f"Movie-{uuid.uuid4().hex[:6]}"
    movie = kitsu_client.post("data/output-types", {"name": name, "short_name": name[-6:]})
    a = kitsu_as("artist")
    with a.begin():
        project = kitsu.Project.where(name=studio.project.name).one()
        seq = kitsu.Sequence.where(project=project, name="SQ01").one()
        shot = kitsu.Shot.where(project=project, sequence=seq, name="SH02").one()
        task = next(t for t in shot.tasks if t.task_type.name == "Compositing")
        maya = kitsu.Software.where(name="Maya").one()
        task.new_working_file(software=maya, comment="first pass")  # v001, an earlier day
    today = date.today()
    with a.begin():
        me = kitsu.User(a).person
        output_type = a.get(kitsu.OutputType, movie["id"])
        wfa = kitsu.TaskStatus.where(short_name="wfa").one()
        revision = kitsu.OutputFile.next_revision(shot, output_type, task.task_type)
        predicted = kitsu.OutputFile.build_path(
            shot, output_type, task.task_type, revision=revision
        )
        before = _writes(a)
        work = task.new_working_file(software=maya, comment="v002")
        a.add(
            kitsu.OutputFile(
                entity=shot,
                output_type=output_type,
                task_type=task.task_type,
                source_file=work,
                revision=revision,
            )
        )
        task.comment("v002 ready", wfa)
        task.add_time_spent(me, today, timedelta(hours=2))
        assert _writes(a) == before  # nothing leaves before the commit
    assert work.revision == 2

    fresh = kitsu_as("artist")
    task = fresh.get(kitsu.Task, task.id)
    assert sorted(f.revision for f in task.working_files) == [1, 2]
    [output] = kitsu.OutputFile.last_revisions(fresh.get(kitsu.Shot, shot.id))
    assert (output.revision, output.path) == (revision, predicted)
    assert output.source_file_id == work.id
    assert task.task_status.short_name == "wfa"
    assert [c.text for c in task.comments if c.text] == ["v002 ready"]
    spent = [t for t in task.time_spents_on(today) if t.person_id == me.id]
    assert [t.duration for t in spent] == [120]
