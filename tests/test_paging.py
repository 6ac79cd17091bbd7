"""paging.walk_pages: every row of a paged route, and a plain list as it is (no server)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kitsu_orm.paging import walk_pages


def test_every_page_is_asked_for_until_the_last() -> None:
    asked: list[dict[str, Any]] = []

    def get(path: str, params: Mapping[str, Any]) -> Any:
        asked.append(dict(params))
        page = params["page"]
        return {"data": [f"{path}:{page}a", f"{path}:{page}b"], "nb_pages": 3}

    counts: list[int] = []
    rows = walk_pages(get, "data/shots", {"x": "1"}, limit=2, on_rows=counts.append)
    assert asked == []  # lazily: nothing asked before the first row is
    assert list(rows) == [f"data/shots:{page}{row}" for page in (1, 2, 3) for row in "ab"]
    assert asked == [{"x": "1", "page": p, "limit": 2} for p in (1, 2, 3)]
    assert counts == [2, 2, 2]


def test_a_route_that_does_not_page_answers_once() -> None:
    calls = []

    def get(path: str, params: Mapping[str, Any]) -> Any:
        calls.append(path)
        return ["a", "b", "c"]

    assert list(walk_pages(get, "data/persons")) == ["a", "b", "c"]
    assert calls == ["data/persons"]
    assert list(walk_pages(lambda path, params: None, "data/nothing")) == []
