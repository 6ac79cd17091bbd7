"""How entity methods take their arguments: saved objects, days, durations,
and the session to act in.

No HTTP here: the verbs that need the server (time spent, file paths,
revision numbers) live in :mod:`kitsu_orm.actions`, which uses these checks
so that a wrong argument is refused before any request.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..context import current_session
from ..errors import ValidationError
from .base import Entity
from .state import require_session

if TYPE_CHECKING:
    from ..session import Session

__all__ = ["day_string", "minutes", "optional_id", "saved_id", "session_of"]


def saved_id(obj: Any, cls: type[Entity] | tuple[type[Entity], ...], what: str) -> str:
    """The id of a saved object of the expected type; anything else is a ValidationError."""
    if not isinstance(obj, cls):
        raise ValidationError(f"{what} takes a saved object, not {obj!r}")
    if obj.id is None:
        raise ValidationError(f"{what}: {obj!r} is not created yet: commit it first")
    return obj.id


def optional_id(obj: Any, cls: type[Entity], what: str) -> str | None:
    """``saved_id`` for an optional argument: None stays None."""
    return None if obj is None else saved_id(obj, cls, what)


def session_of(session: Session | None, *objs: Entity | None) -> Session:
    """The session to run an action in: the given one, an object's, else the current one."""
    if session is not None:
        return session
    for obj in objs:
        if obj is not None and obj.session is not None:
            return require_session(obj)
    return current_session()


def day_string(day: date | str) -> str:
    """A day as Zou's routes take it: ``YYYY-MM-DD``."""
    if isinstance(day, datetime):
        day = day.date()
    if isinstance(day, date):
        return day.isoformat()
    try:
        return date.fromisoformat(day).isoformat()
    except (TypeError, ValueError):
        raise ValidationError(f"a day is a date or 'YYYY-MM-DD', not {day!r}") from None


def minutes(duration: float | timedelta) -> float:
    """A duration in Zou's unit, minutes: a number of minutes or a timedelta."""
    if isinstance(duration, timedelta):
        duration = duration.total_seconds() / 60
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or duration <= 0:
        raise ValidationError(f"a duration is a positive number of minutes, not {duration!r}")
    return float(duration)
