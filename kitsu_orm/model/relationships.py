"""Relationship declarations: ``shot.sequence``, ``sequence.shots``, ``task.assignees``.

A relationship is a descriptor that knows its target type and the field
that links the two. It never sends a request itself: it asks the object's
session, whose loader fetches the relationship for every object loaded
alongside (see :mod:`kitsu_orm.loading`), so reading ``shot.tasks`` on one
shot of a query result costs one request for all of them.

A to-many relationship answers a :class:`RelatedList`: a list to read, whose
edits in place raise, since nothing would save them (``shot.tasks.append(t)``
would only change the list loaded). Those editable by assignment
(``task.assignees = [...]``) take a new list instead. The library's own
upkeep of loaded lists (a created task joins ``shot.tasks``) goes through
``list``'s methods.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar, overload

from ..errors import ValidationError
from .state import State, instance_state, related_of, require_session

if TYPE_CHECKING:
    from typing_extensions import Self

    from .base import Entity
    from .production import Asset

__all__ = [
    "Relationship",
    "ToOne",
    "ToMany",
    "ManyIds",
    "Casting",
    "Linked",
    "RelatedList",
    "unsaved_targets",
]

T = TypeVar("T")
# The target type of a relationship: ``ToOne[Sequence]``, ``ToMany[Task]``.
_T = TypeVar("_T", bound="Entity")


class RelatedList(list[T]):
    """The objects of a to-many relationship: a list for reading (indexing,
    iteration, ``len``, ``==`` with lists, ``+``, ``copy()``), whose methods that
    change it in place raise ValidationError saying what to do instead.

    A copy (``list(x)``, ``x.copy()``, ``copy.copy(x)``) is a plain list.
    """

    __slots__ = ("_relationship", "_owner")

    def __init__(self, items: Iterable[T], relationship: Relationship[Any], owner: str) -> None:
        super().__init__(items)
        self._relationship = relationship
        self._owner = owner

    def _refuse(self, *_: Any, **__: Any) -> NoReturn:
        """Refuse an edit in place: relationships change through their setters, so that the change
        is tracked."""
        raise ValidationError(self._relationship.in_place_message(self._owner))

    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __copy__(self) -> list[T]:
        return list(self)

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return (list, (list(self),))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Relationship(Generic[_T]):
    """Base of the relationship descriptors, generic in the target type.

    A declaration annotated with its type (``sequence: ToOne[Sequence] =
    ToOne("Sequence", "parent_id")``) tells type checkers what the attribute
    reads as (``Sequence | None``) and lets the constructor take it
    (``Shot(sequence=seq)``); the annotation is not an attrs field (see
    :func:`~kitsu_orm.model.declaration.entity`).
    """

    many: bool = False

    def __init__(self, target: str, key: str, *, scope: str | None = "project_id") -> None:
        self.target_name = target
        self.key = key
        # The field both sides share that bounds a wide batch to one request
        # (the project), when an IN-list of ids would not fit in a URL.
        self.scope = scope
        self.name = ""
        self.owner: type[Entity] | None = None
        self._target: type[Entity] | None = None

    def bind_owner(self, owner: type[Entity], name: str) -> None:
        """Called by ``@entity`` once the owner class exists: the relationship
        learns its class and its name."""
        self.owner = owner
        self.name = name

    @property
    def target(self) -> type[Entity]:
        """The class the relationship points at, resolved by name on first use
        (classes name each other before all exist), then kept: it is read for
        every object of every batch."""
        if self._target is None:
            from .declaration import REGISTRY

            self._target = REGISTRY[self.target_name]
        return self._target

    @property
    def polymorphic(self) -> bool:
        """Whether the target is any row of Zou's entities table (``task.entity``)."""
        return self.target_name == "EntityRow"

    def _targets_of(self, obj: Entity, value: Any) -> list[Any]:
        """The objects assigned to a to-many relationship, each checked to be a target."""
        values = list(value)
        for item in values:
            if not isinstance(item, self.target):
                raise ValidationError(
                    f"{type(obj).__name__}.{self.name} takes {self.target_name} objects, "
                    f"not {type(item).__name__}"
                )
        return values

    def in_place_message(self, owner: str) -> str:
        """Why the list this relationship answered cannot be edited, and what to do."""
        var = _snake(owner)
        return (
            f"{owner}.{self.name} cannot be changed in place: assign a new list "
            f"({var}.{self.name} = [*{var}.{self.name}, ...]) to change it"
        )

    def __repr__(self) -> str:
        owner = self.owner.__name__ if self.owner else "?"
        return f"<{type(self).__name__} {owner}.{self.name} -> {self.target_name}>"

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(self, obj: Entity, owner: type[Any]) -> Any: ...

    def __get__(self, obj: Entity | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        cache = instance_state(obj).related
        if cache is not None and self.name in cache:
            value = cache[self.name]
        else:
            value = require_session(obj).loader.load(self, obj)
        if type(value) is list:  # as the loader made it: handed out read-only from now on
            view = RelatedList(value, self, type(obj).__name__)
            if cache is None:
                cache = instance_state(obj).related
            if cache is not None and cache.get(self.name) is value:
                cache[self.name] = view
            return view
        return value


if TYPE_CHECKING:

    class _ListValued(Relationship[_T]):
        """Type checkers only: a to-many relationship reads as a :class:`RelatedList`
        (the base class's ``__get__``, unchanged at run time)."""

        @overload
        def __get__(self, obj: None, owner: type[Any]) -> Self: ...

        @overload
        def __get__(self, obj: Entity, owner: type[Any]) -> RelatedList[_T]: ...

        def __get__(self, obj: Entity | None, owner: type[Any]) -> Self | RelatedList[_T]: ...

else:
    _ListValued = Relationship


class ToOne(Relationship[_T]):
    """The object a foreign-key field points at: ``shot.sequence`` via ``parent_id``
    (None when the field is None).

    ``named_by`` names a field of the owner that holds the target's name, as Zou
    joins it into the owner's rows (a shot's ``sequence_name``): the targets the
    session lacks are then made of it, as partial objects, with no request, and
    complete themselves in one request for their batch when a field they lack is
    read (see ``Loader.complete``).
    """

    def __init__(
        self,
        target: str,
        key: str,
        *,
        scope: str | None = "project_id",
        named_by: str | None = None,
    ) -> None:
        super().__init__(target, key, scope=scope)
        self.named_by = named_by

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(self, obj: Entity, owner: type[Any]) -> _T | None: ...

    def __get__(self, obj: Entity | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        state = instance_state(obj)
        related = state.related
        pending = related.get(self.name) if related is not None else None
        if pending is not None and pending.id is None:
            return pending  # a new object, not created yet
        key = getattr(obj, self.key)
        if key is None or (pending is not None and pending.id == key):
            return pending
        session = state.session
        if session is not None:
            found = session.identity.get(key)
            if found is not None and isinstance(found, self._target or self.target):
                return found
        return require_session(obj).loader.load(self, obj)

    def __set__(self, obj: Entity, value: _T | None) -> None:
        if value is not None and not isinstance(value, self.target):
            raise ValidationError(
                f"{type(obj).__name__}.{self.name} takes a {self.target_name}, "
                f"not {type(value).__name__}"
            )
        state = instance_state(obj)
        # The id of an object: from the server, or checked when set.
        state.assign(obj, self.key, value.id if value is not None else None)
        # Kept so that a pending target's id can be filled in once created.
        state.related_cache()[self.name] = value


class ToMany(_ListValued[_T]):
    """Objects whose ``key`` field points back here: ``sequence.shots`` via ``parent_id``.

    ``via`` names a route that answers every parent of a scope with its
    children under ``via_key`` (Zou's "with-tasks" routes): used for batches
    too large for an IN-list, where it is much cheaper than the children's
    own list route.
    """

    many = True

    def __init__(
        self,
        target: str,
        key: str,
        *,
        scope: str | None = "project_id",
        via: str | None = None,
        via_key: str = "tasks",
        order_by: tuple[str, ...] = (),
    ) -> None:
        super().__init__(target, key, scope=scope)
        self.via = via
        self.via_key = via_key
        # The fields the children are sorted by (else: name, then creation).
        self.order_by = order_by

    def __set__(self, obj: Entity, value: NoReturn) -> NoReturn:
        raise AttributeError(
            f"{type(obj).__name__}.{self.name} is read-only: set "
            f"{self.target_name}.{self.key} on each object instead"
        )

    def in_place_message(self, owner: str) -> str:
        target = self.target
        back = next(
            (
                name
                for name, rel in target.__relationships__.items()
                if isinstance(rel, ToOne) and rel.key == self.key
            ),
            None,
        )
        child, parent = _snake(target.__name__), _snake(owner)
        if back is None:
            how = f"set {child}.{self.key} = {parent}.id on each {target.__name__}"
        else:
            how = (
                f"set {child}.{back} = {parent} "
                f"(or session.add({target.__name__}({back}={parent}, ...)))"
            )
        return f"{owner}.{self.name} is read-only: {how}"


class ManyIds(_ListValued[_T]):
    """Objects listed by id in a field of this one: ``task.assignees`` via ``assignees``.

    The field may list the objects' rows instead of their ids, as Zou embeds some
    (a comment's ``attachment_files`` on a task's comments). ``read_only`` says what
    to do instead of assigning a new list, for a list no update sends.
    """

    many = True

    def __init__(
        self, target: str, key: str, *, scope: str | None = "project_id", read_only: str = ""
    ) -> None:
        super().__init__(target, key, scope=scope)
        self.read_only = read_only

    def __set__(self, obj: Entity, value: Iterable[_T]) -> None:
        if self.read_only:
            raise AttributeError(f"{type(obj).__name__}.{self.name} is read-only: {self.read_only}")
        values = self._targets_of(obj, value)
        state = instance_state(obj)
        state.assign(obj, self.key, [item.id for item in values])
        state.related_cache()[self.name] = RelatedList(values, self, type(obj).__name__)


class Casting(_ListValued["Asset"]):
    """The assets cast in a shot: ``shot.assets``, loaded for a whole project at once."""

    many = True

    def __init__(self) -> None:
        super().__init__("Asset", "id", scope="project_id")

    DIRTY = "_casting_changed"

    def __set__(self, obj: Entity, value: Iterable[Asset]) -> None:
        values = self._targets_of(obj, value)
        cache = instance_state(obj).related_cache()
        cache[self.name] = RelatedList(values, self, type(obj).__name__)
        cache[self.DIRTY] = True


class Linked(_ListValued[_T]):
    """Objects tied by a link table the API shows per object only:
    ``shot.asset_instances``. Loaded with one request per object (Zou has
    no batch route for it); assigning a new list links and unlinks on commit.
    """

    many = True
    LOADED = "_linked_loaded"  # {name: ids as loaded}, the baseline of the next commit

    def __init__(self, target: str) -> None:
        super().__init__(target, "id", scope=None)

    def __set__(self, obj: Entity, value: Iterable[_T]) -> None:
        values = self._targets_of(obj, value)
        current = self.__get__(obj, type(obj))  # the baseline, loaded once
        del current
        related = instance_state(obj).related_cache()
        related[self.name] = RelatedList(values, self, type(obj).__name__)


def unsaved_targets(objs: Iterable[Entity]) -> Iterator[Entity]:
    """The objects never added to a session that ``objs`` point at through a to-one,
    and those they point at in turn, each once, each after what points at it: a
    commit creates them too (a new shot's new sequence)."""
    seen: set[int] = set()
    queue = list(objs)
    while queue:
        obj = queue.pop()
        for name, rel in type(obj).__relationships__.items():
            target = related_of(obj).get(name)
            if (
                isinstance(rel, ToOne)
                and target is not None  # a to-one holds an entity or None
                and target.state is State.TRANSIENT
                and id(target) not in seen
            ):
                seen.add(id(target))
                yield target
                queue.append(target)
