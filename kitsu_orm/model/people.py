"""The studio's people and departments."""

from __future__ import annotations

from typing import Any

from .base import Entity, entity
from .fields import derived, sized, wire
from .labels import Join, Shown
from .relationships import ManyIds

__all__ = ["Department", "Person"]


@entity("Department", reference=True, level=0, natural_key=("name",))
class Department(Entity):
    """A team of the studio (modeling, animation...): task types belong to one."""

    name: str = sized(80, "")
    color: str | None = sized(7)
    archived: bool = False


@entity("Person", level=1)
class Person(Entity):
    """A user of Kitsu, or a bot; ``role`` decides what they may read and write."""

    __shown__ = Shown(
        Join(("first_name", "last_name"), "name"), details=("role",), more=("email", "departments")
    )
    first_name: str = sized(80, "")
    last_name: str = sized(80, "")
    email: str | None = sized(255)
    phone: str | None = sized(30)
    active: bool = True
    archived: bool = False
    desktop_login: str | None = sized(80)
    role: str = "user"
    position: str | None = None
    seniority: str | None = None
    contract_type: str | None = None
    timezone: str | None = None
    locale: str | None = None
    is_bot: bool = False
    is_guest: bool = False
    has_avatar: bool = False
    data: dict[str, Any] | None = None
    department_ids: list[str] | None = wire("departments")
    full_name: str | None = derived()

    departments: ManyIds[Department] = ManyIds("Department", "department_ids", scope=None)
