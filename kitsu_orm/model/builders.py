"""Entities built from the server's rows, fast: the read side of the converter.

A large load builds thousands of objects, so this skips what
``converter.structure(row, cls)`` would do per row (cattrs' dispatch, the
entity's ``__init__`` and tracked ``__setattr__``): a plan of each class's
slots fills new objects straight from the rows, by a loop for the first
rows, then by code generated for the class. The wire rules are the
converter's (:mod:`kitsu_orm.model.converter`).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

import attrs

from .base import Entity
from .state import InstanceState, State, copy_json
from .wire import PARTIAL, parse_date, parse_datetime

if TYPE_CHECKING:
    from ..session import Session

__all__ = ["structure_row", "prepare_structure", "positional_structure", "COMPILE_AFTER"]

E = TypeVar("E", bound=Entity)


_STRUCTURE: dict[type[Entity], Callable[[dict[str, Any], Session | None], Any]] = {}

# Builders come in two tiers. A loop over a plan of the fields serves the first
# rows of a class; past this many rows, or for a batch this large, a builder
# generated for the class (one straight line per field, three to four times
# faster) replaces it. Generating costs about half a millisecond a class: a
# script that reads a few rows never pays it.
COMPILE_AFTER = 200


def prepare_structure(cls: type[Entity], rows: int) -> None:
    """A batch of ``rows`` rows of ``cls`` is about to be built: a large one gets
    the generated builder now, not after the loop has built the first rows."""
    if rows >= COMPILE_AFTER and cls not in _GENERATED:
        _generate_structure(cls)


def _generate_structure(cls: type[Entity]) -> None:
    _STRUCTURE[cls] = _plan_of(cls).compiled_structure()
    _GENERATED.add(cls)


_GENERATED: set[type[Entity]] = set()


@attrs.frozen
class _Field:
    name: str
    setter: Callable[[Any, Any], None]
    wire: str
    # Datetimes and days come as strings: their parser, else None.
    parse: Callable[[Any], Any] | None
    factory: Callable[[], Any] | None
    default: Any
    # Whether a plain attribute store on the plan's twin class reaches the slot.
    plain: bool
    mutable: bool
    # A list of ids (``assignees``) is copied by ``list``, far faster than ``copy_json``.
    flat: bool


class _Plan:
    """How the rows of one class fill its slots: rows come from the server,
    already JSON-typed, and need no conversion but datetimes; going through
    ``__init__`` (and the tracked ``__setattr__``) would cost most of the time
    of a large load.

    Every builder takes the session the object is loaded into, or None: with
    a session, the object comes out as that session holds a loaded row,
    persistent with the copies of its mutable values taken (see
    ``InstanceState.mark_clean``), but not yet in its identity map.
    """

    def __init__(self, cls: type[Entity]) -> None:
        self.cls = cls
        self.fields: list[_Field] = []
        self.private: list[tuple[str, Callable[[Any, Any], None], Any]] = []
        # Its type's own kind of InstanceState (a class may keep more of its objects).
        self.state_class: Callable[..., InstanceState] = InstanceState
        self.set_state = _slot(cls, "_instance_state").__set__
        for field in attrs.fields(cls):
            slot = _slot(cls, field.name)
            if field.name == "_instance_state":
                self.state_class = field.default.factory
                continue
            if field.name.startswith("_"):
                self.private.append((field.name, slot.__set__, field.default))
                continue
            factory = field.default.factory if isinstance(field.default, attrs.Factory) else None  # type: ignore[arg-type]
            self.fields.append(_Field(
                field.name,
                slot.__set__,
                cls.__wire__.get(field.name, field.name),
                _parser(cls, field.name),
                factory,
                None if factory is not None else field.default,
                _class_attribute(cls, field.name) is slot,
                field.name in cls.__mutable_fields__,
                _is_flat_list(field.type),
            ))
        self.known = frozenset(cls.__from_wire__) | {"type", PARTIAL}
        self.twin: type[Entity] | None = None  # made with the first generated builder

    # -- the loop tier -----------------------------------------------------------------

    def counted_structure(self) -> Callable[[dict[str, Any], Session | None], Entity]:
        rows = 0

        def structure(row: dict[str, Any], session: Session | None) -> Entity:
            nonlocal rows
            rows += 1
            if rows == COMPILE_AFTER:
                _generate_structure(self.cls)
            return self.structure(row, session)

        return structure

    def structure(self, row: dict[str, Any], session: Session | None = None) -> Entity:
        obj = object.__new__(self.cls)
        partial = row.get(PARTIAL, False)
        for f in self.fields:
            value = row.get(f.wire, _MISSING)
            if value is not _MISSING:
                f.setter(obj, f.parse(value) if f.parse is not None else value)
            elif not partial:
                f.setter(obj, f.factory() if f.factory is not None else f.default)
        for _, setter, default in self.private:
            setter(obj, default)
        extra = None if self.known.issuperset(row) else {
            k: v for k, v in row.items() if k not in self.known
        }
        return self._loaded_into(obj, extra, session)

    def positional(
        self, columns: tuple[str, ...], keep_unknown: bool, *, compiled: bool
    ) -> Callable[[Sequence[Any], Session | None], Entity]:
        at = {name: i for i, name in enumerate(columns)}
        present = [(n, f, at[f.wire]) for n, f in enumerate(self.fields) if f.wire in at]
        unknown = [
            (name, i) for i, name in enumerate(columns)
            if keep_unknown and name not in self.cls.__from_wire__ and name != "type"
        ]
        if compiled:
            return self._compiled_positional(present, unknown)
        cls, private, loaded_into = self.cls, self.private, self._loaded_into

        def build(values: Sequence[Any], session: Session | None = None) -> Entity:
            obj = object.__new__(cls)
            for _, f, i in present:
                value = values[i]
                f.setter(obj, f.parse(value) if f.parse is not None else value)
            for _, setter, default in private:
                setter(obj, default)
            extra = {name: values[i] for name, i in unknown} if unknown else None
            return loaded_into(obj, extra, session)

        return build

    # -- the generated tier ------------------------------------------------------------

    def compiled_structure(self) -> Callable[[dict[str, Any], Session | None], Entity]:
        namespace = self._namespace(PARTIAL=PARTIAL, MISSING=_MISSING, known=self.known)
        lines = ["def structure(row, session=None):", "    obj = new(twin)", "    get = row.get",
                 "    partial = get(PARTIAL, False)", "    copies = {}"]
        for n, f in enumerate(self.fields):
            namespace[f"factory{n}"] = f.factory
            default = f"factory{n}()" if f.factory is not None else f"default{n}"
            value = f"v if v is None else parse{n}(v)" if f.parse is not None else "v"
            lines += [
                f"    v = get({f.wire!r}, MISSING)",
                "    if v is not MISSING:",
                f"        {self._store(n, f, value)}",
                "    elif not partial:",
                f"        v = {default}",
                f"        {self._store(n, f, 'v')}",
            ]
            if f.mutable:
                lines.append(
                    f"    if v is not MISSING and v is not None: copies[{f.name!r}] = {_copier(f)}(v)"
                )
        lines += [
            "    if known.issuperset(row):",
            "        extra = None",
            "    else:",
            "        extra = {k: v for k, v in row.items() if k not in known}",
        ]
        lines += self._finish_lines()
        return self._compile(lines, "structure", namespace)  # type: ignore[no-any-return]

    def _compiled_positional(
        self, present: list[tuple[int, _Field, int]], unknown: list[tuple[str, int]]
    ) -> Callable[[Sequence[Any], Session | None], Entity]:
        namespace = self._namespace()
        lines = ["def build(values, session=None):", "    obj = new(twin)", "    copies = {}"]
        for n, f, i in present:
            value = f"None if values[{i}] is None else parse{n}(values[{i}])" if f.parse is not None else (
                f"values[{i}]"
            )
            lines.append(f"    {self._store(n, f, value)}")
            if f.mutable:
                lines += [f"    v = values[{i}]",
                          f"    if v is not None: copies[{f.name!r}] = {_copier(f)}(v)"]
        pairs = ", ".join(f"{name!r}: values[{i}]" for name, i in unknown)
        lines.append(f"    extra = {{{pairs}}}" if unknown else "    extra = None")
        lines += self._finish_lines()
        return self._compile(lines, "build", namespace)  # type: ignore[no-any-return]

    def _loaded_into(
        self, obj: Entity, extra: dict[str, Any] | None, session: Session | None
    ) -> Entity:
        state = self.state_class(None, State.TRANSIENT, None, extra)
        self.set_state(obj, state)
        if session is not None:
            state.move_to(State.PERSISTENT, session)
            state.mark_clean(obj)
        return obj

    def _twin(self) -> type[Entity]:
        if self.twin is None:
            self.twin = _twin(self.cls)
        return self.twin

    def _store(self, n: int, f: _Field, value: str) -> str:
        return f"obj.{f.name} = {value}" if f.plain else f"set{n}(obj, {value})"

    def _finish_lines(self) -> list[str]:
        lines = [f"    obj.{name} = private{n}" for n, (name, _, _) in enumerate(self.private)]
        if self.state_class is InstanceState:
            # Filled slot by slot, as the object: a third of the cost of its __init__.
            # Every slot but these four starts as None.
            empty = [s for s in InstanceState.__slots__ if s not in _STATE_SET]
            lines += [
                "    state = new(InstanceState)",
                "    if session is None:",
                "        state.session, state.lifecycle, state.copies = None, TRANSIENT, None",
                "    else:",
                "        state.session, state.lifecycle = session, PERSISTENT",
                "        state.copies = copies or None",
                f"    state.{' = state.'.join(empty)} = None",
                "    state.extra = extra",
                "    obj._instance_state = state",
            ]
        else:
            lines += [
                "    if session is None:",
                "        obj._instance_state = new_state(None, TRANSIENT, None, extra)",
                "    else:",
                "        copies = copies or None",
                "        obj._instance_state = new_state(session, PERSISTENT, copies, extra)",
            ]
        return lines + [
            # The twin's work is done: the object takes its own class.
            "    obj.__class__ = cls",
            "    return obj",
        ]

    def _namespace(self, **extra: Any) -> dict[str, Any]:
        namespace: dict[str, Any] = {
            "new": object.__new__, "cls": self.cls, "twin": self._twin(),
            "copy": copy_json, "new_state": self.state_class, "InstanceState": InstanceState,
            "TRANSIENT": State.TRANSIENT, "PERSISTENT": State.PERSISTENT, **extra,
        }
        for n, f in enumerate(self.fields):
            namespace[f"set{n}"], namespace[f"default{n}"] = f.setter, f.default
            namespace[f"parse{n}"] = f.parse
        for n, (_, _, default) in enumerate(self.private):
            namespace[f"private{n}"] = default
        return namespace

    def _compile(self, lines: list[str], name: str, namespace: dict[str, Any]) -> Any:
        code = compile("\n".join(lines), f"<{name} {self.cls.__name__}>", "exec")
        exec(code, namespace)
        return namespace[name]


def _parser(cls: type[Entity], name: str) -> Callable[[Any], Any] | None:
    if name in cls.__datetime_fields__:
        return parse_datetime
    if name in cls.__date_fields__:
        return parse_date
    return None


def _copier(f: _Field) -> str:
    return "list" if f.flat else "copy"


def _is_flat_list(annotation: Any) -> bool:
    """Whether a field holds a list of plain values (``list[str] | None``)."""
    parts = typing.get_args(annotation) if typing.get_origin(annotation) in _UNIONS else (annotation,)
    lists = [p for p in parts if p is not type(None)]
    return len(lists) == 1 and typing.get_origin(lists[0]) is list and all(
        arg in (str, int, float, bool) for arg in typing.get_args(lists[0])
    )


_UNIONS = (typing.Union, types.UnionType)


def _twin(cls: type[Entity]) -> type[Entity]:
    """A subclass of ``cls`` with the same slots and the plain ``object.__setattr__``.

    A generated builder fills an object of the twin with plain attribute
    stores, which the interpreter specialises to a direct slot write (about
    three times faster than calling each slot's descriptor), then gives it
    its own class: the layouts are the same, so Python allows the switch.
    """
    return type(cls.__name__, (cls,), {
        "__slots__": (), "__setattr__": object.__setattr__, "__module__": cls.__module__,
    })


def _class_attribute(cls: type, name: str) -> Any:
    """What ``name`` is on the class, as an attribute store on an instance finds it."""
    for klass in cls.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    return None


_MISSING = object()
_STATE_SET = ("session", "lifecycle", "copies", "extra")
_PLANS: dict[type[Entity], _Plan] = {}


def _plan_of(cls: type[Entity]) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _Plan(cls)
    return plan


def positional_structure(
    cls: type[E], fields: tuple[str, ...], *, keep_unknown: bool, rows: int = 0
) -> Callable[[Sequence[Any], Session | None], E]:
    """A builder of partial ``cls`` objects from positional rows whose column
    names are ``fields`` (Zou's compact answers). Skipping the dict of each
    row halves the cost of a large load. Columns the class does not declare
    go to the state's ``extra`` with ``keep_unknown``, else are dropped; fields with no
    column are left unset (loaded on first read). ``rows`` is how many rows
    it will build: a large batch gets a generated builder. The builder takes
    the session the objects are loaded into (see :class:`_Plan`)."""
    key = (cls, fields, keep_unknown)
    build = _POSITIONAL.get(key)
    if build is None:
        build = _plan_of(cls).positional(fields, keep_unknown, compiled=rows >= COMPILE_AFTER)
        if rows >= COMPILE_AFTER:
            _POSITIONAL[key] = build
    return cast(Callable[[Sequence[Any], "Session | None"], E], build)


_POSITIONAL: dict[tuple[type[Entity], tuple[str, ...], bool], Callable[..., Any]] = {}


def _slot(cls: type, name: str) -> Any:
    """The slot descriptor that stores ``name`` (a class may shadow it with a property)."""
    for klass in cls.__mro__:
        found = vars(klass).get(name)
        if found is not None and type(found).__name__ == "member_descriptor":
            return found
    raise TypeError(f"{cls.__name__} has no slot {name!r}")  # pragma: no cover


def structure_row(row: dict[str, Any], cls: type[E], session: Session | None = None) -> E:
    """What ``converter.structure(row, cls)`` does, straight to the builder: reads
    then never import cattrs, nor pay for its dispatch on every row. With a
    session, the object comes out loaded into it (see :class:`_Plan`)."""
    build = _STRUCTURE.get(cls)
    if build is None:
        build = _STRUCTURE[cls] = _plan_of(cls).counted_structure()
    return cast(E, build(row, session))
