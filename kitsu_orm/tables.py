"""Tables out: objects as rows of chosen columns, for pandas, polars, CSV or JSON.

A column is a dotted path from the objects' class: a field (``"name"``), or
to-one relationships followed by a field of the last one's target
(``"sequence.name"``, ``"task_status.short_name"``, ``"entity.name"``). The
paths are checked against the classes before any request: an unknown name,
a path that stops on a relationship (``"sequence"``: which of its fields?)
and a path through a to-many relationship (``"tasks.name"``: a cell holds one
value, a shot has many tasks) raise ValidationError saying what to write.
A to-one link that is empty (a shot with no sequence) gives None for every
column past it.

The relationships the columns cross are loaded for all the rows at once, by
the session's loader (:mod:`kitsu_orm.loading`): one request per
relationship for the whole table, whatever its number of rows, none for a
relationship already loaded or a reference table (task types, statuses).
Rows are then made one at a time (:func:`iter_rows`), so that a long export
can write them as they come.

pandas and polars are optional (``pip install 'kitsu-orm[pandas]'``,
``'kitsu-orm[polars]'``) and imported when a frame is asked for. Their columns
are typed from the fields' declarations: dates and datetimes as datetime
columns (UTC for datetimes; polars keeps a date a ``Date``), ids and texts as
strings, whole numbers as nullable integers, flags as nullable booleans;
dicts and lists (``data``, ``assignee_ids``) stay Python objects.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from .errors import ConfigurationError, ValidationError, did_you_mean
from .model.base import REGISTRY, Entity
from .model.fields import id_kind
from .model.relationships import Relationship, ToOne

__all__ = ["Column", "columns", "default_paths", "iter_rows", "to_dicts", "to_pandas", "to_polars"]


@attrs.frozen
class Column:
    """One checked column: the to-one relationships its path crosses, the attribute it
    reads at the end, and the kind of values it holds (``id``, ``str``, ``int``,
    ``float``, ``bool``, ``datetime``, ``date`` or ``object``)."""

    path: str
    relations: tuple[str, ...]
    attribute: str
    kind: str

    def value(self, obj: Entity) -> Any:
        """This column's value for ``obj`` (None past an empty link)."""
        current: Any = obj
        for name in self.relations:
            current = getattr(current, name)
            if current is None:
                return None
        return getattr(current, self.attribute)


def default_paths(cls: type[Entity]) -> tuple[str, ...]:
    """Every field of ``cls``, in declaration order: the columns when none are named."""
    return tuple(f.name for f in attrs.fields(cls) if not f.name.startswith("_"))


def columns(cls: type[Entity], paths: Sequence[str]) -> list[Column]:
    """The columns of ``paths`` on ``cls`` (all its fields when empty), checked: raises
    ValidationError before any request."""
    if isinstance(paths, str):
        paths = (paths,)
    return [_column(cls, path) for path in (paths or default_paths(cls))]


def _column(root: type[Entity], path: str) -> Column:
    if not isinstance(path, str) or not path or any(not part for part in path.split(".")):
        raise ValidationError(f"a column is a dotted path such as 'sequence.name', not {path!r}")
    *links, last = path.split(".")
    cls = root
    for name in links:
        rel = cls.__relationships__.get(name)
        if rel is None:
            choices = [n for n, r in cls.__relationships__.items() if isinstance(r, ToOne)]
            raise ValidationError(
                f"{cls.__name__} has no relationship {name!r} (in column {path!r})"
                f"{did_you_mean(name, choices)}"
            )
        if not isinstance(rel, ToOne):
            raise ValidationError(_many_message(cls, rel, path))
        cls = rel.target
    if not cls.__kitsu_type__:  # any row of Zou's entities table (task.entity)
        return _shared_column(cls, path, tuple(links), last)
    rel = cls.__relationships__.get(last)
    if isinstance(rel, ToOne):
        some = "name" if "name" in rel.target.__fields__ else "id"
        raise ValidationError(
            f"column {path!r} ends on {cls.__name__}.{last}, a {rel.target_name}: "
            f"name one of its fields, e.g. {path + '.' + some!r}"
        )
    if rel is not None:
        raise ValidationError(_many_message(cls, rel, path))
    if last not in cls.__fields__ and not _is_readable(cls, last):
        known = set(cls.__fields__) | set(cls.__relationships__)
        raise ValidationError(
            f"{cls.__name__} has no field {last!r} (in column {path!r}){did_you_mean(last, known)}"
        )
    return Column(path, tuple(links), last, _kind(cls, last))


def _shared_column(base: type[Entity], path: str, links: tuple[str, ...], last: str) -> Column:
    """A column past a link to any kind of entity row: one of the fields all kinds share,
    typed as a declared kind types it."""
    shared = default_paths(base)
    if last not in shared:
        raise ValidationError(
            f"column {path!r}: {'.'.join(links)} may be a shot, an asset or any other entity, "
            f"which share only these fields: {', '.join(shared)}{did_you_mean(last, shared)}"
        )
    declared = next(c for c in REGISTRY.values() if issubclass(c, base) and c.__kitsu_type__)
    return Column(path, links, last, _kind(declared, last))


def _many_message(cls: type[Entity], rel: Relationship[Any], path: str) -> str:
    return (
        f"column {path!r} crosses {cls.__name__}.{rel.name}, a list of {rel.target_name}: "
        f"a cell holds one value per row; make a table of {rel.target_name} objects instead, "
        f"whose columns can reach back to the {cls.__name__}"
    )


def _is_readable(cls: type[Entity], name: str) -> bool:
    """A public attribute read like a field (``shot.frame_in``), not a method."""
    if name.startswith("_"):
        return False
    try:
        found = inspect.getattr_static(cls, name)
    except AttributeError:
        return False
    if isinstance(found, (staticmethod, classmethod)) or inspect.isfunction(found):
        return False
    return hasattr(found, "__get__") or not callable(found)


def _kind(cls: type[Entity], name: str) -> str:
    if name not in cls.__fields__:
        return "object"
    field = attrs.fields_dict(cls)[name]
    if name == "id" or name.endswith("_id") or id_kind(field) == "one":
        return "id"
    if name in cls.__datetime_fields__:
        return "datetime"
    if name in cls.__date_fields__:
        return "date"
    types = cls.__field_types__.get(name, ())
    for python_type, kind in ((bool, "bool"), (int, "int"), (float, "float"), (str, "str")):
        if python_type in types:
            return kind
    return "object"


def load_for(objs: Sequence[Entity], cols: Iterable[Column]) -> None:
    """Load every relationship the columns cross, for all ``objs`` at once (one
    request per relationship, whatever the number of objects)."""
    chains = {c.relations for c in cols if c.relations}
    # A chain that another one extends is loaded on the way: keep the longest ones.
    longest = {c for c in chains if not any(o[: len(c)] == c and o != c for o in chains)}
    by_session: dict[int, tuple[Any, list[Entity]]] = {}
    for obj in objs:
        session = obj.session
        if session is not None:
            by_session.setdefault(id(session), (session, []))[1].append(obj)
    for session, members in by_session.values():
        session.loader.include(members, *(".".join(chain) for chain in sorted(longest)))


def iter_rows(objs: Sequence[Entity], cols: Sequence[Column]) -> Iterator[dict[str, Any]]:
    """One dict per object, ``{path: value}``, made as it is read, after one batched
    load of the relationships the columns cross."""
    load_for(objs, cols)
    for obj in objs:
        yield {c.path: c.value(obj) for c in cols}


def to_dicts(
    objs: Iterable[Entity], *paths: str, cls: type[Entity] | None = None
) -> list[dict[str, Any]]:
    """``objs`` as a list of ``{path: value}`` dicts (see the module's docstring).
    ``cls``: the objects' class, when they may be none (else the first one's)."""
    rows, cols = _prepared(objs, paths, cls)
    return list(iter_rows(rows, cols))


def to_pandas(objs: Iterable[Entity], *paths: str, cls: type[Entity] | None = None) -> Any:
    """``objs`` as a pandas DataFrame with typed columns (needs ``kitsu-orm[pandas]``)."""
    pd = _optional("pandas", "pandas", "to_pandas")
    rows, cols = _prepared(objs, paths, cls)
    values: dict[str, list[Any]] = {c.path: [] for c in cols}
    for row in iter_rows(rows, cols):
        for path, value in row.items():
            values[path].append(value)
    data = {c.path: _pandas_column(pd, values[c.path], c.kind) for c in cols}
    return pd.DataFrame(data, columns=[c.path for c in cols])


def _pandas_column(pd: Any, values: list[Any], kind: str) -> Any:
    if kind == "datetime":
        return pd.to_datetime(pd.Series(values, dtype=object), utc=True)
    if kind == "date":
        return pd.to_datetime(pd.Series(values, dtype=object))  # naive: a day has no zone
    dtype = {"id": "string", "str": "string", "int": "Int64", "float": "Float64", "bool": "boolean"}
    return pd.Series(values, dtype=dtype.get(kind, object))


def to_polars(objs: Iterable[Entity], *paths: str, cls: type[Entity] | None = None) -> Any:
    """``objs`` as a polars DataFrame with typed columns (needs ``kitsu-orm[polars]``)."""
    pl = _optional("polars", "polars", "to_polars")
    rows, cols = _prepared(objs, paths, cls)
    values: dict[str, list[Any]] = {c.path: [] for c in cols}
    for row in iter_rows(rows, cols):
        for path, value in row.items():
            values[path].append(value)
    dtypes = {
        "id": pl.Utf8,
        "str": pl.Utf8,
        "int": pl.Int64,
        "float": pl.Float64,
        "bool": pl.Boolean,
        "datetime": pl.Datetime("us", "UTC"),
        "date": pl.Date,
        "object": pl.Object,
    }
    series = [
        pl.Series(c.path, _polars_values(values[c.path], c.kind), dtype=dtypes[c.kind])
        for c in cols
    ]
    return pl.DataFrame(series)


def _polars_values(values: list[Any], kind: str) -> list[Any]:
    if kind == "date":  # a date field may hold a datetime at midnight: keep its day
        return [v.date() if isinstance(v, datetime) else v for v in values]
    if kind == "datetime":  # and a datetime field a plain date: midnight UTC
        from datetime import timezone

        return [
            datetime(v.year, v.month, v.day, tzinfo=timezone.utc)
            if isinstance(v, date) and not isinstance(v, datetime)
            else v
            for v in values
        ]
    return values


def _prepared(
    objs: Iterable[Entity], paths: Sequence[str], cls: type[Entity] | None
) -> tuple[list[Entity], list[Column]]:
    """The objects and the columns, checked before ``objs`` is read (a query sends
    its request only once its columns are known good)."""
    cols = columns(cls, paths) if cls is not None else None
    rows = list(objs)
    kind = cls or (type(rows[0]) if rows else None)
    if kind is None:  # no object and no class: the columns cannot be checked
        return rows, [Column(p, (), p, "object") for p in paths]
    others = {type(o).__name__ for o in rows if not isinstance(o, kind)}
    if others:
        raise ValidationError(
            f"a table holds objects of one type: {kind.__name__}, not {', '.join(sorted(others))}"
        )
    return rows, cols if cols is not None else columns(kind, paths)


def _optional(module: str, extra: str, what: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigurationError(
            f"{what}() needs {module}: pip install 'kitsu-orm[{extra}]' (or {module} itself)"
        ) from exc
