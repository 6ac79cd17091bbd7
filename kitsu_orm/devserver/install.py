"""Zou's own virtualenv, shared by every server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .config import cache_home
from .errors import DevServerError
from .processes import file_lock, tail

ZOU_VERSION = "1.0.97"


@dataclass(frozen=True)
class ZouInstall:
    """The virtualenv that holds Zou, installed once per version and then reused."""

    root: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ZouInstall:
        """The install the environment points at, or the default one."""
        env = os.environ if env is None else env
        custom = env.get("KITSU_ORM_ZOU_VENV")
        root = Path(custom).expanduser() if custom else cache_home(env) / f"zou-{ZOU_VERSION}"
        return cls(root.absolute())

    def bin(self, tool: str) -> Path:
        """The path of a tool of the install's virtualenv."""
        return self.root / "bin" / tool

    @property
    def is_installed(self) -> bool:
        """Whether Zou is installed there already (skip the slow install)."""
        return self.bin("zou").exists() and self.bin("gunicorn").exists()

    def ensure(self) -> None:
        """Install Zou unless present; another process installing meanwhile is waited for."""
        if self.is_installed:
            return
        with file_lock(self.root.parent / f".{self.root.name}.lock"):
            if not self.is_installed:
                self._install()

    def _install(self) -> None:
        log = self.root.parent / f"{self.root.name}.install.log"
        print(
            f"kitsu_orm: installing zou {ZOU_VERSION} into {self.root} (about a minute, once)",
            file=sys.stderr,
            flush=True,
        )
        if self.root.exists():  # an interrupted install: start over
            shutil.rmtree(self.root)
        steps = [
            [sys.executable, "-m", "venv", str(self.root)],
            [
                str(self.bin("python")),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                f"zou=={ZOU_VERSION}",
            ],
        ]
        with open(log, "wb") as out:
            for step in steps:
                done = subprocess.run(step, stdout=out, stderr=subprocess.STDOUT, check=False)
                if done.returncode:
                    raise DevServerError(
                        f"installing zou {ZOU_VERSION} failed ({' '.join(step[:3])}...); "
                        f"last lines of {log}:\n{tail(log, 15)}"
                    )
