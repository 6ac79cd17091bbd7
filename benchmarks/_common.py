"""What every benchmark shares: the server, interleaved timing, request counting
and the result a workload reports (rendered by run.py into docs/performance.md)."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

import attrs
import requests

from kitsu_orm.devserver import DevServer


def bench_server() -> DevServer:
    """The local Kitsu the benchmarks run on, started if needed."""
    server = DevServer.from_env(name=os.environ.get("KITSU_BENCH_NAME", "bench"))
    server.ensure_running()
    return server


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
    run untimed around each run (to prepare or check the server).
    """
    out = {name: Side(name) for name in sides}
    number = 0
    for _ in range(runs):
        for name, fn in sides.items():
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
    """Log gazu's default client in (its cache stays off) and count its requests."""
    import gazu

    gazu.set_host(server.url)
    gazu.log_in(server.admin_email, server.admin_password)
    gazu.cache.disable()
    return RequestCounter(gazu.client.default_client.session)
