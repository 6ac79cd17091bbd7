"""The CPU time the bench server's own processes spend during a workload.

    with ServerCpu(server) as cpu:
        run_the_workload()
    cpu.seconds, cpu.parts, cpu.floor()

On a machine that runs client and server together, a write workload can go no
faster than the server's CPU allows: its *floor* is the CPU seconds the server
spent on it divided by the cores it may use. What is counted, from
``/proc/<pid>/stat`` (utime + stime, in clock ticks) before and after:

- ``zou``: the API's gunicorn master and its workers, found from the dev
  server's pid file (``DevServer.process_ids``);
- ``events``: the event stream's gunicorn and its worker (the API publishes
  every event to it through Redis, so its work grows with the writes);
- ``redis``: the server's private redis-server, when it has one (a shared
  Redis serves others too: not counted);
- ``postgres``: the PostgreSQL backends connected to the server's database,
  the processes ``pg_stat_activity`` lists for that ``datname``. They are
  found from their process titles (``postgres: 15/main: <user> <database>
  ...``, which is what ``pg_stat_activity`` shows), so that measuring opens
  no connection of its own.

A process tree is counted as the sum, over its live processes, of their own
CPU and of their reaped children's (``cutime + cstime``): a gunicorn worker
that exits during the workload keeps its CPU in its master's count.

The backends are children of the postmaster, which serves every database
of the cluster, so its ``cutime`` cannot tell ours from the others'. What we
chose: Zou keeps its connections in a pool (30 kept, 60 more allowed) and
they live as long as its workers, so the backends in use stay the same
through a workload; a sampler thread (every ``interval`` seconds) also reads
the backends of our database while the workload runs, so that one ending
during it keeps the CPU seen at its last sample, and reports their number
(``ended_backends``, expected 0). ``reaped_by_postmaster`` (the postmaster's
``cutime`` growth: every backend of any database that ended meanwhile) bounds
what such a backend could have lost. PostgreSQL's shared processes (WAL
writer, checkpointer) are left out: they serve every database alike.

Beside the server, the same cores run the client measured (``client``: this
process, every thread) and everything else (``others``: the machine's CPU
from ``/proc/stat`` less the two; PostgreSQL's shared writers and the kernel's
network work land there too). On a shared machine the floor says what the
server needs, ``others`` what the run had to share the cores with, and
``busy(wall)`` whether the cores were full all along: a run that kept them
busy was bound by CPU, whoever spent it.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from types import TracebackType

from kitsu_orm.devserver import DevServer

TICKS = os.sysconf("SC_CLK_TCK")
PARTS = ("zou", "events", "postgres", "redis")


def cores() -> int:
    """The cores this process (and the server beside it) may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# -- /proc --------------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name, or None once gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return raw.rsplit(")", 1)[1].split()  # the name may hold spaces and parentheses


def _own(fields: list[str]) -> int:
    return int(fields[11]) + int(fields[12])  # utime, stime


def _reaped(fields: list[str]) -> int:
    return int(fields[13]) + int(fields[14])  # cutime, cstime


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return []
    return [int(p) for p in text.split()]


def tree_ticks(root: int) -> int:
    """CPU ticks of a process, its descendants, and every one of them that ended."""
    total, queue = 0, [root]
    while queue:
        pid = queue.pop()
        fields = _stat(pid)
        if fields is not None:
            total += _own(fields) + _reaped(fields)
            queue.extend(_children(pid))
    return total


def _title(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
            "utf-8", "replace")
    except (FileNotFoundError, ProcessLookupError):
        return ""


def machine_ticks() -> int:
    """CPU ticks the whole machine spent running anything (user, nice, system, irq,
    softirq: all but idle, I/O wait and what the hypervisor stole)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]
    user, nice, system, _idle, _iowait, irq, softirq = map(int, fields)
    return user + nice + system + irq + softirq


def own_seconds() -> float:
    """This process's CPU seconds so far, every thread."""
    times = os.times()
    return times.user + times.system


def _name_and_parent(pid: int) -> tuple[str, int] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return raw[raw.index("(") + 1 : raw.rindex(")")], int(raw.rsplit(")", 1)[1].split()[1])


def postmasters() -> list[int]:
    """The local PostgreSQL postmasters: ``postgres`` processes whose parent is not one."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        me = _name_and_parent(int(entry.name))
        if me is None or me[0] != "postgres":
            continue
        parent = _name_and_parent(me[1])
        if parent is None or parent[0] != "postgres":
            found.append(int(entry.name))
    return found


class Backends:
    """The backends of one database, followed while a workload runs."""

    def __init__(self, master: int, database: str) -> None:
        self.master = master
        # "postgres: [cluster: ]user database host(port) activity", as ps shows it.
        self._ours = re.compile(rf"^postgres: (?:\S+: )?\S+ {re.escape(database)} ")
        self._parallel = re.compile(r"parallel worker for PID (\d+)")
        self._known: dict[tuple[int, str], bool] = {}  # (pid, start time) -> ours?
        self.first: dict[tuple[int, str], int] = {}
        self.last: dict[tuple[int, str], int] = {}
        self.alive: set[tuple[int, str]] = set()
        self._started = False

    def sample(self) -> None:
        """Read the CPU of every live backend of our database."""
        alive: set[tuple[int, str]] = set()
        for pid in _children(self.master):
            fields = _stat(pid)
            if fields is None:
                continue
            key = (pid, fields[19])  # the start time tells a reused pid apart
            if key not in self._known:
                self._known[key] = self._belongs(pid)
            if not self._known[key]:
                continue
            alive.add(key)
            ticks = _own(fields)
            # One seen first after the start began during the workload: all its CPU counts.
            self.first.setdefault(key, ticks if not self._started else 0)
            self.last[key] = ticks
        self._started = True
        self.alive = alive

    def _belongs(self, pid: int) -> bool:
        title = _title(pid)
        if self._ours.match(title):
            return True
        helper = self._parallel.search(title)
        return helper is not None and any(k[0] == int(helper[1]) and v
                                          for k, v in self._known.items())

    def ticks(self) -> int:
        return sum(self.last[k] - self.first[k] for k in self.last)

    def ended(self) -> int:
        return len(set(self.last) - self.alive)


class ServerCpu:
    """CPU seconds spent by a dev server's processes between start and stop."""

    def __init__(self, server: DevServer, *, interval: float = 0.25) -> None:
        self.server = server
        self.interval = interval
        self.parts: dict[str, float] = {}
        self.ended_backends = 0
        self.reaped_by_postmaster = 0.0
        self.missing: list[str] = []  # parts that could not be measured, and why
        # Beside the server, on the same cores: this process (the client measured) and
        # everything else (other programs, PostgreSQL's shared writers, the kernel).
        self.client = 0.0
        self.others = 0.0
        self._machine = 0
        self._client = 0.0
        self._roots: dict[str, int] = {}
        self._before: dict[str, int] = {}
        self._backends: Backends | None = None
        self._master_reaped = 0
        self._stop = threading.Event()
        self._sampler: threading.Thread | None = None

    @property
    def seconds(self) -> float:
        """The server's CPU seconds of the workload, all parts together."""
        return sum(self.parts.values())

    def floor(self, cores_available: int | None = None) -> float:
        """The shortest wall time the server could take: its CPU over the cores."""
        return self.seconds / (cores_available or cores())

    def start(self) -> ServerCpu:
        self._roots = self.server.process_ids()
        for name in ("zou", "events"):
            if name not in self._roots:
                raise RuntimeError(f"server {self.server.name!r}: no {name} process running")
        if "redis" not in self._roots:
            self.missing.append("redis (shared with others: not counted)")
        self._before = {name: tree_ticks(pid) for name, pid in self._roots.items()}
        self._machine, self._client = machine_ticks(), own_seconds()
        self._backends = self._find_backends()
        if self._backends is None:
            self.missing.append("postgres (no local backend of its database found)")
        else:
            master = self._backends.master
            self._master_reaped = _reaped(_stat(master) or ["0"] * 15)
            self._stop.clear()
            self._sampler = threading.Thread(target=self._follow, name="server-cpu",
                                             daemon=True)
            self._sampler.start()
        return self

    def stop(self) -> None:
        machine, client = machine_ticks(), own_seconds()
        after = {name: tree_ticks(pid) for name, pid in self._roots.items()}
        self.parts = {name: (after[name] - self._before[name]) / TICKS for name in after}
        if self._backends is not None:
            self._stop.set()
            assert self._sampler is not None
            self._sampler.join()
            self._backends.sample()
            self.parts["postgres"] = self._backends.ticks() / TICKS
            self.ended_backends = self._backends.ended()
            reaped = _reaped(_stat(self._backends.master) or ["0"] * 15)
            self.reaped_by_postmaster = (reaped - self._master_reaped) / TICKS
        self.client = client - self._client
        self.others = max(0.0, (machine - self._machine) / TICKS - self.seconds - self.client)

    def _find_backends(self) -> Backends | None:
        """The backends of the server's database, under the postmaster that has some
        (or the only one: a server that has not served yet opens them meanwhile)."""
        masters = postmasters()
        for master in masters:
            backends = Backends(master, self.server.database)
            backends.sample()
            if backends.last or len(masters) == 1:
                return backends
        return None

    def _follow(self) -> None:
        assert self._backends is not None
        while not self._stop.wait(self.interval):
            self._backends.sample()

    def __enter__(self) -> ServerCpu:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def busy(self, wall: float, cores_available: int | None = None) -> float:
        """How busy the cores were over ``wall`` seconds, everything counted: near 1, the
        run was bound by CPU (the server's, the client's or other programs')."""
        spent = self.seconds + self.client + self.others
        return spent / ((cores_available or cores()) * wall)

    def describe(self) -> str:
        """The parts, as ``zou 11.2 + postgres 4.1 + ... s``."""
        shown = " + ".join(f"{name} {self.parts[name]:.2f}" for name in PARTS
                           if name in self.parts)
        return f"{shown} s"


if __name__ == "__main__":
    # How busy are the bench server and the machine right now? A floor is only
    # honest on an idle machine: look before a benchmark.
    import sys
    import time

    from _common import bench_server

    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    with ServerCpu(bench_server()) as now:
        time.sleep(seconds)
    print(f"{seconds:g} s on {cores()} cores: server {now.describe()}, other programs "
          f"{now.others:.2f} s (busy {now.busy(seconds):.0%}); load average "
          f"{', '.join(f'{v:.2f}' for v in os.getloadavg())}"
          + (f"; not measured: {', '.join(now.missing)}" if now.missing else ""))
