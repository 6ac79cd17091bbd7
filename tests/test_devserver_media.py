"""The dev server hands Zou the system's ffmpeg (movie previews)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kitsu_orm.devserver.media import SYSTEM_FOLDERS, ffmpeg_path, with_ffmpeg


def _fake_ffmpeg(folder: Path) -> Path:
    folder.mkdir()
    tool = folder / "ffmpeg"
    tool.write_text("#!/bin/sh\nexit 0\n")
    tool.chmod(0o755)
    return tool


def test_an_ffmpeg_on_the_path_is_the_one_zou_runs(tmp_path: Path) -> None:
    tool = _fake_ffmpeg(tmp_path / "bin")
    env = {"PATH": str(tmp_path / "bin")}
    assert ffmpeg_path(env) == str(tool)
    assert with_ffmpeg(dict(env)) == env  # already found: PATH unchanged


def test_a_system_ffmpeg_missing_from_the_path_is_added_to_it() -> None:
    system = shutil.which("ffmpeg", path=os.pathsep.join(SYSTEM_FOLDERS))
    if system is None:
        pytest.skip("no ffmpeg in a system folder here")
    env = with_ffmpeg({"PATH": "/nonexistent"})
    assert env["PATH"].split(os.pathsep) == ["/nonexistent", os.path.dirname(system)]
    assert os.access(os.path.join(with_ffmpeg({})["PATH"], "ffmpeg"), os.X_OK)
