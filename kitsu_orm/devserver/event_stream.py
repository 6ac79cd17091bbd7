"""Zou's event stream: the socket.io server (``zou.event_stream``) that pushes events.

Zou serves its live events from a process apart from the API. The API's
workers publish every event on Redis pub/sub (database 2 of the Redis named
by ``KV_HOST``/``KV_PORT``; Zou turns publishing on by itself whenever that
Redis answers when a worker starts: there is no setting for it), and this
process relays them to the clients of its ``/events`` namespace. It holds
presence state in memory, so it runs as one gevent worker.
"""

from __future__ import annotations

import http.client
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .processes import PidFile, spawn_detached

__all__ = ["EventStream"]

_APP = "zou.event_stream:app"
_WORKER = "geventwebsocket.gunicorn.workers.GeventWebSocketWorker"


@dataclass
class EventStream:
    """The event stream of one dev server: its port, pid file and log."""

    state_dir: Path
    port: int

    @property
    def url(self) -> str:
        """Where socket.io clients connect (namespace ``/events``)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        """The process's own log."""
        return self.state_dir / "events.log"

    @property
    def pid_file(self) -> PidFile:
        """Its pid, recognised by the app's name and the server's run folder."""
        return PidFile(self.state_dir / "events.pid", _APP, str(self.state_dir / "run"))

    def spawn(self, gunicorn: Path, env: Mapping[str, str]) -> None:
        """Start the process (detached) and record its pid; :meth:`answers` says when
        it is ready."""
        run_dir = self.state_dir / "run"
        cmd = [
            str(gunicorn),
            "--no-control-socket",
            "-k",
            _WORKER,
            "-w",
            "1",
            "--graceful-timeout",  # its sockets stay open for ever: no waiting on a stop
            "1",
            "-b",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(run_dir),
            _APP,
        ]
        self.pid_file.write(spawn_detached(cmd, self.log_path, run_dir, env))

    def answers(self) -> bool:
        """Whether an Engine.IO handshake gets its ``open`` packet (proxies bypassed)."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(f"{self.url}/socket.io/?EIO=4&transport=polling", timeout=2.0) as resp:
                return bool(resp.read(1) == b"0")
        except (OSError, http.client.HTTPException):
            return False
