"""cache_entries: what the cache stores, checked before it is read (no server)."""

from __future__ import annotations

from typing import Any

import pytest

from kitsu_orm.cache_entries import (
    HEADER,
    Damaged,
    decode,
    encode,
    is_answer,
    written_by_another_python,
)

ANSWER = {"at": 1.5, "gen": [3, 4], "body": [{"id": "s1", "name": "SH01"}]}


def test_an_entry_reads_back_as_it_was_written() -> None:
    assert decode(encode(ANSWER)) == ANSWER


def test_a_damaged_entry_is_never_decoded() -> None:
    blob = bytearray(encode(ANSWER))
    blob[-1] ^= 0xFF
    with pytest.raises(Damaged):
        decode(bytes(blob))
    with pytest.raises(Damaged):
        decode("text")


def test_another_pythons_entry_is_told_from_damage() -> None:
    other = encode(ANSWER).replace(HEADER, b"kitsu-orm:marshal99:1:")
    assert written_by_another_python(other)
    assert not written_by_another_python(encode(ANSWER))
    assert not written_by_another_python(b"garbage")


@pytest.mark.parametrize(
    "entry",
    [
        [],
        {"at": 1.0, "gen": [0]},
        {"at": "now", "gen": [0], "body": []},
        {"at": 1.0, "gen": [0.5], "body": []},
        {"at": 1.0, "gen": [0], "body": [object()]},
    ],
)
def test_only_the_shape_of_an_answer_is_an_answer(entry: Any) -> None:
    assert is_answer(ANSWER)
    assert not is_answer(entry)
