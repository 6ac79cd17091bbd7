"""Walking Zou's paged list routes: every row, one page at a time, lazily.

Zou's generic routes answer ``{"data": [...], "nb_pages": n}`` when asked for a
``page``; its other list routes ignore the parameter and answer a plain list.
The real transport and the fake one walk pages alike through :func:`walk_pages`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__ = ["walk_pages"]


def walk_pages(
    get: Callable[[str, Mapping[str, Any]], Any],
    path: str,
    params: Mapping[str, Any] | None = None,
    *,
    limit: int = 100,
    on_rows: Callable[[int], None] | None = None,
) -> Iterator[Any]:
    """The rows of ``path``, asking ``get`` for one page after another until the last.

    A plain list answer is yielded as it is and ends the walk. Zou orders pages
    by ``updated_at``: rows edited while paging can move between pages.
    ``on_rows`` hears how many rows each page brought (a progress bar's count).
    """
    page = 1
    while True:
        body = get(path, {**(params or {}), "page": page, "limit": limit})
        paged = isinstance(body, dict) and "data" in body
        rows = body["data"] if paged else body or []
        if on_rows is not None:
            on_rows(len(rows))
        yield from rows
        if not paged or page >= int(body.get("nb_pages") or 1):
            return
        page += 1
