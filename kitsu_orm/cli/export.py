"""``kitsu export TYPE [--project NAME] [--fields a,b.c] [--format csv|json|table]``.

The type, the columns and the project are checked before any request but the
project's lookup. The objects are read as a query reads them, the relationships
the columns cross in one request each (:mod:`kitsu_orm.tables`), then each row is
made and written as it comes: the output is never built whole in memory.

A progress bar (tqdm, when installed) is drawn on stderr when stderr is a
terminal and stdout is not one nor a pipe, i.e. ``kitsu export ... > shots.csv``
typed in a terminal; none when the output is piped to another program or shown
on the terminal itself. ``--progress`` / ``--no-progress`` decide instead.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import IO, Any

from ..errors import ValidationError, did_you_mean
from ..model.base import REGISTRY, Entity
from ..progress import Meter, meter
from ..tables import Column, columns, iter_rows

__all__ = ["entity_type", "run_export", "WRITERS"]

# The widths of a text table come from its first rows; longer values are cut.
TABLE_SAMPLE = 50
TABLE_MAX_WIDTH = 40


def entity_type(name: str) -> type[Entity]:
    """The entity class called ``name`` (``Shot``; any case), or ValidationError."""
    declared = {cls.__name__: cls for cls in REGISTRY.values() if cls.__kitsu_type__}
    found = declared.get(name) or {k.lower(): v for k, v in declared.items()}.get(name.lower())
    if found is None:
        raise ValidationError(f"unknown entity type {name!r}{did_you_mean(name, declared)}")
    return found


def run_export(
    type_name: str,
    *,
    project: str | None,
    fields: str | None,
    fmt: str,
    progress: bool | None,
    out: IO[str] | None = None,
) -> int:
    """Export every ``type_name`` object (of ``project``) to ``out`` (stdout)."""
    from ..session import connect

    stream = sys.stdout if out is None else out
    cls = entity_type(type_name)
    paths = tuple(p.strip() for p in fields.split(",")) if fields else ()
    cols = columns(cls, paths)
    if project is not None and "project_id" not in cls.__fields__:
        raise ValidationError(f"{cls.__name__} objects are not in a project: leave out --project")
    session = connect()
    query = session.query(cls)
    if project is not None:
        from ..model.production import Project

        found = Project.where(name=project, session=session).one()
        query = query.where(project_id=found.id)
    if "name" in cls.__fields__:
        query = query.order_by("name")
    objs = query.all()
    show = _shows_bar(stream) if progress is None else progress
    with meter(show, f"{cls.__name__} export", total=len(objs), unit=" rows", delay=0) as bar:
        WRITERS[fmt](_counted(iter_rows(objs, cols), bar), cols, stream)
    stream.flush()
    return 0


def _shows_bar(stream: IO[str]) -> bool:
    """On a terminal, writing to a file, with tqdm at hand (see the module's docstring)."""
    if not sys.stderr.isatty() or importlib.util.find_spec("tqdm") is None:
        return False
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return not stream.isatty() and not stat.S_ISFIFO(mode)


def _counted(rows: Iterator[dict[str, Any]], bar: Meter) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield row
        bar.advance()


# -- writers -------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as text: empty for None, ISO 8601 for dates, JSON for dicts and lists."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def write_csv(rows: Iterable[dict[str, Any]], cols: list[Column], out: IO[str]) -> None:
    """A header line of the paths, then one line per row."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.path for c in cols])
    for row in rows:
        writer.writerow([_text(row[c.path]) for c in cols])


def write_json(rows: Iterable[dict[str, Any]], cols: list[Column], out: IO[str]) -> None:
    """One JSON array, an object per row on its own line, written row by row."""
    out.write("[")
    sep = "\n"
    for row in rows:
        out.write(sep + json.dumps(row, default=_json_value, ensure_ascii=False))
        sep = ",\n"
    out.write("\n]\n" if sep != "\n" else "]\n")


def _json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_table(rows: Iterable[dict[str, Any]], cols: list[Column], out: IO[str]) -> None:
    """Aligned text columns, sized on the first rows (a longer value later is cut)."""
    it = iter(rows)
    head: list[list[str]] = []
    for row in it:
        head.append([_text(row[c.path]) for c in cols])
        if len(head) == TABLE_SAMPLE:
            break
    widths = [
        min(TABLE_MAX_WIDTH, max([len(c.path), *(len(r[i]) for r in head)]))
        for i, c in enumerate(cols)
    ]

    def line(cells: list[str]) -> str:
        return "  ".join(_fit(cell, w) for cell, w in zip(cells, widths, strict=True)).rstrip()

    out.write(line([c.path for c in cols]) + "\n")
    out.write(line(["-" * w for w in widths]) + "\n")
    for cells in head:
        out.write(line(cells) + "\n")
    for row in it:
        out.write(line([_text(row[c.path]) for c in cols]) + "\n")


def _fit(cell: str, width: int) -> str:
    cell = " ".join(cell.split())  # one line per row
    return (cell[: width - 1] + "…") if len(cell) > width else cell.ljust(width)


WRITERS: dict[str, Callable[[Iterable[dict[str, Any]], list[Column], IO[str]], None]] = {
    "csv": write_csv,
    "json": write_json,
    "table": write_table,
}
