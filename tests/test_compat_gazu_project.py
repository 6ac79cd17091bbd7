"""gazu's ``project`` module through kitsu_orm.compat.gazu, beside gazu 1.3.1 itself on
the real server: each function called on two projects made apart (one per library),
in the same order, and the answers compared once the ids of things made apart are
mapped onto each other."""

from __future__ import annotations

import contextlib
import datetime
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from kitsu_orm import errors
from kitsu_orm.compat import gazu
from kitsu_orm.testing import TeamMember
from kitsu_orm.transport import Transport

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("gazu_facade")]

# Set on every write, or chosen apart: two objects made apart differ there.
VARYING = {"id", "name", "created_at", "updated_at", "code"}


@dataclass
class Side:
    """One library's run: its module root, its project, what its steps made."""

    lib: Any
    project: dict[str, Any]
    made: dict[str, Any] = field(default_factory=dict)

    @property
    def pid(self) -> str:
        return str(self.project["id"])


@dataclass
class Studio:
    """What both sides share: studio-wide rows (types, statuses, a department...)."""

    artist: dict[str, Any]
    task_type: dict[str, Any]
    task_status: dict[str, Any]
    asset_type: dict[str, Any]
    department: dict[str, Any]
    automation: dict[str, Any]
    background: dict[str, Any]


Args = Callable[[Side, Studio], tuple[tuple[Any, ...], dict[str, Any]]]


def a(*args: Any, **kwargs: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return args, kwargs


def _entry(s: Side, department: dict[str, Any], position: str) -> dict[str, Any]:
    return {
        "department_id": department["id"],
        "start_date": datetime.date(2026, 1, 5),  # sent as gazu sends dates
        "months_duration": 2,
        "daily_salary": 120.0,
        "position": position,
        "seniority": "mid",
    }


# (function of gazu.project, or "client.<function>", its arguments, the key its answer is kept under)
STEPS: list[tuple[str, Args, str | None]] = [
    ("add_person_to_team", lambda s, st: a(s.project, st.artist), None),
    ("get_team", lambda s, st: a(s.project), None),
    ("update_team_member_role", lambda s, st: a(s.pid, st.artist, "supervisor"), None),
    ("get_team", lambda s, st: a(s.pid), None),
    ("remove_person_from_team", lambda s, st: a(s.project, st.artist["id"]), None),
    ("add_asset_type", lambda s, st: a(s.project, st.asset_type), None),
    ("add_task_type", lambda s, st: a(s.project, st.task_type, 3), None),
    ("add_task_status", lambda s, st: a(s.project, st.task_status["id"]), None),
    ("get_project_task_types", lambda s, st: a(s.project), None),
    ("get_project_task_statuses", lambda s, st: a(s.project), None),
    ("remove_task_type", lambda s, st: a(s.project, st.task_type), None),
    ("remove_task_status", lambda s, st: a(s.project, st.task_status), None),
    ("get_project_task_types", lambda s, st: a(s.project), None),
    (
        "add_status_automation",
        lambda s, st: a(s.project, {"status_automation_id": st.automation["id"]}),
        None,
    ),
    ("all_status_automations", lambda s, st: a(s.project), None),
    ("remove_status_automation", lambda s, st: a(s.project, st.automation), None),
    (
        "add_preview_background_file",
        lambda s, st: a(s.project, {"preview_background_file_id": st.background["id"]}),
        None,
    ),
    ("get_preview_background_files", lambda s, st: a(s.project), None),
    ("remove_preview_background_file", lambda s, st: a(s.project, st.background["id"]), None),
    (
        "add_metadata_descriptor",
        lambda s, st: a(
            s.project, "Difficulty", "Asset", choices=["easy", "hard"], departments=[st.department]
        ),
        "md",
    ),
    ("add_metadata_descriptor", lambda s, st: a(s.project, "Frames", "Shot", "number"), "md2"),
    ("all_metadata_descriptors", lambda s, st: a(s.project), None),
    ("all_metadata_descriptors", lambda s, st: a(s.project, entity_type="Shot"), None),
    ("get_metadata_descriptor", lambda s, st: a(s.project, s.made["md"]["id"]), None),
    (
        "get_metadata_descriptor_by_field_name",
        lambda s, st: a(s.project, s.made["md"]["field_name"]),
        None,
    ),
    ("get_metadata_descriptor_by_field_name", lambda s, st: a(s.project, "none_such"), None),
    (
        "update_metadata_descriptor",
        lambda s, st: a(
            s.project,
            {"id": s.made["md"]["id"], "choices": ["easy", "mid", "hard"], "departments": []},
        ),
        None,
    ),
    (
        "reorder_metadata_descriptors",
        lambda s, st: a(s.project, "Asset", [s.made["md"]["id"]]),
        None,
    ),
    ("remove_metadata_descriptor", lambda s, st: a(s.project, s.made["md2"], force=True), None),
    ("all_metadata_descriptors", lambda s, st: a(s.project), None),
    ("get_milestones", lambda s, st: a(s.project), None),
    ("get_project_quotas", lambda s, st: a(s.project, st.task_type), None),
    ("get_project_person_quotas", lambda s, st: a(s.project, st.artist), None),
    ("create_budget", lambda s, st: a(s.project, "Main", currency="EUR"), "budget"),
    ("get_budgets", lambda s, st: a(s.project), None),
    ("get_budget", lambda s, st: a(s.project, s.made["budget"]), None),
    ("update_budget", lambda s, st: a(s.project, s.made["budget"], {"name": "Main v2"}), None),
    (
        "client.post",
        lambda s, st: a(
            f"data/projects/{s.pid}/budgets/{s.made['budget']['id']}/entries",
            _entry(s, st.department, "artist"),
        ),
        "entry",
    ),
    ("get_budget_entries", lambda s, st: a(s.project, s.made["budget"]), None),
    ("get_budget_entry", lambda s, st: a(s.project, s.made["budget"], s.made["entry"]), None),
    (
        "update_budget_entry",
        lambda s, st: a(
            s.project, s.made["budget"], s.made["entry"], _entry(s, st.department, "lead")
        ),
        None,
    ),
    ("remove_budget_entry", lambda s, st: a(s.project, s.made["budget"], s.made["entry"]), None),
    # gazu 1.3.1 sends no department_id, which Zou 1.0.97 requires: both raise alike.
    ("create_budget_entry", lambda s, st: a(s.project, s.made["budget"], "E1", amount=3), None),
    ("remove_budget", lambda s, st: a(s.project, s.made["budget"]["id"]), None),
    (
        "update_project",
        lambda s, st: a(
            {"id": s.pid, "description": "edited", "start_date": datetime.date(2026, 2, 1)}
        ),
        None,
    ),
    ("update_project_data", lambda s, st: a(s.project, {"budget": 10}), None),
    ("update_project_data", lambda s, st: a(s.pid, {"fps_note": "24"}), None),
    ("get_project", lambda s, st: a(s.pid), None),
    ("get_project_url", lambda s, st: a(s.project), None),
    ("get_project_url", lambda s, st: a(s.pid, "shots"), None),
    ("close_project", lambda s, st: a(s.pid), None),
    ("get_project", lambda s, st: a(s.pid), None),
    ("remove_project", lambda s, st: a(s.project, force=True), None),
]


# gazu 1.3.1 functions whose route Zou 1.0.97 refuses (405: no GET on it) or whose body
# it refuses (create_budget_entry sends no department_id).
RAISED = [
    "get_project_task_types: MethodNotAllowedException",
    "get_project_task_types: MethodNotAllowedException",
    "create_budget_entry: ParameterException",
]


def _mapped(value: Any, ids: dict[str, str]) -> Any:
    """``value`` with gazu's side's ids replaced by ours, and what varies dropped."""
    if isinstance(value, dict):
        return {k: _mapped(v, ids) for k, v in value.items() if k not in VARYING}
    if isinstance(value, list):
        return [_mapped(v, ids) for v in value]
    if isinstance(value, str):
        for theirs, ours in ids.items():
            value = value.replace(theirs, ours)
    return value


def _run(side: Side, studio: Studio, name: str, args: Args) -> Any:
    module, _, function = name.rpartition(".")
    call = getattr(getattr(side.lib, module or "project"), function)
    positional, named = args(side, studio)
    try:
        return call(*positional, **named)
    except Exception as error:  # compared with what the other library raised
        return error


@pytest.fixture(scope="module")
def studio(kitsu_client: Transport, kitsu_people: dict[str, TeamMember]) -> Iterator[Studio]:
    types = kitsu_client.get("data/task-types")
    statuses = kitsu_client.get("data/task-status")
    automation = kitsu_client.post(
        "data/status-automations",
        {
            "entity_type": "asset",
            "in_task_type_id": types[0]["id"],
            "in_task_status_id": statuses[0]["id"],
            "out_field_type": "status",
            "out_task_type_id": types[1]["id"],
            "out_task_status_id": statuses[1]["id"],
        },
    )
    background = kitsu_client.post(
        "data/preview-background-files", {"name": f"bg-{uuid.uuid4().hex[:6]}", "extension": "hdr"}
    )
    yield Studio(
        artist=kitsu_people["artist"].person,
        task_type=types[0],
        task_status=statuses[0],
        asset_type=kitsu_client.get("data/asset-types")[0],
        department=kitsu_client.get("data/departments")[0],
        automation=automation,
        background=background,
    )
    for path in (
        f"status-automations/{automation['id']}",
        f"preview-background-files/{background['id']}",
    ):
        with contextlib.suppress(errors.KitsuError):
            kitsu_client.delete(f"data/{path}")


def test_every_project_function_answers_as_gazu_on_projects_made_apart(
    real_gazu: Any, kitsu_make_project: Callable[..., dict[str, Any]], studio: Studio
) -> None:
    ours, theirs = Side(gazu, kitsu_make_project()), Side(real_gazu, kitsu_make_project())
    ids = {theirs.pid: ours.pid}
    raised: list[str] = []
    for name, args, key in STEPS:
        mine, gazus = _run(ours, studio, name, args), _run(theirs, studio, name, args)
        if isinstance(gazus, Exception):
            expected = getattr(gazu.exception, type(gazus).__name__)
            assert isinstance(mine, expected), f"{name}: {mine!r} is not a {expected.__name__}"
            raised.append(f"{name}: {type(gazus).__name__}")
            continue
        assert not isinstance(mine, Exception), f"{name}: raised {mine!r}, gazu answered"
        assert _mapped(mine, {}) == _mapped(gazus, ids), name
        if key is not None:
            ours.made[key], theirs.made[key] = mine, gazus
            ids[gazus["id"]] = mine["id"]
    with pytest.raises(gazu.exception.RouteNotFoundException):
        gazu.project.get_project(ours.pid)
    # Where gazu 1.3.1 and Zou 1.0.97 disagree, both libraries raise alike.
    assert raised == RAISED, raised


# Calls whose arguments are the same for both libraries (studio-wide reads).
SAME: list[tuple[str, tuple[Any, ...]]] = [
    ("all_project_status", ()),
    ("get_project_status_by_name", ("Closed",)),
    ("get_project_status_by_name", ("closed",)),  # the server's match, without case
    ("get_project_status_by_name", ("None such",)),
    ("all_open_projects", ()),
]


@pytest.mark.parametrize(("name", "args"), SAME, ids=[f"{n}{a}" for n, a in SAME])
def test_studio_wide_reads_answer_as_gazu(real_gazu: Any, name: str, args: tuple[Any, ...]) -> None:
    assert getattr(gazu.project, name)(*args) == getattr(real_gazu.project, name)(*args)


def test_new_project_with_links_and_a_template(
    real_gazu: Any, kitsu_client: Transport, studio: Studio
) -> None:
    template = kitsu_client.post("data/project-templates", {"name": f"tpl-{uuid.uuid4().hex[:6]}"})
    made: list[dict[str, Any]] = []
    try:
        links = {
            "team": [studio.artist],
            "asset_types": [studio.asset_type["id"]],
            "task_statuses": [studio.task_status],
            "task_types": [studio.task_type],
            "project_template": template,
        }
        ours = gazu.project.new_project(f"np-{uuid.uuid4().hex[:6]}", "tvshow", **links)
        made.append(ours)
        theirs = real_gazu.project.new_project(f"np-{uuid.uuid4().hex[:6]}", "tvshow", **links)
        made.append(theirs)
        made_apart = {theirs[k]: ours[k] for k in ("id", "first_episode_id")}
        assert _mapped(ours, {}) == _mapped(theirs, made_apart)
        for read in ("get_team", "get_project"):
            assert _mapped(getattr(gazu.project, read)(ours["id"]), {}) == _mapped(
                getattr(real_gazu.project, read)(theirs["id"]), made_apart
            )
    finally:
        from kitsu_orm.testing import remove_project

        for row in made:
            remove_project(kitsu_client, row)
        with contextlib.suppress(errors.KitsuError):
            kitsu_client.delete(f"data/project-templates/{template['id']}")


def test_an_artist_s_client_is_refused_team_changes_as_gazu_s(
    real_gazu: Any,
    kitsu_server: Any,
    kitsu_project: dict[str, Any],
    kitsu_people: dict[str, TeamMember],
) -> None:
    artist = kitsu_people["artist"]
    ours = gazu.client.create_client(kitsu_server.url)
    theirs = real_gazu.client.create_client(kitsu_server.url)
    gazu.log_in(artist.email, artist.password, client=ours)
    real_gazu.log_in(artist.email, artist.password, client=theirs)
    try:
        with pytest.raises(gazu.exception.NotAllowedException):
            gazu.project.add_person_to_team(kitsu_project, artist.person, client=ours)
        with pytest.raises(real_gazu.exception.NotAllowedException):
            real_gazu.project.add_person_to_team(kitsu_project, artist.person, client=theirs)
        assert gazu.project.all_open_projects(client=ours) == real_gazu.project.all_open_projects(
            client=theirs
        )
        assert gazu.project.all_open_projects(client=ours) != gazu.project.all_open_projects()
    finally:
        gazu.log_out(client=ours)
        real_gazu.log_out(client=theirs)


def test_bad_ids_are_refused_before_any_request() -> None:
    transport = gazu.client.default_transport()
    transport.stats.reset()
    with pytest.raises(errors.ValidationError):
        gazu.project.get_team("../../auth/logout")
    with pytest.raises(errors.ValidationError):
        gazu.project.add_person_to_team(str(uuid.uuid4()), {"id": "x/../y"})
    with pytest.raises(errors.ValidationError):
        gazu.project.update_project({"name": "no id"})
    assert transport.stats.total == 0


def test_project_close_through_the_orm_as_close_project(
    real_gazu: Any, session: Any, kitsu_make_project: Callable[..., dict[str, Any]]
) -> None:
    """``project.close()``, the object-style close_project: the same status, one commit."""
    import kitsu_orm as kitsu

    ours, theirs = kitsu_make_project(), kitsu_make_project()
    project = kitsu.Project.get(ours["id"], session=session)
    project.close()
    session.commit()
    closed = real_gazu.project.close_project(theirs["id"])
    assert project.project_status_id == closed["project_status_id"]
    assert gazu.project.get_project(ours["id"])["project_status_id"] == closed["project_status_id"]
    assert ours["id"] not in {p["id"] for p in gazu.project.all_open_projects()}


def test_descriptors_automations_and_budgets_as_objects(
    real_gazu: Any,
    new_session: Callable[..., Any],
    kitsu_project: dict[str, Any],
    studio: Studio,
) -> None:
    """The ORM's MetadataDescriptor (typed access to an entity's custom data), Budget and
    StatusAutomation: what they write, gazu reads."""
    import kitsu_orm as kitsu

    session = new_session()
    project = kitsu.Project.get(kitsu_project["id"], session=session)
    pid = project.id
    difficulty = kitsu.MetadataDescriptor(
        project_id=pid,
        name="Difficulty",
        entity_type="Asset",
        data_type="list",
        choices=["easy", "hard"],
    )
    frames = kitsu.MetadataDescriptor(
        project_id=pid, name="Frames", entity_type="Asset", data_type="number"
    )
    budget = kitsu.Budget(project_id=pid, name="Main", currency="EUR")
    for obj in (difficulty, frames, budget):
        session.add(obj)
    session.commit()
    assert difficulty.field_name == "difficulty" and budget.revision == 1
    theirs = real_gazu.project.get_metadata_descriptor(kitsu_project, difficulty.id)
    assert (theirs["choices"], theirs["data_type"]) == (["easy", "hard"], "list")
    assert real_gazu.project.get_budget(kitsu_project, budget.id)["name"] == "Main"
    listed = kitsu.MetadataDescriptor.where(session=session, project_id=pid).all()
    assert sorted(d.id for d in listed) == sorted(
        d["id"] for d in real_gazu.project.all_metadata_descriptors(kitsu_project)
    )
    # Typed values in an asset's data, checked before the commit.
    asset_type = kitsu.AssetType.get(studio.asset_type["id"], session=session)
    asset = kitsu.Asset(project=project, asset_type=asset_type, name="Hero")
    session.add(asset)
    difficulty.set_value(asset, "hard")
    frames.set_value(asset, 24)
    with pytest.raises(errors.ValidationError):
        difficulty.set_value(asset, "medium")
    with pytest.raises(errors.ValidationError):
        frames.set_value(asset, "24")
    session.commit()
    assert real_gazu.asset.get_asset(asset.id)["data"] == {"difficulty": "hard", "frames": 24}
    again = kitsu.Asset.get(asset.id, session=new_session())
    assert (difficulty.value_of(again), frames.value_of(again)) == ("hard", 24)
    automation = kitsu.StatusAutomation.get(studio.automation["id"], session=session)
    assert automation.out_task_status_id == studio.automation["out_task_status_id"]
    # Edited and deleted through the ORM, as gazu sees it.
    difficulty.choices = ["easy", "mid", "hard"]
    session.delete(budget)
    session.commit()
    assert gazu.project.get_metadata_descriptor(pid, difficulty.id)["choices"] == [
        "easy",
        "mid",
        "hard",
    ]
    assert real_gazu.project.get_budgets(kitsu_project) == []
