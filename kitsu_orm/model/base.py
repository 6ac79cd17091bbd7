"""The Entity base: fields, state, change tracking, the type registry.

Entities are slotted attrs classes whose attribute names are Zou's wire
names (``parent_id``, ``task_status_id``...), so that what the server sends
maps one to one; relationships (``shot.sequence``) are descriptors declared
beside them. Fields the server sends that a class does not declare are kept
in ``_extra`` and sent back unchanged on creation.

Change tracking is by old value: the first assignment to a field of a
loaded object records the value it had, and a mutable value (a ``data``
dict, a list of ids) is copied when loaded, so that edits in place are seen
too. ``changes()`` compares both to the current values.
"""

from __future__ import annotations

import contextlib
import enum
import typing
from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from ..errors import DetachedError, ValidationError, did_you_mean
from .fields import id_kind, is_derived, max_length, wire_name
from .values import Check, check_for, check_plain

if TYPE_CHECKING:
    from typing_extensions import Self, dataclass_transform

    from ..query import Query
    from ..session import Session
else:

    def dataclass_transform(**_: Any) -> Any:
        """Only for type checkers (typing has it from Python 3.11)."""
        return lambda decorator: decorator


__all__ = ["Entity", "State", "REGISTRY", "entity", "MISSING", "copy_json"]

REGISTRY: dict[str, type[Entity]] = {}
MISSING: Any = attrs.NOTHING


class State(enum.Enum):
    """Where an object stands with its session."""

    TRANSIENT = "transient"  # made by the user, not added yet
    PENDING = "pending"  # added, to be created on commit
    PERSISTENT = "persistent"  # exists on the server, tracked
    DELETED = "deleted"  # marked for deletion, or deleted on commit
    DETACHED = "detached"  # no session (expunged, or its session closed)


_SAFE_STATES = (State.TRANSIENT, State.PENDING, State.PERSISTENT, State.DETACHED)
_NO_LOCK = contextlib.nullcontext()


if TYPE_CHECKING:

    @dataclass_transform(kw_only_default=True, field_specifiers=(attrs.field,))
    class _Declarative:
        """Type checkers only: entity classes are dataclass-like (PEP 681), their
        constructors taking their fields and relationships as keywords."""

else:
    _Declarative = object


@attrs.define(slots=True, eq=False, repr=False, kw_only=True, on_setattr=attrs.setters.NO_OP)
class Entity(_Declarative):
    """Base of every Kitsu entity class."""

    __kitsu_type__: ClassVar[str] = ""
    __fields__: ClassVar[frozenset[str]] = frozenset()
    __mutable_fields__: ClassVar[frozenset[str]] = frozenset()
    __field_types__: ClassVar[dict[str, tuple[type, ...]]] = {}
    __relationships__: ClassVar[dict[str, Any]] = {}
    __reference__: ClassVar[bool] = False
    __wire__: ClassVar[dict[str, str]] = {}
    __from_wire__: ClassVar[dict[str, str]] = {}
    __derived__: ClassVar[frozenset[str]] = frozenset()
    __key_relations__: ClassVar[dict[str, tuple[str, ...]]] = {}
    __datetime_fields__: ClassVar[frozenset[str]] = frozenset()
    __date_fields__: ClassVar[frozenset[str]] = frozenset()
    __checks__: ClassVar[dict[str, Check]] = {}
    # Column sizes of text fields (``fields.sized``): a longer value is refused when set.
    __max_lengths__: ClassVar[dict[str, int]] = {}
    # What a type declares of itself through ``@entity(...)`` (see there).
    __level__: ClassVar[int] = 10
    __natural_key__: ClassVar[tuple[str, ...]] = ()
    __get_or_create__: ClassVar[bool] = False
    __collection__: ClassVar[str | None] = None
    __bulk_tasks__: ClassVar[bool] = False

    id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    _extra: dict[str, Any] | None = attrs.field(default=None, init=False)
    _session: Session | None = attrs.field(default=None, init=False)
    _state: State = attrs.field(default=State.TRANSIENT, init=False)
    _changes: dict[str, Any] | None = attrs.field(default=None, init=False)
    _copies: dict[str, Any] | None = attrs.field(default=None, init=False)
    _related: dict[str, Any] | None = attrs.field(default=None, init=False)
    _group: Any = attrs.field(default=None, init=False)

    def __setattr__(self, name: str, value: Any) -> None:
        cls = type(self)
        if name not in cls.__fields__:
            object.__setattr__(self, name, value)
            return
        # The constructor sets every field through here too (attrs' __init__).
        check = cls.__checks__.get(name)
        if check is not None:
            value = check(cls, name, value)
        self._assign(name, value)

    def _assign(self, name: str, value: Any) -> None:
        """Set a field to a value known to be right (an id taken from an object),
        tracked as an edit like any assignment."""
        try:
            state = object.__getattribute__(self, "_state")
        except AttributeError:  # still in __init__
            object.__setattr__(self, name, value)
            return
        if state is State.DELETED:
            raise DetachedError(f"{self!r} is deleted: it cannot be edited")
        if state is State.PERSISTENT:
            if name not in (self._changes or ()):
                getattr(self, name)  # loads a deferred field first, outside the lock
            session = self._session
            # Under the session's lock: a load merging into this object in another
            # thread sees the edit and its old value together, and keeps both.
            with _NO_LOCK if session is None else session.identity.lock:
                changes = self._changes
                if changes is None:
                    changes = {}
                    object.__setattr__(self, "_changes", changes)
                if name not in changes:
                    # A mutable value may have been edited in place already: the
                    # value as loaded is the copy taken then.
                    copies = self._copies or {}
                    changes[name] = copies.get(name, object.__getattribute__(self, name))
                object.__setattr__(self, name, value)
        else:
            object.__setattr__(self, name, value)
        related = self._related
        if related:
            for rel_name in type(self).__key_relations__.get(name, ()):
                related.pop(rel_name, None)

    def __getattr__(self, name: str) -> Any:
        """Only called for a field not loaded yet (a partial row): load it, for the
        object and every partial object loaded alongside, in one request."""
        if name not in type(self).__fields__:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        session = object.__getattribute__(self, "_session")
        if session is None:
            raise DetachedError(
                f"{type(self).__name__}.{name} was not loaded and {self!r} has no session"
            )
        session.loader.complete(self)
        return object.__getattribute__(self, name)

    def _loaded(self, name: str, default: Any = None) -> Any:
        """A field's value if it is loaded, without ever loading it."""
        try:
            return object.__getattribute__(self, name)
        except AttributeError:
            return default

    def _label(self) -> str | None:
        """The name a person knows the object by, if loaded (never loads it)."""
        return self._loaded("name") or self._loaded("full_name") or None

    def __repr__(self) -> str:
        label = self._label() or ""
        short = (self.id or "new")[:8]
        extra = f" {label}" if label else ""
        flag = "" if self._state is State.PERSISTENT else f" ({self._state.value})"
        return f"<{type(self).__name__}{extra} {short}{flag}>"

    # -- class-level queries, on the current session --------------------------------

    @classmethod
    def where(cls, *, session: Session | None = None, **conditions: Any) -> Query[Self]:
        """A query of this type: ``Shot.where(sequence=seq)``."""
        from ..query import Query

        return Query(cls, session=session).where(**conditions)

    @classmethod
    def query(cls, *, session: Session | None = None) -> Query[Self]:
        """A query of this type with no condition yet: ``Shot.query().order_by("name")``."""
        from ..query import Query

        return Query(cls, session=session)

    @classmethod
    def get(cls, id: str, *, session: Session | None = None) -> Self:
        """The object with this id (one request, unless the session has it)."""
        from ..context import current_session

        return (session or current_session()).get(cls, id)

    @classmethod
    def get_or_create(
        cls,
        *,
        defaults: dict[str, Any] | None = None,
        session: Session | None = None,
        commit: bool = False,
        **keys: Any,
    ) -> Self:
        """The object matching ``keys`` (``Shot.get_or_create(sequence=seq, name="SH01")``),
        else a new one made of ``keys`` and ``defaults``.

        A new object is pending, created on the next commit like any other
        (asking again before that answers the same pending object); with
        ``commit=True`` it is created at once, with the pending objects it
        points at and nothing else of the session (``session.commit(only=[obj])``).
        Zou has no atomic get-or-create: two clients racing may both create.
        """
        from ..context import current_session

        session = session or current_session()
        for pending in session.new:
            if isinstance(pending, cls) and all(getattr(pending, k) == v for k, v in keys.items()):
                return pending
        # A key that is itself pending (a new sequence) matches nothing on the server yet.
        if not any(isinstance(v, Entity) and v.id is None for v in keys.values()):
            found = cls.where(session=session, **keys).first()
            if found is not None:
                return found
        obj = cls(**keys, **(defaults or {}))
        _inherit_project(obj)
        session.add(obj)
        if commit:
            session.commit(only=[obj])
        return obj

    # -- state ------------------------------------------------------------------------

    @property
    def session(self) -> Session | None:
        """The session this object belongs to, or None when detached."""
        return self._session

    @property
    def state(self) -> State:
        """Where the object stands with its session (pending, persistent, deleted...)."""
        return self._state

    def changes(self) -> dict[str, tuple[Any, Any]]:
        """Fields changed since load: ``{name: (old, new)}``."""
        out: dict[str, tuple[Any, Any]] = {}
        for name, old in (self._changes or {}).items():
            new = object.__getattribute__(self, name)
            if new != old:
                out[name] = (old, new)
        for name, old in (self._copies or {}).items():
            if name in out:
                continue
            new = object.__getattribute__(self, name)
            if new != old:
                out[name] = (old, new)
        return out

    @property
    def is_modified(self) -> bool:
        """Whether a commit would send something for this object's fields."""
        return bool(self.changes())

    def _mark_clean(self, keep: frozenset[str] = frozenset()) -> None:
        """Take the current values as the server's, except the edits in ``keep``."""
        old_changes = self._changes or {}
        old_copies = self._copies or {}
        changes = {k: v for k, v in old_changes.items() if k in keep} or None
        copies = {k: v for k, v in old_copies.items() if k in keep}
        copies.update(self._copies_of_mutables(skip=keep))
        object.__setattr__(self, "_changes", changes)
        object.__setattr__(self, "_copies", copies or None)

    def _snapshot(self) -> None:
        """``_mark_clean()`` for a just-built object, which has no edits to keep."""
        object.__setattr__(self, "_copies", self._copies_of_mutables() or None)

    def _copies_of_mutables(self, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
        """Copies of the loaded mutable values (``data``...), to see in-place edits."""
        copies = {}
        for name in type(self).__mutable_fields__:
            if name in skip:
                continue
            value = self._loaded(name)
            if value is not None:
                copies[name] = copy_json(value)
        return copies

    def _set_state(self, state: State, session: Session | None) -> None:
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "_session", session)

    def _related_cache(self) -> dict[str, Any]:
        cache = self._related
        if cache is None:
            cache = {}
            object.__setattr__(self, "_related", cache)
        return cache

    def _require_session(self) -> Session:
        if self._session is None or self._state not in _SAFE_STATES:
            raise DetachedError(f"{self!r} is not attached to a session")
        return self._session


def _inherit_project(obj: Entity) -> None:
    """A new child of a loaded parent belongs to the parent's project (create routes need it)."""
    if "project_id" not in type(obj).__fields__ or getattr(obj, "project_id", None):
        return
    for parent in (obj._related or {}).values():
        project_id = getattr(parent, "project_id", None) if isinstance(parent, Entity) else None
        if isinstance(project_id, str):
            obj.__setattr__("project_id", project_id)
            return


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-shaped data, much faster than copy.deepcopy."""
    kind = type(value)
    if kind is dict:
        return {k: v if type(v) in _SCALARS else copy_json(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _SCALARS else copy_json(v) for v in value]
    return value


_SCALARS = frozenset({str, int, float, bool, type(None)})


def check_type(cls: type[Entity], name: str, value: Any) -> None:
    """Raise ValidationError unless ``value`` is of a type the field declares."""
    if name in cls.__field_types__:
        check_plain(cls, name, value)


def _allowed_types(annotation: Any) -> tuple[type, ...] | None:
    """Runtime isinstance types for a field annotation; None when anything goes."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        parts: list[type] = []
        for arg in typing.get_args(annotation):
            sub = _allowed_types(arg)
            if sub is None:
                return None
            parts.extend(sub)
        return tuple(parts)
    if annotation is type(None):
        return (type(None),)
    if origin is not None:
        return (origin,) if isinstance(origin, type) else None
    if annotation is Any or not isinstance(annotation, type):
        return None
    if annotation is datetime:
        return (datetime, date)
    return (annotation,)


_E = typing.TypeVar("_E", bound="Entity")


@dataclass_transform(kw_only_default=True, field_specifiers=(attrs.field,))
def entity(
    type_name: str,
    *,
    reference: bool = False,
    level: int | None = None,
    natural_key: tuple[str, ...] | None = None,
    get_or_create: bool | None = None,
    collection: str | None = None,
    bulk_tasks: bool | None = None,
) -> typing.Callable[[type[_E]], type[_E]]:
    """Make a class an entity: attrs, registered under Zou's ``type`` name.

    What the core needs to know of a type is declared here, on the class,
    so that adding a type is one class and one routes entry:

    - ``reference`` marks small studio-wide tables (task types, statuses...)
      that are loaded whole, once, instead of by id.
    - ``level``: where its creates come in a commit, parents before children
      (deletes in reverse); types of one level never depend on each other.
      Undeclared: 10, after every type of the library.
    - ``natural_key``: the fields that tell a new object from its siblings,
      used to find a create whose answer was lost.
    - ``get_or_create``: Zou's create route answers the existing row of the
      same name and parent instead of creating one (a commit checks first).
    - ``collection``: the word Zou's per-kind routes use for the type
      (``shots`` in ``data/user/shots/{id}/tasks``).
    - ``bulk_tasks``: Zou's create-tasks action takes ids of this type, so
      that new plain tasks on them go in one request per task type.

    An option left out keeps the value of the base class.
    """

    def wrap(cls: type[_E]) -> type[_E]:
        _drop_descriptor_annotations(cls)
        new = attrs.define(
            cls, slots=True, eq=False, repr=False, kw_only=True, on_setattr=attrs.setters.NO_OP
        )
        _resolve_types(new)
        public = [f for f in attrs.fields(new) if not f.name.startswith("_")]
        new.__kitsu_type__ = type_name
        new.__reference__ = reference
        if level is not None:
            new.__level__ = level
        if natural_key is not None:
            unknown = [k for k in natural_key if k not in {f.name for f in public}]
            if unknown:
                raise TypeError(f"{cls.__name__}: natural_key names no field {unknown[0]!r}")
            new.__natural_key__ = tuple(natural_key)
        if get_or_create is not None:
            new.__get_or_create__ = get_or_create
        if collection is not None:
            new.__collection__ = collection
        if bulk_tasks is not None:
            new.__bulk_tasks__ = bulk_tasks
        new.__fields__ = frozenset(f.name for f in public)
        types = {f.name: _allowed_types(f.type) for f in public}
        new.__field_types__ = {k: v for k, v in types.items() if v is not None}
        new.__mutable_fields__ = frozenset(
            f.name
            for f in public
            if typing.get_origin(f.type) in (dict, list) or _is_optional_of(f.type, (dict, list))
        )
        relationships = {}
        for klass in reversed(new.__mro__):
            for name, value in vars(klass).items():
                if hasattr(value, "bind_owner"):
                    relationships[name] = value
        new.__relationships__ = relationships
        for name, rel in relationships.items():
            rel.bind_owner(new, name)
        new.__wire__ = {f.name: wire_name(f) for f in public}
        limits = {f.name: max_length(f) for f in public}
        new.__max_lengths__ = {k: v for k, v in limits.items() if v is not None}
        new.__from_wire__ = {v: k for k, v in new.__wire__.items()}
        new.__derived__ = frozenset(f.name for f in public if is_derived(f))
        new.__datetime_fields__ = frozenset(
            f.name for f in public if datetime in (types.get(f.name) or ())
        )
        new.__date_fields__ = frozenset(
            f.name
            for f in public
            if date in (types.get(f.name) or ()) and f.name not in new.__datetime_fields__
        )
        keys: dict[str, list[str]] = {}
        for name, rel in relationships.items():
            keys.setdefault(rel.key, []).append(name)
        new.__key_relations__ = {k: tuple(v) for k, v in keys.items()}
        checks = {f.name: check_for(f.name, types[f.name], id_kind(f)) for f in public}
        new.__checks__ = {k: v for k, v in checks.items() if v is not None}
        _check_keywords(new)
        REGISTRY[type_name] = new
        return new

    return wrap


def _drop_descriptor_annotations(cls: type) -> None:
    """Relationships and other descriptors are annotated for type checkers
    (``sequence: ToOne[Sequence] = ToOne(...)``: the constructor takes them and
    ``shot.sequence`` reads as a ``Sequence | None``), but they are not fields:
    their annotations go before attrs reads the class, which keeps them as the
    class attributes they are."""
    annotations = cls.__dict__.get("__annotations__")
    if not annotations:
        return
    for name, value in vars(cls).items():
        if name in annotations and hasattr(type(value), "__set__"):
            del annotations[name]


# Names annotations use that are imported for type checkers only.
_LOCALNS: dict[str, Any] = {"Session": object}
_HINTS: dict[tuple[Any, str], Any] = {}


def _resolve_types(cls: type[Entity]) -> None:
    """Do what ``attrs.resolve_types(cls, localns=_LOCALNS)`` does, for a tenth of the cost.

    Its ``typing.get_type_hints(cls)`` evaluates every annotation of the class
    and of its bases (ClassVars included), compiling each string anew: a
    third of the time of building the entity classes at import. The few
    distinct annotations are evaluated once here, still by get_type_hints.
    """
    # The most derived annotation of a name wins, as in get_type_hints.
    declared: dict[str, tuple[Any, str]] = {}
    for klass in reversed(cls.__mro__):
        module = klass.__module__
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            declared[name] = (annotation, module)
    for field in attrs.fields(cls):
        if field.name in declared:
            hint = _hint(*declared[field.name])
            object.__setattr__(field, "type", hint)  # as attrs does: fields are frozen
    # attrs' mark of a resolved class: attrs.resolve_types(cls) is then a no-op.
    cls.__attrs_types_resolved__ = cls  # type: ignore[attr-defined]


def _hint(annotation: Any, module: str) -> Any:
    key = (annotation, module)
    try:
        return _HINTS[key]
    except KeyError:
        cache = True
    except TypeError:  # an unhashable annotation object: evaluated each time
        cache = False
    # A class of this one annotation in the same module: evaluated as on the entity.
    holder = type("_Hint", (), {"__annotations__": {"hint": annotation}, "__module__": module})
    hint = typing.get_type_hints(holder, localns=_LOCALNS, include_extras=True)["hint"]
    if cache:
        _HINTS[key] = hint
    return hint


def _check_keywords(cls: type[Entity]) -> None:
    """Let the constructor take relationships and properties too
    (``Shot(sequence=seq, frame_in=1)`` as well as ``Shot(parent_id=...)``), and
    answer a mistyped keyword with a ValidationError that suggests the right one."""
    settable = frozenset(
        name
        for klass in cls.__mro__
        for name, value in vars(klass).items()
        if hasattr(value, "__set__")
        and not name.startswith("_")
        and name not in cls.__fields__
        and not isinstance(value, property)
    )
    accepted = cls.__fields__ | settable
    fields_init = cls.__init__

    def __init__(self: Entity, **kwargs: Any) -> None:
        if not accepted.issuperset(kwargs):
            unknown = sorted(kwargs.keys() - accepted)
            raise ValidationError(
                f"{cls.__name__} has no field {unknown[0]!r}"
                f"{did_you_mean(unknown[0], accepted | cls.__relationships__.keys())}"
            )
        later = {k: kwargs.pop(k) for k in settable & kwargs.keys()} if settable else None
        fields_init(self, **kwargs)
        if later:
            for name, value in later.items():
                setattr(self, name, value)

    __init__.__doc__ = fields_init.__doc__
    cls.__init__ = __init__  # type: ignore[method-assign]


def _is_optional_of(annotation: Any, kinds: tuple[type, ...]) -> bool:
    return any(
        typing.get_origin(arg) in kinds or arg in kinds for arg in typing.get_args(annotation)
    )


def iter_fields(obj: Entity) -> Iterator[tuple[str, Any]]:
    """``(name, value)`` of every loaded field, for unstructuring without attrs' overhead."""
    for name in type(obj).__fields__:
        yield name, object.__getattribute__(obj, name)
