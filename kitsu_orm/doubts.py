"""Writes in doubt: nothing lost, nothing sent twice.

A write whose request broke after it may have reached the server (a lost
answer, a 5xx, or a batch the server refused halfway) is remembered as a
:class:`Doubt` in the session's identity map: the object, what was sent, and
the server's clock just before the send (:meth:`Transport.server_time`, from
the ``Date`` of its answers: no request, no skew). The next commit settles it
before anything else, in one request per route and 80 objects: an update whose
row now equals the object as sent (every other field as loaded) was ours and
is adopted, the edits made since it was sent staying edits; a delete whose row is gone was done; a create or a comment is
looked for among the rows of its parent made *after* that clock, by this user,
that the session does not know, so that no earlier row can be taken for it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import attrs

from .errors import KitsuError, PermissionDenied
from .model.base import Entity, State, copy_json
from .model.builders import structure_row
from .model.converter import unstructure
from .model.state import loaded_value
from .model.wire import parse_datetime
from .routes import LISTS, routes_for
from .urls import fill

if TYPE_CHECKING:
    from .protocols import TransportProtocol
    from .session import Session

__all__ = [
    "Doubt",
    "comparable",
    "doubt",
    "lost_comments",
    "lost_create",
    "made_since",
    "server_clock",
    "settle",
    "shows_write",
]

# Never compared with what was loaded: ids, stamps, and what the server sets itself on
# every write (the editor of a comment).
NEVER_COMPARED = frozenset({"id", "created_at", "updated_at", "editor_id"})
_MISSING = object()


@attrs.define(eq=False)
class Doubt:
    """A write that may have been applied: ``kind`` ("create", "update", "delete",
    "comment"), its object, the fields an update sent, and the server's clock just
    before it was sent (None when the session never had an answer)."""

    kind: str
    obj: Entity
    since: datetime | None
    fields: tuple[str, ...] = ()
    # An update's values as sent (the whole field, a ``data`` dict whole): the object
    # may be edited again before the next commit settles it.
    sent: dict[str, Any] = attrs.Factory(dict)


def doubt(
    session: Session,
    kind: str,
    obj: Entity,
    since: datetime | None,
    fields: Iterable[str] = (),
    values: dict[str, Any] | None = None,
) -> None:
    """Remember that ``obj``'s write of ``kind`` may have been applied (a create: with
    the ``values`` it sent, to be looked for as sent)."""
    fields = tuple(fields)
    sent = {n: copy_json(getattr(obj, n)) for n in fields} if kind == "update" else {}
    if values:
        sent = {n: copy_json(v) for n, v in values.items()}
    session.identity.doubt(Doubt(kind, obj, since, fields, sent))


def server_clock(transport: TransportProtocol) -> datetime | None:
    """The server's clock now (a lower bound, aware UTC), or None (a transport with no
    ``server_time``, as :class:`~kitsu_orm.transport.Transport` has)."""
    read = getattr(transport, "server_time", None)
    now = read() if read is not None else None
    return None if now is None else now.replace(tzinfo=timezone.utc)


def _id_list(ids: Iterable[Any]) -> str:
    return json.dumps(list(ids), separators=(",", ":"))


# -- settling updates and deletes in doubt ------------------------------------------------


def settle(session: Session, detach: Callable[[Session, Entity], None]) -> None:
    """Settle the updates and deletes of earlier commits that lost their answer, in one
    request per route and 80 objects. ``detach(session, obj)`` takes a deleted object out
    of its parents' lists."""
    by_route: dict[str, list[Doubt]] = defaultdict(list)
    for found in session.identity.doubts():
        obj = found.obj
        if found.kind not in ("update", "delete"):
            continue
        live = obj.session is session and obj.id is not None
        if (
            not live
            # An update in doubt of an object edited back, or deleted since, is settled too:
            # its write may be on the server all the same.
            or (found.kind == "update" and obj.state not in (State.PERSISTENT, State.DELETED))
            or (found.kind == "delete" and not session.identity.is_deleted(obj))
        ):
            session.identity.clear_doubt(obj)
            continue
        route = routes_for(type(obj).__kitsu_type__).generic
        if route is None:
            session.identity.clear_doubt(obj)
            continue
        by_route[route].append(found)
    for route, doubts in by_route.items():
        rows = session.get_rows(route, {"id": _id_list(d.obj.id for d in doubts)})
        by_id = {row["id"]: row for row in rows}
        for found in doubts:
            obj = found.obj
            session.identity.clear_doubt(obj)
            row = by_id.get(obj.id or "")
            if found.kind == "delete":
                if row is None:  # done: our delete reached the server
                    detach(session, obj)
                    session.identity.forget(obj)
                continue
            if row is None:
                continue  # gone: the conflict check says so
            # Applied or not: ``updated_at`` (to the second) may not have moved.
            if shows_write(obj, row, found.fields, found.sent):
                _adopt_update(session, obj, row, found.sent)


def _adopt_update(session: Session, obj: Entity, row: dict[str, Any], sent: dict[str, Any]) -> None:
    """Our update in doubt is on the server: ``row`` becomes what ``obj`` was loaded as,
    and what the user edited since it was sent (or edited back) stays an edit."""
    now = {n: copy_json(getattr(obj, n)) for n in {*obj.changes(), *sent}}
    session.identity.apply_row(obj, row, keep_edits=False)
    if obj.state is not State.PERSISTENT:
        return  # deleted since: nothing more to write
    for name, value in now.items():
        if comparable(getattr(obj, name)) != comparable(value):
            obj.__setattr__(name, value)  # tracked: the next update sends it


def comparable(value: Any) -> Any:
    """A value as it compares with the server's: unstructured, null data keys dropped."""
    value = unstructure(value)
    if isinstance(value, dict):  # Zou stores a removed data key as null
        return {k: comparable(v) for k, v in value.items() if v is not None}
    return value


def shows_write(
    obj: Entity,
    row: dict[str, Any],
    sent: Sequence[str],
    values: dict[str, Any] | None = None,
) -> bool:
    """Is ``row`` the object as loaded, with the fields ``sent`` as they were sent
    (``values``), or else as they are now?"""
    cls = type(obj)
    fresh = structure_row(row, cls)
    changes = obj.changes()
    for wire_key in row:
        name = cls.__from_wire__.get(wire_key)
        if name is None or name in NEVER_COMPARED or name in cls.__derived__:
            continue
        if values is not None and name in values:
            expected = values[name]
        elif name in changes:
            expected = changes[name][1] if name in sent else changes[name][0]
        else:
            expected = loaded_value(obj, name, _MISSING)
            if expected is _MISSING:
                continue
        if comparable(expected) != comparable(object.__getattribute__(fresh, name)):
            return False
    return True


# -- comments in doubt ----------------------------------------------------------------------


def _me(session: Session) -> str | None:
    user = getattr(session.transport, "user", None) or {}
    if not user.get("id"):
        try:
            user = session.transport.current_user()
        except KitsuError:
            return None
    return str(user.get("id")) if user.get("id") else None


def lost_comments(session: Session, comments: list[Any]) -> list[tuple[Any, dict[str, Any]]]:
    """The comments of ``comments`` (in doubt) that are on the server, each with its row:
    rows of their tasks made after their send, by this user (or the author they name),
    that the session does not know, matched in order by text and status."""
    if not comments:
        return []
    tasks = sorted({c.object_id for c in comments if c.object_id})
    rows: list[dict[str, Any]] = []
    try:
        generic = routes_for("Comment").generic or ""
        rows = session.get_rows(generic, {"object_id": _id_list(tasks)})
    except PermissionDenied:  # the generic route is the admins': one request per task
        paths = [fill(LISTS["task_comments"], task_id=t) for t in tasks]
        rows = [r for path in paths for r in session.transport.get(path)]
    me = _me(session)
    rows.sort(key=lambda r: (str(r.get("created_at") or ""), str(r["id"])))
    taken: set[str] = set()
    found: list[tuple[Any, dict[str, Any]]] = []
    for comment in comments:
        record = session.identity.doubt_of(comment)
        since = record.since if record is not None else None
        authors = {a for a in (comment.person_id, me) if a}
        for row in rows:
            if (
                row["id"] in taken
                or row["id"] in session.identity
                or row.get("object_id") != comment.object_id
                or (row.get("text") or "") != (comment.text or "")
                or row.get("task_status_id") != comment.task_status_id
                or (authors and row.get("person_id") not in authors)
                or (since is not None and _created(row) < since)
            ):
                continue
            taken.add(row["id"])
            found.append((comment, row))
            break
    for comment in comments:
        session.identity.clear_doubt(comment)
    return found


def _created(row: dict[str, Any]) -> datetime:
    when = parse_datetime(row.get("created_at"))
    return when if when is not None else datetime.min.replace(tzinfo=timezone.utc)


def made_since(row: dict[str, Any], since: datetime | None) -> bool:
    """Was ``row`` made at or after ``since`` (always, when ``since`` is unknown)?"""
    return since is None or _created(row) >= since


# -- creates in doubt ----------------------------------------------------------------------


def lost_create(session: Session, obj: Entity) -> dict[str, Any] | None:
    """The row a create of ``obj`` whose answer was lost made, if it is on the server:
    made after the request was sent, unknown to the session, with ``obj``'s keys."""
    cls = type(obj)
    record = session.identity.doubt_of(obj)
    # The keys as sent: the object may have been edited since (a shot moved).
    sent = record.sent if record is not None and record.sent else None
    keys = {
        k: sent.get(k) if sent is not None else getattr(obj, k)
        for k in cls.__natural_key__
    }
    keys = {k: v for k, v in keys.items() if v is not None}
    if not keys:
        return None
    routes = routes_for(cls.__kitsu_type__)
    params = dict(routes.list_params)
    params.update({cls.__wire__[k]: str(v) for k, v in keys.items()})
    rows = session.transport.get(routes.list, params)
    rows = rows.get("data", []) if isinstance(rows, dict) else rows
    since = record.since if record is not None else None
    # Made by the lost request: after it was sent, and unknown to the session.
    matches = sorted(
        (
            r
            for r in rows
            if all(r.get(cls.__wire__[k]) == v for k, v in keys.items())
            and r["id"] not in session.identity
            and made_since(r, since)
        ),
        key=lambda r: (str(r.get("created_at") or ""), str(r["id"])),
    )
    if not matches or (since is None and len(matches) != 1):
        return None
    return dict(matches[0])
