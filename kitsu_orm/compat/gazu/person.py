"""gazu's ``person`` module: the studio's people."""

from __future__ import annotations

from typing import Any

from .memo import cached_function
from .rows import find_first, get_list

__all__ = ["all_persons", "get_person_by_desktop_login", "get_person_by_full_name"]


@cached_function
def all_persons() -> list[dict[str, Any]]:
    return get_list("persons")


@cached_function
def get_person_by_full_name(
    full_name: str, first_name: str | None = None, last_name: str | None = None
) -> dict[str, Any] | None:
    """The person of this exact full name (bots excluded), or None."""
    if first_name is not None and last_name is not None:
        return find_first(
            "persons", {"first_name": first_name, "last_name": last_name, "is_bot": False}
        )
    return find_first("persons", {"full_name": full_name, "is_bot": False})


@cached_function
def get_person_by_desktop_login(desktop_login: str) -> dict[str, Any] | None:
    return find_first("persons", {"desktop_login": desktop_login, "is_bot": False})
