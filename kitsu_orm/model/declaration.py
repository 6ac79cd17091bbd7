"""The declaration of entity types: ``@entity(...)`` and the type registry.

``@entity("Shot", level=4, ...)`` makes a class an entity: an attrs class
whose fields are Zou's wire fields, registered in :data:`REGISTRY` under
Zou's ``type`` name (what a row's ``type`` says it is), with what the core
needs to know of the type worked out once, on the class (its wire names,
mutable fields, checks, relationships...), so that adding a type is one
class and one routes entry.
"""

from __future__ import annotations

import typing
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import ValidationError, did_you_mean
from .docstrings import document
from .fields import id_kind, is_derived, max_length, wire_name
from .values import check_for, check_plain

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform

    from .base import Entity
else:

    def dataclass_transform(**_: Any) -> Any:
        """Only for type checkers (typing has it from Python 3.11)."""
        return lambda decorator: decorator


__all__ = ["REGISTRY", "MISSING", "entity", "check_type", "is_row_of"]

REGISTRY: dict[str, type[Entity]] = {}
MISSING: Any = attrs.NOTHING


def is_row_of(
    cls: type[Entity], row: dict[str, Any], kinds: dict[str, str] | None = None
) -> bool:
    """Whether a row read for ``cls`` is one of its objects.

    Zou keeps episodes, sequences, shots, scenes, assets, edits and concepts in
    one table, and some answers hold rows of another of those kinds beside the
    asked one (a vendor's episodes list the scene a shot was made from): a row
    whose ``type`` names another kind of that table is not an object of ``cls``.
    Such answers may call every row a plain ``"Entity"``: ``kinds`` (entity type
    id -> name) tells their kind then; without it, they are kept.
    """
    kind = row.get("type")
    if kind == "Entity" and kinds is not None:
        kind = kinds.get(str(row.get("entity_type_id")), "Asset")
        kind = kind if kind in REGISTRY else "Asset"  # an asset type's own name
    if kind is None or kind == cls.__kitsu_type__:
        return True
    other, table = REGISTRY.get(kind), REGISTRY.get("EntityRow")
    return not (
        other is not None
        and table is not None
        and issubclass(cls, table)
        and issubclass(other, table)
    )


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
        document(new)
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
