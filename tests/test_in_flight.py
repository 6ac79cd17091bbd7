"""The loads in flight of a session: one thread sends, the others wait for it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from kitsu_orm.in_flight import InFlight


def _elsewhere(
    flights: InFlight, key: str, load: Callable[[], object], done: Callable[[], bool]
) -> tuple[threading.Thread, list[Exception]]:
    """``flights.once(key, load, done)`` on another thread, returned once ``load`` runs
    there, with the list that will hold what it raised."""
    running, raised = threading.Event(), []

    def run() -> None:
        running.set()
        load()

    def target() -> None:
        try:
            flights.once(key, run, done)
        except Exception as exc:
            raised.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    running.wait(5)
    return thread, raised


def test_threads_asking_together_run_the_load_once() -> None:
    flights, sent, loaded = InFlight(), [], threading.Event()
    gate = threading.Barrier(6)

    def load() -> None:
        sent.append(1)
        time.sleep(0.05)  # long enough for the others to arrive meanwhile
        loaded.set()

    def ask() -> None:
        gate.wait()
        flights.once("tasks", load, loaded.is_set)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert len(sent) == 1 and loaded.is_set()


def test_a_failed_load_fails_its_waiting_threads_at_once_then_frees_the_key() -> None:
    flights, attempts = InFlight(), []

    def failing() -> None:
        attempts.append("first")
        time.sleep(0.05)
        raise ConnectionError("cut")

    first, raised = _elsewhere(flights, "k", failing, lambda: False)
    with pytest.raises(ConnectionError, match="cut") as info:
        flights.once("k", lambda: attempts.append("waiter"), lambda: False)
    first.join(5)
    assert [type(e) for e in raised] == [ConnectionError]
    assert attempts == ["first"]  # the waiter did not send the load again
    assert info.value.__cause__ is raised[0]
    flights.once("k", lambda: attempts.append("later"), lambda: False)  # the key is free
    assert attempts == ["first", "later"]


def test_a_load_that_loaded_less_than_a_waiter_needs_runs_again_for_it() -> None:
    flights, attempts = InFlight(), []

    def first_load() -> None:
        attempts.append("first")
        time.sleep(0.05)

    first, _ = _elsewhere(flights, "k", first_load, lambda: True)
    flights.once("k", lambda: attempts.append("second"), lambda: "second" in attempts)
    first.join(5)
    assert attempts == ["first", "second"]


def test_a_load_that_asks_for_itself_again_does_not_wait_on_itself() -> None:
    flights, depth = InFlight(), []

    def load() -> None:
        depth.append(1)
        if len(depth) == 1:
            flights.once("k", load, lambda: False)

    done = threading.Event()
    thread = threading.Thread(target=lambda: (flights.once("k", load, lambda: False), done.set()))
    thread.start()
    thread.join(5)
    assert done.is_set() and len(depth) == 2
    flights.once("k", load, lambda: True)  # the key is free again: this runs the load
    assert len(depth) == 3


def test_different_keys_do_not_wait_for_each_other() -> None:
    flights, order = InFlight(), []

    def slow() -> None:
        time.sleep(0.2)
        order.append("slow")

    first, _ = _elsewhere(flights, "a", slow, lambda: False)
    flights.once("b", lambda: order.append("quick"), lambda: False)
    first.join(5)
    assert order == ["quick", "slow"]
