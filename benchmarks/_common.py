"""What every benchmark shares: the server, the network profile, interleaved timing,
request counting and the result a workload reports (rendered by run.py into
docs/performance.md)."""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import statistics
import time
from collections.abc import Callable, Iterator

import attrs
import requests
from latency_proxy import SpawnedProxy

from kitsu_orm.devserver import DevServer


def bench_server() -> DevServer:
    """The local Kitsu the benchmarks run on, started if needed."""
    server = DevServer.from_env(name=os.environ.get("KITSU_BENCH_NAME", "bench"))
    server.ensure_running()
    return server


# -- the network between the clients and the server ----------------------------------


@attrs.frozen
class Profile:
    """Where the benchmarked clients are: on the server's machine, or across a network.

    Only the clients measured go through the network; building the data a
    workload needs and checking what it wrote talk to the server directly.
    """

    name: str
    about: str
    rtt: float = 0.0  # seconds
    mbit: float | None = None  # each way; None: loopback's
    handshake_rtts: float = 0.0  # before a new connection's first request

    @property
    def remote(self) -> bool:
        return self.rtt > 0


PROFILES = {
    "loopback": Profile("loopback", "clients on the server's machine, straight to Zou"),
    "remote": Profile(
        "remote", "a hosted Kitsu: 40 ms round trip, 100 Mbit/s each way, a new connection "
        "pays 2 round trips first (TCP and TLS 1.3 handshakes), keep-alive as behind nginx "
        "(benchmarks/latency_proxy.py, in a process of its own)",
        rtt=0.040, mbit=100, handshake_rtts=2),
}


def profile() -> Profile:
    """The profile of this run: ``BENCH_PROFILE`` (``make bench PROFILE=remote``)."""
    name = os.environ.get("BENCH_PROFILE") or "loopback"
    if name not in PROFILES:
        raise SystemExit(f"BENCH_PROFILE={name!r}: not one of {', '.join(PROFILES)}")
    return PROFILES[name]


def by_profile(loopback: int, remote: int) -> int:
    """A count (of runs...) for this run's profile: gazu's one request per object costs a
    round trip each across a network, where a loopback run can afford more runs."""
    return remote if profile().remote else loopback


@contextlib.contextmanager
def network(url: str) -> Iterator[str]:
    """The URL the profile's clients use to reach ``url``, for the time of the block:
    ``url`` itself on loopback, a latency proxy's in front of it in the remote profile."""
    wanted = profile()
    if not wanted.remote:
        yield url
        return
    with SpawnedProxy.in_front_of(url, rtt=wanted.rtt, mbit=wanted.mbit,
                                  handshake_rtts=wanted.handshake_rtts) as proxy:
        yield proxy.url


_NETWORKS: dict[str, str] = {}


def client_url(server: DevServer) -> str:
    """The URL the benchmarked clients use for the bench server, in this profile: one
    latency proxy for the whole process in the remote profile, stopped when it exits."""
    if server.url not in _NETWORKS:
        stack = contextlib.ExitStack()
        _NETWORKS[server.url] = stack.enter_context(network(server.url))
        atexit.register(stack.close)
    return _NETWORKS[server.url]


def interleaved(
    runs: int, **sides: Callable[[], object]
) -> dict[str, list[float]]:
    """Time each side ``runs`` times, alternating, so drift hurts all alike."""
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(runs):
        for name, fn in sides.items():
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    return times


def median(values: list[float]) -> float:
    return statistics.median(values)


# -- side-by-side workloads -------------------------------------------------------


@attrs.define
class Side:
    """One way of doing a workload: its label, what it sends, how long it takes."""

    name: str
    how: str = ""
    times: list[float] = attrs.Factory(list)
    requests: list[int] = attrs.Factory(list)
    value: float | None = None  # a measured quantity other than time (bytes...)
    unit: str = ""

    @property
    def median(self) -> float:
        return median(self.times) if self.times else float("nan")

    @property
    def request_count(self) -> int | None:
        """Requests of one run; every run of a side sends the same number."""
        if not self.requests:
            return None
        if len(set(self.requests)) != 1:
            raise AssertionError(f"{self.name}: request counts differ between runs: {self.requests}")
        return self.requests[0]


@attrs.define
class Target:
    text: str
    met: bool
    measured: str


@attrs.define
class Result:
    """A workload measured side by side. Ratios are ``side / reference`` medians."""

    key: str
    title: str
    sides: list[Side]
    reference: str
    targets: list[Target] = attrs.Factory(list)
    notes: list[str] = attrs.Factory(list)
    unit: str = "s"  # how times are shown: "s" or "ms"
    # The key ratios, shown side by side for every profile at the top of docs/performance.md.
    figures: dict[str, str] = attrs.Factory(dict)

    def side(self, name: str) -> Side:
        return next(s for s in self.sides if s.name == name)

    def ratio(self, name: str, reference: str | None = None) -> float:
        """How many times slower (or bigger) ``name`` is than the reference."""
        ref = self.side(reference or self.reference)
        other = self.side(name)
        if other.value is not None and ref.value is not None:
            return other.value / ref.value
        return other.median / ref.median

    def show(self, seconds: float) -> str:
        return f"{seconds * 1000:.2f}" if self.unit == "ms" else f"{seconds:.3f}"

    def report(self) -> str:
        """A plain-text table, for running one benchmark alone."""
        lines = [f"{self.key}: {self.title}"]
        for s in self.sides:
            req = "" if s.request_count is None else f"{s.request_count:6d} req"
            if s.value is not None:
                amount = f"{s.value:12,.0f} {s.unit}"
            else:
                amount = f"{self.show(s.median):>9} {self.unit} (median of {len(s.times)})"
            lines.append(f"  {s.name:<30} {req:>10}  {amount}  x{self.ratio(s.name):.2f}")
        for t in self.targets:
            lines.append(f"  target {'MET ' if t.met else 'MISSED'}: {t.text} ({t.measured})")
        for label, figure in self.figures.items():
            lines.append(f"  {label}: {figure}")
        return "\n".join(lines)


RunFn = Callable[[int], int]
Hook = Callable[[str, int], object]


def compare(
    runs: int,
    sides: dict[str, RunFn],
    *,
    before: Hook | None = None,
    after: Hook | None = None,
) -> dict[str, Side]:
    """Run every side ``runs`` times, interleaved; each run returns its request count.

    Each side gets a run number unique across sides (0, 1, 2...), so that
    write workloads can give every run fresh data. ``before`` and ``after``
    run untimed around each run (to prepare or check the server). The garbage
    of the runs before is collected untimed too: else the side that comes next
    pays for freeing the objects the previous side left (a session's objects
    hold cycles, which only the collector frees), and the order of the sides
    would show in their times.
    """
    out = {name: Side(name) for name in sides}
    number = 0
    for _ in range(runs):
        for name, fn in sides.items():
            gc.collect()  # before the hook: a meter it starts measures the run alone
            if before is not None:
                before(name, number)
            started = time.perf_counter()
            sent = fn(number)
            out[name].times.append(time.perf_counter() - started)
            out[name].requests.append(sent)
            if after is not None:
                after(name, number)
            number += 1
    return out


class RequestCounter:
    """Counts the responses a ``requests.Session`` receives (gazu's, or a raw one)."""

    def __init__(self, session: requests.Session) -> None:
        self.count = 0
        session.hooks["response"].append(self._hook)

    def _hook(self, response: requests.Response, *args: object, **kwargs: object) -> None:
        self.count += 1

    def take(self) -> int:
        """The count since the last take."""
        count, self.count = self.count, 0
        return count


def gazu_client(server: DevServer) -> RequestCounter:
    """Log gazu's default client in through the profile's network (its cache stays off)
    and count its requests."""
    import gazu

    gazu.set_host(client_url(server))
    gazu.log_in(server.admin_email, server.admin_password)
    gazu.cache.disable()
    return RequestCounter(gazu.client.default_client.session)
