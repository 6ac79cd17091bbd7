"""Boards: Zou's with-tasks answers, a project's parents with their children.

A with-tasks route answers every shot (or asset, episode, sequence, scene, edit,
concept) of a project with its tasks, in one request several times cheaper than
the tasks' own list route; the shot and asset boards, asked with
``compact=true``, as positional rows under column headers (a :class:`Board`),
half the bytes and far less JSON to parse. The loader reads a board for
``.include("tasks")`` on a whole project and for loads of children too many for
an IN-list of ids. Board rows lack some fields (``name``, ``updated_at``...):
the objects made of them are *partial*, and complete themselves in one request
for their whole batch when a missing field is first read (``Loader.complete``).
Each board writes its parents' columns its own way: :meth:`Board.parents` gives
them as the parents' own rows have them.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from .model.base import Entity
from .model.builders import positional_structure
from .model.relationships import ToMany
from .model.state import loaded_value
from .model.wire import PARTIAL
from .routes import LISTS

if TYPE_CHECKING:
    from .session import Session

__all__ = ["Board", "read_board", "children_of", "merge_rows", "in_listing_order"]

E = TypeVar("E", bound=Entity)


@attrs.frozen
class Board:
    """A with-tasks answer as positional rows: ``parent_fields`` name the
    columns of each row, one of which (``child_key``) holds the children's
    rows, whose columns ``child_fields`` name. Asked with ``compact=true``,
    Zou answers in this form: half the bytes and far less JSON to parse."""

    parent_fields: tuple[str, ...]
    child_fields: tuple[str, ...]
    rows: list[list[Any]]
    child_key: str
    # The route that answered it: some write their parents' columns their own way.
    route: str = ""

    @property
    def parent_id(self) -> int:
        """The column of each row that holds the parent's id."""
        return self.parent_fields.index("id")

    @property
    def children(self) -> int:
        """The column of each row that holds its children."""
        return self.parent_fields.index(self.child_key)

    def child_order(self) -> Callable[[list[Any]], Any]:
        """A sort key of the children's rows, the row form of ``in_listing_order``'s key."""
        fields = self.child_fields
        at = [fields.index(name) for name in _ORDER[:-1] if name in fields]
        last = fields.index(_ORDER[-1])
        if not at:
            return operator.itemgetter(last)  # the usual case: the rows carry neither
        return lambda row: (*(str(row[i] or "") for i in at), row[last])

    def parents(self) -> tuple[tuple[str, ...], list[list[Any]]]:
        """The parents' columns under the names of their own rows, and the rows with
        None where the board writes a stand-in for it: built into objects, they
        hold what a full load of the parents gives (see :data:`_PARENT_COLUMNS`)."""
        columns = _PARENT_COLUMNS.get(self.route)
        if columns is None:
            return self.parent_fields, self.rows
        # A dropped column takes a name no field has: the builders skip it.
        fields = tuple(
            f"{_DROPPED}{name}" if name in columns.dropped else columns.renamed.get(name, name)
            for name in self.parent_fields
        )
        nulls = [(fields.index(k), v) for k, v in columns.nulls.items() if k in fields]
        rows = []
        for row in self.rows:
            row = list(row)
            for at, stand_in in nulls:
                if row[at] == stand_in:
                    row[at] = None
            rows.append(row)
        return fields, rows

    @classmethod
    def of(cls, body: Any, child_key: str, route: str = "") -> Board:
        """Read a with-tasks answer, positional (Zou's ``*_fields`` headers) or as dicts."""
        child_header = f"{child_key[:-1]}_fields"
        if isinstance(body, dict):
            parent_header = next(k for k in body if k.endswith("_fields") and k != child_header)
            return cls(
                tuple(body[parent_header]),
                tuple(body[child_header]),
                body["rows"],
                child_key,
                route,
            )
        # A server that ignores ``compact`` answers dicts: made positional here.
        parents: list[dict[str, Any]] = list(body)
        parent_fields = tuple(parents[0]) if parents else ("id", child_key)
        children = [c for p in parents for c in p.get(child_key) or ()]
        child_fields = tuple(children[0]) if children else ("id",)

        def positional(parent: dict[str, Any]) -> list[Any]:
            row = [parent.get(f) for f in parent_fields]
            kids = parent.get(child_key) or ()
            row[parent_fields.index(child_key)] = [[c.get(f) for f in child_fields] for c in kids]
            return row

        rows = [positional(p) for p in parents]
        return cls(parent_fields, child_fields, rows, child_key, route)


@attrs.frozen
class _Columns:
    """How a board writes its parents' columns apart from their own rows: under
    another name (``renamed``: the board's name -> the rows'), a missing value as a
    stand-in (``nulls``: the rows' name -> what stands for None there), and columns
    to leave out (``dropped``)."""

    renamed: Mapping[str, str] = attrs.field(factory=dict)
    nulls: Mapping[str, Any] = attrs.field(factory=dict)
    dropped: frozenset[str] = frozenset()


# Zou 1.0.97's boards, against their parents' own rows. The shot and edit boards
# write them alike. The asset board names the type's id and the episode's after
# what they are (entity_type_id and source_id in the rows), and writes a missing
# id as "" and a missing ready_for as "None" (str() of each value). The episode,
# sequence and scene boards call the parent's id episode_id, and write it "None"
# when there is none. The concept board carries updated_at, yet not every field:
# left out, so that its objects are known to be partial.
_ENTITIES = _Columns(
    renamed={"episode_id": "parent_id"}, nulls={"parent_id": "None", "preview_file_id": ""}
)
_PARENT_COLUMNS: dict[str, _Columns] = {
    LISTS["assets_with_tasks"]: _Columns(
        renamed={"asset_type_id": "entity_type_id", "episode_id": "source_id"},
        nulls={"preview_file_id": "", "source_id": "", "ready_for": "None"},
    ),
    LISTS["episodes_with_tasks"]: _ENTITIES,
    LISTS["sequences_with_tasks"]: _ENTITIES,
    LISTS["scenes_with_tasks"]: _ENTITIES,
    LISTS["concepts_with_tasks"]: _Columns(dropped=frozenset({"created_at", "updated_at"})),
}


def read_board(session: Session, rel: ToMany[Any], scope: tuple[str, str]) -> Board:
    """The board of ``rel``'s with-tasks route for ``scope`` (a project), in one
    request."""
    assert rel.via is not None and rel.owner is not None
    # The answer holds both sides: a write to either type outdates it.
    type_names = f"{rel.owner.__kitsu_type__}+{rel.target.__kitsu_type__}"
    params = {scope[0]: scope[1], "compact": "true"}
    return Board.of(session.read(type_names, rel.via, params), rel.via_key, rel.via)


def children_of(
    session: Session,
    rel: ToMany[Any],
    scope: tuple[str, str],
    board: Board,
    rows: list[list[Any]],
) -> tuple[list[Entity], bool]:
    """The children of these board rows, as objects of ``session``, and whether
    they are in the order :func:`in_listing_order` gives. They are when all are
    new to the session: the rows are sorted by the same keys before the objects
    are built, which is several times cheaper than sorting the objects."""
    at = board.children
    children = sorted((child for row in rows for child in row[at]), key=board.child_order())
    identity, child_id = session.identity, board.child_fields.index("id")
    all_new = not any(child[child_id] in identity for child in children)
    # The children's rows leave out the scope they were asked by (the project).
    objs = merge_rows(
        session, rel.target, board.child_fields, children, keep_unknown=True, fixed=dict([scope])
    )
    return objs, all_new


def merge_rows(
    session: Session,
    cls: type[E],
    fields: tuple[str, ...],
    rows: list[list[Any]],
    *,
    keep_unknown: bool,
    fixed: dict[str, Any] | None = None,
) -> list[E]:
    """Partial objects of positional rows, in ``session``: built straight from the
    values when new to it, merged as dicts into the objects it already holds.
    ``fixed`` holds wire values every row shares but does not carry."""
    build = positional_structure(cls, fields, keep_unknown=keep_unknown, rows=len(rows))
    identity, at = session.identity, fields.index("id")
    known = cls.__from_wire__
    shared = [(known[k], v) for k, v in (fixed or {}).items() if k in known]
    out: list[E] = []
    for values in rows:
        obj = identity.get(values[at])
        if obj is None:
            obj = build(values, session)
            for name, value in shared:
                object.__setattr__(obj, name, value)
            out.append(identity.adopt(obj))
            continue
        row = {k: v for k, v in zip(fields, values, strict=True) if k in known}
        row.update(fixed or {})
        row[PARTIAL] = True
        out.append(identity.merge_row(cls, row))
    return out


_DROPPED = "-dropped-"

# Children and links are listed by name, then creation, then id.
_ORDER = ("name", "created_at", "id")


def in_listing_order(objs: list[Entity]) -> list[Entity]:
    """Children and links as the loader lists them (a board sorts its rows alike)."""
    return sorted(
        objs,
        key=lambda o: (
            str(loaded_value(o, "name") or ""),
            str(loaded_value(o, "created_at") or ""),
            o.id or "",
        ),
    )
