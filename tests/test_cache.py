"""The persistent cache: its guarantees, unit by unit, then against the real server.

Each test has its own cache folder (``tmp_path``) and its own project.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
import uuid
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from faultproxy import FaultProxy

import kitsu_orm as kitsu
from kitsu_orm.cache import Cache, default_directory
from kitsu_orm.errors import ConfigurationError, ConnectionError, KitsuError, PermissionDenied
from kitsu_orm.retry import Retry
from kitsu_orm.testing import KitsuServer, ProjectFactory
from kitsu_orm.transport import Tokens, Transport

SERVER = "http://kitsu.test/api"
HAMMER_SECONDS = float(os.environ.get("KITSU_ORM_CACHE_HAMMER_SECONDS", "20"))
HAMMER_PROCESSES = 4

server = pytest.mark.server


class Fetcher:
    """A fetch callable that counts its calls."""

    def __init__(self, body: Any) -> None:
        self.body = body
        self.calls = 0

    def __call__(self) -> Any:
        self.calls += 1
        return self.body


def _cache(directory: Path, user: str = "u1", server: str = SERVER, **settings: Any) -> Cache:
    cache = Cache(directory, **settings)
    cache.scope(server, user)
    return cache


# -- unit: no server ---------------------------------------------------------------------


def test_a_fresh_answer_is_served_and_an_expired_one_fetched_again(tmp_path: Path) -> None:
    cache = _cache(tmp_path, production_ttl=0.2)
    fetch = Fetcher([{"id": "1"}])
    assert cache.answer("Shot", "data/shots/all", {"a": 1}, fetch) == ([{"id": "1"}], False)
    assert cache.answer("Shot", "data/shots/all", {"a": 1}, fetch) == ([{"id": "1"}], True)
    assert fetch.calls == 1
    time.sleep(0.25)
    assert cache.answer("Shot", "data/shots/all", {"a": 1}, fetch) == ([{"id": "1"}], False)
    assert fetch.calls == 2


def test_reference_tables_live_longer_than_production_data(tmp_path: Path) -> None:
    cache = _cache(tmp_path, production_ttl=0.0, reference_ttl=60)
    statuses, shots = Fetcher([{"id": "s"}]), Fetcher([])
    for _ in range(2):
        cache.answer("TaskStatus", "data/task-status", {}, statuses)
        cache.answer("Shot", "data/shots/all", {}, shots)
    assert (statuses.calls, shots.calls) == (1, 2)


def test_params_are_part_of_the_key_whatever_their_order(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    fetch = Fetcher([])
    cache.answer("Shot", "data/shots/all", {"a": 1, "b": 2}, fetch)
    cache.answer("Shot", "data/shots/all", {"b": 2, "a": 1}, fetch)
    cache.answer("Shot", "data/shots/all", {"a": 2, "b": 2}, fetch)
    assert fetch.calls == 2


def test_a_none_answer_is_cached_too(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    fetch = Fetcher(None)
    assert cache.answer("Shot", "data/shots/x", {}, fetch) == (None, False)
    assert cache.answer("Shot", "data/shots/x", {}, fetch) == (None, True)


def test_a_write_in_one_process_outdates_answers_of_another(tmp_path: Path) -> None:
    reader, writer = _cache(tmp_path), _cache(tmp_path)
    shots, tasks = Fetcher([]), Fetcher([])
    reader.answer("Shot", "data/shots/all", {}, shots)
    reader.answer("Task", "data/tasks", {}, tasks)
    writer.forget_types(["Shot"])
    reader.answer("Shot", "data/shots/all", {}, shots)
    reader.answer("Task", "data/tasks", {}, tasks)
    assert (shots.calls, tasks.calls) == (2, 1)


def test_an_answer_about_two_types_is_outdated_by_a_write_to_either(tmp_path: Path) -> None:
    reader, writer = _cache(tmp_path), _cache(tmp_path)
    board = Fetcher([])
    reader.answer("Shot+Task", "data/shots/with-tasks", {}, board)
    assert reader.answer("Shot+Task", "data/shots/with-tasks", {}, board)[1] is True
    writer.forget_types(["Task"])
    assert reader.answer("Shot+Task", "data/shots/with-tasks", {}, board)[1] is False
    writer.forget_types(["Shot"])
    assert reader.answer("Shot+Task", "data/shots/with-tasks", {}, board)[1] is False
    writer.forget_types(["Asset"])
    assert reader.answer("Shot+Task", "data/shots/with-tasks", {}, board)[1] is True
    assert board.calls == 3


def test_renaming_a_sequence_outdates_the_shots_that_show_its_name(tmp_path: Path) -> None:
    reader, writer = _cache(tmp_path), _cache(tmp_path)
    shots, tasks = Fetcher([{"sequence_name": "SQ01"}]), Fetcher([])
    for forget, expected in ((["Sequence"], (2, 1)), (["Task"], (2, 2)), (["Person"], (2, 2))):
        reader.answer("Shot", "data/shots/all", {}, shots)
        reader.answer("Task", "data/tasks", {}, tasks)
        writer.forget_types(forget)
        reader.answer("Shot", "data/shots/all", {}, shots)
        reader.answer("Task", "data/tasks", {}, tasks)
        assert (shots.calls, tasks.calls) == expected


def test_a_write_outdates_every_user_of_that_server_only(tmp_path: Path) -> None:
    alice, bob = _cache(tmp_path, "alice"), _cache(tmp_path, "bob")
    elsewhere = _cache(tmp_path, "alice", server="http://other.test/api")
    fetches = [Fetcher([]), Fetcher([])]
    alice.answer("Shot", "data/shots/all", {}, fetches[0])
    elsewhere.answer("Shot", "data/shots/all", {}, fetches[1])
    bob.forget_types(["Shot"])
    alice.answer("Shot", "data/shots/all", {}, fetches[0])
    elsewhere.answer("Shot", "data/shots/all", {}, fetches[1])
    assert [f.calls for f in fetches] == [2, 1]


def test_an_answer_fetched_across_a_write_is_never_served(tmp_path: Path) -> None:
    """The write lands while the answer is on its way: it is stored, but outdated."""
    reader, writer = _cache(tmp_path), _cache(tmp_path)

    def fetch_during_a_write() -> list[Any]:
        writer.forget_types(["Shot"])
        return [{"frame_out": "old"}]

    reader.answer("Shot", "data/shots/all", {}, fetch_during_a_write)
    fresh = Fetcher([{"frame_out": "new"}])
    assert reader.answer("Shot", "data/shots/all", {}, fresh) == ([{"frame_out": "new"}], False)


def test_namespaces_keep_users_and_servers_apart(tmp_path: Path) -> None:
    alice = _cache(tmp_path, "alice")
    alice.answer("Project", "data/projects", {}, Fetcher([{"name": "secret"}]))
    for other in (
        _cache(tmp_path, "bob"),
        _cache(tmp_path, "alice", server="http://other.test/api"),
    ):
        fetch = Fetcher([])
        assert other.answer("Project", "data/projects", {}, fetch) == ([], False)
        assert other.stale_answer("Project", "data/projects", {}) == []
    again = Fetcher([])
    assert _cache(tmp_path, "alice").answer("Project", "data/projects", {}, again)[1] is True


def test_serves_and_sibling(tmp_path: Path) -> None:
    cache = _cache(tmp_path, "alice", production_ttl=7)
    assert cache.serves(SERVER, "alice") and not cache.serves(SERVER, "bob")
    sibling = cache.sibling()
    assert sibling.namespace == "" and sibling.directory == cache.directory
    assert sibling.production_ttl == 7


def test_offline_serves_any_age_and_says_when_nothing_is_there(tmp_path: Path) -> None:
    cache = _cache(tmp_path, production_ttl=0.0)
    cache.answer("Shot", "data/shots/all", {}, Fetcher([{"id": "1"}]))
    cache.forget_types(["Task"])
    never = Fetcher(None)
    assert cache.answer("Shot", "data/shots/all", {}, never, offline=True) == ([{"id": "1"}], True)
    with pytest.raises(ConnectionError, match="nothing cached"):
        cache.answer("Task", "data/tasks", {}, never, offline=True)
    assert never.calls == 0


def test_stats_and_clear(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    fetch = Fetcher([{"id": str(n), "name": "x" * 50} for n in range(100)])
    cache.answer("Shot", "data/shots/all", {}, fetch)
    cache.answer("Shot", "data/shots/all", {}, fetch)
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.entries) == (1, 1, 1)
    assert stats.size > 0
    cache.clear()
    assert cache.stats().entries == 0
    assert cache.answer("Shot", "data/shots/all", {}, fetch)[1] is False
    assert cache.check() == []


def test_a_garbage_cache_file_is_reset_with_a_warning(tmp_path: Path) -> None:
    _cache(tmp_path).answer("Shot", "data/shots/all", {}, Fetcher([1]))
    (tmp_path / "cache.db").write_bytes(os.urandom(64 * 1024))
    with pytest.warns(RuntimeWarning, match="reset"):
        cache = _cache(tmp_path)
    fetch = Fetcher([2])
    assert cache.answer("Shot", "data/shots/all", {}, fetch) == ([2], False)
    assert cache.answer("Shot", "data/shots/all", {}, fetch) == ([2], True)
    assert cache.check() == []


def test_a_cache_file_corrupted_while_open_is_reset_with_a_warning(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    cache.answer("Shot", "data/shots/all", {}, Fetcher([1]))
    (tmp_path / "cache.db").write_bytes(b"garbage!" * 8192)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):  # whichever call meets the damage first resets the store
            body, _hit = cache.answer("Task", "data/tasks", {}, Fetcher([2]))
            assert body == [2]
        cache.stats()
    assert any("reset" in str(w.message) for w in caught)
    assert cache.check() == []


def test_a_damaged_entry_is_dropped_with_a_warning_and_fetched_again(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    body = [{"id": f"shot-{n}", "name": f"SH{n:03}"} for n in range(3000)]  # a file, not a row
    cache.answer("Shot", "data/shots/all", {}, Fetcher(body))
    (stored,) = [p for p in tmp_path.rglob("*.val")]
    damaged = bytearray(stored.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    stored.write_bytes(bytes(damaged))
    fetch = Fetcher([2])
    with pytest.warns(RuntimeWarning, match="damaged entry"):
        assert cache.answer("Shot", "data/shots/all", {}, fetch) == ([2], False)
    assert cache.answer("Shot", "data/shots/all", {}, fetch) == ([2], True)
    assert fetch.calls == 1 and cache.check() == []


def test_an_entry_of_another_pythons_format_is_a_quiet_miss(tmp_path: Path) -> None:
    from kitsu_orm import cache_entries

    cache = _cache(tmp_path)
    key = cache._key("Shot", "data/shots/all", {})
    foreign = cache_entries.encode({"at": time.time(), "gen": [0], "body": [1]}).replace(
        cache_entries.HEADER, b"kitsu-orm:marshal99:1:"
    )
    cache._store.set(key, foreign)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning: nothing is damaged
        assert cache.answer("Shot", "data/shots/all", {}, Fetcher([2])) == ([2], False)


def _unpickled(path: str) -> None:
    Path(path).touch()


class _Planted:
    """A value whose unpickling would leave a mark on the disk."""

    def __init__(self, mark: Path) -> None:
        self.mark = mark

    def __reduce__(self) -> Any:
        return (_unpickled, (str(self.mark),))


def test_a_pickle_planted_in_the_folder_is_never_loaded(tmp_path: Path) -> None:
    import diskcache

    cache = _cache(tmp_path)
    cache.answer("Shot", "data/shots/all", {}, Fetcher([1]))
    key = cache._key("Shot", "data/shots/all", {})
    mark = tmp_path / "unpickled"
    with diskcache.Cache(str(tmp_path)) as plain:  # diskcache's own Disk pickles
        plain.set(key, _Planted(mark))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert cache.answer("Shot", "data/shots/all", {}, Fetcher([2])) == ([2], False)
    assert not mark.exists()
    assert any("reset" in str(w.message) for w in caught)


def test_the_store_refuses_to_pickle_anything(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    with pytest.raises(TypeError, match="cache values"):
        cache._store.set("some|key", {"a": 1})
    with pytest.raises(TypeError, match="cache keys"):
        cache._store.set(("a", "tuple"), b"value")
    assert cache.check() == [] and len(cache._store) == 0


def test_a_folder_written_by_the_json_format_still_opens(tmp_path: Path) -> None:
    import diskcache

    with diskcache.Cache(str(tmp_path), disk=diskcache.JSONDisk, disk_compress_level=1) as old:
        old.set("old|entry", {"at": 0, "gen": [0], "body": [1]})
    cache = _cache(tmp_path)
    fetch = Fetcher([2])
    assert cache.answer("Shot", "data/shots/all", {}, fetch) == ([2], False)
    assert cache.answer("Shot", "data/shots/all", {}, fetch) == ([2], True)


def _modes(folder: Path) -> dict[str, int]:
    """Each file's and subfolder's mode under ``folder``, by relative path."""
    return {str(p.relative_to(folder)): stat.S_IMODE(p.lstat().st_mode) for p in folder.rglob("*")}


def _big_body() -> list[dict[str, Any]]:
    return [{"id": f"shot-{n}", "name": f"SH{n:03}"} for n in range(3000)]  # a value file


def test_a_folder_it_creates_is_private_and_so_is_everything_in_it(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "nested"
    cache = _cache(folder)
    cache.answer("Shot", "data/shots/all", {}, Fetcher(_big_body()))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    modes = _modes(folder)
    assert {"cache.db", ".kitsu-orm-cache"} <= set(modes)
    assert any(name.endswith(".val") for name in modes)
    for name, mode in modes.items():
        expected = 0o700 if (folder / name).is_dir() else 0o600
        assert mode == expected, (name, oct(mode))


def test_an_existing_folder_keeps_its_mode_and_gets_private_files(tmp_path: Path) -> None:
    folder = tmp_path / "existing"
    folder.mkdir()
    os.chmod(folder, 0o755)
    cache = _cache(folder)
    cache.answer("Shot", "data/shots/all", {}, Fetcher(_big_body()))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755  # not the cache's to change
    for name, mode in _modes(folder).items():
        assert mode == (0o700 if (folder / name).is_dir() else 0o600), (name, oct(mode))


def test_a_folder_holding_other_files_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    (folder / "photos").mkdir(parents=True)
    (folder / "notes.txt").write_text("mine")
    (folder / "photos" / "a.jpg").write_bytes(b"jpg")
    os.chmod(folder, 0o750)
    before = _modes(folder)
    with pytest.raises(ConfigurationError, match="holds files the cache did not write"):
        Cache(folder)
    (folder / "cache.db").write_bytes(os.urandom(4096))  # ... and a damaged cache.db
    with pytest.raises(ConfigurationError, match=r"notes\.txt, photos"):
        Cache(folder)
    assert (folder / "notes.txt").read_text() == "mine"
    assert (folder / "photos" / "a.jpg").read_bytes() == b"jpg"
    assert len((folder / "cache.db").read_bytes()) == 4096
    assert _modes(folder) == {**before, "cache.db": _modes(folder)["cache.db"]}
    assert stat.S_IMODE(folder.stat().st_mode) == 0o750


def test_a_reset_deletes_only_what_diskcache_writes(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    cache = _cache(folder)
    cache.answer("Shot", "data/shots/all", {}, Fetcher(_big_body()))
    (value,) = folder.rglob("*.val")
    cache.close()
    # Files put in the cache's folder later, some under names like diskcache's.
    os.chmod(folder, 0o750)
    others = {
        "notes.txt": b"mine",
        "cache.db.bak": b"a backup",
        f"{value.parent.parent.name}/readme.txt": b"beside the values",
        f"{value.parent.parent.name}/{value.parent.name}/keep.val": b"not a value file name",
        "ab/cd/0123456789abcdef0123456789ab.txt": b"not .val",
        "mine/ab/cd/0123456789abcdef0123456789ab.val": b"not in a value folder",
    }
    for name, data in others.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    (folder / "cache.db").write_bytes(os.urandom(64 * 1024))
    with pytest.warns(RuntimeWarning, match="was reset: its database is damaged"):
        cache = _cache(folder)
    assert not value.exists()
    for name, data in others.items():
        assert (folder / name).read_bytes() == data, name
    assert (folder / ".kitsu-orm-cache").is_file()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o750
    assert cache.answer("Shot", "data/shots/all", {}, Fetcher([2])) == ([2], False)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_a_folder_of_another_os_user_is_refused(tmp_path: Path) -> None:
    for folder in (tmp_path / "empty", tmp_path / "used"):
        folder.mkdir()
    _cache(tmp_path / "used").close()
    for folder in (tmp_path / "empty", tmp_path / "used"):
        os.chown(folder, 4242, -1)
        with pytest.raises(ConfigurationError, match=r"belongs to another user \(uid 4242\)"):
            Cache(folder)


@pytest.mark.parametrize("mode", [0o770, 0o702, 0o777], ids=oct)
def test_a_folder_others_may_write_is_refused(tmp_path: Path, mode: int) -> None:
    for folder in (tmp_path / "empty", tmp_path / "used"):
        folder.mkdir()
    _cache(tmp_path / "used").close()
    for folder in (tmp_path / "empty", tmp_path / "used"):
        os.chmod(folder, mode)
        with pytest.raises(ConfigurationError, match=f"written by other users \\(mode {mode:o}\\)"):
            Cache(folder)
        assert stat.S_IMODE(folder.stat().st_mode) == mode


def test_a_cache_an_earlier_version_wrote_is_adopted_and_made_private(tmp_path: Path) -> None:
    import diskcache

    folder = tmp_path / "old"
    folder.mkdir(mode=0o700)
    with diskcache.Cache(str(folder)) as old:  # diskcache's own modes: 0644 and 0755
        old.set("old|entry", b"x" * 100_000)
    assert any(mode & 0o044 for mode in _modes(folder).values())
    cache = _cache(folder)
    assert (folder / ".kitsu-orm-cache").is_file()
    for name, mode in _modes(folder).items():
        assert mode == (0o700 if (folder / name).is_dir() else 0o600), (name, oct(mode))
    assert cache.answer("Shot", "data/shots/all", {}, Fetcher([2])) == ([2], False)


@pytest.mark.parametrize(
    "entry",
    [
        [1, 2],
        "text",
        {"at": "yesterday", "gen": [0], "body": []},
        {"at": 0.0, "gen": "0", "body": []},
        {"at": 0.0, "gen": [None], "body": []},
        {"at": 1e18, "gen": [0]},
        {"at": 1e18, "gen": [0], "body": [(1, 2)]},
        {"at": 1e18, "gen": [0], "body": {1: "x"}},
        {"at": 1e18, "gen": [0], "body": b"bytes"},
    ],
    ids=repr,
)
def test_an_entry_of_the_wrong_shape_is_dropped_once(tmp_path: Path, entry: Any) -> None:
    from kitsu_orm import cache_entries

    cache = _cache(tmp_path)
    key = cache._key("Shot", "data/shots/all", {})
    cache._store.set(key, cache_entries.encode(entry))  # a valid checksum: only the shape is off
    fetch = Fetcher([{"id": "1"}])
    with pytest.warns(RuntimeWarning, match="malformed entry"):
        assert cache.answer("Shot", "data/shots/all", {}, fetch) == ([{"id": "1"}], False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cache.answer("Shot", "data/shots/all", {}, fetch) == ([{"id": "1"}], True)
        assert _cache(tmp_path).answer("Shot", "data/shots/all", {}, fetch)[1] is True
    assert fetch.calls == 1


@pytest.mark.parametrize("value", [b"garbage", "text", 1.5])
def test_a_generation_that_is_not_a_counter_outdates_its_answers(tmp_path: Path, value: Any) -> None:
    cache = _cache(tmp_path)
    fetch = Fetcher([1])
    cache.answer("Shot", "data/shots/all", {}, fetch)
    cache._store.set(cache._generation_key("Shot"), value)
    assert cache.answer("Shot", "data/shots/all", {}, fetch)[1] is False  # never the old one
    assert cache.answer("Shot", "data/shots/all", {}, fetch)[1] is True
    cache._store.set(cache._generation_key("Shot"), value)
    cache.forget_types(["Shot"])  # a write over a damaged counter: no crash
    assert cache.answer("Shot", "data/shots/all", {}, fetch)[1] is False
    assert fetch.calls == 3


def _point_value_file_at(folder: Path, filename: str) -> None:
    """Tamper every value row of the store so that its file is ``filename``."""
    with contextlib.closing(sqlite3.connect(folder / "cache.db")) as db, db:
        db.execute("UPDATE Cache SET filename = ? WHERE filename IS NOT NULL", (filename,))


def test_a_value_file_path_out_of_the_folder_is_never_opened_nor_deleted(tmp_path: Path) -> None:
    from kitsu_orm import cache_entries

    folder, outside = tmp_path / "cache", tmp_path / "elsewhere"
    outside.mkdir()
    forged = cache_entries.encode({"at": time.time(), "gen": [0], "body": ["forged"]})
    (outside / "answer.val").write_bytes(forged)
    (folder / "ab").mkdir(parents=True)
    (folder / "ab" / "cd").symlink_to(outside)  # a value folder that leads out
    (outside / "0123456789abcdef0123456789ab.val").write_bytes(forged)
    targets = [
        str(outside / "answer.val"),
        "../elsewhere/answer.val",
        os.path.join("ab", "cd", "0123456789abcdef0123456789ab.val"),
    ]
    for target in targets:
        cache = _cache(folder)
        cache.answer("Shot", "data/shots/all", {}, Fetcher(_big_body()))
        _point_value_file_at(folder, target)
        with pytest.warns(RuntimeWarning, match="reset: a stored value's file lies outside"):
            assert cache.answer("Shot", "data/shots/all", {}, Fetcher([2])) == ([2], False)
        for clear in (False, True):  # deletes the rows, and diskcache their files: not these
            cache.answer("Shot", "data/shots/all", {}, Fetcher(_big_body()))
            _point_value_file_at(folder, target)
            cache.clear() if clear else cache.forget_types(["Shot"])
        cache.answer("Shot", "data/shots/all", {}, Fetcher(_big_body()))
        _point_value_file_at(folder, target)
        old = cache_entries.encode({"at": 0.0, "gen": [0], "body": []})
        cache._store.set(cache._key("Shot", "data/shots/all", {}), old)  # overwritten
        cache.close()
    assert (outside / "answer.val").read_bytes() == forged
    assert (outside / "0123456789abcdef0123456789ab.val").read_bytes() == forged
    assert (folder / "ab" / "cd").is_symlink()


def test_confirmed_tokens_are_remembered_as_digests_until_they_expire(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    token = "header." + "p" * 40 + ".signature"
    assert cache.confirmed_user(SERVER, token) is None
    cache.confirm(SERVER, token, "alice", until=time.time() + 60)
    cache.confirm(SERVER, "expired-token", "bob", until=time.time() - 1)
    cache.confirm(SERVER, "bot-token", "bot", until=None)
    again = Cache(tmp_path)  # another process
    assert again.confirmed_user(SERVER, token) == "alice"
    assert again.confirmed_user("http://other.test/api", token) is None
    assert again.confirmed_user(SERVER, token + "x") is None
    assert again.confirmed_user(SERVER, "expired-token") is None
    assert again.confirmed_user(SERVER, "expired-token", any_age=True) == "bob"  # offline
    assert again.confirmed_user(SERVER, "bot-token") == "bot"
    cache.close()
    again.close()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes() and b"bot-token" not in path.read_bytes()


def test_default_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KITSU_ORM_CACHE_DIR", str(tmp_path / "here"))
    assert default_directory() == tmp_path / "here"
    monkeypatch.delenv("KITSU_ORM_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert default_directory() == tmp_path / "xdg" / "kitsu-orm" / "data"


def test_a_session_refuses_an_unknown_cache_mode() -> None:
    with pytest.raises(ConfigurationError, match="cache must be one of"):
        kitsu.Session(transport=object(), cache="sometimes")


# -- against the server ------------------------------------------------------------------


def _tokens(client: Transport) -> Any:
    assert client.tokens is not None
    return client.tokens


def _session(url: str, client: Transport, tmp_path: Path, **options: Any) -> kitsu.Session:
    options.setdefault("cache", "on")
    if isinstance(options["cache"], str):
        options.setdefault("cache_dir", str(tmp_path / "cache"))
    transport = Transport(url, token=_tokens(client), retry=Retry(total=1, backoff=0.01, jitter=0))
    return kitsu.Session(transport=transport, **options)


def _make_shots(client: Transport, project_id: str, names: list[str]) -> list[dict[str, Any]]:
    seq = client.post(f"data/projects/{project_id}/sequences", {"name": "SQ01"})
    return [
        client.post(
            f"data/projects/{project_id}/shots",
            {"name": name, "sequence_id": seq["id"], "data": {"frame_in": 1, "frame_out": 10}},
        )
        for name in names
    ]


def _shots(s: kitsu.Session, project_id: str) -> dict[str, kitsu.Shot]:
    return {shot.name: shot for shot in kitsu.Shot.where(project_id=project_id, session=s).all()}


_READER = textwrap.dedent(
    """
    import json, os, sys
    import kitsu_orm as kitsu
    from kitsu_orm.transport import Transport
    transport = Transport(os.environ["URL"], token=os.environ["TOKEN"])
    mode = os.environ["MODE"]  # offline: the disk only (the token was confirmed online)
    s = kitsu.Session(transport=transport, cache=mode, cache_dir=os.environ["CACHE_DIR"])
    shots = kitsu.Shot.where(project_id=os.environ["PROJECT_ID"], session=s).all()
    frame_outs = [x.frame_out for x in shots]
    s.close()  # an empty identity map: the get below is a read
    shot = s.get(kitsu.Shot, os.environ["SHOT_ID"])
    print(json.dumps({"frame_outs": frame_outs, "get": shot.frame_out, "hits": s.cache_hits}))
    """
)


def _read_in_a_new_process(
    url: str, token: str, cache_dir: Path, shot: dict[str, Any], mode: str = "on"
) -> Any:
    """``mode="offline"`` reads the disk only: it shows what another process would be served."""
    env = {
        "MODE": mode,
        **os.environ,
        "URL": url,
        "TOKEN": token,
        "CACHE_DIR": str(cache_dir),
        "PROJECT_ID": shot["project_id"],
        "SHOT_ID": shot["id"],
    }
    done = subprocess.run(
        [sys.executable, "-c", _READER], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@server
def test_your_own_write_is_seen_here_in_a_new_session_and_in_a_new_process(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    tmp_path: Path,
) -> None:
    url, folder = kitsu_server.url, tmp_path / "cache"
    (row,) = _make_shots(kitsu_client, kitsu_project["id"], ["SH010"])
    token = _tokens(kitsu_client).access
    # Warm the cache in this process and in another one, and show the old value is on disk.
    # (Hit counts vary: other tests' writes on a shared server, seen in Zou's event log,
    # may drop answers; the offline reads show what is stored whatever happens.)
    writer = _session(url, kitsu_client, tmp_path)
    shot = _shots(writer, kitsu_project["id"])["SH010"]
    assert shot.frame_out == 10
    assert _read_in_a_new_process(url, token, folder, row)["get"] == 10
    stored = _read_in_a_new_process(url, token, folder, row, mode="offline")
    assert stored == {"frame_outs": [10], "get": 10, "hits": 2}
    bystander = _session(url, kitsu_client, tmp_path)
    assert _shots(bystander, kitsu_project["id"])["SH010"].frame_out == 10

    shot.frame_out = 99
    writer.commit()

    assert _shots(writer, kitsu_project["id"])["SH010"].frame_out == 99
    assert _shots(bystander, kitsu_project["id"])["SH010"].frame_out == 99
    fresh = _session(url, kitsu_client, tmp_path)
    assert _shots(fresh, kitsu_project["id"])["SH010"].frame_out == 99
    assert fresh.get(kitsu.Shot, row["id"]).frame_out == 99
    after = _read_in_a_new_process(url, token, folder, row)
    assert (after["frame_outs"], after["get"]) == ([99], 99)
    stored = _read_in_a_new_process(url, token, folder, row, mode="offline")
    assert stored == {"frame_outs": [99], "get": 99, "hits": 2}


@server
def test_shots_loaded_with_their_tasks_are_fresh_after_your_own_write(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    tmp_path: Path,
) -> None:
    (row,) = _make_shots(kitsu_client, kitsu_project["id"], ["SH010"])
    kitsu_client.post(
        "data/tasks",
        {"name": "main", "entity_id": row["id"], "project_id": kitsu_project["id"],
         "task_type_id": next(
             t["id"] for t in kitsu_client.get("data/task-types") if t["for_entity"] == "Shot"
         ),
         "task_status_id": kitsu_client.get("data/task-status")[0]["id"]},
    )

    def board(s: kitsu.Session) -> kitsu.Shot:
        query = kitsu.Shot.where(project_id=kitsu_project["id"], session=s).include("tasks")
        return query.one()

    writer = _session(kitsu_server.url, kitsu_client, tmp_path)
    shot = board(writer)
    (task,) = shot.tasks
    assert board(_session(kitsu_server.url, kitsu_client, tmp_path)).frame_out == 10
    shot.frame_out = 99
    task.priority = 3
    writer.commit()
    reader = _session(kitsu_server.url, kitsu_client, tmp_path)
    again = board(reader)
    assert again.frame_out == 99 and again.tasks[0].priority == 3
    assert reader.cache_hits == 0


@server
def test_a_write_by_someone_else_is_seen_through_the_event_log(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    tmp_path: Path,
) -> None:
    (row,) = _make_shots(kitsu_client, kitsu_project["id"], ["SH010"])
    folder = tmp_path / "cache"

    def frame_out(events_interval: float) -> Any:
        cache = Cache(folder, events_interval=events_interval)
        s = _session(kitsu_server.url, kitsu_client, tmp_path, cache=cache)
        return _shots(s, kitsu_project["id"])["SH010"].frame_out, s.transport.stats.total

    # A new folder: one request confirms the token, and it starts the event log clock.
    assert frame_out(0) == (10, 2)
    # Written by another client: nothing on this machine knows of it.
    kitsu_client.put(f"data/entities/{row['id']}", {"data": {"frame_in": 1, "frame_out": 99}})
    assert frame_out(3600) == (10, 0)  # the log was read just now: the cache answers alone
    assert frame_out(0) == (99, 2)  # the log names a shot update: shots are read again


def _make_artist(client: Transport, project_id: str) -> tuple[dict[str, Any], str]:
    password = "artist-" + uuid.uuid4().hex
    person = client.post(
        "data/persons",
        {
            "first_name": "Artist",
            "last_name": uuid.uuid4().hex[:8],
            "email": f"artist-{uuid.uuid4().hex[:8]}@example.com",
            "role": "user",
            "password": password,
            "active": True,
        },
    )
    client.post(f"data/projects/{project_id}/team", {"person_id": person["id"]})
    return person, password


@pytest.fixture
def artist(
    kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> Iterator[tuple[dict[str, Any], str]]:
    """A user with role "user" and a password, in the team of ``kitsu_project`` only."""
    person, password = _make_artist(kitsu_client, kitsu_project["id"])
    yield person, password
    try:
        kitsu_client.delete(f"data/persons/{person['id']}", {"force": "true"})
    except KitsuError as exc:
        warnings.warn(f"artist {person['email']} left on the server: {exc}", stacklevel=1)


@server
def test_an_artist_never_gets_the_admins_cached_answers(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    kitsu_make_project: ProjectFactory,
    artist: tuple[dict[str, Any], str],
    tmp_path: Path,
) -> None:
    person, password = artist
    other = kitsu_make_project()
    _make_shots(kitsu_client, kitsu_project["id"], ["SH_MINE"])
    _make_shots(kitsu_client, other["id"], ["SH_SECRET"])
    folder = str(tmp_path / "cache")
    admin = _session(kitsu_server.url, kitsu_client, tmp_path)
    admin_projects = {p.name for p in kitsu.Project.where(session=admin).all()}
    assert {kitsu_project["name"], other["name"]} <= admin_projects
    assert set(_shots(admin, other["id"])) == {"SH_SECRET"}
    assert set(_shots(admin, kitsu_project["id"])) == {"SH_MINE"}

    s = kitsu.Session(kitsu_server.url, person["email"], password, cache="on", cache_dir=folder)
    projects = kitsu.Project.where(session=s).all()
    assert [p.name for p in projects] == [kitsu_project["name"]]
    try:
        secret = _shots(s, other["id"])
    except PermissionDenied:
        secret = {}
    assert secret == {}
    assert set(_shots(s, kitsu_project["id"])) == {"SH_MINE"}
    assert s.cache_hits == 0
    # ... and the cache still serves each user his own answers.
    assert [p.name for p in kitsu.Project.where(session=s).all()] == [kitsu_project["name"]]
    assert s.cache_hits == 1
    admin_again = _session(kitsu_server.url, kitsu_client, tmp_path)
    ours = {kitsu_project["name"], other["name"]}  # (other tests' projects come and go)
    assert ours <= {p.name for p in kitsu.Project.where(session=admin_again).all()}


@server
def test_one_cache_object_shared_by_two_users_keeps_them_apart(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    kitsu_make_project: ProjectFactory,
    artist: tuple[dict[str, Any], str],
    tmp_path: Path,
) -> None:
    person, password = artist
    other = kitsu_make_project()
    shared = Cache(tmp_path / "cache")
    admin = _session(kitsu_server.url, kitsu_client, tmp_path, cache=shared)
    names = {p.name for p in kitsu.Project.where(session=admin).all()}
    assert other["name"] in names
    s = kitsu.Session(kitsu_server.url, person["email"], password, cache=shared)
    assert [p.name for p in kitsu.Project.where(session=s).all()] == [kitsu_project["name"]]
    # The admin reads again after the artist: his session still reads his own answers...
    assert other["name"] in {p.name for p in kitsu.Project.where(session=admin).all()}
    # ... and the artist's, after the admin's, still his.
    assert [p.name for p in kitsu.Project.where(session=s).all()] == [kitsu_project["name"]]


@server
def test_two_users_first_reading_at_once_through_one_unscoped_cache_stay_apart(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    kitsu_make_project: ProjectFactory,
    artist: tuple[dict[str, Any], str],
    tmp_path: Path,
) -> None:
    """Both sessions find the shared cache unscoped at the same moment (its scoping is
    slowed to make sure): one takes it, the other a sibling, never both the same."""
    person, password = artist
    other = kitsu_make_project()
    shared = Cache(tmp_path / "cache")
    scope = shared.scope

    def slow_scope(server: str, user_id: str) -> None:
        time.sleep(0.3)
        scope(server, user_id)

    shared.scope = slow_scope  # type: ignore[method-assign]
    admin = _session(kitsu_server.url, kitsu_client, tmp_path, cache=shared)
    s = kitsu.Session(kitsu_server.url, person["email"], password, cache=shared)
    start, seen = threading.Barrier(2), {}

    def read(who: str, session: kitsu.Session) -> None:
        start.wait()
        seen[who] = {p.name for p in kitsu.Project.where(session=session).all()}

    threads = [threading.Thread(target=read, args=pair) for pair in (("admin", admin), ("artist", s))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert seen["artist"] == {kitsu_project["name"]}
    assert other["name"] in seen["admin"]
    assert admin.cache is not s.cache
    assert [p.name for p in kitsu.Project.where(session=s).all()] == [kitsu_project["name"]]
    assert other["name"] in {p.name for p in kitsu.Project.where(session=admin).all()}


@server
def test_logging_in_as_someone_else_changes_the_cache_namespace(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    kitsu_make_project: ProjectFactory,
    artist: tuple[dict[str, Any], str],
    tmp_path: Path,
) -> None:
    person, password = artist
    other = kitsu_make_project()
    s = kitsu.Session(
        kitsu_server.url,
        kitsu_server.admin_email,
        kitsu_server.admin_password,
        cache="on",
        cache_dir=str(tmp_path / "cache"),
    )
    assert other["name"] in {p.name for p in kitsu.Project.where(session=s).all()}
    s.transport.login(person["email"], password)
    s.close()  # the identity map is the admin's
    assert [p.name for p in kitsu.Project.where(session=s).all()] == [kitsu_project["name"]]
    s.transport.logout()


def _hammer(url: str, token: str, folder: str, project_id: str, name: str, seconds: float) -> Any:
    """One process: read, write a counter into its shot's data, read back, until time is up."""
    cache = Cache(folder)
    transport = Transport(url, token=token)
    seen: dict[str, int] = {}  # the highest counter read per shot: it never goes back
    loops = errors = 0
    failures: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            s = kitsu.Session(transport=transport, cache=cache)
            shots = _shots(s, project_id)
            mine = shots[name]
            assert (mine.data or {}).get("counter", 0) == loops, "my last write is not read"
            for other in shots.values():
                counter = int((other.data or {}).get("counter", 0))
                assert counter >= seen.get(other.name, 0), f"{other.name} went back"
                seen[other.name] = counter
            mine.data = {**(mine.data or {}), "counter": loops + 1}
            s.commit()
            loops += 1
            back = kitsu.Session(transport=transport, cache=cache)
            back_shot = _shots(back, project_id)[name]
            assert (back_shot.data or {}).get("counter") == loops, "read back is stale"
            kitsu.TaskStatus.where(session=back).all()  # a reference table: hits, concurrently
        except Exception as exc:  # reported to the test, which fails on any
            errors += 1
            failures.append(f"{type(exc).__name__}: {exc}")
            if errors > 5:
                break
    stats = cache.stats()
    return {
        "name": name,
        "loops": loops,
        "errors": errors,
        "failures": failures[:5],
        "hits": stats.hits,
        "misses": stats.misses,
    }


@server
def test_four_processes_hammering_one_cache_folder(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    tmp_path: Path,
) -> None:
    names = [f"SH{n:03d}" for n in range(HAMMER_PROCESSES)]
    _make_shots(kitsu_client, kitsu_project["id"], names)
    folder = str(tmp_path / "cache")
    token = _tokens(kitsu_client).access
    args = [
        (kitsu_server.url, token, folder, kitsu_project["id"], n, HAMMER_SECONDS) for n in names
    ]
    with multiprocessing.get_context("spawn").Pool(HAMMER_PROCESSES) as pool:
        reports = pool.starmap(_hammer, args, chunksize=1)
    print("hammer:", json.dumps(reports))
    assert [r["errors"] for r in reports] == [0] * HAMMER_PROCESSES, reports
    assert all(r["loops"] > 0 for r in reports)
    final = kitsu_client.get("data/shots/all", {"project_id": kitsu_project["id"]})
    assert {s["name"]: s["data"]["counter"] for s in final} == {
        r["name"]: r["loops"] for r in reports
    }
    cache = Cache(folder)
    assert cache.check() == []
    assert cache.stats().entries > 0


@pytest.fixture
def proxy(kitsu_server: KitsuServer) -> Iterator[FaultProxy]:
    with FaultProxy.in_front_of(kitsu_server.url) as proxy:
        yield proxy


@server
def test_a_stopped_server_is_read_from_the_cache_and_writes_wait(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    proxy: FaultProxy,
    tmp_path: Path,
) -> None:
    pid = kitsu_project["id"]
    (row,) = _make_shots(kitsu_client, pid, ["SH010"])
    fresh = _session(proxy.url, kitsu_client, tmp_path)
    aged = _session(
        proxy.url, kitsu_client, tmp_path, cache=Cache(tmp_path / "cache", production_ttl=0)
    )
    # Who this token is: confirmed by the server for the two sessions above, remembered.
    offline_transport = Transport(proxy.url, token=_tokens(kitsu_client))
    offline = kitsu.Session(
        transport=offline_transport, cache="offline", cache_dir=str(tmp_path / "cache")
    )
    for s in (fresh, aged):
        assert _shots(s, pid)["SH010"].frame_out == 10
        assert s.get(kitsu.Project, pid).name == kitsu_project["name"]
        assert not s.is_offline

    proxy.refuse()
    with pytest.raises(ConnectionError):
        kitsu_client.__class__(proxy.url, token=_tokens(kitsu_client), retry=Retry.never()).get(
            "data/projects"
        )
    for s in (fresh, aged, offline):
        s.close()  # forget the objects: every answer below comes from the disk
        assert _shots(s, pid)["SH010"].frame_out == 10
        assert s.get(kitsu.Project, pid).name == kitsu_project["name"]
        assert s.cache_hits >= 2
    assert aged.is_offline and offline.is_offline
    assert not fresh.is_offline  # fresh answers: the server was never asked
    with pytest.raises(ConnectionError):
        _shots(aged, "00000000-0000-0000-0000-000000000000")  # never read: nothing to serve

    for s in (aged, offline):
        shot = _shots(s, pid)["SH010"]
        shot.frame_out = 42
        with pytest.raises(KitsuError) as raised:
            s.commit()
        assert isinstance(raised.value, ConnectionError) or isinstance(
            raised.value.__cause__, ConnectionError
        ), raised.value
        assert s.dirty == [shot] and shot.frame_out == 42 and "data" in shot.changes()
    assert offline.is_offline

    proxy.resume()
    aged.commit()
    assert aged.dirty == []
    server_row = kitsu_client.get(f"data/shots/{row['id']}")
    assert server_row["data"]["frame_out"] == 42
    assert _shots(aged, pid)["SH010"].frame_out == 42
    assert not aged.is_offline  # it reached the server again
    assert _shots(fresh, pid)["SH010"].frame_out == 42  # the commit outdated its answer


def _cache_bytes(folder: Path) -> list[bytes]:
    """Every file's raw bytes, and every stored key and value, decompressed where
    they are compressed (nothing is, today: the check holds whatever the format)."""
    blobs = [p.read_bytes() for p in folder.rglob("*") if p.is_file()]
    with sqlite3.connect(folder / "cache.db") as db:
        for fields in db.execute("SELECT key, value FROM Cache"):
            for value in fields:
                if isinstance(value, bytes):
                    try:
                        blobs.append(zlib.decompress(value))
                    except zlib.error:
                        blobs.append(value)
                elif value is not None:
                    blobs.append(str(value).encode())
    for blob in list(blobs):
        with contextlib.suppress(zlib.error):
            blobs.append(zlib.decompress(blob))
    return blobs


@server
def test_no_token_or_password_ever_reaches_the_cache_files(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    artist: tuple[dict[str, Any], str],
    tmp_path: Path,
) -> None:
    person, password = artist
    folder = tmp_path / "cache"
    _make_shots(kitsu_client, kitsu_project["id"], ["SH010"])
    s = kitsu.Session(
        kitsu_server.url, person["email"], password, cache="on", cache_dir=str(folder)
    )
    _shots(s, kitsu_project["id"])
    kitsu.Project.where(session=s).all()
    shot = _shots(s, kitsu_project["id"])["SH010"]
    assert s.get(kitsu.Shot, shot.id or "") is shot
    tokens = s.transport.tokens
    assert tokens is not None and tokens.refresh
    secrets = [tokens.access, tokens.refresh, password, kitsu_server.admin_password]
    blobs = _cache_bytes(folder)
    assert any(kitsu_project["name"].encode() in blob for blob in blobs)  # the search works
    for secret in secrets:
        assert not any(secret.encode() in blob for blob in blobs), "a secret is in the cache"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@server
def test_a_session_on_a_garbage_cache_warns_and_works(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    tmp_path: Path,
) -> None:
    folder = tmp_path / "cache"
    _make_shots(kitsu_client, kitsu_project["id"], ["SH010"])
    _shots(_session(kitsu_server.url, kitsu_client, tmp_path), kitsu_project["id"])
    (folder / "cache.db").write_bytes(os.urandom(32 * 1024))
    with pytest.warns(RuntimeWarning, match="reset"):
        s = _session(kitsu_server.url, kitsu_client, tmp_path)
    assert set(_shots(s, kitsu_project["id"])) == {"SH010"}
    assert s.cache is not None and s.cache.stats().entries > 0


@server
def test_session_cache_stats_and_clear(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    tmp_path: Path,
) -> None:
    _make_shots(kitsu_client, kitsu_project["id"], ["SH010"])
    s = _session(kitsu_server.url, kitsu_client, tmp_path)
    assert s.cache is not None
    _shots(s, kitsu_project["id"])
    _shots(s, kitsu_project["id"])
    stats = s.cache.stats()
    assert (stats.hits, stats.misses) == (1, 1) and stats.size > 0 and stats.entries >= 1
    assert s.stats.cache_hits == s.cache_hits == 1
    s.cache.clear()
    assert s.cache.stats().entries == 0
    requests = s.stats.requests
    _shots(s, kitsu_project["id"])
    assert s.stats.requests == requests + 1


def _b64url(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forged_token(user_id: str, *, signed: bool) -> str:
    """A JWT naming ``user_id``, as anyone can write one: unsigned, or signed with a
    key that is not the server's."""
    import hashlib
    import hmac

    now = int(time.time())
    header = {"alg": "HS256" if signed else "none", "typ": "JWT"}
    claims = {"sub": user_id, "type": "access", "fresh": False, "iat": now, "nbf": now,
              "exp": now + 3600, "jti": uuid.uuid4().hex, "identity_type": "person"}
    body = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
    if not signed:
        return body + "."
    signature = hmac.new(b"not the server's key", body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64url(signature)}"


@server
@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "wrongly-signed"])
def test_a_forged_token_naming_the_admin_gets_nothing_from_a_warm_cache(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    tmp_path: Path,
    signed: bool,
) -> None:
    folder = str(tmp_path / "cache")
    admin = _session(kitsu_server.url, kitsu_client, tmp_path)
    assert kitsu_project["name"] in {p.name for p in kitsu.Project.where(session=admin).all()}
    emails = {p.email for p in kitsu.Person.where(session=admin).all()}
    assert kitsu_server.admin_email in emails
    assert admin.cache is not None and admin.cache.stats().entries >= 2
    admin_id = str((kitsu_client.user or {})["id"])
    forged = _forged_token(admin_id, signed=signed)
    assert Tokens(forged).subject == admin_id

    for mode, refused in (("on", KitsuError), ("offline", kitsu.AuthenticationError)):
        transport = Transport(kitsu_server.url, token=forged, retry=Retry.never())
        s = kitsu.Session(transport=transport, cache=mode, cache_dir=folder)
        for cls in (kitsu.Project, kitsu.Person):
            with pytest.raises(refused) as raised:
                cls.where(session=s).all()
            assert not isinstance(raised.value, kitsu.ConnectionError)
        assert s.cache_hits == 0
        assert transport.stats.total == {"on": 2, "offline": 0}[mode]  # asked, and refused
    # The admin's own confirmed token still reads the warm cache, offline too.
    offline = _session(kitsu_server.url, kitsu_client, tmp_path, cache="offline")
    assert kitsu_project["name"] in {p.name for p in kitsu.Project.where(session=offline).all()}
    assert offline.transport.stats.total == 0


@server
def test_a_warm_process_with_a_confirmed_token_sends_no_request(
    kitsu_server: KitsuServer,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    tmp_path: Path,
) -> None:
    _make_shots(kitsu_client, kitsu_project["id"], ["SH010"])
    cache = Cache(tmp_path / "cache", events_interval=3600)
    cold = _session(kitsu_server.url, kitsu_client, tmp_path, cache=cache)
    assert cold.transport.confirmed_user_id() is None  # a token given by hand
    _shots(cold, kitsu_project["id"])
    assert cold.transport.stats.by_method == {"GET": 2}  # who the token is, then the shots
    warm = _session(kitsu_server.url, kitsu_client, tmp_path, cache=cache.sibling())
    assert set(_shots(warm, kitsu_project["id"])) == {"SH010"}
    assert warm.transport.stats.total == 0 and warm.cache_hits == 1
    # The same in a new process (C1), and offline, reading the disk only.
    row = kitsu_client.get("data/shots/all", {"project_id": kitsu_project["id"]})[0]
    token = _tokens(kitsu_client).access
    assert _read_in_a_new_process(kitsu_server.url, token, tmp_path / "cache", row)["hits"] >= 1
    env_offline = _read_in_a_new_process(
        kitsu_server.url, token, tmp_path / "cache", row, mode="offline"
    )
    assert env_offline["hits"] == 2
