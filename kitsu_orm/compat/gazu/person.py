"""gazu's ``person`` module: the studio's people, bots, departments and organisation,
their day offs and time spents.

The calendar reads (``get_week_day_offs(person, 2024, 12)``...) put a year, a
week, a month or a day in the path: each is checked (a number, a
``YYYY-MM-DD`` day) before any request, as ids are.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from typing import Any

from ...errors import ValidationError
from ...urls import fill
from .connection import default_session
from .declare import finish, gazu_function, route
from .kitsu_client import KitsuClient, default_client
from .memo import read, written
from .rows import Model, find_first, link_ids, model_dict, model_id, sort_by_name, text_answer

__all__ = [
    "add_person_to_department",
    "all_departments",
    "all_organisations",
    "all_persons",
    "change_password_for_person",
    "clear_person_avatar",
    "disable_two_factor_authentication",
    "get_all_month_time_spents",
    "get_day_off",
    "get_day_offs",
    "get_department",
    "get_department_by_name",
    "get_month_day_offs",
    "get_organisation",
    "get_person",
    "get_person_by_desktop_login",
    "get_person_by_email",
    "get_person_by_full_name",
    "get_person_url",
    "get_presence_log",
    "get_time_spents_by_date",
    "get_time_spents_range",
    "get_week_day_offs",
    "get_week_time_spents",
    "get_year_day_offs",
    "get_year_time_spents",
    "invite_person",
    "new_bot",
    "new_day_off",
    "new_department",
    "new_person",
    "remove_bot",
    "remove_day_off",
    "remove_department",
    "remove_person",
    "remove_person_from_department",
    "set_avatar",
    "update_bot",
    "update_day_off",
    "update_department",
    "update_person",
]

_FORCE: Callable[[Any], dict[str, Any]] = lambda a: {"force": True} if a.force else {}  # noqa: E731

# One request each: gazu's signature, the route, how the answer is shaped.
all_organisations = route("GET data/organisations", "client=default", answer=sort_by_name)
all_departments = route("GET data/departments", "client=default", answer=sort_by_name)
all_persons = route("GET data/persons", "client=default", answer=sort_by_name)
get_department = route("GET data/departments/{department_id}", "department_id, client=default")
get_time_spents_range = route(
    "GET data/persons/{person_id}/time-spents",
    "person_id, start_date, end_date, client=default",
    query=lambda a: {"start_date": a.start_date, "end_date": a.end_date},
)
get_day_offs = route("GET data/persons/{person}/day-offs", "person, client=default")
get_day_off = route("GET data/day-offs/{day_off_id}", "day_off_id, client=default")
update_department = route(
    "PUT data/departments/{department}",
    "department, client=default",
    body=lambda a: model_dict(a.department),
)
remove_department = route(
    "DELETE data/departments/{department}",
    "department, force=False, client=default",
    query=_FORCE,
    answer=text_answer,
)
remove_person = route(
    "DELETE data/persons/{person}",
    "person, force=False, client=default",
    query=_FORCE,
    answer=text_answer,
)
change_password_for_person = route(
    "POST actions/persons/{person}/change-password",
    "person, password, client=default",
    body=lambda a: {"password": a.password, "password_2": a.password},
)
# Sends an e-mail: the server needs an SMTP server to answer it.
invite_person = route("GET actions/persons/{person}/invite", "person, client=default")
update_day_off = route(
    "PUT data/day-offs/{day_off}", "day_off, client=default", body=lambda a: model_dict(a.day_off)
)
remove_day_off = route(
    "DELETE data/day-offs/{day_off}", "day_off, client=default", answer=text_answer
)
add_person_to_department = route(
    "POST actions/persons/{person}/departments/add",
    "person, department, client=default",
    body=lambda a: {"department_id": model_id(a.department, "department")},
)
remove_person_from_department = route(
    "DELETE actions/persons/{person}/departments/{department}",
    "person, department, client=default",
    answer=text_answer,
)
disable_two_factor_authentication = route(
    "DELETE actions/persons/{person}/disable-two-factor-authentication",
    "person, client=default",
    answer=text_answer,
)
clear_person_avatar = route(
    "DELETE actions/persons/{person}/clear-avatar", "person, client=default", answer=text_answer
)


def _first(path: str, params: dict[str, Any]) -> dict[str, Any] | None:
    """The server's first match, as gazu answers it (Zou's own matching rules)."""
    rows: list[dict[str, Any]] = read(f"data/{path}", params)
    return rows[0] if rows else None


def _number(value: Any, what: str, width: int = 0) -> str:
    """A year, week or month as a path segment: a whole number, nothing else."""
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ValidationError(f"{what}: expected a number, not {value!r}")
    return str(int(value)).zfill(width)


def _calendar(template: str, person: Model, month_width: int = 0, **parts: Any) -> Any:
    """GET a person's calendar route, each part checked before it goes into the path
    (a month zero-padded to ``month_width``, as gazu writes it there)."""
    values = {k: _number(v, k, month_width if k == "month" else 0) for k, v in parts.items()}
    return read(fill(template, person_id=model_id(person, "person"), **values))


@gazu_function(cached=True)
def get_person_by_full_name(
    full_name: str,
    first_name: str | None = None,
    last_name: str | None = None,
    client: KitsuClient = default_client,
) -> dict[str, Any] | None:
    """The person of this exact full name (bots excluded), or None."""
    if first_name is not None and last_name is not None:
        return find_first(
            "persons", {"first_name": first_name, "last_name": last_name, "is_bot": False}
        )
    return find_first("persons", {"full_name": full_name, "is_bot": False})


@gazu_function(cached=True)
def get_person_by_desktop_login(
    desktop_login: str, client: KitsuClient = default_client
) -> dict[str, Any] | None:
    """The person of this desktop login (bots excluded), or None."""
    return find_first("persons", {"desktop_login": desktop_login, "is_bot": False})


@gazu_function(cached=True)
def get_person_by_email(
    email: str, is_bot: bool = False, client: KitsuClient = default_client
) -> dict[str, Any] | None:
    """The person (or, with ``is_bot``, the bot) of this e-mail, or None."""
    return _first("persons", {"email": email, "is_bot": is_bot})


@gazu_function(cached=True)
def get_person(
    id: str, relations: bool = False, client: KitsuClient = default_client
) -> dict[str, Any] | None:
    """The person of this id (with their links when ``relations``), or None."""
    params: dict[str, Any] = {"id": model_id(id, "id")}
    if relations:
        params["relations"] = True
    return _first("persons", params)


@gazu_function(cached=True)
def get_department_by_name(
    name: str, client: KitsuClient = default_client
) -> dict[str, Any] | None:
    """The department the server matches with this name, or None."""
    return _first("departments", {"name": name})


@gazu_function(cached=True)
def get_person_url(person: Model, client: KitsuClient = default_client) -> str:
    """The person's page in Kitsu's web interface (no request)."""
    host = default_session().transport.host
    host = host[: -len("/api")] if host.endswith("/api") else host
    return f"{host}/people/{model_id(person, 'person')}/"


@gazu_function(cached=True)
def get_organisation(client: KitsuClient = default_client) -> dict[str, Any]:
    """The studio's organisation, as the server names it for the logged-in user."""
    answer: dict[str, Any] = read("auth/authenticated")
    return answer["organisation"]  # type: ignore[no-any-return]


@gazu_function
def get_all_month_time_spents(
    id: str, date: datetime.date, client: KitsuClient = default_client
) -> list[dict[str, Any]]:
    """Every time spent of the person in the month of ``date``."""
    if not isinstance(date, datetime.date):
        raise ValidationError(f"date: expected a datetime.date, not {date!r}")
    template = "data/persons/{person_id}/time-spents/month/all/{year}/{month}"
    return _calendar(template, id, 2, year=date.year, month=date.month)  # type: ignore[no-any-return]


@gazu_function(cached=True)
def get_time_spents_by_date(
    person: Model, date: str, client: KitsuClient = default_client
) -> list[dict[str, Any]]:
    """The person's time spents of one day (``YYYY-MM-DD``)."""
    path = fill(
        "data/persons/{person_id}/time-spents/{date}", person_id=model_id(person), date=date
    )
    return read(path)  # type: ignore[no-any-return]


@gazu_function(cached=True)
def get_week_time_spents(
    person: Model, year: int, week: int, client: KitsuClient = default_client
) -> list[dict[str, Any]]:
    """The person's time spents of one ISO week."""
    template = "data/persons/{person_id}/time-spents/week/{year}/{week}"
    return _calendar(template, person, year=year, week=week)  # type: ignore[no-any-return]


@gazu_function(cached=True)
def get_year_time_spents(
    person: Model, year: int, client: KitsuClient = default_client
) -> list[dict[str, Any]]:
    """The person's time spents of one year."""
    template = "data/persons/{person_id}/time-spents/year/{year}"
    return _calendar(template, person, year=year)  # type: ignore[no-any-return]


@gazu_function(cached=True)
def get_week_day_offs(
    person: Model, year: int, week: int, client: KitsuClient = default_client
) -> list[dict[str, Any]]:
    """The person's day offs in one ISO week."""
    template = "data/persons/{person_id}/day-offs/week/{year}/{week}"
    return _calendar(template, person, year=year, week=week)  # type: ignore[no-any-return]


@gazu_function(cached=True)
def get_month_day_offs(
    person: Model, year: int, month: int, client: KitsuClient = default_client
) -> list[dict[str, Any]]:
    """The person's day offs in one month."""
    template = "data/persons/{person_id}/day-offs/month/{year}/{month}"
    return _calendar(template, person, 2, year=year, month=month)  # type: ignore[no-any-return]


@gazu_function(cached=True)
def get_year_day_offs(
    person: Model, year: int, client: KitsuClient = default_client
) -> list[dict[str, Any]]:
    """The person's day offs in one year."""
    template = "data/persons/{person_id}/day-offs/year/{year}"
    return _calendar(template, person, year=year)  # type: ignore[no-any-return]


@gazu_function
def get_presence_log(year: int, month: int, client: KitsuClient = default_client) -> str:
    """The studio's presence table of one month, as CSV text."""
    day = f"{_number(year, 'year')}-{_number(month, 'month', 2)}"
    answer = default_session().transport.get(fill("data/persons/presence-logs/{day}", day=day))
    return str(text_answer(answer))


@gazu_function
def new_department(
    name: str, color: str = "", archived: bool = False, client: KitsuClient = default_client
) -> dict[str, Any]:
    """The department of this name: the existing one, else a new one."""
    found = get_department_by_name(name, client=client)
    if found is not None:
        return found
    body = {"name": name, "color": color, "archived": archived}
    return _post("data/departments", body)


@gazu_function
def new_person(
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    role: str = "user",
    desktop_login: str = "",
    departments: list[Model] | None = None,
    password: str | None = None,
    active: bool = True,
    contract_type: str = "open-ended",
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """The person of this e-mail: the existing one, else a new one."""
    found = get_person_by_email(email, client=client)
    if found is not None:
        return found
    body = {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "phone": phone,
        "role": role,
        "desktop_login": desktop_login,
        "departments": link_ids(departments),
        "password": password,
        "active": active,
        "contract_type": contract_type,
    }
    return _post("data/persons", body)


@gazu_function
def update_person(person: dict[str, Any], client: KitsuClient = default_client) -> dict[str, Any]:
    """Save the person's dict (its departments as ids); the server's answer."""
    row = model_dict(person)
    if "departments" in row:
        row = {**row, "departments": link_ids(row["departments"])}
    path = fill("data/persons/{id}", id=row["id"])
    return written(path, lambda: default_session().transport.put(path, row))


@gazu_function
def new_bot(
    name: str,
    email: str,
    role: str = "user",
    departments: list[Model] | None = None,
    active: bool = True,
    expiration_date: str | None = None,
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """A new bot; the answer carries its access token."""
    body = {
        "first_name": name,
        "last_name": "",
        "email": email,
        "role": role,
        "departments": link_ids(departments),
        "active": active,
        "expiration_date": expiration_date,
        "is_bot": True,
    }
    return _post("data/persons", body)


@gazu_function
def update_bot(bot: dict[str, Any], client: KitsuClient = default_client) -> dict[str, Any]:
    """Save the bot's dict, as a person's."""
    return update_person(bot, client=client)


@gazu_function
def remove_bot(
    bot: dict[str, Any], force: bool = False, client: KitsuClient = default_client
) -> str:
    """Delete the bot, as a person."""
    return remove_person(bot, force=force, client=client)  # type: ignore[no-any-return]


@gazu_function
def new_day_off(
    person: Model,
    date: str,
    end_date: str,
    description: str | None = None,
    client: KitsuClient = default_client,
) -> dict[str, Any]:
    """A new day off of the person, from ``date`` to ``end_date`` inclusive."""
    body: dict[str, Any] = {"person_id": model_id(person, "person"), "date": date}
    body["end_date"] = end_date
    if description is not None:
        body["description"] = description
    return _post("data/day-offs", body)


@gazu_function
def set_avatar(
    person: Model,
    file_path: str,
    client: KitsuClient = default_client,
    progress_callback: Callable[[int, int], Any] | None = None,
) -> dict[str, str]:
    """Upload a picture as the person's avatar; ``{"thumbnail_path": ...}``."""
    path = fill("pictures/thumbnails/persons/{id}", id=model_id(person, "person"))
    on_read = None
    if progress_callback is not None:
        total, sent = os.path.getsize(file_path), [0]

        def on_read(size: int) -> None:
            sent[0] += size
            progress_callback(sent[0], total)

    transport = default_session().transport
    return written(path, lambda: transport.upload(path, file_path, on_read=on_read))


def _post(path: str, body: dict[str, Any]) -> dict[str, Any]:
    return written(path, lambda: default_session().transport.post(path, body))


finish(globals())
