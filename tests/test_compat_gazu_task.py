"""gazu's ``task`` module through kitsu_orm.compat.gazu, beside gazu 1.3.1 itself, on
the real server: every function that reads or writes Kitsu data, driven by tables.

Reads are called through both on the same objects and must answer the same.
Writes are called through both on twin objects (two shots alike, each with its
task; two comments alike...) and their answers compared once the ids and
stamps that must differ are named (``normal``).

Not compared with gazu here, and why:

- ``add_preview``, ``publish_preview``, ``set_main_preview`` (and a second
  ``upload_preview_file``): compared in tests/test_compat_gazu_previews.py.
- ``add_preview(preview_file_url=...)``: gazu downloads the URL with plain
  ``requests``; the dev server has nothing to serve a file from, so a
  loopback HTTP server of the test serves it (checked below, for ours only:
  gazu's own download is not what is compared).
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_publishing import write_png

from kitsu_orm import errors
from kitsu_orm.compat import gazu
from kitsu_orm.testing import TeamMember, remove_project, unique_project_name
from kitsu_orm.transport import Transport

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("gazu_facade")]

# Set by the server on every write: twin objects differ there.
STAMPS = {
    "id",
    "created_at",
    "updated_at",
    "last_comment_date",
    "real_start_date",
    "file_size",
    "mentions",
    "shotgun_id",
    "date",
}


def normal(value: Any, names: dict[str, str], drop: frozenset[str] = frozenset()) -> Any:
    """``value`` with the ids of twin objects named alike and the stamps (and
    ``drop``) left out."""
    if isinstance(value, dict):
        return {
            k: normal(v, names, drop) for k, v in value.items() if k not in STAMPS and k not in drop
        }
    if isinstance(value, list):
        return [normal(v, names, drop) for v in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value


class Board:
    """A tv show of one episode, sequence, scene, concept, edit, asset and two shots
    alike (``ours``, ``theirs``), an Animation task on each shot and tasks on the
    rest, the admin and an artist assigned, a comment, a preview, time spent."""

    def __init__(self, c: Transport, people: dict[str, TeamMember], folder: Path) -> None:
        self.c = c
        self.project = c.post(
            "data/projects", {"name": unique_project_name("gazu_task"), "production_type": "tvshow"}
        )
        pid = self.pid = self.project["id"]
        self.types = {  # by name; "Concept" is the concepts' one (assets have one too)
            t["name"]: t
            for t in c.get("data/task-types")
            if (t["name"], t["for_entity"]) != ("Concept", "Asset")
        }
        for kind in ("Episode", "Sequence", "Scene"):  # Zou has none for these
            name = f"Board {kind}"
            if name not in self.types:
                self.types[name] = c.post(
                    "data/task-types", {"name": name, "for_entity": kind, "color": "#123456"}
                )
        self.statuses = {s["short_name"]: s for s in c.get("data/task-status")}
        enabled = ("Animation", "Modeling", "Compositing", "Layout", "Lighting", "Rigging")
        for t in (*enabled, "Concept", "Edit"):
            c.post(
                f"data/projects/{pid}/settings/task-types", {"task_type_id": self.types[t]["id"]}
            )
        for s in ("todo", "wip", "wfa"):
            c.post(
                f"data/projects/{pid}/settings/task-status",
                {"task_status_id": self.statuses[s]["id"]},
            )
        self.admin = c.current_user()
        self.artist = people["artist"].person
        for person in (self.admin, self.artist):
            c.post(f"data/projects/{pid}/team", {"person_id": person["id"]})
        self.episode = c.post(f"data/projects/{pid}/episodes", {"name": "E01"})
        self.sequence = c.post(
            f"data/projects/{pid}/sequences", {"name": "SQ01", "episode_id": self.episode["id"]}
        )
        self.shots = [
            c.post(
                f"data/projects/{pid}/shots",
                {"name": f"SH{i:03d}", "sequence_id": self.sequence["id"]},
            )
            for i in range(2)
        ]
        self.scene = c.post(
            f"data/projects/{pid}/scenes", {"name": "SC01", "sequence_id": self.sequence["id"]}
        )
        self.concept = c.post(f"data/projects/{pid}/concepts", {"name": "CO01"})
        self.edit = c.post(f"data/projects/{pid}/edits", {"name": "ED01"})
        character = next(t for t in c.get("data/asset-types") if t["name"] == "Character")
        self.asset = c.post(
            f"data/projects/{pid}/asset-types/{character['id']}/assets/new",
            {"name": "Hero", "episode_id": self.episode["id"]},
        )
        anim, model = self.types["Animation"]["id"], self.types["Modeling"]["id"]
        self.tasks = [self.task(shot, anim) for shot in self.shots]
        self.task(self.asset, model)
        for kind in ("Episode", "Sequence", "Scene"):
            self.task(getattr(self, kind.lower()), self.types[f"Board {kind}"]["id"])
        self.task(self.concept, self.types["Concept"]["id"])
        self.task(self.edit, self.types["Edit"]["id"])
        c.put(f"actions/persons/{self.admin['id']}/assign", {"task_ids": [self.tasks[0]["id"]]})
        c.put(f"actions/persons/{self.artist['id']}/assign", {"task_ids": [self.tasks[0]["id"]]})
        wip = self.statuses["wip"]["id"]
        self.comment = c.post(
            f"actions/tasks/{self.tasks[0]['id']}/comment",
            {"task_status_id": wip, "comment": "blocking done @Artist Test"},
        )
        self.preview = c.post(
            f"actions/tasks/{self.tasks[0]['id']}/comments/{self.comment['id']}/add-preview", {}
        )
        c.upload(f"pictures/preview-files/{self.preview['id']}", write_png(folder, "v001.png"))
        c.post(
            f"actions/tasks/{self.tasks[0]['id']}/time-spents/2026-01-05/persons/{self.admin['id']}",
            {"duration": 90},
        )

    def task(self, entity: dict[str, Any], task_type_id: str) -> dict[str, Any]:
        body = {
            "project_id": self.pid,
            "entity_id": entity["id"],
            "task_type_id": task_type_id,
            "task_status_id": self.statuses["todo"]["id"],
        }
        return self.c.post("data/tasks", body)  # type: ignore[no-any-return]

    def twins(self) -> dict[str, str]:
        """The two shots and their tasks, named alike."""
        return {
            self.shots[0]["id"]: "<shot>",
            self.shots[1]["id"]: "<shot>",
            self.tasks[0]["id"]: "<task>",
            self.tasks[1]["id"]: "<task>",
            "SH000": "<shot name>",
            "SH001": "<shot name>",
        }


@pytest.fixture(scope="module")
def board(
    kitsu_client: Transport, kitsu_people: dict[str, TeamMember], tmp_path_factory: Any
) -> Iterator[Board]:
    made = Board(kitsu_client, kitsu_people, tmp_path_factory.mktemp("task"))
    yield made
    remove_project(kitsu_client, made.project)


Args = Callable[[Board], tuple[Any, ...]]

# Reads: (function, arguments on the board). Both libraries read the same objects.
READS: list[tuple[str, Args]] = [
    ("all_task_statuses", lambda b: ()),
    ("all_task_types", lambda b: ()),
    ("all_task_types_for_project", lambda b: (b.project,)),
    ("all_task_statuses_for_project", lambda b: (b.pid,)),
    ("all_task_types_for_shot", lambda b: (b.shots[0],)),
    ("all_task_types_for_asset", lambda b: (b.asset["id"],)),
    ("all_task_types_for_scene", lambda b: (b.scene,)),
    ("all_task_types_for_sequence", lambda b: (b.sequence,)),
    ("all_task_types_for_episode", lambda b: (b.episode,)),
    ("all_task_types_for_concept", lambda b: (b.concept,)),
    ("all_tasks_for_shot", lambda b: (b.shots[0],)),
    ("all_tasks_for_shot", lambda b: (b.shots[0], True)),
    ("all_tasks_for_asset", lambda b: (b.asset,)),
    ("all_tasks_for_scene", lambda b: (b.scene,)),
    ("all_tasks_for_sequence", lambda b: (b.sequence, True)),
    ("all_tasks_for_episode", lambda b: (b.episode,)),
    ("all_tasks_for_concept", lambda b: (b.concept,)),
    ("all_tasks_for_edit", lambda b: (b.edit["id"],)),
    ("all_shot_tasks_for_sequence", lambda b: (b.sequence,)),
    ("all_shot_tasks_for_episode", lambda b: (b.episode, True)),
    ("all_assets_tasks_for_episode", lambda b: (b.episode,)),
    ("all_tasks_for_task_status", lambda b: (b.pid, b.types["Animation"], b.statuses["wip"])),
    ("all_tasks_for_task_type", lambda b: (b.project, b.types["Animation"])),
    ("all_tasks_for_task_type", lambda b: (b.project, b.types["Animation"], b.episode)),
    ("all_tasks_for_project", lambda b: (b.project,)),
    ("all_tasks_for_project", lambda b: (b.project, b.types["Animation"], b.episode)),
    ("all_tasks_for_entity_and_task_type", lambda b: (b.shots[0], b.types["Animation"])),
    ("all_tasks_for_person", lambda b: (b.artist,)),
    ("all_done_tasks_for_person", lambda b: (b.admin,)),
    ("all_tasks_for_person_and_type", lambda b: (b.admin, b.types["Animation"])),
    ("all_open_tasks", lambda b: ()),
    ("get_open_tasks_stats", lambda b: ()),
    ("get_persons_tasks_dates", lambda b: ()),
    ("get_task", lambda b: (b.tasks[0],)),
    ("get_task_by_entity", lambda b: (b.shots[0], b.types["Animation"])),
    ("get_task_by_entity", lambda b: (b.shots[0], b.types["Animation"], "other")),
    ("get_task_url", lambda b: (b.tasks[0],)),
    ("get_task_type", lambda b: (b.types["Animation"]["id"],)),
    ("get_task_type_by_name", lambda b: ("Animation",)),
    ("get_task_type_by_name", lambda b: ("Animation", "Shot")),
    ("get_task_type_by_short_name", lambda b: (b.types["Modeling"]["short_name"], "Asset")),
    ("get_default_task_status", lambda b: ()),
    ("get_task_status", lambda b: (b.statuses["wip"]["id"],)),
    ("get_task_status_by_name", lambda b: (b.statuses["wfa"]["name"],)),
    ("get_task_status_by_short_name", lambda b: ("wip",)),
    ("get_task_status_by_short_name", lambda b: ("no-such-status",)),
    ("all_comments_for_task", lambda b: (b.tasks[0],)),
    ("get_last_comment_for_task", lambda b: (b.tasks[0],)),
    ("get_last_comment_for_task", lambda b: (b.tasks[1],)),
    ("all_comments_for_project", lambda b: (b.project,)),
    ("all_notifications_for_project", lambda b: (b.project,)),
    ("all_subscriptions_for_project", lambda b: (b.project,)),
    ("get_comment", lambda b: (b.comment["id"],)),
    ("all_previews_for_task", lambda b: (b.tasks[0],)),
    ("all_preview_files_for_project", lambda b: (b.project,)),
    ("get_time_spent", lambda b: (b.tasks[0],)),
    ("get_time_spent", lambda b: (b.tasks[0], "2026-01-05")),
    ("get_task_time_spent_for_date", lambda b: (b.tasks[0], "2026-01-05")),
]


@pytest.mark.parametrize(
    ("name", "args"), READS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(READS)]
)
def test_a_read_answers_what_gazu_answers(
    real_gazu: Any, board: Board, name: str, args: Args
) -> None:
    theirs = getattr(real_gazu.task, name)(*args(board))
    ours = getattr(gazu.task, name)(*args(board))
    assert ours == theirs
    if name.startswith("all_") and not name.endswith("open_tasks"):
        assert isinstance(ours, list) and ours or name in EMPTY_LISTS, name


# Reads whose answer is an empty list on the board (a done task, notifications...).
EMPTY_LISTS = {
    "all_done_tasks_for_person",
    "all_notifications_for_project",
    "all_subscriptions_for_project",
}


def _twins(board: Board, both: Callable[[Any, int], Any]) -> tuple[Any, Any]:
    """``both(library, i)`` through ours on twin 0, through gazu on twin 1."""
    return both(gazu, 0), both(None, 1)


def test_task_writes_answer_what_gazus_answer(real_gazu: Any, board: Board) -> None:
    b, names = board, board.twins()
    libs = (gazu.task, real_gazu.task)
    model = b.types["Compositing"]

    made = [lib.new_task(b.shots[i], model, "extra") for i, lib in enumerate(libs)]
    assert normal(made[0], names) == normal(made[1], names)
    names.update({made[0]["id"]: "<new>", made[1]["id"]: "<new>"})
    # Made already: the existing row is answered (as a list row, without assignees).
    again = gazu.task.new_task(b.shots[0]["id"], model, "extra")  # an id: its project is read
    assert normal(again, names) == normal(
        real_gazu.task.new_task(b.shots[1], model, "extra"), names
    )
    assert again == gazu.task.get_task_by_entity(b.shots[0], model, "extra")
    assert again["id"] == made[0]["id"]

    updated = [lib.update_task({**made[i], "priority": 3}) for i, lib in enumerate(libs)]
    assert normal(updated[0], names) == normal(updated[1], names)
    data = [lib.update_task_data(made[i], {"frames": 24}) for i, lib in enumerate(libs)]
    assert normal(data[0], names) == normal(data[1], names)
    assert data[0]["data"] == {"frames": 24}

    assigned = [lib.assign_task(made[i], b.artist) for i, lib in enumerate(libs)]
    assert normal(assigned[0], names) == normal(assigned[1], names)
    several = [lib.assign_tasks_to_person([made[i]["id"]], b.admin) for i, lib in enumerate(libs)]
    assert normal(several[0], names) == normal(several[1], names)
    cleared = [lib.clear_assignations(made[i], b.artist) for i, lib in enumerate(libs)]
    assert normal(cleared[0], names) == normal(cleared[1], names) == ["<new>"]
    cleared = [lib.clear_assignations([made[i]]) for i, lib in enumerate(libs)]
    assert normal(cleared[0], names) == normal(cleared[1], names)
    assert gazu.task.clear_assignations([]) == real_gazu.task.clear_assignations([]) == []

    removed = [lib.remove_task(made[i]) for i, lib in enumerate(libs)]
    assert removed[0] == removed[1] == ""

    pid, character = b.pid, b.asset["entity_type_id"]
    twins = {
        "entity": (b.shots, "Layout"),
        "shot": (b.shots, "Lighting"),
        "asset": (
            [
                b.c.post(f"data/projects/{pid}/asset-types/{character}/assets/new", {"name": n})
                for n in ("Prop A", "Prop B")
            ],
            "Rigging",
        ),
        "edit": (
            [b.c.post(f"data/projects/{pid}/edits", {"name": n}) for n in ("ED2", "ED3")],
            "Edit",
        ),
        "concept": (
            [b.c.post(f"data/projects/{pid}/concepts", {"name": n}) for n in ("CO2", "CO3")],
            "Concept",
        ),
    }
    for kind, (entities, type_name) in twins.items():
        function, task_type = f"create_{kind}_tasks", b.types[type_name]
        named = {**names, entities[0]["id"]: "<e>", entities[1]["id"]: "<e>"}
        named.update({entities[0]["name"]: "<n>", entities[1]["name"]: "<n>"})
        ours = getattr(gazu.task, function)(entities[0], [task_type])
        theirs = getattr(real_gazu.task, function)(entities[1], [task_type["id"]])
        assert normal(ours, named) == normal(theirs, named), function
        assert len(ours) == 1 and ours[0]["task_type_id"] == task_type["id"], function
        gazu.task.remove_tasks_batch(b.project, [t["id"] for t in ours + theirs])

    doomed = [b.task(b.shots[i], b.types["Layout"]["id"]) for i in range(2)]
    batch = [lib.remove_tasks_batch(b.pid, [doomed[i]]) for i, lib in enumerate(libs)]
    names.update({t["id"]: "<doomed>" for t in doomed})
    assert normal(batch[0], names) == normal(batch[1], names)
    gone = [gazu.task.get_task_by_entity(b.shots[i], b.types["Layout"]) for i in range(2)]
    assert gone == [None, None]

    spare = b.c.post(
        f"data/projects/{b.pid}/shots", {"name": "SH900", "sequence_id": b.sequence["id"]}
    )
    b.task(spare, b.types["Layout"]["id"])
    by_type = gazu.task.remove_tasks_for_type(b.project, b.types["Layout"])
    assert by_type == real_gazu.task.remove_tasks_for_type(b.project, b.types["Layout"]) == ""
    assert gazu.task.all_tasks_for_shot(spare) == []


def test_task_type_and_status_writes_answer_what_gazus_answer(
    real_gazu: Any, board: Board, request: pytest.FixtureRequest
) -> None:
    libs = (gazu.task, real_gazu.task)
    tag = unique_project_name(request.node.name)[-8:]
    types = [lib.new_task_type(f"Type {tag} {i}", "#00FF00", "Shot") for i, lib in enumerate(libs)]
    names = {f"Type {tag} 0": "<name>", f"Type {tag} 1": "<name>"}
    try:
        assert normal(types[0], names) == normal(types[1], names)
        assert gazu.task.new_task_type(f"Type {tag} 0", for_entity="Shot") == types[0]
        updated = [
            lib.update_task_type({**types[i], "color": "#0000FF"}) for i, lib in enumerate(libs)
        ]
        assert normal(updated[0], names) == normal(updated[1], names)
    finally:
        removed = [lib.remove_task_type(types[i], force=True) for i, lib in enumerate(libs)]
    assert removed[0] == removed[1] == ""

    statuses = [
        lib.new_task_status(f"Status {tag} {i}", f"s{tag[:4]}{i}", "#FF0000")
        for i, lib in enumerate(libs)
    ]
    names = {
        f"Status {tag} 0": "<name>",
        f"Status {tag} 1": "<name>",
        f"s{tag[:4]}0": "<short>",
        f"s{tag[:4]}1": "<short>",
    }
    try:
        assert normal(statuses[0], names) == normal(statuses[1], names)
        updated = [
            lib.update_task_status({"id": statuses[i]["id"], "color": "#ABCDEF"})
            for i, lib in enumerate(libs)
        ]
        assert normal(updated[0], names) == normal(updated[1], names)
    finally:
        removed = [lib.remove_task_status(statuses[i]) for i, lib in enumerate(libs)]
    assert removed[0] == removed[1] == ""
    with pytest.raises(errors.ValidationError, match="#"):
        gazu.task.new_task_status("Bad", "bad", "00FF00")
    with pytest.raises(ValueError):
        gazu.task.new_task_status("Bad", "bad", "#GG0000")


def test_comment_writes_answer_what_gazus_answer(
    real_gazu: Any, board: Board, tmp_path: Path
) -> None:
    b, names = board, board.twins()
    libs = (gazu.task, real_gazu.task)
    wfa, wip = b.statuses["wfa"], b.statuses["wip"]
    notes = tmp_path / "notes.txt"
    notes.write_text("the arm pops at frame 12\n")
    other = tmp_path / "other.txt"
    other.write_text("and the knee\n")
    heard: list[tuple[int, int]] = []

    plain = [
        lib.add_comment(
            b.tasks[i],
            wfa,
            "v002",
            checklist=[{"text": "a", "checked": False}],
            links=["https://x.example"],
        )
        for i, lib in enumerate(libs)
    ]
    assert normal(plain[0], names) == normal(plain[1], names)
    attached = [
        libs[0].add_comment(
            b.tasks[0],
            wip,
            "notes",
            attachments=[str(notes), str(other)],
            progress_callback=lambda s, t: heard.append((s, t)),
        ),
        libs[1].add_comment(b.tasks[1], wip, "notes", attachments=[str(notes), str(other)]),
    ]
    assert normal(attached[0], names) == normal(attached[1], names)
    assert [a["name"] for a in attached[0]["attachment_files"]] == ["other.txt", "notes.txt"]
    total = notes.stat().st_size + other.stat().st_size
    assert heard and heard[-1] == (total, total)
    more = [
        lib.add_attachment_files_to_comment(b.tasks[i], plain[i], str(notes))
        for i, lib in enumerate(libs)
    ]
    assert normal(more[0], names) == normal(more[1], names)
    names.update({c["id"]: "<comment>" for c in plain})
    for files in (more, [c["attachment_files"] for c in attached]):
        names.update({a["id"]: f"<attachment {n}>" for side in files for n, a in enumerate(side)})

    edited = [
        lib.update_comment({"id": plain[i]["id"], "text": "v002, fixed"})
        for i, lib in enumerate(libs)
    ]
    assert normal(edited[0], names) == normal(edited[1], names)
    acked = [lib.acknowledge_comment(b.tasks[i], plain[i]) for i, lib in enumerate(libs)]
    assert normal(acked[0], names) == normal(acked[1], names)
    replies = [
        lib.reply_to_comment(b.tasks[i], plain[i], "ok", b.admin) for i, lib in enumerate(libs)
    ]
    assert normal(replies[0], names) == normal(replies[1], names)
    gone = [
        lib.delete_comment_reply(b.tasks[i], plain[i], replies[i]) for i, lib in enumerate(libs)
    ]
    # gazu answers a DELETE's text: here the comment's JSON.
    assert isinstance(gone[0], str) and isinstance(gone[1], str)
    assert normal(json.loads(gone[0]), names) == normal(json.loads(gone[1]), names)
    assert gone[0][-1:] == gone[1][-1:]
    files = [more[0][0], more[1][0]]
    gone = [
        lib.delete_comment_attachment(b.tasks[i], plain[i], files[i]) for i, lib in enumerate(libs)
    ]
    assert gone[0] == gone[1]

    batch = [
        lib.batch_comments(
            [{"task_status_id": wip["id"], "text": "batch", "attachment_files": [str(notes)]}],
            b.tasks[i],
        )
        for i, lib in enumerate(libs)
    ]
    assert normal(batch[0], names) == normal(batch[1], names)
    # Zou 1.0.97 takes a JSON array there, gazu 1.3.1 sends a form: both are refused alike.
    for i, lib in enumerate(libs):
        with pytest.raises(real_gazu.exception.ParameterException if i else errors.ValidationError):
            lib.create_multiple_comments(
                b.project, [{"task_id": b.tasks[i]["id"], "task_status_id": wfa["id"], "text": "x"}]
            )
    loose = [
        lib.batch_comments(
            [{"task_id": b.tasks[i]["id"], "task_status_id": wfa["id"], "text": "loose"}]
        )
        for i, lib in enumerate(libs)
    ]
    assert normal(loose[0], names) == normal(loose[1], names)
    same_text = {"text": "all of them", "task_status_id": wip["id"], "person_id": b.admin["id"]}
    together = [lib.add_tasks_batch_comments([b.tasks[i]], same_text) for i, lib in enumerate(libs)]
    assert normal(together[0], names) == normal(together[1], names)
    started = [lib.start_task(b.tasks[i]) for i, lib in enumerate(libs)]
    assert normal(started[0], names) == normal(started[1], names)

    # A comment moves to another task of its entity (a task of its own here).
    targets = [b.task(b.shots[i], b.types["Layout"]["id"]) for i in range(2)]
    names.update({t["id"]: "<target>" for t in targets})
    moved = [
        lib.move_comment_to_task(b.tasks[i], started[i], targets[i]) for i, lib in enumerate(libs)
    ]
    assert normal(moved[0], names) == normal(moved[1], names)
    assert moved[0]["object_id"] == targets[0]["id"]

    removed = [lib.remove_comment(plain[i]) for i, lib in enumerate(libs)]
    assert removed[0] == removed[1] == ""
    gazu.task.remove_tasks_batch(b.project, targets)


# A preview file is named after its id.
PREVIEW_NAMES = frozenset({"name"})


def test_preview_writes_answer_what_gazus_answer(
    real_gazu: Any, board: Board, tmp_path: Path
) -> None:
    b, names = board, board.twins()
    libs = (gazu.task, real_gazu.task)
    wfa = b.statuses["wfa"]
    image = write_png(tmp_path, "v003.png", shade=3)
    comments = [lib.add_comment(b.tasks[i], wfa, "v003") for i, lib in enumerate(libs)]
    names.update({c["id"]: "<comment>" for c in comments})

    records = [lib.create_preview(b.tasks[i], comments[i], 7) for i, lib in enumerate(libs)]
    assert normal(records[0], names, PREVIEW_NAMES) == normal(records[1], names, PREVIEW_NAMES)
    assert records[0]["revision"] == 7
    names.update({r["id"]: "<preview>" for r in records})
    heard: list[tuple[int, int]] = []
    uploaded = [
        libs[0].upload_preview_file(
            records[0], str(image), no_job=True, progress_callback=lambda s, t: heard.append((s, t))
        ),
        libs[1].upload_preview_file(records[1], str(image), no_job=True),
    ]
    assert normal(uploaded[0], names, PREVIEW_NAMES) == normal(uploaded[1], names, PREVIEW_NAMES)
    assert heard[-1] == (image.stat().st_size, image.stat().st_size)

    extra = [
        lib.create_extra_preview(b.tasks[i], comments[i], records[i]) for i, lib in enumerate(libs)
    ]
    assert normal(extra[0], names, PREVIEW_NAMES) == normal(extra[1], names, PREVIEW_NAMES)
    assert extra[0]["revision"] == 7
    filled = [
        lib.upload_preview_file(extra[i], str(image), normalize_movie=False)
        for i, lib in enumerate(libs)
    ]
    assert normal(filled[0], names, PREVIEW_NAMES) == normal(filled[1], names, PREVIEW_NAMES)
    names.update({r["id"]: "<extra>" for r in extra})
    added = [
        lib.add_extra_preview(b.tasks[i], comments[i], records[i], str(image))
        for i, lib in enumerate(libs)
    ]
    assert normal(added[0], names, PREVIEW_NAMES) == normal(added[1], names, PREVIEW_NAMES)
    assert added[0]["revision"] == 7 and added[0]["position"] == 3

    removed = [
        lib.remove_preview_from_comment(b.tasks[i], comments[i], added[i])
        for i, lib in enumerate(libs)
    ]
    assert removed[0] == removed[1] == ""
    left = [p["id"] for p in gazu.task.all_previews_for_task(b.tasks[0])]
    assert added[0]["id"] not in left and records[0]["id"] in str(left)


def test_time_spent_writes_answer_what_gazus_answer(real_gazu: Any, board: Board) -> None:
    b, names = board, board.twins()
    libs = (gazu.task, real_gazu.task)
    b.c.put(f"actions/persons/{b.admin['id']}/assign", {"task_ids": [b.tasks[1]["id"]]})
    spent = [
        lib.set_time_spent(b.tasks[i], b.admin, "2026-02-02", 60) for i, lib in enumerate(libs)
    ]
    assert normal(spent[0], names) == normal(spent[1], names)
    more = [lib.add_time_spent(b.tasks[i], b.admin, "2026-02-02", 30) for i, lib in enumerate(libs)]
    assert normal(more[0], names) == normal(more[1], names)
    assert more[0]["duration"] == 90
    removed = [lib.remove_time_spent(spent[i]) for i, lib in enumerate(libs)]
    assert removed[0] == removed[1] == ""
    assert gazu.task.get_task_time_spent_for_date(b.tasks[0], "2026-02-02") == (
        real_gazu.task.get_task_time_spent_for_date(b.tasks[0], "2026-02-02")
    )
    with pytest.raises(errors.ValidationError):
        gazu.task.get_task_time_spent_for_date(b.tasks[0], "../../auth/logout")


def test_bad_input_is_refused_before_any_request(board: Board) -> None:
    with pytest.raises(gazu.exception.TaskMustBeADictException):
        gazu.task.get_task_url(board.tasks[0]["id"])
    with pytest.raises(errors.ValidationError):
        gazu.task.add_attachment_files_to_comment(board.tasks[0], board.comment, [])
    with pytest.raises(errors.ValidationError):
        gazu.task.add_preview(board.tasks[0], board.comment)
    with pytest.raises(errors.ValidationError):
        gazu.task.add_preview(board.tasks[0], board.comment, preview_file_url="file:///etc/passwd")
    with pytest.raises(errors.ValidationError):
        gazu.task.remove_task("../../data/projects")
    with pytest.raises(errors.ValidationError):
        gazu.task.assign_tasks_to_person(["not-an-id"], board.admin)


def test_add_preview_from_a_url_as_gazu_does(board: Board, tmp_path: Path) -> None:
    """gazu's ``preview_file_url``: the file is fetched (here from a loopback server
    of the test), uploaded, and its temporary copy removed."""
    image = write_png(tmp_path, "served.png", shade=9)

    class Serve(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Serve)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        comment = gazu.task.add_comment(board.tasks[1], board.statuses["wfa"], "from a url")
        url = f"http://127.0.0.1:{server.server_address[1]}/{image.name}"
        preview = gazu.task.add_preview(board.tasks[1], comment, preview_file_url=url, no_job=True)
    finally:
        server.shutdown()
    assert preview["original_name"] == "served" and preview["extension"] == "png"
    assert preview["status"] == "ready"


def test_an_artist_reads_and_comments_through_a_client_of_their_own(
    real_gazu: Any, board: Board, kitsu_server: Any, kitsu_people: dict[str, TeamMember]
) -> None:
    """The role matters: an artist sees the tasks of their projects and comments on a
    task assigned to them, through ``client=`` as through gazu's."""
    artist = kitsu_people["artist"]
    ours = gazu.client.create_client(kitsu_server.url)
    gazu.client.log_in(artist.email, artist.password, client=ours)
    theirs = real_gazu.client.create_client(kitsu_server.url)
    real_gazu.log_in(artist.email, artist.password, client=theirs)
    mine = gazu.task.all_tasks_for_shot(board.shots[0], client=ours)
    assert mine == real_gazu.task.all_tasks_for_shot(board.shots[0], client=theirs)
    wip = board.statuses["wip"]
    said = gazu.task.add_comment(board.tasks[0], wip, "as the artist", client=ours)
    assert said["person_id"] == artist.id
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.task.new_task_status("Artist status", "ast", "#123456", client=ours)
