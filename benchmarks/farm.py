"""farm: N render-farm processes start together, each reading one shot's job context.

What a submitted sequence does to Kitsu: hundreds of jobs start within seconds and
each asks for the same context. Here every process reads, for the one shot of the
farm project ``bench-farm`` (built once: a sequence, a shot with the six shot tasks,
each assigned to two people, the project's file tree set, an output type
``Render``): the shot, its sequence, its project, the shot's tasks with their types,
statuses and assignees, and the output path of its Lighting task.

Processes run in waves of ``FARM_WAVE`` (default 20, what this 2-core machine
holds), ``FARM_PROCESSES`` in all (default 200). Each process opens its session,
says it is ready, and waits for a file; the wave starts when every process of it
is ready, and its time runs from then to the last process's end (the imports and
the start-up of Python are left out: they are the same for every side).

Sides, each through a counting proxy (tests/faultproxy.py) in front of the server,
which counts the requests the *server* receives (not the clients' statistics); in
the remote profile the processes reach it through the latency proxy, which keeps
their connections alive (the counting proxy closes each after one request, as
Zou's gunicorn does anyway: the hop a hosted Kitsu's nginx hides):

- ``gazu``: the typical loop on gazu 1.3.1 (no cache): get the shot, its
  sequence, its project, the shot's tasks, then each task's type, status and
  assignees, then the output type and the path;
- ``kitsu_orm, disk cache per process``: ``cache="on"`` on a fresh folder per
  process (every node its own machine), the object walk;
- ``kitsu_orm, shared Redis tier``: ``cache="redis://127.0.0.1:6379/0"`` with a
  key prefix of this run, the same walk; the first process of the first wave
  asks, the others wait for its answers (single flight) or read them.

The token is the admin's, given to every process (a farm job gets one from its
submitter; no login per job), and confirmed once before the waves.

Target (issue 17): on the shared tier the server receives at most one request per
distinct answer per time-to-live, and the waves finish faster than gazu's. The nine
answers of the job context live 300 s (production) or 24 h (reference tables): each
is asked once in a run shorter than that. Zou's event log is the tenth answer, and
its time-to-live is ``events_interval`` (10 s): one process looks at it for all once
the last look is 10 s old, whichever wave it is in, and the others wait for that
look. Twenty processes that start together (one wave: what a farm sees when a
sequence is submitted) therefore cost about ten requests; this machine spawns its
waves some 15-20 s apart, so each wave finds the last look too old and one of its
processes looks again: a run of ``N`` waves reads the log about ``N`` times, never
twice within 10 s. The report gives the reads' times against the waves' starts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from _common import Result, Side, Target, bench_server, network

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from faultproxy import FaultProxy  # noqa: E402

from kitsu_orm.transport import Transport  # noqa: E402

PROJECT_NAME = "bench-farm"
PROCESSES = int(os.environ.get("FARM_PROCESSES", "200"))
WAVE = int(os.environ.get("FARM_WAVE", "20"))
REDIS = os.environ.get("FARM_REDIS", "redis://127.0.0.1:6379/0")
EVENT_LOG = "GET /api/data/events/last"  # one answer, whatever its ``after``
EVENTS_INTERVAL = 10.0  # the cache's default: the event log's time-to-live
ANSWER_TTL = 300.0  # the shortest time-to-live of the other answers (production data)
SLACK = 1.0  # seconds between a look's start and its request reaching the proxy


@dataclass
class Timeline:
    """When a side's waves started and each distinct answer was asked, in seconds from
    the side's start (spawning included)."""

    seconds: float
    waves: list[float]
    asked: dict[str, list[float]]


TIMELINES: dict[str, Timeline] = {}
SHOT_TASKS = ("Storyboard", "Layout", "Animation", "Lighting", "FX", "Compositing")

_CHILD = r"""
import json, os, pathlib, sys, time
side, url, token, shot_id, cache, ready, go = sys.argv[1:8]

def wait():
    pathlib.Path(ready).touch()
    while not os.path.exists(go):
        time.sleep(0.005)

if side == "gazu":
    import gazu
    gazu.set_host(url)
    gazu.client.set_tokens({"access_token": token})
    wait()
    shot = gazu.shot.get_shot(shot_id)
    sequence = gazu.shot.get_sequence(shot["parent_id"])
    project = gazu.project.get_project(shot["project_id"])
    rows = []
    for task in gazu.task.all_tasks_for_shot(shot, relations=True):
        task_type = gazu.task.get_task_type(task["task_type_id"])
        status = gazu.task.get_task_status(task["task_status_id"])
        people = sorted(gazu.person.get_person(p)["full_name"] for p in task["assignees"])
        rows.append((task_type["name"], status["short_name"], people))
        if task_type["name"] == "Lighting":
            lighting = task_type
    render = gazu.files.get_output_type_by_name("Render")
    path = gazu.files.build_entity_output_file_path(shot, render, lighting)
else:
    import kitsu_orm as kitsu
    s = kitsu.Session(url, token=token, cache=cache)
    wait()
    shot = s.get(kitsu.Shot, shot_id)
    sequence, project = shot.sequence, shot.project
    rows = [
        (t.task_type.name, t.task_status.short_name, sorted(a.full_name for a in t.assignees))
        for t in shot.tasks
    ]
    lighting = next(t.task_type for t in shot.tasks if t.task_type.name == "Lighting")
    render = kitsu.OutputType.where(name="Render", session=s).one()
    path = kitsu.OutputFile.build_path(shot, render, lighting)
print(json.dumps({"rows": sorted(rows), "path": path, "sequence": sequence["name"]
                  if isinstance(sequence, dict) else sequence.name}))
"""


def ensure(transport: Transport) -> dict[str, Any]:
    """The farm project's shot (built once, then reused)."""
    found = transport.get("data/projects", {"name": PROJECT_NAME})
    if found and (found[0].get("data") or {}).get("farm") == 1:
        shots = transport.get("data/shots/all", {"project_id": found[0]["id"]})
        return dict(shots[0])
    from kitsu_orm.filetree import file_tree

    status = transport.get("data/project-status", {"name": "Open"})[0]
    body = {"name": PROJECT_NAME, "project_status_id": status["id"], "production_type": "tvshow"}
    project = found[0] if found else transport.post("data/projects", body)
    if not transport.get("data/output-types", {"name": "Render"}):
        transport.post("data/output-types", {"name": "Render", "short_name": "rnd"})
    types = {t["name"]: t for t in transport.get("data/task-types") if t["for_entity"] == "Shot"}
    todo = transport.get("data/task-status", {"short_name": "todo"})[0]
    people = []
    for index in range(4):
        email = f"farm-artist-{index}@example.com"
        person = transport.get("data/persons", {"email": email}) or [
            transport.post("data/persons", {"first_name": "Farm", "last_name": f"Artist {index}",
                                            "email": email, "role": "user"})
        ]
        people.append(person[0])
        transport.post(f"data/projects/{project['id']}/team", {"person_id": person[0]["id"]})
    for name in SHOT_TASKS:
        transport.post(f"data/projects/{project['id']}/settings/task-types",
                       {"task_type_id": types[name]["id"]})
    sequence = transport.post(f"data/projects/{project['id']}/sequences", {"name": "SQ010"})
    shot = transport.post(f"data/projects/{project['id']}/shots",
                          {"name": "SH0100", "sequence_id": sequence["id"]})
    for index, name in enumerate(SHOT_TASKS):
        assignees = [people[index % 4]["id"], people[(index + 1) % 4]["id"]]
        transport.post("data/tasks", {"project_id": project["id"], "entity_id": shot["id"],
                                      "task_type_id": types[name]["id"],
                                      "task_status_id": todo["id"], "assignees": assignees})
    transport.put(f"data/projects/{project['id']}",
                  {"file_tree": file_tree("default"), "data": {"farm": 1}})
    return dict(shot)


def _wave(side: str, count: int, url: str, token: str, shot_id: str, cache: str,
          folder: Path) -> tuple[float, list[Any]]:
    """``count`` processes of one side, started together; the wave's seconds, answers."""
    go = folder / "go"
    go.unlink(missing_ok=True)
    procs = []
    for index in range(count):
        ready = folder / f"ready-{index}"
        ready.unlink(missing_ok=True)
        env = {**os.environ}
        if cache == "on":  # a fresh folder per process: every job on a node of its own
            env["KITSU_ORM_CACHE_DIR"] = tempfile.mkdtemp(prefix="farm-disk-", dir=folder)
        procs.append(subprocess.Popen(
            [sys.executable, "-c", _CHILD, side, url, token, shot_id, cache, str(ready), str(go)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    deadline = time.monotonic() + 300
    while sum(1 for p in folder.glob("ready-*")) < count:
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            errors = [p.communicate()[1] for p in procs if p.poll() is not None]
            raise RuntimeError(f"{side}: a process did not start: {errors[:1]}")
        time.sleep(0.01)
    started = time.perf_counter()
    go.touch()
    answers = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        if proc.returncode != 0:
            raise RuntimeError(f"{side}: a process failed: {err[-2000:]}")
        answers.append(json.loads(out))
    seconds = time.perf_counter() - started
    for path in folder.glob("ready-*"):
        path.unlink()
    return seconds, answers


def _side(name: str, how: str, kind: str, cache: str, proxy: FaultProxy, url: str, token: str,
          shot_id: str, folder: Path) -> tuple[Side, list[float], Any]:
    waves, answers, left, starts = [], [], PROCESSES, []
    proxy.clear()
    began = time.monotonic()
    while left > 0:
        count = min(WAVE, left)
        starts.append(time.monotonic() - began)
        seconds, found = _wave(kind, count, url, token, shot_id, cache, folder)
        waves.append(seconds)
        answers += found
        left -= count
    asked: dict[str, list[float]] = {}
    for seen in proxy.received:
        answer = f"{seen.method} {seen.path}"
        if answer != EVENT_LOG and seen.query:
            answer += "?" + seen.query
        asked.setdefault(answer, []).append(seen.at - began)
    TIMELINES[name] = Timeline(time.monotonic() - began, starts, asked)
    side = Side(name, how=how)
    side.times.append(sum(waves))
    side.requests.append(proxy.count())
    kinds: dict[str, int] = {}
    for seen in proxy.received:
        route = "/".join("{id}" if len(p) == 36 else p for p in seen.path.split("/"))
        kinds[f"{seen.method} {route}"] = kinds.get(f"{seen.method} {route}", 0) + 1
    side.how += " (" + ", ".join(f"{k} x{v}" for k, v in sorted(kinds.items())) + ")"
    first = answers[0]
    if any(a != first for a in answers):
        raise AssertionError(f"{name}: the processes read different contexts")
    return side, waves, first


def _too_soon(times: list[float], ttl: float) -> bool:
    """Whether an answer was asked twice within its time-to-live."""
    return any(b - a < ttl - SLACK for a, b in pairwise(times))


def _per_answer_target(line: Timeline) -> Target:
    """Issue 17's target, as it is worded: at most one request per distinct answer per
    time-to-live; and what one wave (processes started together) costs."""
    events = line.asked.get(EVENT_LOG, [])
    others = {k: v for k, v in line.asked.items() if k != EVENT_LOG}
    asked = sum(len(v) for v in others.values())
    met = not _too_soon(events, EVENTS_INTERVAL) and not any(
        _too_soon(v, ANSWER_TTL) for v in others.values())
    end = line.waves[1] if len(line.waves) > 1 else line.seconds
    first = sum(1 for v in line.asked.values() for at in v if at < end)
    return Target(
        "shared tier: at most one request per distinct answer per time-to-live (each "
        f"answer once per {ANSWER_TTL:.0f} s, the event log once per {EVENTS_INTERVAL:.0f} s"
        "): about 10 for a wave",
        met,
        f"{len(others)} answers asked {asked} times, the event log {len(events)} times in "
        f"{line.seconds:.0f} s ({len(line.waves)} waves, spawning included); "
        f"the first wave: {first} requests",
    )


def _timeline_note(line: Timeline) -> str:
    events = line.asked.get(EVENT_LOG, [])
    return ("shared tier, seconds from its start: waves started at "
            + ", ".join(f"{w:.1f}" for w in line.waves) + "; the event log read at "
            + (", ".join(f"{e:.1f}" for e in events) or "no time"))


def main() -> Result:
    import redis

    server = bench_server()
    transport = Transport(server.url)
    transport.login(server.admin_email, server.admin_password)
    shot = ensure(transport)
    time.sleep(1.1)  # the first event-log look starts after the setup's events (seconds)
    assert transport.tokens is not None
    token = transport.tokens.access
    prefix = f"kitsu-orm-bench-farm-{uuid.uuid4().hex[:8]}:"
    shared = f"{REDIS}?prefix={prefix}"
    sides, notes, contexts = [], [], []
    with tempfile.TemporaryDirectory(prefix="farm-") as tmp, \
            FaultProxy.in_front_of(server.url) as proxy, network(proxy.url) as url:
        folder = Path(tmp)
        # The token is confirmed once (a farm's submitter did), on the shared tier only.
        import kitsu_orm as kitsu

        warm = kitsu.Session(url, token=token, cache=shared)  # the URL the processes use
        kitsu.Person.where(session=warm, email="nobody@example.com").all()
        plan = [
            ("gazu", "gazu 1.3.1, no cache: the typical loop", "gazu", ""),
            ("kitsu_orm, disk cache per process", "`cache=\"on\"`, a fresh folder per process",
             "orm", "on"),
            ("kitsu_orm, shared Redis tier", f"`cache=\"{REDIS}\"` (one prefix for the run)",
             "orm", shared),
        ]
        try:
            for name, how, kind, cache in plan:
                side, waves, context = _side(name, how, kind, cache, proxy, url, token,
                                             shot["id"], folder)
                sides.append(side)
                contexts.append(context)
                notes.append(f"{name}: {side.request_count} requests at the server for "
                             f"{PROCESSES} processes; waves of {WAVE}: "
                             + ", ".join(f"{w:.2f}" for w in waves) + " s")
        finally:
            client = redis.Redis.from_url(REDIS)
            keys = list(client.scan_iter(match=prefix + "*"))
            if keys:
                client.delete(*keys)
    if any(c["rows"] != contexts[0]["rows"] or c["path"] != contexts[0]["path"]
           for c in contexts):
        raise AssertionError(f"the sides read different contexts: {contexts}")
    result = Result("farm", f"{PROCESSES} farm processes read one shot's job context "
                    f"(waves of {WAVE})", sides, reference="gazu", notes=notes)
    redis_side = result.side("kitsu_orm, shared Redis tier")
    gazu_side = result.side("gazu")
    assert redis_side.request_count is not None and gazu_side.request_count is not None
    result.targets.append(_per_answer_target(TIMELINES[redis_side.name]))
    result.notes.append(_timeline_note(TIMELINES[redis_side.name]))
    result.targets.append(Target(
        "shared tier: the waves finish faster than gazu's",
        redis_side.median < gazu_side.median,
        f"{gazu_side.median / redis_side.median:.1f}x faster"))
    result.figures["requests at the server: gazu, shared tier"] = (
        f"{gazu_side.request_count}, {redis_side.request_count}")
    result.figures["gazu's waves / the shared tier's"] = (
        f"{gazu_side.median / redis_side.median:.1f}x")
    return result


if __name__ == "__main__":
    found = main()
    print(found.report())
    for note in found.notes:
        print("  " + note)
