"""Query: ``Asset.where(project=p, asset_type=t).include("tasks").all()``.

Queries are immutable and validated when built: an unknown field, a value
of the wrong type or an entity of the wrong type raises ValidationError
before any request (Zou silently ignores unknown filters, so a typo would
otherwise return everything). A query compiles to the type's list route
with equality and IN-list filters; every filter is checked again on the
rows that come back, which makes ``name`` exact (Zou matches it without
case, with wildcards) and makes filters on ``None`` work (Zou has no null
filter). Sorting, and limits where the route cannot page, are done locally.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from .context import current_session
from .display import ResultList, query_html, query_repr
from .errors import NotFound, ValidationError, did_you_mean
from .model.base import Entity, check_type
from .model.relationships import ManyIds, ToMany, ToOne
from .model.wire import format_datetime
from .progress import loading
from .routes import routes_for

if TYPE_CHECKING:
    from .session import Session

__all__ = ["Query", "MultipleResultsFound"]

E = TypeVar("E", bound=Entity)


class MultipleResultsFound(ValidationError):
    """``.one()`` matched more than one object."""


@attrs.frozen
class Filter:
    """One validated condition: ``field`` (attribute name) against ``values``."""

    field: str
    values: tuple[Any, ...]
    many: bool  # the field holds a list of ids (``assignees``): match membership
    server: bool  # Zou can apply it
    # As the user wrote it (``project`` and the project object), for reprs only.
    name: str = attrs.field(default="", eq=False)
    shown: tuple[Any, ...] = attrs.field(default=(), eq=False)

    def matches(self, obj: Entity) -> bool:
        """Whether a loaded object passes this filter, for filters applied here, not by the
        server."""
        current = getattr(obj, self.field)
        if self.many:
            return any(v in (current or ()) for v in self.values)
        return current in self.values


@attrs.frozen(repr=False)
class Query(Generic[E]):
    """A query of one entity type: immutable (each method answers a new one), validated when built,
    run by its session when read."""

    cls: type[E]
    session: Session | None = attrs.field(default=None, eq=False)
    filters: tuple[Filter, ...] = ()
    includes: tuple[str, ...] = ()
    lazy_paths: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ()
    max_rows: int | None = None

    # -- building ------------------------------------------------------------------------

    def where(self, **conditions: Any) -> Query[E]:
        """A new query with these conditions added (AND); the query itself is unchanged."""
        new = [self._filter(name, value) for name, value in conditions.items()]
        return attrs.evolve(self, filters=(*self.filters, *new))

    def include(self, *paths: str) -> Query[E]:
        """Load these relationships with the results, in batches, not one request per object."""
        for path in paths:
            _check_path(self.cls, path)
        return attrs.evolve(self, includes=(*self.includes, *paths))

    def lazy(self, *names: str) -> Query[E]:
        """Load these relationships on first access, not with the results.

        A project's shots, assets, sequences, episodes... come with their tasks by
        default, from the one request of Zou's board (as ``.include("tasks")``):
        a walk through their tasks then costs no second load of every parent.
        ``.lazy("tasks")`` reads the plain list instead, about half the bytes and
        server time, for code that never looks at the tasks."""
        for name in names:
            rel = self.cls.__relationships__.get(name)
            if rel is None:
                raise ValidationError(
                    f"{self.cls.__name__} has no relationship {name!r}"
                    f"{did_you_mean(name, self.cls.__relationships__)}"
                )
        return attrs.evolve(self, lazy_paths=(*self.lazy_paths, *names))

    def only(self, *fields: str) -> Query[E]:
        """Load only these fields; the others load on first access, in one batch."""
        for name in fields:
            self._field_name(name)
        return attrs.evolve(self, fields=(*self.fields, *fields))

    def order_by(self, *fields: str) -> Query[E]:
        """Sort the results here, by fields (``-name`` for descending)."""
        for name in fields:
            self._field_name(name.lstrip("-"))
        return attrs.evolve(self, ordering=(*self.ordering, *fields))

    def limit(self, n: int) -> Query[E]:
        """At most ``n`` results, cut after the rows are read."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValidationError(f"limit takes a whole number >= 0, not {n!r}")
        return attrs.evolve(self, max_rows=n)

    def __repr__(self) -> str:
        return query_repr(self)

    def _repr_html_(self) -> str:
        """Jupyter's display: what the query will ask (it is not run)."""
        return query_html(self)

    # -- running -------------------------------------------------------------------------

    def all(self) -> ResultList[E]:
        """Every matching object, in one request (or as many as the URL length needs),
        as a list that Jupyter shows as a table."""
        session = self._session()
        # One bar for the query and its includes, which report the rows they read.
        with loading(session.progress, self.cls.__name__):
            return ResultList(self._run(session))

    def _run(self, session: Session) -> list[E]:
        routes = routes_for(self.cls.__kitsu_type__)
        params = dict(routes.list_params)
        params.update(self._params())
        if self.fields and routes.generic == routes.list:
            wanted = {"id", "updated_at", *self.fields, *(f.field for f in self.filters)}
            params["fields"] = ",".join(sorted(self.cls.__wire__.get(n, n) for n in wanted))
        via = self._via_include(params, routes.list_params)
        if any(f.values == () for f in self.filters):
            rows = []
        elif via is not None:
            scope = ("project_id", params["project_id"])
            rows = session.loader.fetch_with_children(self.cls, via, scope)
        else:
            rows = session.fetch(self.cls, params)
        result = [obj for obj in rows if all(f.matches(obj) for f in self.filters)]
        for key in reversed(self.ordering):
            name = key.lstrip("-")
            result.sort(key=lambda o: _sort_key(getattr(o, name)), reverse=key.startswith("-"))
        if self.max_rows is not None:
            result = result[: self.max_rows]
        from .loading import group_of

        group_of(result)
        session.loader.include(list(result), *self.includes)
        return result

    def __iter__(self) -> Iterator[E]:
        return iter(self.all())

    def first(self) -> E | None:
        """The first matching object, or None (the matching rows are read all the same)."""
        rows = self.all()
        return rows[0] if rows else None

    def one(self) -> E:
        """The one matching object: NotFound when none, MultipleResultsFound when several."""
        rows = self.all()
        if not rows:
            raise NotFound(f"no {self.cls.__name__} matches {self._describe()}")
        if len(rows) > 1:
            raise MultipleResultsFound(
                f"{len(rows)} {self.cls.__name__} objects match {self._describe()}, not one"
            )
        return rows[0]

    def count(self) -> int:
        """How many objects match (the rows are read: there is no count route here)."""
        return len(self.all())

    # -- tables (kitsu_orm.tables) -------------------------------------------------------

    def to_dicts(self, *paths: str) -> list[dict[str, Any]]:
        """The results as ``{path: value}`` dicts: ``to_dicts("name", "sequence.name")``.
        The relationships the paths cross load in one request each for all the rows;
        paths are checked first (to-many paths are refused). See :mod:`kitsu_orm.tables`."""
        from .tables import to_dicts

        return to_dicts(self, *paths, cls=self.cls)

    def to_pandas(self, *paths: str) -> Any:
        """The results as a pandas DataFrame with typed columns (``kitsu-orm[pandas]``)."""
        from .tables import to_pandas

        return to_pandas(self, *paths, cls=self.cls)

    def to_polars(self, *paths: str) -> Any:
        """The results as a polars DataFrame with typed columns (``kitsu-orm[polars]``)."""
        from .tables import to_polars

        return to_polars(self, *paths, cls=self.cls)

    # -- internals ----------------------------------------------------------------------

    def _session(self) -> Session:
        if self.session is not None:
            return self.session
        return current_session()

    def _describe(self) -> str:
        parts = [
            f"{f.field}={f.values[0] if len(f.values) == 1 else list(f.values)!r}"
            for f in self.filters
        ]
        return ", ".join(parts) or "(no filter)"

    def _via_include(self, params: Mapping[str, Any], base: Mapping[str, Any]) -> ToMany[Any] | None:
        """The relationship whose with-tasks route answers this whole query, parents
        and children in one request: for a project's shots or assets with no other
        server filter, their tasks, unless the query loads them lazily (see :meth:`lazy`)."""
        if self.fields or set(params) - set(base) != {"project_id"}:
            return None
        if not isinstance(params["project_id"], str):  # several projects
            return None
        names = [path.split(".")[0] for path in self.includes]
        if "tasks" not in self.lazy_paths:
            names.append("tasks")  # Kitsu lists these with their tasks: so do we
        for name in names:
            rel = self.cls.__relationships__.get(name)
            if isinstance(rel, ToMany) and rel.via and rel.scope == "project_id":
                return rel
        return None

    def _params(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for f in self.filters:
            if not f.server or not f.values:
                continue
            wire = self.cls.__wire__[f.field]
            if wire in params:
                continue  # Zou keeps one value per key: the rest is filtered locally
            if wire == "name" and len(f.values) > 1:
                continue  # Zou matches a name as one pattern, never as a JSON list
            values = [_wire_value(v) for v in f.values]
            # A list is sent as Zou takes it from this user (see read_routes.read_plan).
            params[wire] = values[0] if len(values) == 1 else values
        return params

    def _field_name(self, name: str) -> str:
        cls = self.cls
        if name in cls.__fields__:
            return name
        raise ValidationError(
            f"{cls.__name__} has no field {name!r}{did_you_mean(name, cls.__fields__)}"
        )

    def _filter(self, name: str, value: Any) -> Filter:
        cls = self.cls
        rel = cls.__relationships__.get(name)
        if isinstance(rel, ToMany):
            raise ValidationError(
                f"{cls.__name__}.{name} is a list of {rel.target_name}: filter "
                f"{rel.target_name}.where({rel.key}=...) instead"
            )
        if rel is None and name not in cls.__fields__:
            choices = set(cls.__fields__) | set(cls.__relationships__)
            raise ValidationError(
                f"{cls.__name__} has no field {name!r} to filter on{did_you_mean(name, choices)}"
            )
        if rel is None and name in cls.__derived__:
            raise ValidationError(
                f"{cls.__name__}.{name} is computed by the server: it cannot be filtered"
            )
        field = rel.key if rel is not None else name
        if rel is None:
            for owner in cls.__key_relations__.get(name, ()):
                rel = cls.__relationships__[owner]
        values = tuple(value) if isinstance(value, (list, tuple, set, frozenset)) else (value,)
        checked = tuple(self._value(name, field, rel, v) for v in values)
        return Filter(
            field=field,
            values=checked,
            many=isinstance(rel, ManyIds),
            server=None not in checked,
            name=name,
            shown=values,
        )

    def _value(self, name: str, field: str, rel: Any, value: Any) -> Any:
        cls = self.cls
        if isinstance(value, Entity):
            target = rel.target if isinstance(rel, (ToOne, ManyIds)) else None
            if target is None or not isinstance(value, target):
                expected = rel.target_name if rel is not None else "a plain value"
                raise ValidationError(
                    f"{cls.__name__}.where({name}=...) takes {expected}, not a {type(value).__name__}"
                )
            if value.id is None:
                raise ValidationError(
                    f"{value!r} is not created yet: commit it before querying by it"
                )
            return value.id
        if value is None:
            return None
        if isinstance(rel, (ToOne, ManyIds)) or field == "id":
            if not isinstance(value, str):
                raise ValidationError(
                    f"{cls.__name__}.where({name}=...) takes a {rel.target_name if rel else 'id'} or an id string, "
                    f"not {type(value).__name__}"
                )
            return value
        if field in cls.__datetime_fields__ or field in cls.__date_fields__:
            # As the field keeps it when set, so as it reads back: a date matches a
            # timestamp at midnight UTC, a datetime matches a day field on its day.
            return cls.__checks__[field](cls, field, value)
        check_type(cls, field, value)  # a value of another type could never match
        return value


def _wire_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return format_datetime(value)
    return str(value)


def _sort_key(value: Any) -> tuple[int, Any]:
    # None sorts last, and values of one field share a type.
    return (1, "") if value is None else (0, value)


def _check_path(cls: type[Entity], path: str) -> None:
    current: type[Entity] = cls
    for part in path.split("."):
        rel = current.__relationships__.get(part)
        if rel is None:
            raise ValidationError(
                f"{current.__name__} has no relationship {part!r} (in include {path!r})"
                f"{did_you_mean(part, current.__relationships__)}"
            )
        if rel.polymorphic:
            return  # checked per type when it loads
        current = rel.target
