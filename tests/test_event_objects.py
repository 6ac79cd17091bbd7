"""The objects events name, read again (kitsu_orm.event_objects), on a fake server:
what is tried again, how often, and what an event is left with. The same on the
real server, through the fault proxy: tests/test_events.py."""

from __future__ import annotations

from typing import Any

import kitsu_orm as kitsu
from kitsu_orm.errors import ConnectionError, NotFound, ServerError
from kitsu_orm.event_objects import read_objects
from kitsu_orm.fake_transport import DEFAULT_USER
from kitsu_orm.testing import FakeTransport

A, B, C = (f"00000000-0000-4000-8000-00000000000{n}" for n in "abc")


def _manager_session(failures: dict[str, list[Exception]]) -> tuple[kitsu.Session, list[str]]:
    """A manager's session whose server fails each task's read with its ``failures``,
    in order, then answers; and the ids of the tasks read, in order."""
    reads: list[str] = []

    def kitsu_server(method: str, path: str, params: Any, json: Any) -> Any:
        id = path.rsplit("/", 1)[-1]
        reads.append(id)
        if failures.get(id):
            raise failures[id].pop(0)
        return {"id": id, "type": "Task", "name": f"task {id[-1]}"}

    fake = FakeTransport(kitsu_server, user={**DEFAULT_USER, "role": "manager"})
    return kitsu.Session(transport=fake), reads


def test_a_read_failing_in_passing_is_tried_again_alone_after_a_wait() -> None:
    session, reads = _manager_session({A: [ServerError("busy"), ServerError("busy")]})
    waits: list[float] = []

    def stopping(seconds: float) -> bool:
        waits.append(seconds)
        return False

    found = read_objects(session, {"Task": {A, B}}, stopping)

    assert found[("Task", A)] is session.identity_get(A) is not None
    assert found[("Task", B)] is session.identity_get(B) is not None
    assert sorted(reads) == sorted([A, A, A, B])  # B once: its read did not fail
    assert len(waits) == 2 and 0.5 <= waits[0] < waits[1]


def test_a_read_that_keeps_failing_gives_the_error_after_four_tries() -> None:
    session, reads = _manager_session({A: [ServerError("down")] * 9})

    found = read_objects(session, {"Task": {A}}, lambda s: False)

    assert isinstance(found[("Task", A)], ServerError) and reads == [A] * 4


def test_an_object_out_of_reach_is_not_tried_again() -> None:
    session, reads = _manager_session({C: [NotFound("gone")]})

    found = read_objects(session, {"Task": {C}}, lambda s: False)

    assert isinstance(found[("Task", C)], NotFound) and reads == [C]


def test_no_more_tries_once_the_stream_stops() -> None:
    session, reads = _manager_session({A: [ServerError("busy")] * 9})

    found = read_objects(session, {"Task": {A}}, lambda s: True)  # stopping while it waits

    assert isinstance(found[("Task", A)], ServerError) and reads == [A]


def test_once_the_server_is_out_of_reach_the_other_objects_wait_for_the_next_try() -> None:
    session, reads = _manager_session({A: [ConnectionError("no answer in time")]})

    found = read_objects(session, {"Task": {A, B, C}}, lambda s: False)

    assert all(found[("Task", id)] is session.identity_get(id) for id in (A, B, C))
    assert reads == [A, A, B, C]  # not a timeout per object while the server is away
