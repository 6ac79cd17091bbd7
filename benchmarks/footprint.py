"""M1 and import time: what kitsu_orm costs a process before and after it loads.

- M1, memory of the 4000 tasks of the bench production held in a process:
  kitsu_orm as entities (``Task.where(project=...).all()``, kept with their
  session and identity map) against gazu's dicts
  (``gazu.task.all_tasks_for_project``). Each side runs in a new process
  under ``tracemalloc``: what the load leaves allocated once garbage is
  collected (retained) and the highest point during the load (peak),
  relative to just before the load. Median of several processes.
- Import time: ``import kitsu_orm`` against ``import gazu``, timed inside
  new interpreters (startup itself excluded), interleaved; median.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from _common import Result, Side, Target, bench_server, median
from production import PROJECT_NAME, connect, ensure

MEMORY_RUNS = 3
IMPORT_RUNS = 9
ROOT = Path(__file__).resolve().parent.parent

_MEMORY_CHILD = """
import gc, json, sys, tracemalloc
side, url, access, refresh, project_id = sys.argv[1:]
if side == "kitsu_orm":
    import kitsu_orm as kitsu
    from kitsu_orm.transport import Tokens
    session = kitsu.Session(url, token=Tokens(access, refresh))
    # kitsu_orm imports its query, loading and HTTP modules on first use: done
    # here, as gazu does at import, so that only the tasks are measured.
    import kitsu_orm.loading, kitsu_orm.model.converter
    session.transport.is_host_up()
    load = lambda: kitsu.Task.where(project=project_id, session=session).all()
else:
    import gazu
    gazu.set_host(url)
    gazu.client.set_tokens({"access_token": access, "refresh_token": refresh})
    load = lambda: gazu.task.all_tasks_for_project(project_id)
gc.collect()
tracemalloc.start()
before = tracemalloc.get_traced_memory()[0]
tasks = load()
gc.collect()
current, peak = tracemalloc.get_traced_memory()
print(json.dumps({"count": len(tasks), "retained": current - before, "peak": peak - before}))
"""

_IMPORT_CHILD = """
import sys, time
started = time.perf_counter()
__import__(sys.argv[1])
print(time.perf_counter() - started)
"""


def _child(code: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def memory() -> Result:
    server = bench_server()
    transport = connect()
    project = ensure(transport, PROJECT_NAME)
    tokens = transport.tokens
    assert tokens is not None
    args = (server.url, tokens.access, tokens.refresh or "", project["id"])
    found: dict[str, list[dict[str, int]]] = {"kitsu_orm": [], "gazu": []}
    for _ in range(MEMORY_RUNS):
        for side in found:
            found[side].append(json.loads(_child(_MEMORY_CHILD, side, *args)))
    sides = []
    for side, runs in found.items():
        assert all(r["count"] == 4000 for r in runs), f"{side}: {runs}"
        retained = median([float(r["retained"]) for r in runs])
        peak = median([float(r["peak"]) for r in runs])
        how = ("Task entities + session" if side == "kitsu_orm" else "list of task dicts")
        sides.append(Side(side, how=f"{how}; peak {peak / 2**20:.1f} MiB", requests=[1],
                          value=retained, unit="bytes retained"))
    result = Result("M1", "memory of the 4000 tasks held in a process", sides, reference="gazu")
    ratio = result.ratio("kitsu_orm")
    result.targets.append(Target("kitsu_orm holds no more than gazu's dicts", ratio <= 1,
                                 f"kitsu_orm / gazu = {ratio:.2f}x retained"))
    result.figures["kitsu_orm / gazu, memory retained"] = f"{ratio:.2f}x"
    result.notes.append("retained bytes per task: " + ", ".join(
        f"{s.name} {(s.value or 0) / 4000:,.0f}" for s in sides))
    print(result.report())
    return result


def import_time() -> Result:
    found: dict[str, list[float]] = {"kitsu_orm": [], "gazu": []}
    for _ in range(IMPORT_RUNS):
        for module in found:
            found[module].append(float(_child(_IMPORT_CHILD, module)))
    sides = [Side(module, how=f"import {module} in a new interpreter", times=runs)
             for module, runs in found.items()]
    result = Result("IMPORT", "import time", sides, reference="kitsu_orm")
    ratio = result.ratio("gazu")
    ours = result.side("kitsu_orm").median
    result.targets.append(Target("import kitsu_orm in at most 0.15 s", ours <= 0.15,
                                 f"{ours:.3f} s; gazu / kitsu_orm = {ratio:.2f}x"))
    result.figures["gazu / kitsu_orm, import time"] = f"{ratio:.2f}x ({ours:.3f} s)"
    print(result.report())
    return result


def main() -> list[Result]:
    return [memory(), import_time()]


if __name__ == "__main__":
    main()
