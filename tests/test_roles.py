"""Every relationship and query of the ORM, read as each role Kitsu has.

One small production per module (two sequences, ten shots, two assets, their
tasks, comments, time spent, files, casting and an instance), built by the
admin; then each role walks it through the ORM. Staff roles (manager,
supervisor, artist) must see what the admin sees, in the same few requests;
a client or vendor sees what Zou shows them, or gets a clean PermissionDenied,
never a 404 about a URL.
"""

from __future__ import annotations

import datetime
import io
import random
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import attrs
import pytest
from test_publishing import png_bytes

import kitsu_orm as kitsu
from kitsu_orm.testing import KitsuServer, TeamMember, TokenSessions, remove_project
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server

STAFF = ("admin", "manager", "supervisor", "artist")
ROLES = (*STAFF, "client", "vendor")
SHOTS = {"SQ01": 6, "SQ02": 4}


@attrs.frozen
class Prod:
    """Ids of the module's production."""

    project: str
    episode: str
    sequences: dict[str, str]
    shots: list[str]
    assets: list[str]
    tasks: list[dict[str, Any]]
    commented: str
    vendor_task: str
    instance: str
    scene_instance: str


@pytest.fixture(scope="module")
def prod(
    kitsu_client: Transport,
    kitsu_people: dict[str, TeamMember],
    kitsu_role_clients: dict[str, Transport],
) -> Iterator[Prod]:
    c = kitsu_client
    name = f"test-roles-{datetime.datetime.now().strftime('%H%M%S%f')}"
    project = c.post("data/projects", {"name": name, "production_type": "tvshow"})
    pid = project["id"]
    built: list[Prod] = []
    day_offs: list[dict[str, Any]] = []
    try:
        built.append(_build(c, pid, kitsu_people, kitsu_role_clients["artist"]))
        # A day off of the artist's, on a day no other run takes (Zou refuses overlaps).
        day = datetime.date(2030, 1, 1) + datetime.timedelta(days=random.randrange(3000))
        body = {"person_id": kitsu_people["artist"].id, "date": day.isoformat()}
        day_offs.append(c.post("data/day-offs", {**body, "end_date": day.isoformat()}))
        yield built[0]
    finally:
        for day_off in day_offs:
            c.delete(f"data/day-offs/{day_off['id']}")
        for p in built:  # Zou deletes no project whose instances are still linked
            c.delete(f"data/shots/{p.shots[0]}/asset-instances/{p.instance}")
            for instance in (p.instance, p.scene_instance):
                c.delete(f"data/asset-instances/{instance}")
        remove_project(c, project)


def _build(c: Transport, pid: str, people: dict[str, TeamMember], artist_c: Transport) -> Prod:
    c.put(f"data/projects/{pid}", {"file_tree": kitsu.file_tree("default")})
    for member in people.values():
        c.post(f"data/projects/{pid}/team", {"person_id": member.id})
    task_types = {t["name"]: t["id"] for t in c.get("data/task-types")}
    statuses = {s["short_name"]: s["id"] for s in c.get("data/task-status")}
    character = next(t["id"] for t in c.get("data/asset-types") if t["name"] == "Character")
    # The project's settings (project.task_types, .task_statuses, .asset_types).
    settings = f"data/projects/{pid}/settings"
    for name in ("Animation", "Compositing", "Modeling"):
        c.post(f"{settings}/task-types", {"task_type_id": task_types[name]})
    for short in ("todo", "wip"):
        c.post(f"{settings}/task-status", {"task_status_id": statuses[short]})
    c.post(f"{settings}/asset-types", {"asset_type_id": character})
    c.post(
        "data/milestones",
        {
            "project_id": pid,
            "name": "Animatic",
            "date": "2031-03-01",
            "task_type_id": task_types["Animation"],
        },
    )
    episode = c.post(f"data/projects/{pid}/episodes", {"name": "E01"})
    sequences, shots = {}, []
    for seq_name, count in SHOTS.items():
        seq = c.post(
            f"data/projects/{pid}/sequences", {"name": seq_name, "episode_id": episode["id"]}
        )
        sequences[seq_name] = seq["id"]
        for n in range(count):
            shot = c.post(
                f"data/projects/{pid}/shots", {"name": f"SH{n + 1:02d}", "sequence_id": seq["id"]}
            )
            shots.append(shot["id"])
    assets = [
        c.post(f"data/projects/{pid}/asset-types/{character}/assets/new", {"name": n})["id"]
        for n in ("Ellie", "Rex")
    ]
    create = "actions/projects/{}/task-types/{}/{}/create-tasks"
    anim = c.post(create.format(pid, task_types["Animation"], "shots"), shots)
    comp = c.post(create.format(pid, task_types["Compositing"], "shots"), shots)
    model = c.post(create.format(pid, task_types["Modeling"], "assets"), assets)
    artist, artist2 = people["artist"].id, people["artist2"].id
    c.put(
        f"actions/persons/{artist}/assign",
        {"task_ids": [t["id"] for t in anim[:5]] + [model[0]["id"]]},
    )
    c.put(f"actions/persons/{artist2}/assign", {"task_ids": [t["id"] for t in anim[5:8]]})
    c.put(f"actions/persons/{people['vendor'].id}/assign", {"task_ids": [comp[0]["id"]]})
    past = (datetime.date.today() - datetime.timedelta(days=10)).isoformat()
    future = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    for i, task in enumerate(anim + comp):
        c.put(f"data/tasks/{task['id']}", {"due_date": past if i % 3 == 0 else future})
    commented = anim[0]["id"]
    c.post(
        f"actions/tasks/{commented}/comment", {"task_status_id": statuses["wip"], "comment": "go"}
    )
    c.post(
        f"actions/tasks/{anim[1]['id']}/comment",
        {"task_status_id": statuses["done"], "comment": "ok"},
    )
    c.post(
        f"actions/tasks/{comp[0]['id']}/comment",
        {"task_status_id": statuses["wfa"], "comment": "look"},
    )
    # A preview the artist published on a shot's task and on an asset's (theirs), each
    # its entity's main one.
    previews = []
    for task_id, status in ((commented, statuses["wip"]), (model[0]["id"], statuses["todo"])):
        note = artist_c.post(
            f"actions/tasks/{task_id}/comment", {"task_status_id": status, "comment": "v1"}
        )
        preview = artist_c.post(f"actions/tasks/{task_id}/comments/{note['id']}/add-preview", {})
        image = io.BytesIO(png_bytes())
        artist_c.upload(f"pictures/preview-files/{preview['id']}", image, filename="v1.png")
        c.put(f"actions/preview-files/{preview['id']}/set-main-preview", {})
        previews.append(preview["id"])
        if task_id == commented:  # a file attached to it (comment.attachments)
            artist_c.upload(
                f"actions/tasks/{task_id}/comments/{note['id']}/add-attachment",
                files=[("file0", io.BytesIO(b"frame 12"))],
            )
    # A playlist of the episode, for the animation: two shots, the first with its preview.
    dailies = c.post(
        "data/playlists",
        {
            "name": "Animation dailies",
            "project_id": pid,
            "episode_id": episode["id"],
            "task_type_id": task_types["Animation"],
            "for_entity": "shot",
            "shots": [
                {"entity_id": shots[0], "preview_file_id": previews[0]},
                {"entity_id": shots[1], "preview_file_id": None},
            ],
        },
    )
    c.post(f"data/playlists/{dailies['id']}/share", {"can_comment": False})
    today = datetime.date.today().isoformat()
    for task, person, minutes in (
        (anim[0], artist, 60),
        (anim[1], artist, 90),
        (anim[5], artist2, 30),
    ):
        c.post(
            f"actions/tasks/{task['id']}/time-spents/{today}/persons/{person}",
            {"duration": minutes},
        )
    software = (
        c.get("data/softwares")
        or [
            c.post(
                "data/softwares", {"name": "Blender", "short_name": "bl", "file_extension": "blend"}
            )
        ]
    )[0]
    output_type = (
        c.get("data/output-types")
        or [c.post("data/output-types", {"name": "Cache", "short_name": "cache"})]
    )[0]
    working = c.post(
        f"data/tasks/{commented}/working-files/new",
        {"name": "main", "person_id": artist, "software_id": software["id"]},
    )
    c.post(
        f"data/entities/{shots[0]}/output-files/new",
        {
            "output_type_id": output_type["id"],
            "task_type_id": task_types["Animation"],
            "name": "main",
            "working_file_id": working["id"],
            "person_id": artist,
        },
    )
    c.put(
        f"data/projects/{pid}/entities/{shots[0]}/casting",
        [{"asset_id": assets[0], "nb_occurences": 1}],
    )
    c.put(
        f"data/projects/{pid}/entities/{shots[1]}/casting",
        [{"asset_id": assets[1], "nb_occurences": 1}],
    )
    instance = c.post(
        f"data/assets/{assets[1]}/asset-asset-instances", {"asset_to_instantiate_id": assets[0]}
    )
    c.post(f"data/shots/{shots[0]}/asset-instances", {"asset_instance_id": instance["id"]})
    scene = c.post(
        f"data/projects/{pid}/scenes", {"name": "SC01", "sequence_id": sequences["SQ01"]}
    )
    in_scene = c.post(f"data/scenes/{scene['id']}/asset-instances", {"asset_id": assets[1]})
    c.post(f"data/projects/{pid}/edits", {"name": "Cut", "episode_id": episode["id"]})
    c.post(f"data/projects/{pid}/concepts", {"name": "Mood"})
    return Prod(
        project=pid,
        episode=episode["id"],
        sequences=sequences,
        shots=shots,
        assets=assets,
        tasks=[*anim, *comp, *model],
        commented=commented,
        vendor_task=comp[0]["id"],
        instance=instance["id"],
        scene_instance=in_scene["id"],
    )


@pytest.fixture(scope="module")
def session_as(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_role_clients: dict[str, Transport],
) -> Iterator[Callable[[str], kitsu.Session]]:
    """``session_as(role)``: a fresh ORM session as that team member, on tokens already issued."""
    sessions = TokenSessions(kitsu_server.url)

    def make(key: str) -> kitsu.Session:
        return sessions.on(kitsu_client if key == "admin" else kitsu_role_clients[key])

    yield make
    sessions.close()


# -- the walks: each answers ids, from a fresh session ----------------------------------


def _project(s: kitsu.Session, p: Prod) -> kitsu.Project:
    return kitsu.Project.get(p.project, session=s)


def _shots(s: kitsu.Session, p: Prod) -> list[kitsu.Shot]:
    return [shot for seq in _project(s, p).sequences for shot in seq.shots]


def _tasks(s: kitsu.Session, p: Prod) -> list[kitsu.Task]:
    return [t for shot in _shots(s, p) for t in shot.tasks]


def _all(s: kitsu.Session, p: Prod, name: str) -> list[Any]:
    """Every task's ``name`` (comments, time spent...), deduplicated."""
    found = {o.id: o for t in _tasks(s, p) for o in getattr(t, name)}
    return list(found.values())


def _instances(s: kitsu.Session, p: Prod) -> list[kitsu.AssetInstance]:
    """The instance in a shot, and the one in a scene."""
    scenes = _project(s, p).scenes
    return [*_shots(s, p)[0].asset_instances, *(i for sc in scenes for i in sc.asset_instances)]


def _playlists(s: kitsu.Session, p: Prod) -> list[kitsu.Playlist]:
    return kitsu.Playlist.where(session=s, project=p.project).all()


def _entries(s: kitsu.Session, p: Prod) -> list[str]:
    """The shots and previews of every playlist's entries."""
    found = {e.entity for pl in _playlists(s, p) for e in pl.entries}
    found |= {e.preview for pl in _playlists(s, p) for e in pl.entries}
    return sorted(str(o.id) for o in found if o is not None)


def ids(objs: Any) -> list[str]:
    if objs is None:
        return []
    if isinstance(objs, kitsu.Entity):
        return [str(objs.id)]
    return sorted(str(o.id) for o in objs)


def _each(objs: list[Any], name: str) -> list[str]:
    return sorted({i for o in objs for i in ids(getattr(o, name))})


Walk = Callable[[kitsu.Session, Prod], list[str]]


def _output_files(s: kitsu.Session, p: Prod, *, name: str) -> list[str]:
    return _each(kitsu.OutputFile.where(session=s, entity=p.shots[0]).all(), name)


_OUTPUT_FILE_RELS = (
    "file_status",
    "output_type",
    "task_type",
    "person",
    "source_file",
    "entity",
    "asset_instance",
    "temporal_entity",
)

_PLAYLIST_RELS = ("project", "episode", "task_type", "creator", "share_links")


def _playlist_rel(s: kitsu.Session, p: Prod, *, name: str) -> list[str]:
    return _each(_playlists(s, p), name)


_PROJECT_SETTINGS = ("team", "task_types", "task_statuses", "asset_types")


def _setting(s: kitsu.Session, p: Prod, *, name: str) -> list[str]:
    return ids(getattr(_project(s, p), name))


def _edits(s: kitsu.Session, p: Prod) -> list[kitsu.Edit]:
    return kitsu.Edit.where(session=s, project=p.project).all()


def _concepts(s: kitsu.Session, p: Prod) -> list[kitsu.Concept]:
    return kitsu.Concept.where(session=s, project=p.project).all()


WALKS: dict[str, Walk] = {
    "project.project_status": lambda s, p: ids(_project(s, p).project_status),
    "project.episodes": lambda s, p: ids(_project(s, p).episodes),
    "project.sequences": lambda s, p: ids(_project(s, p).sequences),
    "project.shots": lambda s, p: ids(_project(s, p).shots),
    "project.scenes": lambda s, p: ids(_project(s, p).scenes),
    "project.assets": lambda s, p: ids(_project(s, p).assets),
    "project.tasks": lambda s, p: ids(_project(s, p).tasks),
    "project.milestones": lambda s, p: ids(_project(s, p).milestones),
    "milestone.project": lambda s, p: _each(_project(s, p).milestones, "project"),
    "milestone.task_type": lambda s, p: _each(_project(s, p).milestones, "task_type"),
    **{f"project.{name}": partial(_setting, name=name) for name in _PROJECT_SETTINGS},
    "episode.project": lambda s, p: ids(_project(s, p).episodes[0].project),
    "episode.sequences": lambda s, p: ids(_project(s, p).episodes[0].sequences),
    "episode.tasks": lambda s, p: ids(_project(s, p).episodes[0].tasks),
    "sequence.project": lambda s, p: _each(_project(s, p).sequences, "project"),
    "sequence.episode": lambda s, p: _each(_project(s, p).sequences, "episode"),
    "sequence.shots": lambda s, p: _each(_project(s, p).sequences, "shots"),
    "sequence.scenes": lambda s, p: _each(_project(s, p).sequences, "scenes"),
    "sequence.tasks": lambda s, p: _each(_project(s, p).sequences, "tasks"),
    "shot.project": lambda s, p: _each(_shots(s, p), "project"),
    "shot.sequence": lambda s, p: _each(
        kitsu.Shot.where(session=s, project=p.project).all(), "sequence"
    ),
    "shot.tasks": lambda s, p: _each(_shots(s, p), "tasks"),
    "shot.assets": lambda s, p: _each(_shots(s, p), "assets"),
    "shot.asset_instances": lambda s, p: _each(_shots(s, p), "asset_instances"),
    "shot.preview_file": lambda s, p: _each(_shots(s, p), "preview_file"),
    "asset.project": lambda s, p: _each(_project(s, p).assets, "project"),
    "asset.asset_type": lambda s, p: _each(_project(s, p).assets, "asset_type"),
    "asset.episode": lambda s, p: _each(_project(s, p).assets, "episode"),
    "asset.tasks": lambda s, p: _each(_project(s, p).assets, "tasks"),
    "asset.asset_instances": lambda s, p: _each(_project(s, p).assets, "asset_instances"),
    "asset.instances": lambda s, p: _each(_project(s, p).assets, "instances"),
    "asset.preview_file": lambda s, p: _each(_project(s, p).assets, "preview_file"),
    "scene.project": lambda s, p: _each(_project(s, p).scenes, "project"),
    "scene.sequence": lambda s, p: _each(_project(s, p).scenes, "sequence"),
    "scene.tasks": lambda s, p: _each(_project(s, p).scenes, "tasks"),
    "scene.asset_instances": lambda s, p: _each(_project(s, p).scenes, "asset_instances"),
    "scene.shots": lambda s, p: _each(_project(s, p).scenes, "shots"),
    "edit.project": lambda s, p: _each(_edits(s, p), "project"),
    "edit.episode": lambda s, p: _each(_edits(s, p), "episode"),
    "edit.tasks": lambda s, p: _each(_edits(s, p), "tasks"),
    "concept.project": lambda s, p: _each(_concepts(s, p), "project"),
    "concept.tasks": lambda s, p: _each(_concepts(s, p), "tasks"),
    "asset_instance.asset": lambda s, p: _each(_instances(s, p), "asset"),
    "asset_instance.target_asset": lambda s, p: _each(_instances(s, p), "target_asset"),
    "asset_instance.scene": lambda s, p: _each(_instances(s, p), "scene"),
    "task.project": lambda s, p: _each(_tasks(s, p), "project"),
    "task.task_type": lambda s, p: _each(_tasks(s, p), "task_type"),
    "task.task_status": lambda s, p: _each(_tasks(s, p), "task_status"),
    "task.entity": lambda s, p: _each(_tasks(s, p), "entity"),
    "task.assignees": lambda s, p: _each(_tasks(s, p), "assignees"),
    "task.comments": lambda s, p: _each(_tasks(s, p), "comments"),
    "task.time_spents": lambda s, p: _each(_tasks(s, p), "time_spents"),
    "task.working_files": lambda s, p: _each(_tasks(s, p), "working_files"),
    "task.previews": lambda s, p: _each(_tasks(s, p), "previews"),
    "preview_file.task": lambda s, p: _each(_all(s, p, "previews"), "task"),
    "preview_file.person": lambda s, p: _each(_all(s, p, "previews"), "person"),
    "task_type.department": lambda s, p: _each([t.task_type for t in _tasks(s, p)], "department"),
    "comment.task": lambda s, p: _each(_all(s, p, "comments"), "task"),
    "comment.person": lambda s, p: _each(_all(s, p, "comments"), "person"),
    "comment.task_status": lambda s, p: _each(_all(s, p, "comments"), "task_status"),
    "comment.attachments": lambda s, p: _each(_all(s, p, "comments"), "attachments"),
    "attachment_file.comment": lambda s, p: _each(
        [a for c in _all(s, p, "comments") for a in c.attachments], "comment"
    ),
    "time_spent.task": lambda s, p: _each(_all(s, p, "time_spents"), "task"),
    "time_spent.person": lambda s, p: _each(_all(s, p, "time_spents"), "person"),
    "working_file.task": lambda s, p: _each(_all(s, p, "working_files"), "task"),
    "working_file.software": lambda s, p: _each(_all(s, p, "working_files"), "software"),
    "working_file.person": lambda s, p: _each(_all(s, p, "working_files"), "person"),
    "person.departments": lambda s, p: _each(_all(s, p, "assignees"), "departments"),
    "person.day_offs": lambda s, p: _each(_all(s, p, "assignees"), "day_offs"),
    "day_off.person": lambda s, p: _each(
        [d for person in _all(s, p, "assignees") for d in person.day_offs], "person"
    ),
    **{f"playlist.{name}": partial(_playlist_rel, name=name) for name in _PLAYLIST_RELS},
    "playlist.entries": _entries,
    "playlist_share_link.playlist": lambda s, p: _each(
        [link for pl in _playlists(s, p) for link in pl.share_links], "playlist"
    ),
    **{f"output_file.{name}": partial(_output_files, name=name) for name in _OUTPUT_FILE_RELS},
}

# Queries, as a user writes them.
QUERIES: dict[str, Walk] = {
    "Shot by project": lambda s, p: ids(kitsu.Shot.where(session=s, project=p.project)),
    "Shot by sequence": lambda s, p: ids(kitsu.Shot.where(session=s, sequence=p.sequences["SQ01"])),
    "Shot by sequences": lambda s, p: ids(
        kitsu.Shot.where(session=s, sequence=list(p.sequences.values()))
    ),
    "Shot by project and sequence": lambda s, p: ids(
        kitsu.Shot.where(session=s, project=p.project, sequence=p.sequences["SQ02"])
    ),
    "Shot by project and ids": lambda s, p: ids(
        kitsu.Shot.where(session=s, project=p.project, id=p.shots[:3])
    ),
    "Sequence by episode": lambda s, p: ids(kitsu.Sequence.where(session=s, episode=p.episode)),
    "Asset by project": lambda s, p: ids(kitsu.Asset.where(session=s, project=p.project)),
    "Task by project": lambda s, p: ids(kitsu.Task.where(session=s, project=p.project)),
    "Task by entities": lambda s, p: ids(kitsu.Task.where(session=s, entity=p.shots[:4])),
    "Task by ids": lambda s, p: ids(kitsu.Task.where(session=s, id=[t["id"] for t in p.tasks[:3]])),
    "Comment by task": lambda s, p: ids(kitsu.Comment.where(session=s, task=p.commented)),
    "TimeSpent by task": lambda s, p: ids(kitsu.TimeSpent.where(session=s, task=p.commented)),
    "WorkingFile by task": lambda s, p: ids(kitsu.WorkingFile.where(session=s, task=p.commented)),
    "OutputFile by entity": lambda s, p: ids(kitsu.OutputFile.where(session=s, entity=p.shots[0])),
    "shots with tasks (board)": lambda s, p: _each(
        kitsu.Shot.where(session=s, project=p.project).include("tasks.task_status").all(), "tasks"
    ),
    "tasks with time spent": lambda s, p: _each(
        kitsu.Task.where(session=s, project=p.project).include("time_spents", "comments").all(),
        "time_spents",
    ),
    "shots with casting": lambda s, p: _each(
        kitsu.Shot.where(session=s, project=p.project).include("assets", "sequence").all(), "assets"
    ),
    "Playlist by project": lambda s, p: ids(_playlists(s, p)),
    "Playlist by episode": lambda s, p: ids(kitsu.Playlist.where(session=s, episode=p.episode)),
    "get shot": lambda s, p: ids(s.get(kitsu.Shot, p.shots[0])),
    "get sequence": lambda s, p: ids(s.get(kitsu.Sequence, p.sequences["SQ01"])),
    "get asset": lambda s, p: ids(s.get(kitsu.Asset, p.assets[0])),
    "get task": lambda s, p: ids(s.get(kitsu.Task, p.commented)),
    "refresh task": lambda s, p: ids(s.refresh(s.get(kitsu.Task, p.commented))),
    "refresh shot": lambda s, p: ids(s.refresh(s.get(kitsu.Shot, p.shots[0]))),
}

# What Zou refuses, by role: each must be a PermissionDenied (predicted, or Zou's 403).
# Day offs: Zou shows a person's to admins, to the person, and to managers and
# supervisors of the person's productions by their project role: the walk reads
# every assignee's, other people's among them.
_OTHERS_DAY_OFFS = {"person.day_offs", "day_off.person"}
# Share links: managers of the production only.
_SHARE_LINKS = {"playlist.share_links", "playlist_share_link.playlist"}
REFUSED: dict[str, set[str]] = {
    "manager": {"asset.instances", *_OTHERS_DAY_OFFS},
    "supervisor": {"asset.instances", *_OTHERS_DAY_OFFS, *_SHARE_LINKS},
    "artist": {"asset.instances", *_OTHERS_DAY_OFFS, *_SHARE_LINKS},
}

# What a client or vendor sees is Zou's narrower view (a vendor: its own tasks only).
NARROWED = ("client", "vendor")


@pytest.fixture(scope="module")
def admin_answers(prod: Prod, session_as: Callable[[str], kitsu.Session]) -> dict[str, list[str]]:
    out = {}
    for name, walk in {**WALKS, **QUERIES}.items():
        out[name] = walk(session_as("admin"), prod)
    return out


def _check(
    role: str,
    name: str,
    walk: Walk,
    prod: Prod,
    session_as: Callable[[str], kitsu.Session],
    admin_answers: dict[str, list[str]],
) -> None:
    session = session_as(role)
    if name in REFUSED.get(role, ()):
        with pytest.raises(kitsu.PermissionDenied):
            walk(session, prod)
        return
    try:
        got = walk(session, prod)
    except kitsu.PermissionDenied:
        if role in NARROWED:
            return  # Zou refuses it to this role: cleanly
        raise
    if role in NARROWED:
        assert set(got) <= set(admin_answers[name]), name
    else:
        assert got == admin_answers[name], name


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(WALKS))
def test_relationship_as_role(
    role: str,
    name: str,
    prod: Prod,
    session_as: Callable[[str], kitsu.Session],
    admin_answers: dict[str, list[str]],
) -> None:
    _check(role, name, WALKS[name], prod, session_as, admin_answers)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_as_role(
    role: str,
    name: str,
    prod: Prod,
    session_as: Callable[[str], kitsu.Session],
    admin_answers: dict[str, list[str]],
) -> None:
    _check(role, name, QUERIES[name], prod, session_as, admin_answers)


def test_admin_answers_are_not_empty(admin_answers: dict[str, list[str]]) -> None:
    empty = {"sequence.tasks", "episode.tasks", "scene.tasks", "edit.tasks", "concept.tasks"}
    # No shot is linked to the scene: Zou's link makes the scene the shot's source_id,
    # and a vendor's episodes then answer the scene (tests/test_orm_production.py links).
    empty |= {"scene.shots"}
    empty |= {"output_file.asset_instance", "output_file.temporal_entity", "person.departments"}
    empty |= {"asset.episode"}
    got = sorted(n for n, v in admin_answers.items() if not v)
    assert got == sorted(empty), " ".join(got)


_OWN_ROWS = ("notification.", "subscription.", "search_filter.", "search_filter_group.")


def test_every_relationship_is_walked() -> None:
    from kitsu_orm.model.base import REGISTRY

    declared = set()
    for cls in set(REGISTRY.values()):
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in cls.__name__).lstrip("_")
        declared |= {f"{snake}.{name}" for name in cls.__relationships__}
    declared = {d for d in declared if not d.startswith(("entity_row.", "entity_type."))}
    # The user's own rows (each role has its own): walked per role in test_orm_inbox.py.
    declared = {d for d in declared if not d.startswith(_OWN_ROWS)}
    assert sorted(declared - set(WALKS)) == []


@pytest.mark.parametrize("role", ROLES)
def test_vendor_and_client_see_their_part(
    role: str, prod: Prod, session_as: Callable[[str], kitsu.Session]
) -> None:
    """Every role finds the task it works on, or that it reviews."""
    session = session_as(role)
    found = ids(kitsu.Task.where(session=session, project=prod.project))
    assert prod.vendor_task in found
    if role != "vendor":
        assert prod.commented in found


@pytest.mark.parametrize("role", STAFF)
def test_walk_is_batched(role: str, prod: Prod, session_as: Callable[[str], kitsu.Session]) -> None:
    """Ten shots' tasks, statuses, assignees, comments and time spent: a constant
    number of requests, the same for every staff role."""
    session = session_as(role)
    before = session.stats.requests
    project = _project(session, prod)
    seen = 0
    for seq in project.sequences:
        for shot in seq.shots:
            for task in shot.tasks:
                seen += len(task.comments) + len(task.time_spents) + len(task.assignees)
                assert task.task_status is not None and task.task_type is not None
    assert seen > 0
    # project, sequences, shots, tasks, statuses, types, persons, comments, time spent
    assert session.stats.requests - before <= 9


@pytest.mark.parametrize("role", ["artist", "manager"])
def test_refusal_names_class_filter_and_role(
    role: str, prod: Prod, session_as: Callable[[str], kitsu.Session]
) -> None:
    session = session_as(role)
    before = session.stats.requests
    with pytest.raises(kitsu.PermissionDenied) as caught:
        kitsu.Shot.where(session=session, name="SH01").all()
    message = str(caught.value)
    assert "Shot" in message and "name" in message and f"role '{session.role}'" in message
    assert "project=" in message and "sequence=" in message
    with pytest.raises(kitsu.PermissionDenied, match="TimeSpent"):
        session.get(kitsu.TimeSpent, prod.project)
    assert session.stats.requests == before  # predicted: nothing sent


# -- a manager's production report --------------------------------------------------------


def production_report(session: kitsu.Session, project_id: str) -> dict[str, Any]:
    """Per sequence: tasks by status and by type, late and unassigned tasks, and
    minutes spent per person."""
    now = datetime.datetime.now(datetime.timezone.utc)
    project = kitsu.Project.get(project_id, session=session)
    report: dict[str, Any] = {}
    for seq in sorted(project.sequences, key=lambda s: s.name):
        tasks = [t for shot in seq.shots for t in shot.tasks]
        minutes: Counter[str] = Counter()
        for task in tasks:
            for spent in task.time_spents:
                minutes[spent.person.full_name or ""] += int(spent.duration)
        report[seq.name] = {
            "by status": Counter(t.task_status.short_name for t in tasks),
            "by type": Counter(t.task_type.name for t in tasks),
            "late": sorted(
                f"{t.entity.name}/{t.task_type.name}"
                for t in tasks
                if t.due_date is not None
                and t.due_date.replace(tzinfo=t.due_date.tzinfo or datetime.timezone.utc) < now
                and not t.task_status.is_done
            ),
            "unassigned": sum(1 for t in tasks if not t.assignee_ids),
            "minutes": minutes,
        }
    return report


def test_manager_report_matches_admin(
    prod: Prod, session_as: Callable[[str], kitsu.Session]
) -> None:
    admin = production_report(session_as("admin"), prod.project)
    manager_session = session_as("manager")
    manager = production_report(manager_session, prod.project)
    assert manager == admin
    sq01 = admin["SQ01"]
    assert sq01["by type"] == {"Animation": 6, "Compositing": 6}
    assert sq01["by status"]["done"] == 1 and sq01["by status"]["wip"] == 1
    assert sq01["unassigned"] == 12 - 6 - 1  # five + one artist2 anim tasks, one vendor comp task
    assert sum(sq01["minutes"].values()) == 60 + 90 + 30
    assert sq01["late"] and all("/" in name for name in sq01["late"])
    assert manager_session.stats.requests <= 12


def test_a_bare_token_learns_its_role_when_refused(
    prod: Prod, kitsu_server: KitsuServer, kitsu_role_clients: dict[str, Transport]
) -> None:
    """A session on a token alone does not know its role: it reads as an admin
    would, and learns its role once, when Zou refuses it an admin's route."""
    transport = Transport(kitsu_server.url, token=kitsu_role_clients["artist"].tokens)
    with kitsu.Session(transport=transport) as session:
        shots = [shot for seq in _project(session, prod).sequences for shot in seq.shots]
        assert sorted(s.id for s in shots) == sorted(prod.shots)
        assert session.role == "user"
        before = session.stats.requests
        assert len(kitsu.Sequence.where(session=session, episode=prod.episode).all()) == 2
        assert session.stats.requests - before == 1
    transport.close()
