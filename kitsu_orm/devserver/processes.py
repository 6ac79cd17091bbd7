"""The server's own processes: detached starts, pid files, stops, file locks, logs.

POSIX only (process groups, ``fcntl`` locks).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

from .errors import DevServerError

_STOP_TIMEOUT = 10.0
# A detached start: the server is the launcher's child, never ours, so a test
# process that starts it neither reaps it nor warns about it when it exits.
_LAUNCHER = (
    "import subprocess, sys\n"
    "log = open(sys.argv[1], 'ab')\n"
    "child = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=log,\n"
    "                         stderr=subprocess.STDOUT, start_new_session=True)\n"
    "print(child.pid)\n"
)


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (another process waits, it never fails)."""
    import fcntl  # POSIX only: imported here so `kitsu_orm.testing` still imports elsewhere

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def try_flock(handle: IO[str], operation: int) -> bool:
    """Try a flock operation without waiting: False when another process holds the lock."""
    import fcntl

    try:
        fcntl.flock(handle, operation)
    except BlockingIOError:
        return False
    return True


def tail(path: Path, lines: int) -> str:
    """The last lines of a log, for an error message."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 256 * 1024))
            data = handle.read()
    except FileNotFoundError:
        return ""
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])


def spawn_detached(cmd: Sequence[str], log: Path, cwd: Path, env: Mapping[str, str]) -> int:
    """Start ``cmd`` in a session of its own, output appended to ``log``; return its pid."""
    done = subprocess.run(
        [sys.executable, "-I", "-c", _LAUNCHER, str(log), *cmd],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip().isdigit():
        raise DevServerError(f"could not start {cmd[0]}: {done.stderr.strip()[-500:]}")
    return int(done.stdout.strip())


def is_alive(pid: int) -> bool:
    """Whether a process with this pid runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        # A zombie answers signal 0 but is gone; with no reaping init it stays one.
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _command_line(pid: int) -> str:
    with contextlib.suppress(OSError):
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        return raw.replace(b"\0", b" ").decode(errors="replace")
    done = subprocess.run(
        ["ps", "-ww", "-o", "args=", "-p", str(pid)], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def _terminate(pid: int) -> None:
    """SIGTERM, then SIGKILL for the whole process group (the server's own session)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if _wait_gone(pid, _STOP_TIMEOUT):
        return
    with contextlib.suppress(ProcessLookupError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    _wait_gone(pid, 5.0)


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while is_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


class PidFile:
    """One process this server owns, recognised by a marker in its command line.

    The marker guards against a stale file naming a pid the system has since
    given to another program: that one is never signalled.
    """

    def __init__(self, path: Path, *markers: str) -> None:
        self.path = path
        self.markers = markers

    def read(self) -> int | None:
        """The pid recorded, or None when there is none or it is unreadable."""
        try:
            text = self.path.read_text().strip()
        except FileNotFoundError:
            return None
        return int(text) if text.isdigit() else None

    def write(self, pid: int) -> None:
        """Record the pid of a started process, so that stop() finds it."""
        self.path.write_text(f"{pid}\n")

    def live_pid(self) -> int | None:
        """The pid when it is alive and ours, else None."""
        pid = self.read()
        if pid is None or not is_alive(pid):
            return None
        command = _command_line(pid)
        return pid if all(marker in command for marker in self.markers) else None

    def stop(self) -> bool:
        """End our process if it runs; forget the file either way. True if one was ended."""
        pid = self.live_pid()
        if pid is not None:
            _terminate(pid)
        self.path.unlink(missing_ok=True)
        return pid is not None


def wait_for(
    what: str, ready: Callable[[], bool], pid_file: PidFile, log: Path, *, timeout: float
) -> None:
    """Wait until ``ready()``; fail with the log's last lines if the process exits first
    or ``timeout`` passes (then stop it)."""
    deadline = time.monotonic() + timeout
    while not ready():
        pid = pid_file.read()
        if pid is None or not is_alive(pid):
            pid_file.path.unlink(missing_ok=True)
            raise DevServerError(
                f"{what} exited while starting; last lines of {log}:\n{tail(log, 20)}"
            )
        if time.monotonic() > deadline:
            pid_file.stop()
            raise DevServerError(
                f"{what} did not answer within {timeout:.0f} s; last lines "
                f"of {log}:\n{tail(log, 20)}"
            )
        time.sleep(0.1)
