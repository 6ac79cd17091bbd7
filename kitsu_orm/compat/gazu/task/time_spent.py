"""gazu's task functions about time spent: minutes per person and day on a task.

Object-style: ``task.time_spents_on(day)``, ``task.set_time_spent(person, day,
minutes)``, ``task.add_time_spent(...)``, ``session.delete(time_spent)`` (see
docs/migration.md). Durations go to Zou as given: Zou stores minutes, whatever
unit the caller meant.
"""

from __future__ import annotations

from typing import Any

from ....routes import ACTIONS
from ....urls import fill
from ..declare import finish, gazu_function, route
from ..kitsu_client import KitsuClient, default_client
from ..memo import read
from ..rows import Model, model_id
from .common import as_text, post

__all__ = [
    "add_time_spent",
    "get_task_time_spent_for_date",
    "get_time_spent",
    "remove_time_spent",
    "set_time_spent",
]

remove_time_spent = route(
    "DELETE data/time-spents/{time_spent}", "time_spent, client=default", answer=as_text
)


@gazu_function(cached=True)
def get_time_spent(
    task: Model, date: str | None = None, client: KitsuClient = default_client
) -> dict[str, Any]:
    """``{person_id: [time spent rows], "total": sum}`` for the task, or one day of it."""
    task_id = model_id(task, "task")
    path = (
        fill(ACTIONS["time_spents"], task_id=task_id)
        if date is None
        else fill(ACTIONS["time_spents_on"], task_id=task_id, date=date)
    )
    body: dict[str, Any] = read(path)
    return body


@gazu_function(cached=True)
def get_task_time_spent_for_date(
    task: Model, date: str, client: KitsuClient = default_client
) -> dict[str, Any]:
    """The time spent on the task on one day (``YYYY-MM-DD``)."""
    body: dict[str, Any] = read(
        fill(ACTIONS["time_spents_on"], task_id=model_id(task, "task"), date=date)
    )
    return body


@gazu_function
def set_time_spent(
    task: Model, person: Model, date: str, duration: int, client: KitsuClient = default_client
) -> dict[str, Any]:
    """Set a person's minutes for a day on a task."""
    return _time_spent("set_time_spent", task, person, date, duration)


@gazu_function
def add_time_spent(
    task: Model, person: Model, date: str, duration: int, client: KitsuClient = default_client
) -> dict[str, Any]:
    """Add minutes to a person's day on a task."""
    return _time_spent("add_time_spent", task, person, date, duration)


def _time_spent(
    action: str, task: Model, person: Model, date: str, duration: int
) -> dict[str, Any]:
    path = fill(
        ACTIONS[action],
        task_id=model_id(task, "task"),
        date=date,
        person_id=model_id(person, "person"),
    )
    answer: dict[str, Any] = post(path, {"duration": duration})
    return answer


finish(globals())
