"""What a field takes when the user sets it: types, dates, ids and JSON data.

Each field of an entity class gets one check, chosen once when the class is
made, that either returns the value as it will be kept and sent, or raises
:class:`~kitsu_orm.errors.ValidationError` naming the class, the field and the
value, so that nothing the wire cannot carry reaches a commit:

- ``id``, ``*_id`` fields and fields marked :func:`~.fields.holds_id` take a
  UUID string (a ``uuid.UUID`` is made one); ``*_ids`` fields and fields marked
  ``holds_id(many=True)`` take a list of them.
- A field Zou stores as a timestamp (``datetime``) takes a datetime, a date
  (midnight) or an ISO string, kept timezone-aware in UTC to the second: a
  naive datetime is taken as UTC, as Zou stores them, and Zou answers to the
  second, so that the value set is the value read back.
- A field Zou stores as a day (``date``) takes a date, a datetime (its day)
  or an ISO string, kept a ``date``.
- A ``dict`` or ``list`` field takes JSON data only (and dates, which go as
  ISO strings).

Objects built from the server's rows never come here (see
:mod:`kitsu_orm.model.builders`): only assignments and constructor calls pay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError
from ..urls import UUID_PATTERN, is_uuid
from .state import loaded_value

if TYPE_CHECKING:
    from .base import Entity

__all__ = [
    "UUID_PATTERN",
    "Check",
    "check_again",
    "check_for",
    "check_json",
    "check_plain",
    "check_text",
    "is_uuid",
]

# A check takes the class, the field's name and the value set; it answers the value to keep.
Check = Callable[["type[Entity]", str, Any], Any]

def check_for(name: str, allowed: tuple[type, ...] | None, holds_id: str | None) -> Check | None:
    """The check of one field; None when anything goes.

    ``allowed`` are its runtime types (see ``declaration._allowed_types``);
    ``holds_id`` is ``"one"`` or ``"many"`` for a field marked as holding ids.
    """
    if holds_id == "one" or name == "id" or name.endswith("_id"):
        return _check_id
    if holds_id == "many" or name.endswith("_ids"):
        return _check_ids
    if allowed is None:
        return None
    if datetime in allowed:
        return _check_datetime
    if date in allowed:
        return _check_date
    if dict in allowed or list in allowed:
        return _check_data
    return check_plain


def _bad(cls: type[Entity], name: str, takes: str, value: Any, hint: str = "") -> ValidationError:
    return ValidationError(
        f"{cls.__name__}.{name} takes {takes}, not {type(value).__name__} ({value!r}){hint}"
    )


def check_again(obj: Entity, names: Iterable[str]) -> None:
    """Check once more the values of ``names`` that can change in place (``data``
    dicts, lists of ids), which no assignment saw: before a commit sends them."""
    cls = type(obj)
    mutable, checks = cls.__mutable_fields__, cls.__checks__
    for name in names:
        if name in mutable and name in checks:
            value = loaded_value(obj, name)
            if value is not None:
                checks[name](cls, name, value)


# -- plain values ----------------------------------------------------------------------


def check_plain(cls: type[Entity], name: str, value: Any) -> Any:
    """Raise ValidationError unless ``value`` has one of the types the field declares."""
    allowed = cls.__field_types__[name]
    if isinstance(value, str):
        if str in allowed:
            check_text(value, f"{cls.__name__}.{name}", cls.__max_lengths__.get(name))
            return value
    elif isinstance(value, bool):  # a bool is an int to isinstance, never to Zou
        if bool in allowed:
            return value
    elif isinstance(value, allowed) or isinstance(value, int) and float in allowed:
        return value
    raise _bad(cls, name, " or ".join(t.__name__ for t in allowed), value)


def check_text(value: str, where: str, limit: int | None = None) -> None:
    """Refuse text PostgreSQL would refuse with a 500: a NUL character (in any text
    or JSON), or more characters than the column holds."""
    if "\x00" in value:
        at = value.index("\x00")
        raise ValidationError(f"{where} holds a NUL character (at {at}), which Kitsu cannot store")
    if limit is not None and len(value) > limit:
        raise ValidationError(
            f"{where} takes at most {limit} characters, not {len(value)} ({value[:20]!r}...)"
        )


# -- ids -------------------------------------------------------------------------------


def _check_id(cls: type[Entity], name: str, value: Any) -> Any:
    if value is None or is_uuid(value):
        return value
    if _is_uuid_object(value):
        return str(value)
    hint = ""
    relations = cls.__key_relations__.get(name)
    if relations:
        target = cls.__relationships__[relations[0]].target_name
        hint = f": set {cls.__name__}.{relations[0]} to a {target} instead"
    raise _bad(cls, name, "an id (a UUID string)", value, hint)


def _check_ids(cls: type[Entity], name: str, value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        raise _bad(cls, name, "a list of ids (UUID strings)", value)
    out = []
    for item in value:
        # None holds the place of an object not created yet (``task.assignees = [new_person]``).
        if item is None or is_uuid(item):
            out.append(item)
        elif _is_uuid_object(item):
            out.append(str(item))
        else:
            raise ValidationError(
                f"{cls.__name__}.{name} takes a list of ids (UUID strings): "
                f"{item!r} in {value!r} is not one"
            )
    return out


def _is_uuid_object(value: Any) -> bool:
    import uuid  # only for a value that is not a UUID string: not imported with kitsu_orm

    return isinstance(value, uuid.UUID)


# -- dates -----------------------------------------------------------------------------


def _check_datetime(cls: type[Entity], name: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        value = _parse(cls, name, value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        else:
            value = value.astimezone(timezone.utc)
        return value.replace(microsecond=0)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    raise _bad(cls, name, "a datetime, a date or an ISO string", value)


def _check_date(cls: type[Entity], name: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        value = _parse(cls, name, value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise _bad(cls, name, "a date, a datetime or an ISO string", value)


def _parse(cls: type[Entity], name: str, text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(
            f"{cls.__name__}.{name} takes an ISO date ('2026-01-31') or datetime, not {text!r}"
        ) from None


# -- JSON data -------------------------------------------------------------------------


def _check_data(cls: type[Entity], name: str, value: Any) -> Any:
    value = check_plain(cls, name, value)
    if value is not None:
        check_json(value, f"{cls.__name__}.{name}")
    return value


_INFINITIES = (float("inf"), float("-inf"))
_LEAVES = (str, int, float, bool, date, type(None))
_KEYS = (str, int, float, bool, type(None))


def check_json(value: Any, where: str) -> None:
    """Raise ValidationError if ``value`` is not data the wire can carry (JSON,
    with dates and datetimes, which go as ISO strings)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, _KEYS):
                raise ValidationError(
                    f"{where} takes JSON data: key {key!r} is a {type(key).__name__}, "
                    "not a string"
                )
            if isinstance(key, str):
                check_text(key, f"{where} key {key[:20]!r}")
            check_json(item, f"{where}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            check_json(item, f"{where}[{i}]")
    elif isinstance(value, str):
        check_text(value, where)
    elif isinstance(value, float) and (value != value or value in _INFINITIES):
        raise ValidationError(f"{where} takes JSON data, which has no {value!r}")
    elif not isinstance(value, _LEAVES):
        hint = ": put its id" if hasattr(value, "__kitsu_type__") else ""
        raise ValidationError(
            f"{where} takes JSON data (str, int, float, bool, None, lists, dicts, dates), "
            f"not {type(value).__name__} ({value!r}){hint}"
        )
