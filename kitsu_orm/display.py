"""Queries and their results as a notebook shows them.

``query.all()`` answers a :class:`ResultList`: a list in every way (it
compares equal to a list of the same objects, slices, pickles, and types as
``list[Shot]``) that Jupyter draws as a table, one row per object, with the
columns its type declares (see :mod:`kitsu_orm.model.labels`) and a
thumbnail where the object has a preview. A query prints as what it asks::

    <Query Shot where project='Agent 327', sequence='SQ01' include tasks>

Neither sends a request: a query runs when it is read, never when shown.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, SupportsIndex, TypeVar, overload

from .model.base import Entity
from .model.cards import table_html
from .model.labels import title_of, value_repr

if TYPE_CHECKING:
    from .query import Filter, Query

__all__ = ["ResultList", "query_html", "query_repr"]

T = TypeVar("T")


class ResultList(list[T]):
    """The objects a query answered: a plain list that Jupyter shows as a table.

    Slicing answers a ResultList too; everything else is ``list``'s own.
    """

    __slots__ = ()

    @overload
    def __getitem__(self, index: SupportsIndex) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> ResultList[T]: ...

    def __getitem__(self, index: SupportsIndex | slice) -> T | ResultList[T]:
        if isinstance(index, slice):
            return ResultList(super().__getitem__(index))
        return super().__getitem__(index)

    def _repr_html_(self) -> str:
        """Jupyter's display: a table of the objects (no request)."""
        return table_html(self)


def _value_words(value: Any) -> str:
    """A condition's value as a person reads it: an object by its name, quoted."""
    if isinstance(value, Entity):
        return repr(title_of(value) or value.id)
    return value_repr(value)


def _conditions(filters: Iterable[Filter]) -> list[str]:
    out = []
    for f in filters:
        shown = f.shown or f.values
        if len(shown) == 1:
            out.append(f"{f.name or f.field}={_value_words(shown[0])}")
        else:
            out.append(f"{f.name or f.field} in [{', '.join(_value_words(v) for v in shown)}]")
    return out


def _clauses(query: Query[Any]) -> list[tuple[str, str]]:
    """``(keyword, words)`` of each part of the query that is set."""
    clauses = []
    if query.filters:
        clauses.append(("where", ", ".join(_conditions(query.filters))))
    if query.includes:
        clauses.append(("include", ", ".join(query.includes)))
    if query.lazy_paths:
        clauses.append(("lazy", ", ".join(query.lazy_paths)))
    if query.fields:
        clauses.append(("only", ", ".join(query.fields)))
    if query.ordering:
        clauses.append(("order by", ", ".join(query.ordering)))
    if query.max_rows is not None:
        clauses.append(("limit", str(query.max_rows)))
    return clauses


def query_repr(query: Query[Any]) -> str:
    """``<Query Shot where project='Agent 327' include tasks>``."""
    words = " ".join(f"{k} {v}" for k, v in _clauses(query))
    return f"<Query {query.cls.__name__}{' ' + words if words else ''}>"


def query_html(query: Query[Any]) -> str:
    """What the query will ask, as a small table; it is not run."""
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in _clauses(query)
    )
    return (
        f'<div class="kitsu-orm"><p><b>Query {html.escape(query.cls.__name__)}</b> '
        f"(not run: <code>.all()</code> reads it)</p><table>{rows}</table></div>"
    )
