"""What entity methods that call Zou's action routes share.

Time spent, file paths, revision numbers and the current user's lists are
verbs, not rows a unit of work could track: the methods that use them send
one request through their session's transport, right away, and merge any
rows that come back into the session's identity map.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import ValidationError
from .base import Entity

if TYPE_CHECKING:
    from ..session import Session

__all__ = ["day_string", "merge_rows", "minutes", "saved_id", "session_of"]

E = TypeVar("E", bound=Entity)


def saved_id(obj: Any, cls: type[Entity] | tuple[type[Entity], ...], what: str) -> str:
    """The id of a saved object of the expected type; anything else is a ValidationError."""
    if not isinstance(obj, cls):
        raise ValidationError(f"{what} takes a saved object, not {obj!r}")
    if obj.id is None:
        raise ValidationError(f"{what}: {obj!r} is not created yet: commit it first")
    return obj.id


def optional_id(obj: Any, cls: type[Entity], what: str) -> str | None:
    return None if obj is None else saved_id(obj, cls, what)


def session_of(session: Session | None, *objs: Entity | None) -> Session:
    """The session to run an action in: the given one, an object's, else the current one."""
    if session is not None:
        return session
    for obj in objs:
        if obj is not None and obj._session is not None:
            return obj._require_session()
    from ..session import current_session

    return current_session()


def merge_rows(session: Session, cls: type[E], rows: Iterable[dict[str, Any]]) -> list[E]:
    """Rows an action answered, as the session's objects, loaded together as one batch."""
    from ..loading import group_of

    return group_of(session.identity.merge_row(cls, row) for row in rows)  # type: ignore[return-value]


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
