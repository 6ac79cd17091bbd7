"""gazu's ``person`` module: the studio's people, departments and organisations."""

from __future__ import annotations

from typing import Any

from .declare import finish, gazu_function, route
from .kitsu_client import KitsuClient, default_client
from .rows import find_first, sort_by_name

__all__ = [
    "all_departments",
    "all_organisations",
    "all_persons",
    "get_department",
    "get_person_by_desktop_login",
    "get_person_by_full_name",
]

# One request each: gazu's signature, the route, how the answer is shaped.
all_organisations = route("GET data/organisations", "client=default", answer=sort_by_name)
all_departments = route("GET data/departments", "client=default", answer=sort_by_name)
all_persons = route("GET data/persons", "client=default", answer=sort_by_name)
get_department = route("GET data/departments/{department_id}", "department_id, client=default")


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


finish(globals())
