"""W1-W3, the writes: kitsu_orm commits against gazu's one call per object.

They run in a throwaway project made for this run (``bench-writes-<time>``:
2 episodes x 10 sequences x 25 shots, and the tasks each workload needs),
never in the R1 production, and every run gets fresh data, so that each
side does the same work: no run finds its changes already made.

- W1, frame range and a ``data`` field on all 500 shots, one session.
  kitsu_orm: a new Session, ``Shot.where(project=...)``, set ``frame_in``,
  ``frame_out`` and ``data["bench_note"]`` on each, commit once (the unit of
  work sends the PUTs over ``workers`` connections after the conflict
  check, whose URL-sized parts go side by side). gazu:
  ``all_shots_for_project`` then, per shot, edit the dict's ``data`` and
  ``gazu.shot.update_shot(shot)``.
- W2, status WIP with a comment on 200 tasks, one session. Each run takes
  the 200 tasks of its own task type (still todo). kitsu_orm:
  ``Task.where(project=..., task_type=...)``, ``task.start("...")`` on each,
  commit once. gazu: ``get_task_status_by_short_name("wip")``,
  ``all_tasks_for_task_type`` then ``gazu.task.add_comment(task, wip, "...")``
  per task.
- W3, create 1000 tasks (500 shots x 2 task types no shot has yet), one
  session. kitsu_orm: load the shots, the two task types and the todo
  status, ``session.add(Task(...))`` 1000 times, commit once. gazu: the same
  three loads then ``gazu.task.new_task(shot, task_type, task_status=todo)``
  per task (given the status, as a careful user does: without it gazu looks
  the default status up once per task).

After every run an untimed check reads back what the run wrote. The
workloads go through the profile's network (benchmarks/README.md); building
the project and the checks talk to the server directly. For W1 and W2, the
CPU time the server's processes spend on each run is measured
(server_cpu.py) and each side's wall time is set against the server's CPU
floor: that CPU over the cores (benchmarks/README.md, "Server ceiling").
"""

from __future__ import annotations

import os
import time
from typing import Any

from _common import (
    Hook,
    Result,
    Side,
    Target,
    bench_server,
    client_url,
    compare,
    gazu_client,
    median,
    profile,
)
from production import Spec, build, close_project, connect
from server_cpu import PARTS, ServerCpu, cores

import kitsu_orm as kitsu
from kitsu_orm.transport import Transport

# Runs per side. Zou takes 30-100 ms per write here: these alone last about 5 minutes in
# the remote profile. Three of W1 and W2, so that their median is one run's, not the
# mean of a first run (which opens the connection pool) and a second.
RUNS = {"W1": 3, "W2": 3, "W3": 1}
# One task type per W2 run of either side, its tasks on the first 200 shots.
W2_TYPES = ("Storyboard", "Layout", "Animation", "Lighting", "FX", "Compositing")[:2 * RUNS["W2"]]
W2_TASKS = 200
# Task types no shot of the project has a task of: two per W3 run.
W3_TYPES = tuple(f"Bench Extra {n:02d}" for n in range(1, 2 * 2 * RUNS["W3"] + 1))
SHOTS = Spec(assets=0, shot_task_types=(), asset_task_types=(), persons=0,
             cast_per_shot=0, assign=False)

ORM = "kitsu_orm"
GAZU = "gazu"


class Writes:
    """The throwaway project and what the three workloads share."""

    def __init__(self) -> None:
        self.server = bench_server()
        self.url = client_url(self.server)  # the benchmarked clients'
        self.t: Transport = connect()
        assert self.t.tokens is not None
        self.tokens = self.t.tokens
        self.counter = gazu_client(self.server)
        self.cores = cores()
        # Per workload and side, the server's CPU of each run (benchmarks/server_cpu.py).
        self.cpu: dict[str, dict[str, list[ServerCpu]]] = {}
        began = time.perf_counter()
        name = f"bench-writes-{time.strftime('%Y%m%d-%H%M%S')}"
        self.project = build(self.t, name, SHOTS)
        self.pid = self.project["id"]
        self.shots = sorted(self.t.get("data/shots/all", {"project_id": self.pid}),
                            key=lambda s: (s["parent_id"], s["name"]))
        assert len(self.shots) == 500
        self.types = self._task_types()
        self.statuses = {s["short_name"]: s for s in self.t.get("data/task-status")}
        ids = [s["id"] for s in self.shots[:W2_TASKS]]
        for name in W2_TYPES:
            self.t.post(f"actions/projects/{self.pid}/task-types/{self.types[name]['id']}"
                        "/shots/create-tasks", ids)
        self.setup_seconds = time.perf_counter() - began

    def _task_types(self) -> dict[str, dict[str, Any]]:
        found = {t["name"]: t for t in self.t.get("data/task-types") if t["for_entity"] == "Shot"}
        for name in (*W2_TYPES, *W3_TYPES):
            if name not in found:
                found[name] = self.t.post("data/task-types", {"name": name, "for_entity": "Shot"})
        self.t.post(f"data/projects/{self.pid}/settings/batch", {
            "task_types": [{"task_type_id": found[n]["id"]} for n in (*W2_TYPES, *W3_TYPES)]})
        return found

    def session(self) -> kitsu.Session:
        return kitsu.Session(self.url, token=self.tokens)

    def close(self) -> None:
        close_project(self.t, self.pid)

    # -- W1 ---------------------------------------------------------------------

    def w1(self) -> Result:
        pid = self.pid

        def orm(run: int) -> int:
            s = self.session()
            shots = kitsu.Shot.where(project=pid, session=s).all()
            with s.begin():
                for shot in shots:
                    shot.frame_in = 1000 + run
                    shot.frame_out = 1100 + run
                    shot.data = {**(shot.data or {}), "bench_note": f"run {run}"}
            return s.stats.requests

        def gazu_side(run: int) -> int:
            import gazu

            self.counter.take()
            for shot in gazu.shot.all_shots_for_project(pid):
                shot["data"] = {**(shot["data"] or {}), "frame_in": 1000 + run,
                                "frame_out": 1100 + run, "bench_note": f"run {run}"}
                gazu.shot.update_shot(shot)
            return self.counter.take()

        def check(side: str, run: int) -> None:
            rows = self.t.get("data/shots/all", {"project_id": pid})
            wrong = [s["name"] for s in rows if (s["data"] or {}).get("frame_out") != 1100 + run
                     or s["data"].get("frame_in") != 1000 + run
                     or s["data"].get("bench_note") != f"run {run}"]
            assert not wrong, f"W1 {side} run {run}: {len(wrong)} shots not updated"

        sides = compare(RUNS["W1"], {ORM: orm, GAZU: gazu_side}, **self._measured("W1", check))
        sides[ORM].how = "Shot.where(project); set 3 values; one commit"
        sides[GAZU].how = "all_shots_for_project; update_shot per shot"
        return self._result("W1", "frame range + a data field on 500 shots", sides)

    # -- W2 ---------------------------------------------------------------------

    def w2(self) -> Result:
        pid = self.pid
        wip = self.statuses["wip"]["id"]

        def type_of(run: int) -> str:
            return str(self.types[W2_TYPES[run]]["id"])

        def orm(run: int) -> int:
            s = self.session()
            tasks = kitsu.Task.where(project=pid, task_type=type_of(run), session=s).all()
            assert len(tasks) == W2_TASKS
            with s.begin():
                for task in tasks:
                    task.start("bench W2: started")
            return s.stats.requests

        def gazu_side(run: int) -> int:
            import gazu

            self.counter.take()
            status = gazu.task.get_task_status_by_short_name("wip")
            for task in gazu.task.all_tasks_for_task_type(pid, type_of(run)):
                gazu.task.add_comment(task, status, "bench W2: started")
            return self.counter.take()

        def check(side: str, run: int) -> None:
            rows = self.t.get("data/tasks", {"project_id": pid, "task_type_id": type_of(run)})
            assert len(rows) == W2_TASKS
            wrong = [r for r in rows if r["task_status_id"] != wip or not r["last_comment_date"]]
            assert not wrong, f"W2 {side} run {run}: {len(wrong)} tasks not started"

        sides = compare(RUNS["W2"], {ORM: orm, GAZU: gazu_side}, **self._measured("W2", check))
        sides[ORM].how = "Task.where(project, task_type); task.start(); one commit"
        sides[GAZU].how = "all_tasks_for_task_type; add_comment(wip) per task"
        return self._result("W2", "status WIP + a comment on 200 tasks", sides)

    # -- W3 ---------------------------------------------------------------------

    def w3(self) -> Result:
        pid = self.pid

        def names_of(run: int) -> tuple[str, str]:
            return W3_TYPES[2 * run], W3_TYPES[2 * run + 1]

        def orm(run: int) -> int:
            s = self.session()
            shots = kitsu.Shot.where(project=pid, session=s).all()
            types = kitsu.TaskType.where(name=list(names_of(run)), session=s).all()
            todo = kitsu.TaskStatus.where(short_name="todo", session=s).one()
            assert len(types) == 2
            with s.begin():
                for shot in shots:
                    for task_type in types:
                        s.add(kitsu.Task(project_id=pid, entity=shot, task_type=task_type,
                                         task_status=todo))
            return s.stats.requests

        def gazu_side(run: int) -> int:
            import gazu

            self.counter.take()
            todo = gazu.task.get_task_status_by_short_name("todo")
            types = [gazu.task.get_task_type_by_name(n, for_entity="Shot") for n in names_of(run)]
            for shot in gazu.shot.all_shots_for_project(pid):
                for task_type in types:
                    gazu.task.new_task(shot, task_type, task_status=todo)
            return self.counter.take()

        def check(side: str, run: int) -> None:
            for name in names_of(run):
                rows = self.t.get("data/tasks", {"project_id": pid,
                                                 "task_type_id": self.types[name]["id"]})
                assert len(rows) == 500, f"W3 {side} run {run}: {len(rows)} {name} tasks"

        sides = compare(RUNS["W3"], {ORM: orm, GAZU: gazu_side}, after=check)
        sides[ORM].how = "session.add(Task(...)) x1000; one commit"
        sides[GAZU].how = "new_task(shot, type, task_status=todo) x1000"
        return self._result("W3", "create 1000 tasks", sides)

    def _measured(self, key: str, check: Hook) -> dict[str, Hook]:
        """compare()'s hooks that measure the server's CPU around each run (the check
        after it, untimed, reads the server too: outside the measure)."""
        runs: dict[str, list[ServerCpu]] = {ORM: [], GAZU: []}
        self.cpu[key] = runs
        meter: list[ServerCpu] = []

        def before(side: str, run: int) -> None:
            meter[:] = [ServerCpu(self.server).start()]

        def after(side: str, run: int) -> None:
            meter[0].stop()
            runs[side].append(meter[0])
            check(side, run)

        return {"before": before, "after": after}

    def _floor(self, key: str, side: Side) -> Side:
        """A row for the server's CPU floor of one side's runs: its CPU seconds over the
        cores, the side's wall time against it, and what else ran on the cores."""
        runs = self.cpu[key][side.name]
        floor = Side(f"server CPU floor of {side.name}'s runs",
                     times=[r.floor(self.cores) for r in runs])
        parts = " + ".join(f"{name} {median([r.parts.get(name, 0.0) for r in runs]):.2f}"
                           for name in PARTS if any(name in r.parts for r in runs))
        cpu = median([r.seconds for r in runs])
        client = median([r.client for r in runs])
        others = median([r.others for r in runs])
        busy = median([r.busy(wall, self.cores) for r, wall in zip(runs, side.times, strict=True)])
        quiet, ratio = self._quietest(key, side)
        each = ", ".join(f"{r:.2f}" for r in self._ratios(key, side))
        floor.how = (f"server CPU {cpu:.2f} s ({parts}) / {self.cores} cores; "
                     f"{side.name} wall / floor = {self._ratio(key, side):.2f}, the median "
                     f"of each run's (in order: {each}); beside "
                     f"the server: client {client:.2f} s, other programs {others:.2f} s, "
                     f"cores {busy:.0%} busy; the run with the least CPU of other programs "
                     f"({quiet:.2f} s): wall / floor = {ratio:.2f}")
        return floor

    def _ratios(self, key: str, side: Side) -> list[float]:
        """Each run's wall time over that run's own floor: the server's CPU differs from
        run to run (0.5 s and more), so one run's wall is never set against another's."""
        runs = self.cpu[key][side.name]
        return [wall / r.floor(self.cores) for r, wall in zip(runs, side.times, strict=True)]

    def _ratio(self, key: str, side: Side) -> float:
        return median(self._ratios(key, side))

    def _quietest(self, key: str, side: Side) -> tuple[float, float]:
        """The other programs' CPU during the side's run that had the least of it, and
        that run's wall / floor: on a shared machine, the fairest of the runs."""
        others = [run.others for run in self.cpu[key][side.name]]
        quietest = others.index(min(others))
        return others[quietest], self._ratios(key, side)[quietest]

    def _result(self, key: str, title: str, sides: dict[str, Side]) -> Result:
        rows = list(sides.values())
        if key in self.cpu:
            rows += [self._floor(key, sides[ORM]), self._floor(key, sides[GAZU])]
        result = Result(key, title, rows, reference=ORM)
        ratio = result.ratio(GAZU)
        result.figures["gazu / kitsu_orm"] = f"{ratio:.2f}x"
        if key == "W3":
            ours, theirs = sides[ORM].request_count or 1, sides[GAZU].request_count or 0
            result.targets.append(Target(
                "at least 10x fewer requests than one call per task", theirs >= 10 * ours,
                f"{ours} vs {theirs} requests ({theirs / ours:.0f}x fewer); "
                f"gazu / kitsu_orm time = {ratio:.2f}x"))
            if profile().remote:  # where each of gazu's 2004 requests pays a round trip
                result.targets.append(Target("kitsu_orm at least 20x faster than gazu",
                                             ratio >= 20, f"gazu / kitsu_orm = {ratio:.2f}x"))
        else:
            ours, theirs = self._ratio(key, sides[ORM]), self._ratio(key, sides[GAZU])
            others, quiet = self._quietest(key, sides[ORM])
            result.targets.append(Target(
                f"kitsu_orm within {FLOOR_TARGET}x of the server's CPU floor",
                ours <= FLOOR_TARGET,
                f"wall / floor = {ours:.2f}x, the median of each run's (medians: wall "
                f"{sides[ORM].median:.2f} s, floor {rows[-2].median:.2f} s; the run least "
                f"shared with other programs, "
                f"{others:.1f} s of their CPU: {quiet:.2f}x); gazu's {theirs:.2f}x; "
                f"gazu / kitsu_orm = {ratio:.2f}x"))
            result.figures["kitsu_orm wall / server CPU floor"] = f"{ours:.2f}x"
            result.notes.append(self._floor_note(key))
        print(result.report())
        for row in rows[len(sides):]:
            print(f"  {row.name}: {row.how}")
        return result

    def _floor_note(self, key: str) -> str:
        runs = [r for side in self.cpu[key].values() for r in side]
        ended = sum(r.ended_backends for r in runs)
        load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
        note = (f"floor: the CPU seconds the server's processes spent on the run (Zou's "
                f"workers, the PostgreSQL backends of its database, its Redis and event "
                f"stream; benchmarks/server_cpu.py) over the {self.cores} cores: no client "
                f"can finish sooner on this machine. It is a fair bar on an idle machine "
                f"only: the CPU of other programs during the runs lengthens the wall time, "
                f"not the floor (load average after {key}: {load})")
        if ended:
            note += f"; {ended} backends ended during the runs (CPU after their last sample lost)"
        return note


# The target: a write workload as fast as the server's CPU allows on this machine.
FLOOR_TARGET = 1.2


def main() -> list[Result]:
    writes = Writes()
    print(f"throwaway project {writes.project['name']!r} ready in {writes.setup_seconds:.1f} s")
    try:
        return [writes.w1(), writes.w2(), writes.w3()]
    finally:
        writes.close()


if __name__ == "__main__":
    main()
