"""C1: the review sheet (R1) in a new process, with a cold and then a warm disk cache.

Each kitsu_orm run is a new Python process (what a pipeline tool or a
notebook restart is): ``cache="on"`` on a fresh folder (cold), then on the
folder the cold run filled (warm). gazu's cache lives in memory only, so a
new process always starts cold; its side runs the typical R1 loop twice in
one process with ``gazu.cache.enable()``, and the second pass is its warm.

Target (cache issue): the warm kitsu_orm run sends no request for the
reference tables and is at least 10x faster than the cold one. A token
session sends two requests whatever the cache holds: who the user is (the
cache is per user) and the event-log catch-up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import bench_server, median

from kitsu_orm.transport import Tokens

RUNS = 3
HERE = Path(__file__).resolve().parent

_CHILD = r"""
import json, sys, time
import kitsu_orm as kitsu
url, token, refresh, cache_dir = sys.argv[1:5]
started = time.perf_counter()
s = kitsu.Session(url, token=kitsu.Tokens(token, refresh), cache="on", cache_dir=cache_dir)
p = kitsu.Project.where(name="bench-production", session=s).one()
rows = [
    (sh.sequence.name, sh.name, t.task_type.name, t.task_status.short_name,
     tuple(sorted(a.full_name or "" for a in t.assignees)))
    for sh in kitsu.Shot.where(project=p, session=s) for t in sh.tasks
]
print(json.dumps({"seconds": time.perf_counter() - started, "requests": s.transport.stats.total,
                  "rows": len(rows), "hits": s.cache_hits}))
"""


def _child(url: str, tokens: Tokens, cache_dir: str) -> dict[str, float]:
    access, refresh = tokens.access, tokens.refresh or ""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, url, access, refresh, cache_dir],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE,
        env={**os.environ},
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _gazu_passes(url: str, email: str, password: str) -> tuple[float, float]:
    import gazu

    gazu.set_host(url)
    gazu.log_in(email, password)
    gazu.cache.enable()
    gazu.cache.clear_all()
    project = gazu.project.get_project_by_name("bench-production")

    def review() -> int:
        count = 0
        for shot in gazu.shot.all_shots_for_project(project):
            gazu.shot.get_sequence(shot["parent_id"])
            for task in gazu.task.all_tasks_for_shot(shot, relations=True):
                gazu.task.get_task_type(task["task_type_id"])
                gazu.task.get_task_status(task["task_status_id"])
                for person_id in task.get("assignees", []):
                    gazu.person.get_person(person_id)
                count += 1
        return count

    started = time.perf_counter()
    review()
    cold = time.perf_counter() - started
    started = time.perf_counter()
    review()
    warm = time.perf_counter() - started
    gazu.cache.disable()
    return cold, warm


def main() -> dict[str, float]:
    from kitsu_orm.transport import Transport

    server = bench_server()
    transport = Transport(server.url)
    transport.login(server.admin_email, server.admin_password)
    colds, warms, warm_requests = [], [], []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as folder:
            tokens = transport.tokens
            assert tokens is not None
            cold = _child(server.url, tokens, folder)
            warm = _child(server.url, tokens, folder)
            assert cold["rows"] == warm["rows"] == 3000, (cold, warm)
            colds.append(cold["seconds"])
            warms.append(warm["seconds"])
            warm_requests.append(warm["requests"])
    gazu_cold, gazu_warm = _gazu_passes(server.url, server.admin_email, server.admin_password)
    result = {
        "kitsu_cold_s": median(colds),
        "kitsu_warm_s": median(warms),
        "kitsu_warm_requests": max(warm_requests),
        "kitsu_speedup": median(colds) / median(warms),
        "gazu_cold_s": gazu_cold,
        "gazu_warm_s": gazu_warm,
        "gazu_speedup": gazu_cold / gazu_warm,
    }
    print("C1: review sheet in a new process, cold vs warm disk cache (medians of", RUNS, "runs)")
    print(
        f"  kitsu_orm cold {result['kitsu_cold_s']:.2f} s, warm {result['kitsu_warm_s']:.2f} s"
        f" ({result['kitsu_speedup']:.1f}x), warm requests {result['kitsu_warm_requests']}"
    )
    print(
        f"  gazu (memory cache, same process) cold {gazu_cold:.2f} s, warm {gazu_warm:.2f} s"
        f" ({result['gazu_speedup']:.1f}x); a new gazu process starts cold"
    )
    return result


if __name__ == "__main__":
    main()
