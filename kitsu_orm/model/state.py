"""What the core keeps of each entity, behind one door.

An entity's attributes are Zou's fields and nothing else, so that no name of
the library's can clash with one the server sends. What the core keeps of an
object (its session and where it stands there, its values as loaded, the
related objects read, the fields its class does not declare, the objects
loaded with it) is one :class:`InstanceState` per object, reached through
:func:`instance_state`, as SQLAlchemy's ``attributes.instance_state()``
reaches its own. The session, the loader and the unit of work read and change
an object's bookkeeping there, and nowhere else.

Change tracking is by old value: the first assignment to a field of a loaded
object records the value it had, and a mutable value (a ``data`` dict, a list
of ids) is copied when loaded, so that edits in place are seen too.
``Entity.changes()`` compares both to the current values.
"""

from __future__ import annotations

import contextlib
import enum
import operator
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..errors import DetachedError

if TYPE_CHECKING:
    from ..session import Session
    from .base import Entity

__all__ = [
    "State",
    "InstanceState",
    "instance_state",
    "require_session",
    "related_of",
    "loaded_value",
    "is_loaded",
    "label",
    "copy_json",
]


class State(enum.Enum):
    """Where an object stands with its session."""

    TRANSIENT = "transient"  # made by the user, not added yet
    PENDING = "pending"  # added, to be created on commit
    PERSISTENT = "persistent"  # exists on the server, tracked
    DELETED = "deleted"  # marked for deletion, or deleted on commit
    DETACHED = "detached"  # no session (expunged, or its session closed)


_SAFE_STATES = (State.TRANSIENT, State.PENDING, State.PERSISTENT, State.DETACHED)
_NO_LOCK = contextlib.nullcontext()


class InstanceState:
    """The bookkeeping of one entity: what its session knows of it.

    - ``session``: the session it belongs to, or None.
    - ``lifecycle``: where it stands there (a :class:`State`).
    - ``changes``: ``{field: value as loaded}`` of the fields assigned since
      load, or None.
    - ``copies``: ``{field: copy as loaded}`` of its mutable values, or None.
    - ``related``: the objects its relationships answered or were given, by
      relationship name, or None.
    - ``extra``: the fields the server sent that its class does not declare,
      sent back unchanged on creation, or None.
    - ``group``: the objects loaded with it (a load group), whose lazy loads
      run together, or None.

    An object holds it in its one private slot: the builders of a large load
    make one per row, so it has slots and no back reference to its object
    (which would tie every loaded object into a reference cycle); the
    operations that read the object's values take it as an argument.
    """

    __slots__ = ("session", "lifecycle", "changes", "copies", "related", "extra", "group")

    def __init__(
        self,
        session: Session | None = None,
        lifecycle: State = State.TRANSIENT,
        copies: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.session = session
        self.lifecycle = lifecycle
        self.changes: dict[str, Any] | None = None
        self.copies = copies
        self.related: dict[str, Any] | None = None
        self.extra = extra
        self.group: list[Entity] | None = None
        self.start()

    def start(self) -> None:
        """Give a new object's own slots their first values: the states of the types
        that keep more (a comment's attachments, a playlist's edits) say which."""

    def move_to(self, lifecycle: State, session: Session | None) -> None:
        """The object now stands at ``lifecycle`` in ``session`` (None: in none)."""
        self.lifecycle = lifecycle
        self.session = session

    def related_cache(self) -> dict[str, Any]:
        """``related``, made on first use: for storing a relationship's objects."""
        cache = self.related
        if cache is None:
            cache = self.related = {}
        return cache

    def assign(self, obj: Entity, name: str, value: Any) -> None:
        """Set a field of ``obj`` (whose state this is) to a value known to be
        right, tracked as an edit: every assignment of a field ends here, that of
        a relationship's key (an id taken from an object) too."""
        lifecycle = self.lifecycle
        if lifecycle is State.DELETED:
            raise DetachedError(f"{obj!r} is deleted: it cannot be edited")
        if lifecycle is State.PERSISTENT:
            if name not in (self.changes or ()):
                getattr(obj, name)  # loads a deferred field first, outside the lock
            session = self.session
            # Under the session's lock: a load merging into this object in another
            # thread sees the edit and its old value together, and keeps both.
            with _NO_LOCK if session is None else session.identity.lock:
                changes = self.changes
                if changes is None:
                    changes = self.changes = {}
                if name not in changes:
                    # A mutable value may have been edited in place already: the
                    # value as loaded is the copy taken then.
                    copies = self.copies or {}
                    changes[name] = copies.get(name, object.__getattribute__(obj, name))
                object.__setattr__(obj, name, value)
        else:
            object.__setattr__(obj, name, value)
        related = self.related
        if related:
            for rel_name in type(obj).__key_relations__.get(name, ()):
                related.pop(rel_name, None)

    def mark_clean(self, obj: Entity, keep: frozenset[str] = frozenset()) -> None:
        """Take ``obj``'s current values as the server's, except the edits in ``keep``."""
        old_changes = self.changes or {}
        old_copies = self.copies or {}
        changes = {k: v for k, v in old_changes.items() if k in keep} or None
        copies = {k: v for k, v in old_copies.items() if k in keep}
        copies.update(_copies_of_mutables(obj, skip=keep))
        self.changes = changes
        self.copies = copies or None


# A getter made in C rather than a function: every relationship read goes through it.
instance_state: Callable[[Entity], InstanceState] = operator.attrgetter("_instance_state")


def require_session(obj: Entity) -> Session:
    """The session of ``obj``, for a load or an action on its behalf; a
    DetachedError when it has none to use (detached, deleted)."""
    state = instance_state(obj)
    session = state.session
    if session is None or state.lifecycle not in _SAFE_STATES:
        raise DetachedError(f"{obj!r} is not attached to a session")
    return session


def related_of(obj: Entity) -> Mapping[str, Any]:
    """The objects ``obj``'s relationships answered or were given, by relationship
    name, for reading (empty when none)."""
    return instance_state(obj).related or _NOTHING_RELATED


_NOTHING_RELATED: Mapping[str, Any] = MappingProxyType({})


def loaded_value(obj: Entity, name: str, default: Any = None) -> Any:
    """A field's value if it is loaded, without ever loading it (a partial row's
    missing field answers ``default``)."""
    try:
        return object.__getattribute__(obj, name)
    except AttributeError:
        return default


def is_loaded(obj: Entity, name: str) -> bool:
    """Whether a field is loaded (a partial row leaves some unset), without loading it."""
    try:
        object.__getattribute__(obj, name)
    except AttributeError:
        return False
    return True


def label(obj: Entity) -> str | None:
    """The name a person knows the object by, if loaded (never loads it): for
    messages and reprs."""
    return loaded_value(obj, "name") or loaded_value(obj, "full_name") or None


def _copies_of_mutables(obj: Entity, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Copies of the loaded mutable values (``data``...), to see in-place edits."""
    copies = {}
    for name in type(obj).__mutable_fields__:
        if name in skip:
            continue
        value = loaded_value(obj, name)
        if value is not None:
            copies[name] = copy_json(value)
    return copies


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-shaped data, much faster than copy.deepcopy."""
    kind = type(value)
    if kind is dict:
        return {k: v if type(v) in _SCALARS else copy_json(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _SCALARS else copy_json(v) for v in value]
    return value


_SCALARS = frozenset({str, int, float, bool, type(None)})
