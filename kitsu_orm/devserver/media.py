"""The system's ffmpeg, which Zou runs to process movie previews.

Zou calls ``ffmpeg`` and ``ffprobe`` by name (through ffmpeg-python), so the
server finds them on its ``PATH``. A shell's ``PATH`` may lack the folder a
package manager installs them in (a service, a cron job, a virtualenv-only
``PATH``): the server's environment gets that folder too. Without ffmpeg,
image previews still work; a movie's upload is answered but the preview
ends ``broken``. CI installs Debian's ``ffmpeg`` package (``.ci/run``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping

__all__ = ["SYSTEM_FOLDERS", "ffmpeg_path", "with_ffmpeg"]

SYSTEM_FOLDERS = ("/usr/bin", "/usr/local/bin", "/opt/homebrew/bin", "/opt/local/bin")
"""Where package managers put ffmpeg, looked in after ``PATH``."""


def ffmpeg_path(environ: Mapping[str, str] | None = None) -> str | None:
    """The ffmpeg the server would run: on ``PATH``, else in a system folder; or None."""
    env = os.environ if environ is None else environ
    found = shutil.which("ffmpeg", path=env.get("PATH", os.defpath))
    return found or shutil.which("ffmpeg", path=os.pathsep.join(SYSTEM_FOLDERS))


def with_ffmpeg(env: dict[str, str]) -> dict[str, str]:
    """``env`` with the folder of the system's ffmpeg on its ``PATH`` (unchanged without one)."""
    found = ffmpeg_path(env)
    if found is None:
        return env
    folder = os.path.dirname(found)
    path = env.get("PATH", "")
    if folder not in path.split(os.pathsep):
        env["PATH"] = os.pathsep.join(p for p in (path, folder) if p)
    return env
