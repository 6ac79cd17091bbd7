"""The shared cache tier on Redis, unit by unit, against the machine's Redis.

Every test has a key prefix of its own (``kitsu-orm-test-<hex>:``) and checks, when
it ends, that the cache's ``clear()`` left no key under it. The tests against the
Zou server are in tests/test_cache_redis_server.py.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from kitsu_orm.cache import Cache
from kitsu_orm.cache_freshness import event_mark
from kitsu_orm.cache_shared import redis_url, shown, split_settings
from kitsu_orm.errors import ConfigurationError, ConnectionError

redis = pytest.importorskip("redis")

REDIS = os.environ.get("KITSU_ORM_TEST_REDIS", "redis://127.0.0.1:6379/0")
SERVER = "http://kitsu.test/api"


def _redis_is_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not _redis_is_up(), reason=f"no Redis at {REDIS}")


def closed_port() -> int:
    """A local port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Fetcher:
    """A fetch callable that counts its calls (and may take its time)."""

    def __init__(self, body: Any, seconds: float = 0.0) -> None:
        self.body, self.seconds = body, seconds
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self) -> Any:
        with self._lock:
            self.calls += 1
        time.sleep(self.seconds)
        return self.body


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own; no key is left under it afterwards."""
    name = f"kitsu-orm-test-{uuid.uuid4().hex[:12]}:"
    yield name
    client = redis.Redis.from_url(REDIS)
    left = list(client.scan_iter(match=name + "*"))
    if left:
        client.delete(*left)
    assert left == [], "the test's cache was not cleared"


def _cache(prefix: str, user: str = "u1", **settings: Any) -> Any:
    from kitsu_orm.cache_redis import RedisCache

    cache = RedisCache(REDIS, prefix=prefix, **settings)
    cache.scope(SERVER, user)
    return cache


# -- settings ----------------------------------------------------------------------------


def test_urls_name_the_tier_and_their_settings() -> None:
    assert redis_url("redis://h:6379/0") and redis_url("rediss://h/0")
    assert redis_url("disk+redis://h/0") and not redis_url("on")
    url, own = split_settings("redis://:pw@h:6379/2?prefix=farm:&lock_timeout=3&ssl_cert_reqs=none")
    assert url == "redis://:pw@h:6379/2?ssl_cert_reqs=none"
    assert own == {"prefix": "farm:", "lock_timeout": "3"}
    assert shown("rediss://:secret@h:6380/0?x=1") == "rediss://h:6380/0"


def test_password_and_tls_reach_the_client_and_never_a_message() -> None:
    from kitsu_orm.cache_redis import RedisCache

    cache = RedisCache("rediss://:s3cret@redis.example:6380/1?prefix=farm:&lock_timeout=2")
    pool = cache._client.connection_pool
    assert pool.connection_class is redis.SSLConnection
    assert pool.connection_kwargs["password"] == "s3cret"
    assert pool.connection_kwargs["db"] == 1
    assert (cache.prefix, cache.lock_timeout) == ("farm:", 2.0)
    assert "s3cret" not in repr(cache)
    with pytest.raises(ConfigurationError, match="lock_timeout"):
        RedisCache("redis://h/0?lock_timeout=soon")


def test_a_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from kitsu_orm.cache_redis import RedisCache

    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ConfigurationError, match=r"kitsu-orm\[redis\]"):
        RedisCache("redis://127.0.0.1:6379/0")


# -- answers ------------------------------------------------------------------------------


@needs_redis
def test_an_answer_is_shared_by_processes_and_outdated_by_a_write_anywhere(prefix: str) -> None:
    one, two = _cache(prefix), _cache(prefix)  # two processes: two clients
    fetch = Fetcher([{"id": "s1", "frame_out": 10}])
    assert one.answer("Shot", "data/shots", {"a": 1}, fetch) == (fetch.body, False)
    assert two.answer("Shot", "data/shots", {"a": 1}, fetch) == (fetch.body, True)
    assert fetch.calls == 1
    two.forget_types(["Shot"])
    assert one.answer("Shot", "data/shots", {"a": 1}, fetch) == (fetch.body, False)
    assert fetch.calls == 2
    one.forget_types(["Sequence"])  # rows show their sequence's name
    assert two.answer("Shot+Task", "data/shots/with-tasks", {}, fetch)[1] is False
    assert two.answer("Shot+Task", "data/shots/with-tasks", {}, fetch)[1] is True
    one.forget_types(["Task"])
    assert two.answer("Shot+Task", "data/shots/with-tasks", {}, fetch)[1] is False
    one.clear()


@needs_redis
def test_users_and_servers_are_kept_apart(prefix: str) -> None:
    admin, artist = _cache(prefix, "admin"), _cache(prefix, "artist")
    assert admin.answer("Project", "data/projects", {}, Fetcher(["A", "B"]))[0] == ["A", "B"]
    assert artist.answer("Project", "data/projects", {}, Fetcher(["A"])) == (["A"], False)
    assert admin.answer("Project", "data/projects", {}, Fetcher([])) == (["A", "B"], True)
    elsewhere = _cache(prefix, "admin")
    elsewhere.scope("http://other.test/api", "admin")
    assert elsewhere.answer("Project", "data/projects", {}, Fetcher([]))[1] is False
    admin.clear()


@needs_redis
def test_an_answer_expires_and_offline_serves_any_age(prefix: str) -> None:
    cache = _cache(prefix, production_ttl=0.2)
    fetch = Fetcher({"id": "s1"})
    cache.answer("Shot", "data/shots/s1", {}, fetch)
    time.sleep(0.3)
    assert cache.answer("Shot", "data/shots/s1", {}, fetch)[1] is False
    time.sleep(0.3)
    assert cache.answer("Shot", "data/shots/s1", {}, fetch, offline=True) == (fetch.body, True)
    assert cache.stale_answer("Shot", "data/shots/s1", {}) == fetch.body
    with pytest.raises(ConnectionError, match="offline"):
        cache.answer("Shot", "data/shots/s2", {}, fetch, offline=True)
    cache.clear()


@needs_redis
def test_entries_are_json_and_hold_no_token(prefix: str) -> None:
    cache = _cache(prefix)
    token = "eyJ-a-token-" + uuid.uuid4().hex
    cache.confirm(SERVER, token, "u1", until=time.time() + 60)
    assert cache.confirmed_user(SERVER, token) == "u1"
    assert cache.confirmed_user(SERVER, token + "x") is None
    cache.answer("Shot", "data/shots", {}, Fetcher([{"id": "s1"}]))
    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(match=prefix + "*"))
    values = [client.get(k) for k in keys if client.type(k) == b"string"]
    assert all(token.encode() not in blob for blob in [*keys, *values])
    answers = [json.loads(v) for k, v in zip(keys, values, strict=False) if b"|Shot|" in k]
    assert answers and answers[0]["body"] == [{"id": "s1"}]
    cache.clear()


@needs_redis
def test_a_malformed_entry_is_dropped_and_clear_deletes_only_its_own_keys(
    prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    cache = _cache(prefix)
    client = redis.Redis.from_url(REDIS)
    foreign = f"not-{prefix}keep-me"
    client.set(foreign, "theirs")
    try:
        cache.answer("Shot", "data/shots", {}, Fetcher([1]))
        (key,) = [k for k in client.scan_iter(match=prefix + "*") if b"|Shot|" in k]
        client.set(key, b"\x80\x04pickle?")
        with caplog.at_level(logging.WARNING, "kitsu_orm.cache"):
            assert cache.answer("Shot", "data/shots", {}, Fetcher([2])) == ([2], False)
        assert "malformed" in caplog.text
        client.set(cache._generation_key("Task"), "not a counter")
        fetch = Fetcher([3])
        cache.answer("Task", "data/tasks", {}, fetch)
        cache.answer("Task", "data/tasks", {}, fetch)
        assert fetch.calls == 1  # replaced by a counter, then served
        cache.clear()
        assert client.get(foreign) == b"theirs"
    finally:
        client.delete(foreign)


class Look:
    """An event-log look (``cache.catch_up``'s callable) that counts its runs, notes when
    each began and ended, and may take its time or fail."""

    def __init__(self, seconds: float = 0.0, fails: bool = False) -> None:
        self.seconds, self.fails = seconds, fails
        self.runs: list[tuple[float, float, str | None]] = []  # began, ended, since
        self._lock = threading.Lock()

    def __call__(self, since: str | None) -> str:
        began = time.monotonic()
        time.sleep(self.seconds)
        if self.fails:
            raise ConnectionError("the server went away mid-look")
        with self._lock:
            self.runs.append((began, time.monotonic(), since))
        return event_mark()


def _crowd(caches: list[Any], look: Look) -> list[float]:
    """Every cache catches up at the same moment, each in a thread of its own (its own
    Redis connections, as a process would have); when each one returned."""
    start, returned = threading.Barrier(len(caches)), []

    def one(cache: Any) -> None:
        start.wait()
        cache.catch_up(look)
        returned.append(time.monotonic())

    threads = [threading.Thread(target=one, args=(c,)) for c in caches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(returned) == len(caches), "a catch-up never returned"
    return returned


@needs_redis
def test_a_crowd_looks_at_the_event_log_once_and_waits_for_that_look(prefix: str) -> None:
    caches = [_cache(prefix, events_interval=30) for _ in range(12)]
    look = Look(seconds=0.3)
    returned = _crowd(caches, look)
    assert [since for _, _, since in look.runs] == [None]  # one look, for all twelve
    ((_, ended, _),) = look.runs
    assert min(returned) >= ended  # none went on (to serve what it outdates) before its end
    assert len({c.last_event_check() for c in caches}) == 1  # its mark, for all
    _crowd(caches, look)
    assert len(look.runs) == 1  # and none again within the interval
    caches[0].clear()


@needs_redis
def test_a_look_longer_than_the_interval_still_serves_the_whole_crowd(prefix: str) -> None:
    """The crowd that waited for a slow look takes its end, one look for all, rather than
    each looking again in turn because the interval ran out during the first."""
    caches = [_cache(prefix, events_interval=0.1) for _ in range(6)]
    look = Look(seconds=0.3)
    _crowd(caches, look)
    assert [since for _, _, since in look.runs] == [None]
    caches[0].clear()


@needs_redis
def test_looks_are_never_closer_than_the_interval(prefix: str) -> None:
    caches, look = [_cache(prefix, events_interval=0.4) for _ in range(4)], Look()
    until = time.monotonic() + 1.5

    def keep_reading(cache: Any) -> None:
        while time.monotonic() < until:
            cache.catch_up(look)
            time.sleep(0.005)

    threads = [threading.Thread(target=keep_reading, args=(c,)) for c in caches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    began = [b for b, _, _ in look.runs]
    assert len(began) >= 2  # it does look again once the interval has run out...
    assert all(b - a >= 0.4 - 0.05 for a, b in pairwise(began)), began  # ...not sooner
    assert look.runs[0][2] is None and None not in [since for _, _, since in look.runs[1:]]
    caches[0].clear()


def _holding(prefix: str, target: Callable[[str], None], lock: str) -> Any:
    """A new process running ``target(prefix)``, once it holds a key matching ``lock``.
    Forked where the OS can (a spawned one imports everything again: seconds, on a
    loaded machine), with its own Redis connections."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    holder = multiprocessing.get_context(method).Process(target=target, args=(prefix,))
    holder.start()
    client = redis.Redis.from_url(REDIS)
    deadline = time.monotonic() + 30
    while not list(client.scan_iter(match=prefix + lock)):
        assert time.monotonic() < deadline and holder.is_alive(), f"no {lock} was taken"
        time.sleep(0.02)
    return holder


def _look_forever(prefix: str) -> None:
    _cache(prefix, lock_timeout=2).catch_up(lambda since: time.sleep(60) or "never")


@needs_redis
def test_a_looker_killed_mid_look_blocks_the_others_no_longer_than_the_timeout(
    prefix: str,
) -> None:
    started = time.monotonic()  # the looker's lease is taken after this...
    looker = _holding(prefix, _look_forever, "*|events-lease")
    cache, look = _cache(prefix, lock_timeout=2), Look()
    waiting = threading.Thread(target=cache.catch_up, args=(look,))
    began = time.monotonic()  # ...and before this
    waiting.start()
    time.sleep(0.2)
    looker.kill()  # mid-look: its lease stays until it expires
    looker.join()
    waiting.join(10)
    assert len(look.runs) == 1  # the waiter looked itself, once the dead one's lease was gone:
    assert started + 2 <= look.runs[0][0] < began + 2 + 1.5  # not before, nor long after
    cache.clear()


@needs_redis
def test_a_failed_look_lets_the_next_process_look_at_once(prefix: str) -> None:
    one, two = _cache(prefix, lock_timeout=30), _cache(prefix, lock_timeout=30)
    with pytest.raises(ConnectionError, match="mid-look"):
        one.catch_up(Look(fails=True))
    look, began = Look(), time.monotonic()
    two.catch_up(look)
    assert len(look.runs) == 1 and time.monotonic() - began < 1.0  # no lease left behind
    one.clear()


@needs_redis
def test_a_live_event_stream_records_a_look_for_every_process(prefix: str) -> None:
    listening, other = _cache(prefix), _cache(prefix)
    listening.record_event_check("2026-12-06T10:00:00")
    look = Look()
    other.catch_up(look)
    assert look.runs == [] and other.last_event_check() == "2026-12-06T10:00:00"
    listening.clear()


# -- single flight -----------------------------------------------------------------------


@needs_redis
def test_twenty_threads_missing_one_answer_ask_once(prefix: str) -> None:
    fetch = Fetcher([{"id": "p1"}], seconds=0.3)
    caches = [_cache(prefix) for _ in range(20)]
    start = threading.Barrier(20)
    answers: list[Any] = []

    def read(cache: Any) -> None:
        start.wait()
        answers.append(cache.answer("Project", "data/projects", {}, fetch))

    threads = [threading.Thread(target=read, args=(c,)) for c in caches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert fetch.calls == 1
    assert sorted(hit for _, hit in answers) == [False] + [True] * 19
    assert all(body == fetch.body for body, _ in answers)
    caches[0].clear()


@needs_redis
def test_an_answer_stored_between_a_miss_and_the_lock_is_not_asked_again(prefix: str) -> None:
    late, first = _cache(prefix), _cache(prefix)
    generations, fetch = late._generations("Project"), Fetcher(["P"])
    key = late._key("Project", "data/projects", {})
    # ``late`` found no answer; before it takes the lock, ``first`` asks and releases it.
    assert first.answer("Project", "data/projects", {}, fetch) == (["P"], False)
    found = late._single_flight("Project", "data/projects", {}, key, fetch, generations, 300)
    assert found == (["P"], True) and fetch.calls == 1
    late.clear()


def _hold_the_lock_forever(prefix: str) -> None:
    cache = _cache(prefix, lock_timeout=1.5)
    cache.answer("Project", "data/projects", {}, lambda: time.sleep(60))


@needs_redis
def test_a_holder_killed_mid_flight_blocks_the_others_no_longer_than_the_timeout(
    prefix: str,
) -> None:
    holder = _holding(prefix, _hold_the_lock_forever, "lock|*")
    holder.kill()
    holder.join()
    cache, fetch = _cache(prefix, lock_timeout=1.5), Fetcher(["P"])
    began = time.monotonic()
    assert cache.answer("Project", "data/projects", {}, fetch) == (["P"], False)
    assert time.monotonic() - began < 1.5 + 1.0
    assert fetch.calls == 1
    cache.clear()


# -- Redis unreachable -------------------------------------------------------------------


def test_an_unreachable_redis_never_fails_a_read_and_warns_once(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    from kitsu_orm.cache_redis import RedisCache

    url = f"redis://127.0.0.1:{closed_port()}/0"
    alone = RedisCache(url, prefix="x:")
    alone.scope(SERVER, "u1")
    fetch = Fetcher([1])
    with caplog.at_level(logging.WARNING, "kitsu_orm.cache"):
        for _ in range(3):
            assert alone.answer("Shot", "data/shots", {}, fetch) == ([1], False)
        alone.forget_types(["Shot"])
        assert alone.confirmed_user(SERVER, "t") is None
        look = Look()
        alone.catch_up(look)
        assert look.runs == []  # nothing cached to outdate: every read asks the server
    assert fetch.calls == 3
    assert caplog.text.count("unreachable") == 1
    assert alone.check() and not alone.is_up

    layered = RedisCache(url, prefix="x:", disk=Cache(tmp_path / "disk"))
    layered.scope(SERVER, "u1")
    fetch = Fetcher([2])
    assert layered.answer("Shot", "data/shots", {}, fetch) == ([2], False)
    assert layered.answer("Shot", "data/shots", {}, fetch) == ([2], True)  # the disk's
    layered.forget_types(["Shot"])  # outdates the disk copy at once
    assert layered.answer("Shot", "data/shots", {}, fetch) == ([2], False)
    look = Look()
    layered.catch_up(look)
    layered.catch_up(look)
    assert len(look.runs) == 1  # the disk copy's rule: one look per interval on the machine
    layered.confirm(SERVER, "t", "u1", until=None)
    assert layered.confirmed_user(SERVER, "t") == "u1"
    layered.close()


@needs_redis
def test_a_disk_copy_in_front_serves_while_redis_says_it_is_fresh(
    prefix: str, tmp_path: Path
) -> None:
    from kitsu_orm.cache_redis import RedisCache

    layered = RedisCache(REDIS, prefix=prefix, disk=Cache(tmp_path / "disk"))
    layered.scope(SERVER, "u1")
    other = _cache(prefix)
    fetch = Fetcher([{"id": "s1"}])
    layered.answer("Shot", "data/shots", {}, fetch)
    client = redis.Redis.from_url(REDIS)
    (key,) = [k for k in client.scan_iter(match=prefix + "*") if b"|Shot|" in k]
    client.delete(key)  # the disk copy alone answers now...
    assert layered.answer("Shot", "data/shots", {}, fetch) == (fetch.body, True)
    other.forget_types(["Shot"])  # ... until a write anywhere bumps Redis's generation
    assert layered.answer("Shot", "data/shots", {}, fetch) == (fetch.body, False)
    assert fetch.calls == 2
    layered.clear()
