"""What an object is called: the words of its repr and of its row in a table.

Each entity class declares what tells its objects apart, as ``__shown__``
(a :class:`Shown`): a task is its type, its entity and its status, a shot its
name, sequence and frames. The words are read from what the session already
holds, and nothing else: a field not loaded is left out, a related object
not in the identity map reads as the short id its key holds. Building a
label never sends a request, so reprs and notebook tables are free::

    <Task Animation · SH010 · wip>
    <Shot SH010 (SQ01, 1-24)>
    <Task 3f2a1b2c · SH010 · wip>        # the task type is not loaded
"""

from __future__ import annotations

import reprlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .relationships import ManyIds, ToOne
from .state import State, instance_state, loaded_value, related_of

if TYPE_CHECKING:
    from .base import Entity

__all__ = [
    "Join",
    "Column",
    "Shown",
    "Span",
    "Unloaded",
    "describe",
    "resolve",
    "short_id",
    "title_of",
    "value_repr",
]

SEPARATOR = " · "
_NOT_LOADED: Any = object()
_LIMITS = reprlib.Repr()
_LIMITS.maxstring = 40


def short_id(id: str) -> str:
    """The first eight characters of an id: enough to tell objects apart when no
    name is loaded."""
    return id[:8]


@attrs.frozen
class Unloaded:
    """What a path reads as when the object it leads to is not loaded: its id, if known."""

    id: str | None

    def __str__(self) -> str:
        return short_id(self.id) if self.id else "?"


def resolve(obj: Entity, path: str) -> Any:
    """The value at a dotted path (``sequence.name``, ``data.frame_in``,
    ``assignees.full_name``) from what is loaded: an :class:`Unloaded` where
    a related object is not in the session, ``None`` where a link is empty,
    never a request. A to-many step answers a list."""
    head, _, rest = path.partition(".")
    cls = type(obj)
    rel = cls.__relationships__.get(head)
    if rel is None:
        value = loaded_value(obj, head, _NOT_LOADED)
        if value is _NOT_LOADED:
            return Unloaded(None)
        for key in rest.split(".") if rest else ():
            if not isinstance(value, Mapping):
                return None
            value = value.get(key)
        return value
    found = _related(obj, rel)
    if not rest or found is None or isinstance(found, Unloaded):
        return found
    if isinstance(found, list):
        return [resolve(o, rest) if not isinstance(o, Unloaded) else o for o in found]
    return resolve(found, rest)


def _related(obj: Entity, rel: Any) -> Any:
    """The object(s) a relationship points at, as loaded; Unloaded stand-ins otherwise."""
    given = related_of(obj).get(rel.name)
    if isinstance(rel, ToOne):
        key_value = loaded_value(obj, rel.key, _NOT_LOADED)
        if given is not None and (given.id is None or given.id == key_value):
            return given
        if key_value is _NOT_LOADED:
            return Unloaded(None)
        if key_value is None:
            return None
        return _lookup(obj, key_value) or Unloaded(key_value)
    if given is not None:
        return list(given)
    if isinstance(rel, ManyIds):  # ids in a field of ours: ``task.assignees``
        ids = loaded_value(obj, rel.key, _NOT_LOADED)
        if ids is _NOT_LOADED:
            return Unloaded(None)
        return [_lookup(obj, id) or Unloaded(id) for id in ids or ()]
    return Unloaded(None)  # a to-many list not loaded yet


def _lookup(obj: Entity, id: Any) -> Entity | None:
    """The object of this id in ``obj``'s session's identity map, if it is there."""
    identity = getattr(instance_state(obj).session, "identity", None)  # a repr never raises
    return identity.get(id) if identity is not None and isinstance(id, str) else None


def _text(value: Any, width: int | None = None) -> str | None:
    """A resolved value as words; None for nothing to show."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        parts = [_text(v) for v in value]
        return ", ".join(p for p in parts if p) or None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(type(value), "__shown__"):  # an object: by its own title
        return title_of(value) or None
    text = str(value)
    if width is not None and len(text) > width:
        text = text[: width - 1] + "…"
    return text


@attrs.frozen
class Column:
    """A part of a label read at a dotted path; ``a|b`` reads ``b`` when ``a`` is
    not loaded or empty; ``fmt`` formats the words (``"v{}"``), ``width`` cuts them.
    A path that ends on objects (``assignees``) reads as their titles."""

    path: str
    header: str | None = None
    fmt: str = "{}"
    width: int | None = None

    @property
    def title(self) -> str:
        """The column's header in a table."""
        return self.header or self.path.split("|")[0].split(".")[0]

    def value(self, obj: Entity) -> Any:
        """The first alternative that is loaded and not empty (else the first's)."""
        alternatives = self.path.split("|")
        first = resolve(obj, alternatives[0])
        if _text(first) is not None and not _has_unloaded(first):
            return first
        for other in alternatives[1:]:
            found = resolve(obj, other)
            if _text(found) is not None and not _has_unloaded(found):
                return found
        return first

    def text(self, obj: Entity) -> str | None:
        """The words this part shows of ``obj``, or None."""
        words = _text(self.value(obj), self.width)
        return None if words is None else self.fmt.format(words)


def _has_unloaded(value: Any) -> bool:
    if isinstance(value, list):
        return any(isinstance(v, Unloaded) for v in value)
    return isinstance(value, Unloaded)


@attrs.frozen
class Span:
    """Two values as a range: ``1-24`` (a shot's frames)."""

    start: str
    end: str
    header: str = "frames"

    @property
    def title(self) -> str:
        """The column's header in a table."""
        return self.header

    def value(self, obj: Entity) -> Any:
        """The range as words, or None when neither end is set."""
        return self.text(obj)

    def text(self, obj: Entity) -> str | None:
        """``start-end``; ``?`` for an end not set."""
        ends = [resolve(obj, p) for p in (self.start, self.end)]
        if all(e is None or isinstance(e, Unloaded) for e in ends):
            return None
        return "-".join("?" if e is None or isinstance(e, Unloaded) else str(e) for e in ends)


@attrs.frozen
class Join:
    """Several paths as one part (a person's first and last names), the empty ones left out."""

    paths: tuple[str, ...]
    header: str
    sep: str = " "

    @property
    def title(self) -> str:
        """The column's header in a table."""
        return self.header

    def value(self, obj: Entity) -> Any:
        """The joined words, or None."""
        return self.text(obj)

    def text(self, obj: Entity) -> str | None:
        """The paths' words, joined."""
        words = [_text(resolve(obj, p)) for p in self.paths]
        return self.sep.join(w for w in words if w and w != "?") or None


Part = Column | Span | Join


def _part(spec: str | Part) -> Part:
    return Column(spec) if isinstance(spec, str) else spec


class Shown:
    """What a type shows of its objects: ``title`` parts (joined by `` · ``), then
    ``details`` in brackets; ``more`` are shown in tables and cards only;
    ``thumbnail`` names the field of the preview shown in tables.

    ``Shown("task_type.name", "entity.name", "task_status.short_name")`` reads
    ``<Task Animation · SH010 · wip>``. A part is a path (see :class:`Column`),
    a :class:`Span` or a :class:`Join`.
    """

    __slots__ = ("title", "details", "more", "thumbnail")

    def __init__(
        self,
        *title: str | Part,
        details: tuple[str | Part, ...] = (),
        more: tuple[str | Part, ...] = (),
        thumbnail: str | None = None,
    ) -> None:
        self.title = tuple(_part(p) for p in title)
        self.details = tuple(_part(p) for p in details)
        self.more = tuple(_part(p) for p in more)
        # The field holding the id of the preview whose thumbnail stands for the object.
        self.thumbnail = thumbnail

    @property
    def columns(self) -> tuple[Part, ...]:
        """Every part, in the order a table shows them."""
        return (*self.title, *self.details, *self.more)

    def __repr__(self) -> str:
        return f"Shown({', '.join(p.title for p in self.columns)})"


def title_of(obj: Entity) -> str:
    """The title words of ``obj`` (``Animation · SH010 · wip``); its short id when
    none is loaded, ``""`` for a new object with none."""
    shown: Shown = type(obj).__shown__
    words = [p.text(obj) for p in shown.title]
    if any(w and w != "?" for w in words):
        return SEPARATOR.join(w or "?" for w in words)
    return short_id(obj.id) if obj.id else ""


def describe(obj: Entity) -> str:
    """The repr of an entity: ``<Shot SH010 (SQ01, 1-24)>``, with its lifecycle when
    it is not persistent (``(pending)``, ``(deleted)``...). Never a request."""
    shown: Shown = type(obj).__shown__
    parts = [type(obj).__name__]
    title = title_of(obj)
    if title:
        parts.append(title)
    details = [t for t in (p.text(obj) for p in shown.details) if t and t != "?"]
    if details:
        parts.append(f"({', '.join(details)})")
    lifecycle = instance_state(obj).lifecycle
    if lifecycle is not State.PERSISTENT:
        parts.append(f"({lifecycle.value})")
    return f"<{' '.join(parts)}>"


def value_repr(value: Any) -> str:
    """A plain value as a query or a card shows it: strings quoted, long ones cut."""
    return _LIMITS.repr(value)
