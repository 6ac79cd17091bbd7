"""The studio's people, their departments and day offs, and the organisation."""

from __future__ import annotations

import datetime
from typing import Any

from .base import Entity, entity
from .fields import derived, sized, wire
from .labels import Column, Join, Shown
from .relationships import ManyIds, ToMany, ToOne
from .state import require_session

__all__ = ["DayOff", "Department", "Organisation", "Person"]


@entity("Organisation", reference=True, level=0, natural_key=("name",))
class Organisation(Entity):
    """The studio itself: one row, its name and working-time settings (admins edit it)."""

    name: str = sized(80, "")
    hours_by_day: float = 8.0
    has_avatar: bool = False
    use_original_file_name: bool = False
    timesheets_locked: bool = False
    format_duration_in_hours: bool = False
    hd_by_default: bool = False
    dark_theme_by_default: bool = False


@entity("Department", reference=True, level=0, natural_key=("name",))
class Department(Entity):
    """A team of the studio (modeling, animation...): task types belong to one."""

    name: str = sized(80, "")
    color: str | None = sized(7, "")  # Zou refuses a new department without one
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
    day_offs: ToMany[DayOff] = ToMany("DayOff", "person_id", scope=None, order_by=("date",))

    def invite(self) -> dict[str, Any]:
        """E-mail this person Kitsu's invitation to log in, now (not at commit); the
        server needs an SMTP server to send it."""
        return require_session(self).actions.invite(self)

    def change_password(self, password: str) -> dict[str, Any]:
        """Set this person's password, now (not at commit): Zou keeps passwords apart
        from the person's fields, which a commit sends."""
        return require_session(self).actions.change_password(self, password)


@entity("DayOff", level=2, natural_key=("person_id", "date"))
class DayOff(Entity):
    """A person's leave, from ``date`` to ``end_date`` inclusive (Zou refuses overlaps,
    and removes the time spents it covers)."""

    __shown__ = Shown("person", "date", details=(Column("end_date", fmt="to {}"),))
    date: datetime.date | None = None
    end_date: datetime.date | None = None
    description: str | None = None
    person_id: str | None = None

    person: ToOne[Person] = ToOne("Person", "person_id", scope=None)
