"""gazu's ``user`` module through kitsu_orm.compat.gazu, compared with gazu 1.3.1 logged
in as the same person: the admin, an artist and a supervisor, each through a client
of its own in both libraries (``create_client`` + ``log_in(..., client=...)``).

Every function reads or writes Kitsu data and is covered here; none needs what
the dev server lacks.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm.compat import gazu
from kitsu_orm.testing import KitsuServer, TeamMember, remove_project, unique_project_name
from kitsu_orm.transport import Transport

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("gazu_facade")]

DAY, OFF = "2024-03-05", "2024-04-10"
# What two objects made apart, or one object at two moments, differ in.
APART = ("id", "created_at", "updated_at", "name", "date", "last_read_at")


def apart(row: Any) -> Any:
    if isinstance(row, dict):
        return {k: v for k, v in row.items() if k not in APART}
    return row


@pytest.fixture(scope="module")
def board(kitsu_client: Transport, kitsu_people: dict[str, TeamMember]) -> Iterator[dict[str, Any]]:
    """A project with an episode, a sequence, a shot, a scene and an asset; the artist
    assigned to the asset's and the shot's tasks, with a time spent on DAY, a day off at
    OFF and a notification (the admin's comment on the asset's task)."""
    c, artist = kitsu_client, kitsu_people["artist"]
    project = c.post(
        "data/projects", {"name": unique_project_name("user-board"), "production_type": "tvshow"}
    )
    day_off = None
    try:
        pid = project["id"]
        for member in kitsu_people.values():
            c.post(f"data/projects/{pid}/team", {"person_id": member.id})
        prop = next(t for t in c.get("data/asset-types") if t["name"] == "Prop")
        asset = c.post(f"data/projects/{pid}/asset-types/{prop['id']}/assets/new", {"name": "Lamp"})
        episode = c.post(f"data/projects/{pid}/episodes", {"name": "E01"})
        seq = c.post(
            f"data/projects/{pid}/sequences", {"name": "SQ01", "episode_id": episode["id"]}
        )
        shot = c.post(f"data/projects/{pid}/shots", {"name": "SH01", "sequence_id": seq["id"]})
        scene = c.post(f"data/projects/{pid}/scenes", {"name": "SC01", "sequence_id": seq["id"]})
        types = {t["name"]: t for t in c.get("data/task-types")}
        todo = next(s for s in c.get("data/task-status") if s["short_name"] == "todo")

        def task(entity: dict[str, Any], task_type: str) -> dict[str, Any]:
            body = {
                "project_id": pid,
                "entity_id": entity["id"],
                "task_type_id": types[task_type]["id"],
                "task_status_id": todo["id"],
            }
            return c.post("data/tasks", body)  # type: ignore[no-any-return]

        asset_task, shot_task = task(asset, "Modeling"), task(shot, "Animation")
        c.put(
            f"actions/persons/{artist.id}/assign", {"task_ids": [asset_task["id"], shot_task["id"]]}
        )
        c.post(
            f"actions/tasks/{asset_task['id']}/time-spents/{DAY}/persons/{artist.id}",
            {"duration": 60},
        )
        day_off = c.post("data/day-offs", {"person_id": artist.id, "date": OFF, "end_date": OFF})
        c.post(
            f"actions/tasks/{asset_task['id']}/comment",
            {"task_status_id": todo["id"], "comment": "Hello @Artist"},
        )
        yield {
            "project": project,
            "episode": episode,
            "sequence": seq,
            "shot": shot,
            "scene": scene,
            "asset": asset,
            "asset_type": prop,
            "asset_task": asset_task,
            "shot_task": shot_task,
        }
    finally:
        if day_off is not None:
            c.delete(f"data/day-offs/{day_off['id']}")
        remove_project(c, project)


@pytest.fixture(scope="module")
def logins(
    real_gazu: Any, kitsu_server: KitsuServer, kitsu_people: dict[str, TeamMember]
) -> Iterator[dict[str, tuple[Any, Any]]]:
    """Per role, (our client, gazu's client) logged in as the same person."""
    found: dict[str, tuple[Any, Any]] = {}
    accounts = {"admin": (kitsu_server.admin_email, kitsu_server.admin_password)}
    accounts.update(
        {k: (kitsu_people[k].email, kitsu_people[k].password) for k in ("artist", "supervisor")}
    )
    for role, (email, password) in accounts.items():
        ours = gazu.client.create_client(kitsu_server.url)
        gazu.client.log_in(email, password, client=ours)
        theirs = real_gazu.client.create_client(kitsu_server.url)
        real_gazu.log_in(email, password, client=theirs)
        found[role] = (ours, theirs)
    yield found
    for ours, theirs in found.values():
        ours.session.transport.logout()
        real_gazu.log_out(client=theirs)


Args = Callable[[dict[str, Any]], tuple[Any, ...]]
READS: list[tuple[str, Args]] = [
    ("all_open_projects", lambda b: ()),
    ("all_asset_types_for_project", lambda b: (b["project"],)),
    ("all_assets_for_asset_type_and_project", lambda b: (b["project"], b["asset_type"])),
    ("all_sequences_for_project", lambda b: (b["project"]["id"],)),
    ("all_episodes_for_project", lambda b: (b["project"],)),
    ("all_shots_for_sequence", lambda b: (b["sequence"],)),
    ("all_scenes_for_sequence", lambda b: (b["sequence"],)),
    ("all_tasks_for_asset", lambda b: (b["asset"],)),
    ("all_tasks_for_shot", lambda b: (b["shot"]["id"],)),
    ("all_tasks_for_scene", lambda b: (b["scene"],)),
    ("all_tasks_for_sequence", lambda b: (b["sequence"],)),
    ("all_task_types_for_asset", lambda b: (b["asset"],)),
    ("all_task_types_for_shot", lambda b: (b["shot"],)),
    ("all_task_types_for_scene", lambda b: (b["scene"],)),
    ("all_task_types_for_sequence", lambda b: (b["sequence"],)),
    ("all_tasks_to_do", lambda b: ()),
    ("all_done_tasks", lambda b: ()),
    ("all_tasks_requiring_feedback", lambda b: ()),
    ("get_timespents_range", lambda b: ("2024-03-01", "2024-03-31")),
    ("get_time_spents_by_date", lambda b: (DAY,)),
    ("get_task_time_spent", lambda b: (b["asset_task"], DAY)),
    ("get_day_off", lambda b: (OFF,)),
    ("get_context", lambda b: ()),
    ("all_desktop_login_logs", lambda b: ()),
    ("all_filters", lambda b: ()),
    ("all_filter_groups", lambda b: ()),
    ("all_notifications", lambda b: ()),
    ("all_chats", lambda b: ()),
    ("check_task_subscription", lambda b: (b["asset_task"],)),
    ("is_authenticated", lambda b: ()),
]


def _outcome(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The answer of ``call(*args, **kwargs)``, or the name of the gazu exception class raised."""
    try:
        return call(*args, **kwargs)
    except Exception as error:
        return next(
            c.__name__ for c in type(error).__mro__ if c.__module__.endswith("gazu.exception")
        )


@pytest.mark.parametrize("role", ["admin", "artist", "supervisor"])
def test_reads_answer_what_gazu_answers_for_the_same_user(
    role: str, real_gazu: Any, board: dict[str, Any], logins: dict[str, tuple[Any, Any]]
) -> None:
    ours, theirs = logins[role]
    for name, args in READS:
        mine = _outcome(getattr(gazu.user, name), *args(board), client=ours)
        gazus = _outcome(getattr(real_gazu.user, name), *args(board), client=theirs)
        assert mine == gazus, (role, name)
    if role == "artist":  # the artist's view is theirs alone: their two tasks, their day off
        tasks = gazu.user.all_tasks_to_do(client=ours)
        assert {t["id"] for t in tasks} == {board["asset_task"]["id"], board["shot_task"]["id"]}
        assert gazu.user.get_time_spents_by_date(DAY, client=ours)[0]["duration"] == 60
        assert gazu.user.all_notifications(client=ours)


def test_the_default_client_is_the_current_session(real_gazu: Any, board: dict[str, Any]) -> None:
    assert gazu.user.all_open_projects() == real_gazu.user.all_open_projects()
    assert gazu.user.is_authenticated() is True


def test_writes_as_an_artist(
    real_gazu: Any, board: dict[str, Any], logins: dict[str, tuple[Any, Any]]
) -> None:
    ours, theirs = logins["artist"]
    project, task = board["project"], board["asset_task"]

    def both(call: Callable[[Any, Any], Any]) -> tuple[Any, Any]:
        return _outcome(call, gazu, ours), _outcome(call, real_gazu, theirs)

    def same(call: Callable[[Any, Any], Any]) -> tuple[Any, Any]:
        mine, gazus = both(call)
        assert apart(mine) == apart(gazus)
        return mine, gazus

    same(lambda g, c: g.user.log_desktop_session_log_in(client=c))
    filters = same(
        lambda g, c: g.user.new_filter(
            uuid.uuid4().hex[:8], "lamp", "asset", project, "Asset", client=c
        )
    )
    same(lambda g, c: g.user.update_filter({**filters[g is real_gazu], "query": "hero"}, client=c))
    same(lambda g, c: g.user.remove_filter(filters[g is real_gazu], client=c))
    groups = same(lambda g, c: g.user.new_filter_group(uuid.uuid4().hex[:8], project, client=c))
    same(lambda g, c: g.user.get_filter_group(groups[g is real_gazu]["id"], client=c))
    same(
        lambda g, c: g.user.update_filter_group(
            {**groups[g is real_gazu], "color": "#ff0000"}, client=c
        )
    )
    same(lambda g, c: g.user.remove_filter_group(groups[g is real_gazu], client=c))
    # One task, one subscription: each library subscribes, checks, unsubscribes in turn.
    for g, c in ((gazu, ours), (real_gazu, theirs)):
        subscribed = g.user.subscribe_to_task(task, client=c)
        assert g.user.check_task_subscription(task, client=c) is True
        assert g.user.unsubscribe_from_task(task["id"], client=c) == ""
    assert apart(subscribed) == apart(gazu.user.subscribe_to_task(task, client=ours))
    gazu.user.unsubscribe_from_task(task, client=ours)
    for g, c in ((gazu, ours), (real_gazu, theirs)):
        joined = _outcome(g.user.join_chat, board["asset"], client=c)
        left = _outcome(g.user.leave_chat, board["asset"], client=c)
        if g is gazu:
            mine = (apart(joined), left)
        else:
            assert mine == (apart(joined), left)
    notification = gazu.user.all_notifications(client=ours)[0]
    assert gazu.user.get_notification(notification, client=ours) == real_gazu.user.get_notification(
        notification, client=theirs
    )
    same(
        lambda g, c: g.user.update_notification({"id": notification["id"], "read": True}, client=c)
    )
    same(lambda g, c: g.user.mark_all_notifications_as_read(client=c))
    same(lambda g, c: g.user.clear_avatar(client=c))


def test_ids_are_checked_before_any_request(logins: dict[str, tuple[Any, Any]]) -> None:
    ours, _ = logins["artist"]
    before = ours.session.transport.stats.total
    for call in (
        lambda: gazu.user.all_tasks_for_shot("../tasks", client=ours),
        lambda: gazu.user.get_day_off("2024/04/10", client=ours),
        lambda: gazu.user.remove_filter({"name": "no id"}, client=ours),
    ):
        with pytest.raises(gazu.exception.ParameterException):
            call()
    assert ours.session.transport.stats.total == before


def test_the_object_style_user_sees_what_gazu_lists(
    board: dict[str, Any], logins: dict[str, tuple[Any, Any]]
) -> None:
    ours, _ = logins["artist"]
    me = kitsu.User(ours.session)
    project = kitsu.Project.get(board["project"]["id"], session=ours.session)
    assert [e.id for e in me.episodes(project)] == [board["episode"]["id"]]
    to_do = {t.id for t in me.tasks_to_do()}
    assert to_do == {t["id"] for t in gazu.user.all_tasks_to_do(client=ours)}
    assert {t.id for t in me.done_tasks()} == {
        t["id"] for t in gazu.user.all_done_tasks(client=ours)
    }
    assert me.tasks_to_check() == []
    # An artist reads their own day offs (Zou's per-person route: the table is the admins').
    assert [d.date.isoformat() for d in me.person.day_offs] == [OFF]
