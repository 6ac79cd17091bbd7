"""What every benchmark shares: the server, timing and the report row."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

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
