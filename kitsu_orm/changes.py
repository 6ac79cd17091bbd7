"""What a commit would send, as a review: ``print(session.changes())``.

::

    + <Shot SH999> in SQ01 (frame_in=1, frame_out=48)
    + <Comment> on SH010 Animation (task_status=wip, text='Blocking done, ple…')
    ~ <Shot SH010>  frame_out: 24 -> 34
    ~ <Shot SH010>  + data.note: 'x'
    ~ <Task SH010 Animation>  task_status: todo -> wip
    ~ <Task SH010 Animation>  assignees: +Ana Lima -Kenji Sato
    - <Shot SH005>

A :class:`ChangeSet` is built from what the session holds and nothing else:
related objects are named when they are loaded, shown by a short id when
not, and building it never sends a request. ``data`` dicts are diffed key
by key, foreign keys read as their relationship and the target's name.
"""

from __future__ import annotations

import html
import inspect
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import attrs

from .model.base import Entity, State
from .model.relationships import ManyIds, Relationship, ToOne, unsaved_targets
from .model.state import loaded_value, related_of

if TYPE_CHECKING:
    from .session import Session

__all__ = ["ABSENT", "Change", "ChangeSet", "FieldChange"]


class _Absent:
    """The old value of a key just added to a dict, or the new value of one removed."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()

_NEVER_SHOWN = frozenset({"id", "created_at", "updated_at"})
# The relationship a new object is shown "in" (or "on"), the first one set.
_PARENTS = ("sequence", "episode", "task", "project")
# Fields that make up the label, not repeated among a new object's fields.
_LABEL_FIELDS = frozenset({"name", "first_name", "last_name"})
_WIDTH = 40


@attrs.frozen
class FieldChange:
    """One changed field, or one key of a changed ``data`` dict.

    ``name`` is as shown (``frame_out``, ``data.fps``, ``assignees``,
    ``task_status``); ``field`` the object's attribute it comes from
    (``data``, ``assignee_ids``, ``task_status_id``). ``old`` is the value as
    loaded (:data:`ABSENT` for a key added, and for every field of a new
    object), ``new`` the value commit sends (:data:`ABSENT` for a key removed). ``text`` is the line's words.
    """

    name: str
    field: str
    old: Any
    new: Any
    text: str

    def __str__(self) -> str:
        return self.text


@attrs.frozen
class Change:
    """What commit does to one object: ``kind`` is ``"new"``, ``"dirty"`` or
    ``"deleted"``; ``fields`` are the changed fields of a dirty object, the
    fields set on a new one."""

    obj: Entity
    kind: str
    fields: tuple[FieldChange, ...]
    label: str
    summary: str = ""

    def lines(self) -> list[str]:
        """The change as diff lines (``+`` new, ``-`` deleted, ``~`` edited), for printing."""
        if self.kind == "new":
            return [f"+ {self.label}{self.summary}"]
        if self.kind == "deleted":
            return [f"- {self.label}"]
        return [f"~ {self.label}  {f.text}" for f in self.fields]

    def __str__(self) -> str:
        return "\n".join(self.lines())


class ChangeSet:
    """The changes of a session, in the order: new objects, edited ones, deleted ones.

    ``str()`` (and ``print()``) is the review; iterate for the :class:`Change`
    entries; ``len()`` counts objects; false when there is nothing to commit.
    """

    def __init__(self, changes: Sequence[Change]) -> None:
        self._changes = tuple(changes)

    @classmethod
    def of(cls, session: Session) -> ChangeSet:
        """The changes pending in ``session``, read from what it holds (no request)."""
        names = _Names(session)
        out = [_new(obj, names) for obj in _pending(session.new)]
        for obj in session.dirty:
            fields = _dirty_fields(obj, names)
            if fields:
                out.append(Change(obj, "dirty", tuple(fields), names.label(obj)))
        out += [Change(obj, "deleted", (), names.label(obj)) for obj in session.deleted]
        return cls(out)

    def __len__(self) -> int:
        return len(self._changes)

    def __iter__(self) -> Iterator[Change]:
        return iter(self._changes)

    def __getitem__(self, index: int) -> Change:
        return self._changes[index]

    def __bool__(self) -> bool:
        return bool(self._changes)

    def lines(self) -> list[str]:
        """Every change as diff lines, in order: what ``print(session.changes())`` shows."""
        return [line for change in self._changes for line in change.lines()]

    def __str__(self) -> str:
        return "\n".join(self.lines()) if self._changes else "(no changes)"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colours = {"+": "#1a7f37", "-": "#cf222e", "~": "#9a6700"}
        rows = [
            f'<span style="color:{colours.get(line[:1], "inherit")}">{html.escape(line)}</span>'
            for line in self.lines()
        ]
        return "<pre>" + ("\n".join(rows) or "(no changes)") + "</pre>"


# -- names ---------------------------------------------------------------------------------


class _Names:
    """Names of objects, from the session's identity map only."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, id: Any) -> Entity | None:
        return self.session.identity_get(id) if isinstance(id, str) else None

    def label(self, obj: Entity) -> str:
        name = self.name(obj, short_id=False)
        if name:
            return f"<{type(obj).__name__} {name}>"
        if obj.id is None:
            return f"<{type(obj).__name__}>"
        return f"<{type(obj).__name__} {obj.id[:8]}>"

    def name(self, obj: Entity, *, short_id: bool = True) -> str:
        """What people call ``obj``: a status's short name, a person's full name,
        a task's entity and type, else its name; a short id when none is loaded."""
        kind = type(obj).__kitsu_type__
        found: Any = None
        if kind == "TaskStatus":
            found = loaded_value(obj, "short_name") or loaded_value(obj, "name")
        elif kind == "Person":
            found = loaded_value(obj, "full_name") or " ".join(
                p for p in (loaded_value(obj, "first_name"), loaded_value(obj, "last_name")) if p
            )
        elif kind == "Task":
            parts = [
                self.of(obj, "entity", loaded_value(obj, "entity_id")),
                self.of(obj, "task_type", loaded_value(obj, "task_type_id")),
            ]
            found = " ".join(p for p in parts if p != "None")
        else:
            found = loaded_value(obj, "name")
        if found:
            return str(found)
        return (obj.id or "")[:8] if short_id else ""

    def of(self, owner: Entity, rel_name: str, id: Any, *, current: bool = True) -> str:
        """The name of what ``owner.<rel_name>`` points at when its key is ``id``
        (``current``: the key now, which may point at an object not created yet)."""
        target = related_of(owner).get(rel_name) if current else None
        if isinstance(target, Entity) and target.id == id:
            name = self.name(target) or f"new {type(target).__name__}"
            if target.state is State.TRANSIENT and owner.state is State.PERSISTENT:
                name += " (not added: commit refuses it)"  # only new objects bring theirs
            return name
        if id is None:
            return "None"
        found = self.find(id)
        return self.name(found) if found is not None else str(id)[:8]


# -- new objects ---------------------------------------------------------------------------


def _pending(new: list[Entity]) -> list[Entity]:
    """The session's new objects and the unsaved ones they point at, which commit creates too."""
    return [*reversed(list(unsaved_targets(new))), *new]  # created before what points at them


def _new(obj: Entity, names: _Names) -> Change:
    cls = type(obj)
    rels = _relationships_by_key(cls)
    parent_key, where = _parent(obj, names)
    defaults = _defaults(cls)
    fields: list[FieldChange] = []
    for name in cls.__wire__:
        if name in _NEVER_SHOWN or name in cls.__derived__ or name in _LABEL_FIELDS:
            continue
        if name == "project_id" or name == parent_key:
            continue
        if cls.__kitsu_type__ == "Task" and name in ("entity_id", "task_type_id"):
            continue  # in the label
        value = loaded_value(obj, name)
        rel = rels.get(name)
        pending = rel is not None and isinstance(related_of(obj).get(rel.name), Entity)
        if (value is None or value == defaults.get(name)) and not pending:
            continue
        if name in cls.__mutable_fields__ and isinstance(value, dict):
            for key, item in sorted(value.items(), key=lambda kv: str(kv[0])):
                shown = _data_name(cls, name, key)
                fields.append(FieldChange(shown, name, ABSENT, item, f"{shown}={_show(item)}"))
        elif isinstance(rel, ManyIds):
            people = _names_of(obj, rel, value or [], names)
            fields.append(
                FieldChange(rel.name, name, ABSENT, value, f"{rel.name}=[{', '.join(people)}]")
            )
        elif rel is not None:
            fields.append(
                FieldChange(
                    rel.name, name, ABSENT, value, f"{rel.name}={names.of(obj, rel.name, value)}"
                )
            )
        else:
            fields.append(FieldChange(name, name, ABSENT, value, f"{name}={_show(value)}"))
    # A comment's text reads best last, after its status.
    fields.sort(key=lambda f: f.name == "text")
    summary = where + (f" ({', '.join(f.text for f in fields)})" if fields else "")
    return Change(obj, "new", tuple(fields), names.label(obj), summary)


def _parent(obj: Entity, names: _Names) -> tuple[str | None, str]:
    """The key of the relationship a new object is shown in, and the words for it."""
    if type(obj).__kitsu_type__ == "Task":
        return None, ""
    relationships = type(obj).__relationships__
    for rel_name in _PARENTS:
        rel = relationships.get(rel_name)
        if not isinstance(rel, ToOne):
            continue
        key = loaded_value(obj, rel.key)
        if key is None and not isinstance(related_of(obj).get(rel_name), Entity):
            continue
        word = "on" if rel_name == "task" else "in"
        return rel.key, f" {word} {names.of(obj, rel_name, key)}"
    return None, ""


_DEFAULTS: dict[type[Entity], dict[str, Any]] = {}


def _defaults(cls: type[Entity]) -> dict[str, Any]:
    if cls not in _DEFAULTS:
        blank = cls()
        _DEFAULTS[cls] = {name: loaded_value(blank, name) for name in cls.__fields__}
    return _DEFAULTS[cls]


# -- edited objects ------------------------------------------------------------------------


def _dirty_fields(obj: Entity, names: _Names) -> list[FieldChange]:
    cls = type(obj)
    rels = _relationships_by_key(cls)
    out: list[FieldChange] = []
    for name, (old, new) in obj.changes().items():
        if name in cls.__derived__:
            continue  # never sent
        rel = rels.get(name)
        if isinstance(old, dict) or isinstance(new, dict):
            out.extend(_dict_diff(cls, name, old or {}, new or {}))
        elif isinstance(rel, ManyIds):
            before, after = list(old or []), list(new or [])
            added = [i for i in after if i not in before]
            removed = [i for i in before if i not in after]
            words = [f"+{n}" for n in _names_of(obj, rel, added, names)]
            words += [f"-{n}" for n in _names_of(obj, rel, removed, names, pending=False)]
            out.append(FieldChange(rel.name, name, old, new, f"{rel.name}: {' '.join(words)}"))
        elif rel is not None:
            was = names.of(obj, rel.name, old, current=False)
            text = f"{rel.name}: {was} -> {names.of(obj, rel.name, new)}"
            out.append(FieldChange(rel.name, name, old, new, text))
        else:
            out.append(FieldChange(name, name, old, new, f"{name}: {_show(old)} -> {_show(new)}"))
    return out


def _dict_diff(
    cls: type[Entity], field: str, old: dict[str, Any], new: dict[str, Any], prefix: str = ""
) -> list[FieldChange]:
    """A dict's changes key by key (sorted), nested dicts key by key too."""
    out: list[FieldChange] = []
    for key in sorted({*old, *new}, key=str):
        before, after = old.get(key, ABSENT), new.get(key, ABSENT)
        if before == after:
            continue
        shown = f"{prefix}.{key}" if prefix else _data_name(cls, field, key)
        if isinstance(before, dict) and isinstance(after, dict):
            out.extend(_dict_diff(cls, field, before, after, shown))
        elif before is ABSENT:
            out.append(FieldChange(shown, field, before, after, f"+ {shown}: {_show(after)}"))
        elif after is ABSENT:
            out.append(FieldChange(shown, field, before, after, f"- {shown}"))
        else:
            text = f"{shown}: {_show(before)} -> {_show(after)}"
            out.append(FieldChange(shown, field, before, after, text))
    return out


def _data_name(cls: type[Entity], field: str, key: str) -> str:
    """``data.fps``; a key the class shows as its own attribute (``shot.frame_out``)
    goes by that name."""
    if field == "data":
        attr = inspect.getattr_static(cls, key, None)
        if (
            attr is not None
            and not isinstance(attr, Relationship)
            and getattr(attr, "key", None) == key
            and hasattr(attr, "__get__")
        ):
            return key
    return f"{field}.{key}"


# -- shared --------------------------------------------------------------------------------


def _relationships_by_key(cls: type[Entity]) -> dict[str, Relationship[Any]]:
    """Foreign-key field -> the relationship it stands for (the first declared)."""
    out: dict[str, Relationship[Any]] = {}
    for rel in cls.__relationships__.values():
        if isinstance(rel, (ToOne, ManyIds)) and rel.key not in out:
            out[rel.key] = rel
    return out


def _names_of(
    obj: Entity, rel: Relationship[Any], ids: list[Any], names: _Names, *, pending: bool = True
) -> list[str]:
    """Names of the objects of a list of ids; a None id is an object not created yet."""
    unsaved = [
        o
        for o in related_of(obj).get(rel.name) or []
        if isinstance(o, Entity) and o.id is None
    ]
    out = []
    for id in ids:
        if id is None and pending and unsaved:
            out.append(names.name(unsaved.pop(0)) or f"new {rel.target_name}")
            continue
        found = names.find(id)
        out.append(names.name(found) if found is not None else str(id)[:8])
    return out


def _show(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    text = repr(value)
    return text if len(text) <= _WIDTH else text[: _WIDTH - 2] + "…" + text[-1]
