"""C1: the review sheet (R1) in a new process, with a cold and then a warm disk cache.

Each kitsu_orm run is a new Python process (what a pipeline tool or a
notebook restart is), timed from the session's creation to the last row
(``import kitsu_orm`` is measured apart, in footprint.py): the lazy R1 walk
with ``cache="on"``:

- ``kitsu_orm cold``: a fresh cache folder; every answer comes from the server
  and is stored;
- ``kitsu_orm warm``: the folder the cold run filled, a second later: the
  session finds its token among those the server confirmed (the cold run
  asked ``auth/authenticated`` once) and, having read Zou's event log less
  than ``events_interval`` (10 s) ago, sends no request at all;
- ``kitsu_orm warm, event log read``: the same with ``events_interval=0``: one
  request reads what other people changed since the cold run;
- ``kitsu_orm warm, same process again``: a second session in the warm
  run's process, once its modules are loaded and the store was opened: the
  floor of a warm read, building and walking the 3,500 objects.

Children run as an installed package does, from byte-compiled modules (pip
compiles them at install time). Shells here set ``PYTHONDONTWRITEBYTECODE``,
so every process would compile kitsu_orm from source, about 10 ms that no
installed copy pays: the children keep their bytecode in a temporary
``PYTHONPYCACHEPREFIX`` instead, written by one untimed run first.

gazu's cache lives in memory only, so a new gazu process always starts cold;
its side runs the typical R1 loop twice in one process with
``gazu.cache.enable()``, and the second pass is its warm.

Targets (cache issue): the warm run sends no request for the reference
tables and is at least 10x faster than the cold one. In the remote profile
every child and gazu reach the server through the latency proxy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import Result, Side, Target, bench_server, client_url

from kitsu_orm.transport import Tokens

RUNS = 3
HERE = Path(__file__).resolve().parent

_CHILD = r"""
import gc, json, sys, time
import kitsu_orm as kitsu
from kitsu_orm.cache import Cache
url, token, refresh, cache_dir, interval = sys.argv[1:6]

def review():
    started = time.perf_counter()
    cache = Cache(cache_dir, events_interval=float(interval))
    s = kitsu.Session(url, token=kitsu.Tokens(token, refresh), cache=cache)
    p = kitsu.Project.where(name="bench-production", session=s).one()
    rows = [
        (sh.sequence.name, sh.name, t.task_type.name, t.task_status.short_name,
         tuple(sorted(a.full_name or "" for a in t.assignees)))
        for sh in kitsu.Shot.where(project=p, session=s) for t in sh.tasks
    ]
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "requests": s.transport.stats.total, "rows": len(rows),
            "hits": s.cache_hits}

first = review()
gc.collect()  # the first session's objects are gone, as in a new process
again = review()  # modules loaded, store opened: what is left is the objects
print(json.dumps({**first, "again": again["seconds"], "again_requests": again["requests"]}))
"""


def _child(
    url: str, tokens: Tokens, cache_dir: str, bytecode: str, events_interval: float = 10
) -> dict[str, float]:
    access, refresh = tokens.access, tokens.refresh or ""
    env = {**os.environ, "PYTHONPYCACHEPREFIX": bytecode}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, url, access, refresh, cache_dir, str(events_interval)],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE,
        env=env,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _kitsu_runs(url: str, tokens: Tokens, bytecode: str) -> list[dict[str, dict[str, float]]]:
    """RUNS rounds of cold, warm and warm with the event log read, each round in
    a new cache folder, after one untimed run that writes the bytecode."""
    with tempfile.TemporaryDirectory() as folder:
        _child(url, tokens, folder, bytecode)
    runs = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as folder:
            runs.append({
                "kitsu_orm cold": _child(url, tokens, folder, bytecode),
                "kitsu_orm warm": _child(url, tokens, folder, bytecode),
                "kitsu_orm warm, event log read": _child(url, tokens, folder, bytecode, 0),
            })
    return runs


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


def main() -> Result:
    from kitsu_orm.transport import Transport

    server = bench_server()
    transport = Transport(server.url)
    transport.login(server.admin_email, server.admin_password)
    tokens = transport.tokens
    assert tokens is not None
    sides = {name: Side(name) for name in (
        "kitsu_orm cold", "kitsu_orm warm", "kitsu_orm warm, event log read",
        "kitsu_orm warm, same process again",
        "gazu cold", "gazu warm (memory cache)")}
    url = client_url(server)
    with tempfile.TemporaryDirectory() as bytecode:
        runs = _kitsu_runs(url, tokens, bytecode)
    for run in runs:
        for name, child in run.items():
            assert child["rows"] == 3000, (name, child)
            sides[name].times.append(child["seconds"])
            sides[name].requests.append(int(child["requests"]))
        sides["kitsu_orm warm, same process again"].times.append(run["kitsu_orm warm"]["again"])
        sides["kitsu_orm warm, same process again"].requests.append(
            int(run["kitsu_orm warm"]["again_requests"])
        )
    gazu_cold, gazu_warm = _gazu_passes(url, server.admin_email, server.admin_password)
    sides["gazu cold"].times.append(gazu_cold)
    sides["gazu warm (memory cache)"].times.append(gazu_warm)
    for name, how in (
        ("kitsu_orm cold", "new process, empty cache folder"),
        ("kitsu_orm warm", "new process, the folder filled by the cold run"),
        ("kitsu_orm warm, event log read", "the same, events_interval=0"),
        ("kitsu_orm warm, same process again", "a second session in the warm process"),
        ("gazu cold", "first R1 loop, gazu.cache.enable()"),
        ("gazu warm (memory cache)", "second loop in the same process"),
    ):
        sides[name].how = how
    result = Result("C1", "review sheet in a new process, cold vs warm disk cache",
                    list(sides.values()), reference="kitsu_orm warm")
    cold, warm = sides["kitsu_orm cold"], sides["kitsu_orm warm"]
    read_log = sides["kitsu_orm warm, event log read"]
    result.targets = [
        Target("warm sends no request for the reference tables", max(warm.requests) == 0,
               f"warm {max(warm.requests)} requests in all; with the event log read "
               f"{max(read_log.requests)} (the log only)"),
        Target("warm at least 10x faster than cold", cold.median / warm.median >= 10,
               f"{cold.median / warm.median:.1f}x; with the event log read "
               f"{cold.median / read_log.median:.1f}x"),
    ]
    result.figures["kitsu_orm cold / warm (event log read)"] = (
        f"{cold.median / warm.median:.1f}x ({cold.median / read_log.median:.1f}x)")
    result.figures["gazu's first pass / kitsu_orm warm"] = (
        f"{gazu_cold / warm.median:.0f}x")
    floor = sides["kitsu_orm warm, same process again"]
    result.notes.append(
        f"10x needs warm at or under {cold.median / 10 * 1000:.0f} ms; building and walking "
        f"the 3,500 objects alone, with every module loaded and the store open, takes "
        f"{floor.median * 1000:.0f} ms (same process again)"
    )
    result.notes.append(
        f"gazu's memory cache: second pass {gazu_cold / gazu_warm:.1f}x faster than its first, "
        "in one process; a new gazu process starts cold"
    )
    print(result.report())
    return result


if __name__ == "__main__":
    main()
