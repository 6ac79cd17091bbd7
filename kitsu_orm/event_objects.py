"""The objects live events name, read again: what an :class:`~kitsu_orm.event.Event`
hands over as ``object``.

An event says the object it names changed: the copy the session held before is
outdated, so an event hands over the object as read from the server after it,
merged into the session, or None with the reason (``Event.error``), never the old
copy. A read that fails for a moment (a busy or restarting server, a dropped
connection, a read timeout: :class:`ConnectionError`, :class:`ServerError`) is
tried again, with growing waits (0.5 s to 2 s, four tries in all), the objects
of one delivery together; an answer that says the object is out of reach
(:class:`NotFound`, :class:`PermissionDenied`) is not.

No HTTP here: the reads are the session's (``reload`` for an admin, one ``read``
per object for the other roles, whose routes differ).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from .errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionError,
    KitsuError,
    NotFound,
    ServerError,
)
from .reading import check_row
from .retry import Retry
from .routes import routes_for
from .urls import fill

if TYPE_CHECKING:
    from .model.base import Entity
    from .session import Session

__all__ = ["Found", "read_objects"]

Found = dict[tuple[str, str], "Entity | KitsuError"]
"""Per (type, id): the object read again, or the error that kept it from being read."""

T = TypeVar("T")

# Errors that say nothing of the object, only of the server or the way to it.
_PASSING = (ConnectionError, ServerError)
_RETRY = Retry(total=3, backoff=0.5, backoff_max=2.0, jitter=0.2)


def read_objects(
    session: Session, wanted: dict[str, set[str]], stopping: Callable[[float], bool]
) -> Found:
    """The objects of ``wanted`` (ids per type) read again into ``session``: each one
    merged, or the error of its last try. ``stopping(seconds)`` waits between tries
    and answers True when the stream stops meanwhile (no more tries then)."""
    found: Found = {}
    retry = _RETRY
    while wanted:
        with session.between_commits():  # not during the waits: a commit may go on then
            for type_name, ids in wanted.items():
                found.update(_read_type(session, type_name, ids))
        wanted = _failed(found, wanted)
        if not wanted or retry.exhausted or stopping(retry.wait()):
            break
        retry = retry.increment()
    return found


def _failed(found: Found, wanted: dict[str, set[str]]) -> dict[str, set[str]]:
    """The objects of ``wanted`` whose read failed in passing: worth another try."""
    again: dict[str, set[str]] = {}
    for type_name, ids in wanted.items():
        failed = {id for id in ids if isinstance(found.get((type_name, id)), _PASSING)}
        if failed:
            again[type_name] = failed
    return again


def _read_type(session: Session, type_name: str, ids: set[str]) -> Found:
    """One type's objects: one request for an admin, one per object for the others
    (whose routes read one object at a time), so that one failure spoils no other."""
    from .model.base import REGISTRY

    cls = REGISTRY[type_name]
    role = _attempt(lambda: session.role)  # a request when the session does not know it
    if isinstance(role, KitsuError):
        return _by_id(type_name, ids, role)
    if role == "admin":
        return _by_id(type_name, ids, _attempt(partial(session.reload, cls, sorted(ids))))
    found: Found = {}
    away: KitsuError | None = None
    for id in sorted(ids):
        outcome = away if away is not None else _attempt(partial(_read_one, session, cls, id))
        if isinstance(outcome, ConnectionError):  # out of reach, or no answer in time:
            away = outcome  # the others wait for the next try, not a timeout each
        found.update(_by_id(type_name, [id], outcome))
    return found


def _attempt(read: Callable[[], T]) -> T | KitsuError:
    """What ``read`` answers, or the error it raised; but the errors that must stop the
    stream (a refused token, a bad setting) are raised."""
    try:
        return read()
    except (AuthenticationError, ConfigurationError):
        raise
    except KitsuError as exc:
        return exc


def _by_id(type_name: str, ids: Iterable[str], read: list[Entity] | KitsuError) -> Found:
    """Each id's outcome: its object, the error of the read, or NotFound when the answer
    left it out."""
    if isinstance(read, KitsuError):
        return {(type_name, id): read for id in ids}
    objects = {obj.id: obj for obj in read}
    return {(type_name, id): _or_gone(objects.get(id), type_name, id) for id in ids}


def _read_one(session: Session, cls: type[Entity], id: str) -> list[Entity]:
    type_name = cls.__kitsu_type__
    row = session.read(type_name, fill(routes_for(type_name).one, id=id), {}, fresh=True)
    check_row(cls, id, row)
    return [session.identity.merge_row(cls, row)]


def _or_gone(obj: Entity | None, type_name: str, id: str) -> Entity | KitsuError:
    """The object the answer held, or why not: the server left it out of its answer."""
    if obj is not None:
        return obj
    return NotFound(f"{type_name} {id} is not in the server's answer: gone, or not readable")
