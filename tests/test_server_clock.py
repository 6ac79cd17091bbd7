"""server_clock.ServerClock: the server's time from the Date of its answers (no server)."""

from __future__ import annotations

from datetime import datetime

from kitsu_orm.server_clock import ServerClock


def test_no_answer_no_clock() -> None:
    assert ServerClock().now() is None


def test_the_date_of_the_last_answer_as_naive_utc() -> None:
    clock = ServerClock()
    clock.saw("Wed, 21 Oct 2015 07:28:00 GMT")
    now = clock.now()
    assert now is not None and now.tzinfo is None
    assert datetime(2015, 10, 21, 7, 28) <= now < datetime(2015, 10, 21, 7, 29)
    clock.saw("Wed, 21 Oct 2015 09:28:00 +0200")  # another zone: the same instant in UTC
    assert clock.now() == datetime(2015, 10, 21, 7, 28)


def test_a_date_that_is_not_one_gives_no_clock() -> None:
    clock = ServerClock()
    clock.saw("yesterday")
    assert clock.now() is None
