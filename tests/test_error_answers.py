"""What Zou's error answers mean (no server): which 404 texts are Flask's generic ones."""

from __future__ import annotations

import pytest

from kitsu_orm.error_answers import GENERIC_NOT_FOUND


@pytest.mark.parametrize(
    "text",
    [
        "404 Not Found: The requested URL was not found on the server. If you entered "
        "the URL manually please check your spelling and try again.",
        "The requested URL was not found on the server.",
        "Not Found",
        "NOT FOUND",
        "Resource not found",
        "",
    ],
)
def test_generic_404_texts_are_recognised(text: str) -> None:
    assert GENERIC_NOT_FOUND.fullmatch(text)


@pytest.mark.parametrize(
    "text", ["Comment not found", "Preview file was not found.", "Working file not found for: x"]
)
def test_specific_404_texts_are_kept(text: str) -> None:
    assert not GENERIC_NOT_FOUND.fullmatch(text)
