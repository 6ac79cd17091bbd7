"""gazu's ``user`` module: the logged-in user's projects, entities, tasks, filters,
notifications, subscriptions and chats.

Every function answers for whoever its ``client`` is logged in as (an
artist sees only their assignments). Object-style equivalent: ``kitsu.User()``
(``User().open_projects()``, ``User().shots(sequence)``...), which reads the
same ``/data/user/...`` routes.
"""

from __future__ import annotations

import datetime
from typing import Any

from ...errors import AuthenticationError
from ...urls import fill
from .declare import finish, gazu_function, route
from .kitsu_client import KitsuClient, default_client
from .memo import read
from .rows import Model, model_dict, model_id, sort_by_name, text_answer

__all__ = [
    "all_asset_types_for_project",
    "all_assets_for_asset_type_and_project",
    "all_assets_for_asset_type_project",
    "all_chats",
    "all_desktop_login_logs",
    "all_done_tasks",
    "all_episodes_for_project",
    "all_filter_groups",
    "all_filters",
    "all_notifications",
    "all_open_projects",
    "all_scenes_for_sequence",
    "all_sequences_for_project",
    "all_shots_for_sequence",
    "all_task_types_for_asset",
    "all_task_types_for_scene",
    "all_task_types_for_sequence",
    "all_task_types_for_shot",
    "all_tasks_for_asset",
    "all_tasks_for_scene",
    "all_tasks_for_sequence",
    "all_tasks_for_shot",
    "all_tasks_requiring_feedback",
    "all_tasks_to_do",
    "check_task_subscription",
    "clear_avatar",
    "get_context",
    "get_day_off",
    "get_filter_group",
    "get_notification",
    "get_task_time_spent",
    "get_time_spents_by_date",
    "get_timespents_range",
    "is_authenticated",
    "join_chat",
    "leave_chat",
    "log_desktop_session_log_in",
    "mark_all_notifications_as_read",
    "new_filter",
    "new_filter_group",
    "remove_filter",
    "remove_filter_group",
    "subscribe_to_task",
    "unsubscribe_from_task",
    "update_filter",
    "update_filter_group",
    "update_notification",
]


def _listing(path: str, params: str) -> Any:
    """A read of the user's rows, sorted by name as gazu sorts them."""
    return route(f"GET data/user/{path}", params, answer=sort_by_name)


def _optional_id(model: Model | None) -> str | None:
    return None if model is None else model_id(model, "project")


# What the user takes part in: sorted by name.
all_open_projects = _listing("projects/open", "client=default")
all_asset_types_for_project = _listing("projects/{project}/asset-types", "project, client=default")
all_assets_for_asset_type_and_project = _listing(
    "projects/{project}/asset-types/{asset_type}/assets", "project, asset_type, client=default"
)
all_assets_for_asset_type_project = all_assets_for_asset_type_and_project  # the page's name
all_sequences_for_project = _listing("projects/{project}/sequences", "project, client=default")
all_episodes_for_project = _listing("projects/{project}/episodes", "project, client=default")
all_shots_for_sequence = _listing("sequences/{sequence}/shots", "sequence, client=default")
all_scenes_for_sequence = _listing("sequences/{sequence}/scenes", "sequence, client=default")
all_tasks_for_asset = _listing("assets/{asset}/tasks", "asset, client=default")
all_tasks_for_shot = _listing("shots/{shot}/tasks", "shot, client=default")
all_tasks_for_scene = _listing("scenes/{scene}/tasks", "scene, client=default")
all_tasks_for_sequence = _listing("sequences/{sequence}/tasks", "sequence, client=default")
all_task_types_for_asset = _listing("assets/{asset}/task-types", "asset, client=default")
all_task_types_for_shot = _listing("shots/{shot}/task-types", "shot, client=default")
all_task_types_for_scene = _listing("scenes/{scene}/task-types", "scene, client=default")
all_task_types_for_sequence = _listing(
    "sequences/{sequence}/task-types", "sequence, client=default"
)

# The user's own lists, in the server's order.
all_tasks_to_do = route("GET data/user/tasks", "client=default")
all_done_tasks = route("GET data/user/done-tasks", "client=default")
all_tasks_requiring_feedback = route("GET data/user/tasks-to-check", "client=default")
get_timespents_range = route(
    "GET data/user/time-spents",
    "start_date, end_date, client=default",
    query=lambda a: {"start_date": a.start_date, "end_date": a.end_date},
)
get_context = route("GET data/user/context", "client=default")
all_desktop_login_logs = route("GET data/user/desktop-login-logs", "client=default")
log_desktop_session_log_in = route(
    "POST data/user/desktop-login-logs",
    "client=default",
    body=lambda a: {"date": datetime.datetime.now().isoformat()},
)
clear_avatar = route("DELETE actions/user/clear-avatar", "client=default", answer=text_answer)

# Filters and filter groups: the user's saved searches.
all_filters = route("GET data/user/filters", "client=default")
new_filter = route(
    "POST data/user/filters",
    "name, query, list_type, project=None, entity_type=None, client=default",
    body=lambda a: {
        "name": a.name,
        "query": a.query,
        "list_type": a.list_type,
        "project_id": _optional_id(a.project),
        "entity_type": a.entity_type,
    },
)
update_filter = route(
    "PUT data/user/filters/{filter}", "filter, client=default", body=lambda a: model_dict(a.filter)
)
remove_filter = route(
    "DELETE data/user/filters/{filter}", "filter, client=default", answer=text_answer
)
all_filter_groups = route("GET data/user/filter-groups", "client=default")
new_filter_group = route(
    "POST data/user/filter-groups",
    "name, project=None, client=default",
    body=lambda a: {"name": a.name, "project_id": _optional_id(a.project)},
)
get_filter_group = route(
    "GET data/user/filter-groups/{filter_group}", "filter_group, client=default"
)
update_filter_group = route(
    "PUT data/user/filter-groups/{filter_group}",
    "filter_group, client=default",
    body=lambda a: model_dict(a.filter_group),
)
remove_filter_group = route(
    "DELETE data/user/filter-groups/{filter_group}",
    "filter_group, client=default",
    answer=text_answer,
)

# Notifications, task subscriptions and chats.
all_notifications = route("GET data/user/notifications", "client=default")
get_notification = route(
    "GET data/user/notifications/{notification}", "notification, client=default"
)
update_notification = route(
    "PUT data/user/notifications/{notification}",
    "notification, client=default",
    body=lambda a: model_dict(a.notification),
)
mark_all_notifications_as_read = route(
    "POST actions/user/notifications/mark-all-as-read", "client=default", body=lambda a: {}
)
check_task_subscription = route("GET data/user/tasks/{task}/subscribed", "task, client=default")
subscribe_to_task = route(
    "POST actions/user/tasks/{task}/subscribe", "task, client=default", body=lambda a: {}
)
unsubscribe_from_task = route(
    "DELETE actions/user/tasks/{task}/unsubscribe", "task, client=default", answer=text_answer
)
all_chats = route("GET data/user/chats", "client=default")
join_chat = route("POST actions/user/chats/{chat}/join", "chat, client=default", body=lambda a: {})
leave_chat = route(
    "DELETE actions/user/chats/{chat}/join", "chat, client=default", answer=text_answer
)


@gazu_function(cached=True)
def get_time_spents_by_date(date: str, client: KitsuClient = default_client) -> Any:
    """The user's time spents of one day (``YYYY-MM-DD``)."""
    return read(fill("data/user/time-spents/{date}", date=date))


@gazu_function(cached=True)
def get_task_time_spent(task: Model, date: str, client: KitsuClient = default_client) -> Any:
    """The user's time spent on one task on one day."""
    path = "data/user/tasks/{task_id}/time-spents/{date}"
    return read(fill(path, task_id=model_id(task, "task"), date=date))


@gazu_function(cached=True)
def get_day_off(date: str, client: KitsuClient = default_client) -> Any:
    """The user's day off on one day (``YYYY-MM-DD``), as the server answers it."""
    return read(fill("data/user/day-offs/{date}", date=date))


@gazu_function
def is_authenticated(client: KitsuClient = default_client) -> bool:
    """Whether the client's login is valid now (False rather than an error)."""
    try:
        return bool(read("auth/authenticated")["authenticated"])
    except AuthenticationError:
        return False


finish(globals())
