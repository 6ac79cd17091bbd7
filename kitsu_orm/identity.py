"""The identity map of a session: one object per id, and the objects a commit will
create or delete, or must settle first because an earlier write of theirs lost its
answer (*in doubt*).

Every container here changes only through the methods of :class:`IdentityMap`, under
its lock. The lock is held for microseconds, never over a request: loads of several
threads run side by side and still give one object per id, and the snapshots
(:meth:`~IdentityMap.objects`, :meth:`~IdentityMap.pending`...) are copies taken at one
instant. The session, its loader and its unit of work reach the map through
``session.identity``, the one door to these internals (SQLAlchemy's
``session._register_persistent`` and the like play that part there).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from .model.base import Entity, State
from .model.builders import structure_row
from .model.relationships import Casting, Linked
from .model.state import instance_state, is_loaded
from .model.wire import PARTIAL

if TYPE_CHECKING:
    from .doubts import Doubt
    from .session import Session

__all__ = ["IdentityMap"]

E = TypeVar("E", bound=Entity)


class IdentityMap:
    """The objects of one session: persistent ones by id, the pending (new) and the
    deleted ones in the order they were added, and the writes in doubt.

    ``lock`` guards them all; a caller that must see several of them at one instant
    (a review of the changes, a commit's plan) holds it around its reads.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.lock = threading.RLock()
        self._by_id: dict[str, Entity] = {}
        self._new: list[Entity] = []
        self._deleted: list[Entity] = []
        self._in_doubt: set[int] = set()  # id() of the objects
        self._doubts: dict[int, Doubt] = {}  # id() of the object -> its record
        # Rows the server changed on the side of our writes (a task's status moved by a
        # comment), to read again: by type, the ids.
        self._stale: dict[type[Entity], set[str]] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, id: object) -> bool:
        return id in self._by_id

    # -- lookups --------------------------------------------------------------------------

    def get(self, id: str) -> Entity | None:
        """The object with this id, if the session holds it; never a request."""
        return self._by_id.get(id)

    def found(self, ids: Iterable[str]) -> list[Entity]:
        """The objects of these ids that the session holds, in the order of ``ids``."""
        by_id = self._by_id
        return [by_id[i] for i in ids if i in by_id]

    def objects(self) -> list[Entity]:
        """The persistent objects, as a list this thread may iterate."""
        with self.lock:
            return list(self._by_id.values())

    def pending(self) -> list[Entity]:
        """The new objects, created on commit (a copy)."""
        with self.lock:
            return list(self._new)

    def deleted(self) -> list[Entity]:
        """The objects deleted on commit (a copy)."""
        with self.lock:
            return list(self._deleted)

    def dirty(self) -> list[Entity]:
        """The persistent objects with unsaved edits (a copy, taken at once)."""
        with self.lock:
            return [o for o in self._by_id.values() if o.state is State.PERSISTENT and o.changes()]

    def is_pending(self, obj: Entity) -> bool:
        """Is ``obj`` added and not created yet?"""
        with self.lock:
            return obj in self._new

    def is_deleted(self, obj: Entity) -> bool:
        """Is ``obj`` marked for deletion on the next commit?"""
        with self.lock:
            return obj in self._deleted

    def has_changes(self) -> bool:
        """Is anything new or deleted? (Edits: :meth:`dirty`.)"""
        return bool(self._new or self._deleted)

    # -- rows -------------------------------------------------------------------------------

    def merge_row(self, cls: type[E], row: dict[str, Any]) -> E:
        """The one object for this row: the map's, refreshed, or a new one. Fields the
        user edited keep the edit; the others take the news."""
        with self.lock:
            obj = self._by_id.get(row["id"])
            if obj is None:
                new = structure_row(row, cls, self.session)
                self._by_id[row["id"]] = new
                return new
            if obj.state in (State.PERSISTENT, State.DELETED):
                # A deleted one too: its delete is checked against the row as read.
                self.apply_row(obj, row, keep_edits=True)
            return obj  # type: ignore[return-value]

    def adopt(self, new: E) -> E:
        """Take an object just built loaded into the session (``structure_row(row,
        cls, session)``) into the map, and return it; if another thread put one there
        for the same id meanwhile, that one stays, and is returned instead."""
        with self.lock:
            return self._by_id.setdefault(new.id, new)  # type: ignore[arg-type, return-value]

    def apply_row(self, obj: Entity, row: dict[str, Any], *, keep_edits: bool = False) -> None:
        """Set ``obj``'s fields to the server's ``row`` (but the edited ones, with
        ``keep_edits``), and mark it clean."""
        cls = type(obj)
        with self.lock:
            edited = frozenset(obj.changes()) if keep_edits else frozenset()
            fresh = structure_row(row, cls)
            for wire_key in row:
                name = cls.__from_wire__.get(wire_key)
                if name is not None and name not in edited:
                    object.__setattr__(obj, name, object.__getattribute__(fresh, name))
            if not row.get(PARTIAL, False):
                # A full row completes a partial object: a field it does not carry
                # (a name some routes join in) takes its default, as when built of it.
                for name in cls.__fields__:
                    if cls.__wire__.get(name, name) not in row and not is_loaded(obj, name):
                        object.__setattr__(obj, name, object.__getattribute__(fresh, name))
            state, news = instance_state(obj), instance_state(fresh).extra
            if news:
                state.extra = {**(state.extra or {}), **news}
            state.mark_clean(obj, keep=edited)

    # -- registration -------------------------------------------------------------------------

    def register_pending(self, obj: Entity) -> None:
        """``obj`` is new: created on commit."""
        with self.lock:
            instance_state(obj).move_to(State.PENDING, self.session)
            self._new.append(obj)

    def register_persistent(self, obj: Entity) -> None:
        """``obj`` (which has an id) is the session's again, as loaded."""
        assert obj.id is not None
        with self.lock:
            instance_state(obj).move_to(State.PERSISTENT, self.session)
            self._by_id[obj.id] = obj

    def register_created(self, obj: Entity, row: dict[str, Any]) -> None:
        """``obj`` was created on the server, as ``row``: pending no more, persistent."""
        with self.lock:
            if obj in self._new:
                self._new.remove(obj)
            self.clear_doubt(obj)
            instance_state(obj).move_to(State.PERSISTENT, self.session)
            self.apply_row(obj, row)
            if obj.id:
                self._by_id[obj.id] = obj

    def register_deleted(self, obj: Entity) -> None:
        """``obj`` is deleted on commit; a pending one is simply forgotten."""
        with self.lock:
            if obj.state is State.PENDING:
                self._new.remove(obj)
                instance_state(obj).move_to(State.TRANSIENT, None)
            elif obj.state is State.PERSISTENT:
                instance_state(obj).move_to(State.DELETED, self.session)
                self._deleted.append(obj)

    def discard_pending(self, obj: Entity) -> None:
        """``obj`` is no longer to be created (its state is the caller's to set)."""
        with self.lock:
            if obj in self._new:
                self._new.remove(obj)

    def expunge(self, obj: Entity) -> None:
        """Stop tracking ``obj``: it is detached, and its changes no longer committed."""
        with self.lock:
            if obj in self._new:
                self._new.remove(obj)
            self.forget(obj)

    def forget(self, obj: Entity) -> None:
        """``obj`` was deleted on the server (or expunged): detached."""
        with self.lock:
            if obj in self._deleted:
                self._deleted.remove(obj)
            if obj.id is not None:
                self._by_id.pop(obj.id, None)
            instance_state(obj).move_to(State.DETACHED, None)

    def clear(self) -> None:
        """Detach every object."""
        with self.lock:
            for obj in [*self._by_id.values(), *self._new]:
                instance_state(obj).move_to(State.DETACHED, None)
            self._by_id.clear()
            self._new.clear()
            self._deleted.clear()

    def rollback(self) -> None:
        """Undo every uncommitted edit: loaded values come back, pending objects go,
        deleted ones are persistent again."""
        with self.lock:
            for obj in self._new:
                instance_state(obj).move_to(State.TRANSIENT, None)
            self._new.clear()
            for obj in self._deleted:
                instance_state(obj).move_to(State.PERSISTENT, self.session)
            self._deleted.clear()
            for obj in self._by_id.values():
                _undo_relationship_edits(obj)
                state, changes = instance_state(obj), obj.changes()
                if not changes and state.changes is None:
                    continue
                for name, (old, _new) in changes.items():
                    object.__setattr__(obj, name, old)
                state.mark_clean(obj)
                if changes:
                    state.related = None

    # -- rows changed on the side of our writes -------------------------------------------

    def mark_stale(self, cls: type[Entity], ids: Iterable[str]) -> None:
        """The server changed these rows on the side of a write of ours: read them again
        (until :meth:`clear_stale`), or a later write would take our own change for
        someone else's."""
        with self.lock:
            found = {i for i in ids if i}
            if found:
                self._stale.setdefault(cls, set()).update(found)

    def stale(self) -> dict[type[Entity], list[str]]:
        """The rows to read again, by type (a copy)."""
        with self.lock:
            return {cls: sorted(ids) for cls, ids in self._stale.items() if ids}

    def clear_stale(self, cls: type[Entity], ids: Iterable[str]) -> None:
        """These rows were read again."""
        with self.lock:
            left = self._stale.get(cls)
            if left is not None:
                left.difference_update(ids)
                if not left:
                    del self._stale[cls]

    # -- writes in doubt --------------------------------------------------------------------------

    def doubt(self, record: Doubt) -> None:
        """A write of ``record.obj`` may have been applied: remember what it was."""
        with self.lock:
            self._in_doubt.add(id(record.obj))
            self._doubts[id(record.obj)] = record

    def mark_in_doubt(self, objs: Iterable[Entity]) -> None:
        """A write of these objects may have been applied (no record of what it was)."""
        with self.lock:
            self._in_doubt.update(id(o) for o in objs)

    def is_in_doubt(self, obj: Entity) -> bool:
        """Did a write of ``obj`` lose its answer (to settle before sending again)?"""
        return id(obj) in self._in_doubt

    def doubt_of(self, obj: Entity) -> Doubt | None:
        """The record of ``obj``'s write in doubt, if any."""
        return self._doubts.get(id(obj))

    def doubts(self) -> list[Doubt]:
        """Every record of a write in doubt (a copy)."""
        with self.lock:
            return list(self._doubts.values())

    def pop_doubt(self, obj: Entity) -> Doubt | None:
        """Drop the record of ``obj``'s write in doubt (it stays in doubt), and return it."""
        with self.lock:
            return self._doubts.pop(id(obj), None)

    def trust(self, obj: Entity) -> None:
        """``obj``'s next write is safe to send again: in doubt no more (its record stays)."""
        with self.lock:
            self._in_doubt.discard(id(obj))

    def clear_doubt(self, obj: Entity) -> None:
        """``obj`` is settled: neither in doubt nor recorded."""
        with self.lock:
            self._doubts.pop(id(obj), None)
            self._in_doubt.discard(id(obj))


def _undo_relationship_edits(obj: Entity) -> None:
    """A casting (``shot.assets = [...]``) or a link list assigned since load is no
    field: rollback drops it, to be read again from the server when asked, so that
    the next commit does not send it."""
    related = instance_state(obj).related
    if not related:
        return
    cast = related.pop(Casting.DIRTY, None)
    baseline = related.get(Linked.LOADED, {})
    for name, rel in type(obj).__relationships__.items():
        if name not in related:
            continue
        if (isinstance(rel, Casting) and cast) or (
            isinstance(rel, Linked)
            and sorted(str(o.id) for o in related[name])
            != sorted(str(i) for i in baseline.get(name, []))
        ):
            del related[name]
