"""cache_folder: which files the cache may open and delete (no server). Claiming,
refusing and resetting folders are tested through the cache, in tests/test_cache.py."""

from __future__ import annotations

import os
from pathlib import Path

from kitsu_orm.cache_folder import is_value_file, remove_value_file

NAME = "ab/cd/0123456789abcdef0123456789ab.val"


def test_only_diskcache_value_file_names_inside_the_folder_are_value_files(
    tmp_path: Path,
) -> None:
    root = os.path.realpath(tmp_path)
    assert is_value_file(root, str(tmp_path), NAME)
    others = (
        "../ab/cd/0123456789abcdef0123456789ab.val",
        "ab/cd/notes.txt",
        "ab/0123456789abcdef0123456789ab.val",
        "/etc/passwd",
        "xy/cd/0123456789abcdef0123456789ab.val",
    )
    for name in others:
        assert not is_value_file(root, str(tmp_path), name), name


def test_a_value_file_through_a_symlink_out_of_the_folder_is_left_alone(tmp_path: Path) -> None:
    folder, outside = tmp_path / "cache", tmp_path / "outside"
    (outside / "cd").mkdir(parents=True)
    (outside / "cd" / "0123456789abcdef0123456789ab.val").write_bytes(b"not the cache's")
    folder.mkdir()
    (folder / "ab").symlink_to(outside)
    root = os.path.realpath(folder)
    assert not is_value_file(root, str(folder), NAME)
    remove_value_file(root, str(folder), NAME)
    assert (outside / "cd" / "0123456789abcdef0123456789ab.val").read_bytes() == b"not the cache's"


def test_a_removed_value_file_takes_its_empty_folders_along(tmp_path: Path) -> None:
    (tmp_path / "ab" / "cd").mkdir(parents=True)
    (tmp_path / NAME).write_bytes(b"x")
    remove_value_file(os.path.realpath(tmp_path), str(tmp_path), NAME)
    assert not (tmp_path / "ab").exists()
