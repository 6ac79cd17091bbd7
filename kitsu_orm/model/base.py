"""The Entity base class: an object of Zou's whose attributes are its wire fields.

Entities are slotted attrs classes whose attribute names are Zou's wire
names (``parent_id``, ``task_status_id``...), so that what the server sends
maps one to one; relationships (``shot.sequence``) are descriptors declared
beside them. Their one private slot holds what the core keeps of them (see
:mod:`kitsu_orm.model.state`); the types are declared with ``@entity``
(see :mod:`kitsu_orm.model.declaration`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from ..errors import DetachedError
from .declaration import MISSING, REGISTRY, check_type, entity
from .labels import Shown, describe
from .state import InstanceState, State, copy_json, related_of
from .values import Check

if TYPE_CHECKING:
    from typing_extensions import Self, dataclass_transform

    from ..query import Query
    from ..session import Session


# The names of the declaration and the state are importable from here too, as before
# they had modules of their own.
__all__ = ["Entity", "State", "REGISTRY", "entity", "MISSING", "copy_json", "check_type"]


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
    # Fields the server sets itself when others are written (a descriptor's field_name
    # follows its name): a change of them in a PUT's answer is no one else's.
    __follows__: ClassVar[dict[str, tuple[str, ...]]] = {}
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
    # What its repr and its row in a notebook table show (see ``labels.Shown``).
    __shown__: ClassVar[Shown] = Shown("name")

    # First, so that the constructor has made it when it sets the fields.
    _instance_state: InstanceState = attrs.field(init=False, factory=InstanceState)

    id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def __setattr__(self, name: str, value: Any) -> None:
        cls = type(self)
        if name not in cls.__fields__:
            object.__setattr__(self, name, value)
            return
        # The constructor sets every field through here too (attrs' __init__).
        check = cls.__checks__.get(name)
        if check is not None:
            value = check(cls, name, value)
        try:
            state = self._instance_state
        except AttributeError:  # in __init__, before a subclass's own state is made
            object.__setattr__(self, name, value)
            return
        state.assign(self, name, value)

    def __getattr__(self, name: str) -> Any:
        """Only called for a field not loaded yet (a partial row): load it, for the
        object and every partial object loaded alongside, in one request."""
        if name not in type(self).__fields__:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        session = self._instance_state.session
        if session is None:
            raise DetachedError(
                f"{type(self).__name__}.{name} was not loaded and {self!r} has no session"
            )
        session.loader.complete(self)
        return object.__getattribute__(self, name)

    def __repr__(self) -> str:
        return describe(self)

    def _repr_html_(self) -> str:
        """Jupyter's display: a card of the loaded fields and relationships (no request)."""
        from .cards import entity_html

        return entity_html(self)

    def __dir__(self) -> list[str]:
        """Fields and relationships first among the names, for tab completion."""
        cls = type(self)
        names = set(object.__dir__(self)) | cls.__fields__ | cls.__relationships__.keys()
        return sorted(n for n in names if not n.startswith("_") or n.startswith("__"))

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
        return self._instance_state.session

    @property
    def state(self) -> State:
        """Where the object stands with its session (pending, persistent, deleted...)."""
        return self._instance_state.lifecycle

    def changes(self) -> dict[str, tuple[Any, Any]]:
        """Fields changed since load: ``{name: (old, new)}``."""
        state = self._instance_state
        out: dict[str, tuple[Any, Any]] = {}
        for name, old in (state.changes or {}).items():
            new = object.__getattribute__(self, name)
            if new != old:
                out[name] = (old, new)
        for name, old in (state.copies or {}).items():
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


def _inherit_project(obj: Entity) -> None:
    """A new child of a loaded parent belongs to the parent's project (create routes need it)."""
    if "project_id" not in type(obj).__fields__ or getattr(obj, "project_id", None):
        return
    for parent in related_of(obj).values():
        project_id = getattr(parent, "project_id", None) if isinstance(parent, Entity) else None
        if isinstance(project_id, str):
            obj.__setattr__("project_id", project_id)
            return
