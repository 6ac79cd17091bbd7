"""The bench production, built once on the local Kitsu ``bench`` and reused.

2 episodes x 10 sequences x 25 shots (500 shots), 200 assets of 4 types,
one task per shot for 6 shot task types and per asset for 5 asset task
types (4000 tasks), 20 artists with every task assigned, and 5 assets cast
in each shot.

It speaks to the server through the Transport alone. Episodes, sequences,
shots and assets go through their usual create routes, 4 at a time.
Casting and assigned tasks go through Zou's admin import route
(``POST import/kitsu/{entities,tasks}?silent=true``, an upsert by id of
many rows a request): it writes the same rows without the events and
notifications, and costs Zou 25 ms per cast shot and 19 ms per assigned
task here, where the casting route costs 155 ms a shot and create-tasks
then the bulk assign route 10 + 60 ms a task (measured with 4 concurrent
requests on this 2-core machine). Tasks nobody is assigned to (the write
benchmarks' projects) use the bulk create-tasks route, one request per
task type.

Every step creates only what is missing, and the project is marked
complete at the end, so a second run costs two requests; a run that died
halfway is finished by the next one.

The same builder makes the throwaway projects of the write benchmarks
(:func:`build` with another :class:`Spec`).

Run alone: ``.venv/bin/python benchmarks/production.py`` (``--purge`` first
deletes the closed throwaway projects of earlier write benchmarks).
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs
from _common import bench_server

from kitsu_orm.transport import Transport

PROJECT_NAME = "bench-production"
# Bump when the shape of the production changes: an older one is rebuilt.
VERSION = 1
WORKERS = 4  # concurrent creates: the server runs 3 gunicorn workers

SHOT_TASK_TYPES = ("Storyboard", "Layout", "Animation", "Lighting", "FX", "Compositing")
ASSET_TASK_TYPES = ("Concept", "Modeling", "Shading", "Rigging", "Texturing")
ASSET_TYPES = ("Character", "Prop", "Environment", "FX")


@attrs.frozen
class Spec:
    """The shape of a production to build."""

    episodes: int = 2
    sequences: int = 10  # per episode
    shots: int = 25  # per sequence
    assets: int = 50  # per asset type
    shot_task_types: tuple[str, ...] = SHOT_TASK_TYPES
    asset_task_types: tuple[str, ...] = ASSET_TASK_TYPES
    persons: int = 20
    cast_per_shot: int = 5
    assign: bool = True

    def marker(self) -> str:
        return f"v{VERSION}:{attrs.astuple(self)}"


BENCH = Spec()


def connect() -> Transport:
    server = bench_server()
    transport = Transport(server.url)
    transport.login(server.admin_email, server.admin_password)
    return transport


def ensure(transport: Transport, name: str = PROJECT_NAME, spec: Spec = BENCH) -> dict[str, Any]:
    """The complete production named ``name``: the existing one, finished or built."""
    project = _project_named(transport, name)
    if project is not None and (project.get("data") or {}).get("bench") == spec.marker():
        return project
    return build(transport, name, spec)


def build(transport: Transport, name: str, spec: Spec) -> dict[str, Any]:
    """Create whatever of ``spec`` is missing in project ``name``; mark it complete."""
    pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="bench-build")
    builder = _Builder(transport, pool, spec)
    try:
        return builder.run(name)
    finally:
        pool.shutdown()
        print(f"built {name!r}: " + ", ".join(
            f"{step} {seconds:.1f} s/{sent} req" for step, (seconds, sent) in builder.timings.items()))


def close_project(transport: Transport, project_id: str) -> None:
    """Close a throwaway project: it leaves the open-project lists, its data stays.

    Deleting is not done on the way: Zou deletes about 30 tasks a second
    here, and one HTTP request may not take over 120 s (see :func:`purge`).
    """
    closed = next(s for s in transport.get("data/project-status") if s["name"] == "Closed")
    transport.put(f"data/projects/{project_id}", {"project_status_id": closed["id"]})


def purge(transport: Transport, prefix: str = "bench-writes-") -> None:
    """Delete the closed throwaway projects, tasks and entities first, in small requests."""
    for project in transport.get("data/projects"):
        if not project["name"].startswith(prefix):
            continue
        pid = project["id"]
        close_project(transport, pid)
        tasks = [t["id"] for t in transport.get("data/tasks", {"project_id": pid})]
        for batch in _batches(tasks, 500):
            transport.post(f"actions/projects/{pid}/delete-tasks", batch)
        entities = [e["id"] for route in ("data/shots/all", "data/assets/all", "data/sequences",
                                          "data/episodes")
                    for e in transport.get(route, {"project_id": pid})]
        for batch in _batches(entities, 200):
            transport.post(f"actions/projects/{pid}/delete-entities", batch)
        transport.delete(f"data/projects/{pid}", {"force": "true"})
        print(f"deleted {project['name']}: {len(tasks)} tasks, {len(entities)} entities")


def person_email(index: int) -> str:
    return f"artist{index:02d}@bench.example"


class _Builder:
    def __init__(self, transport: Transport, pool: ThreadPoolExecutor, spec: Spec) -> None:
        self.t = transport
        self.pool = pool
        self.spec = spec
        self.timings: dict[str, tuple[float, int]] = {}

    def run(self, name: str) -> dict[str, Any]:
        t, spec = self.t, self.spec
        task_types = self.task_types()
        asset_types = {a["name"]: a for a in t.get("data/asset-types")}
        statuses = t.get("data/task-status")
        persons = self.persons()
        project = _project_named(t, name) or t.post(
            "data/projects", {"name": name, "production_type": "tvshow"})
        pid = project["id"]
        wanted_types = [task_types[n] for n in (*spec.shot_task_types, *spec.asset_task_types)]
        t.post(f"data/projects/{pid}/settings/batch", {
            "task_types": [{"task_type_id": tt["id"]} for tt in wanted_types],
            "task_status_ids": [s["id"] for s in statuses],
            "asset_type_ids": [asset_types[n]["id"] for n in ASSET_TYPES],
        })
        self.step("team", lambda: self.team(pid, persons))
        shots = self.step("shots", lambda: self.shots(pid))
        assets = self.step("assets", lambda: self.assets(pid, asset_types)) if spec.assets else []
        if spec.cast_per_shot and assets:
            # Before the tasks: Zou recounts the ready assets of every task of a cast shot.
            self.step("casting", lambda: self.cast(pid, shots, assets))
        todo = next(s for s in statuses if s["short_name"] == "todo")
        self.step("tasks", lambda: self.tasks(pid, task_types, todo, persons, shots, assets))
        data = {**(project.get("data") or {}), "bench": spec.marker()}
        return dict(t.put(f"data/projects/{pid}", {"data": data}))

    def step(self, name: str, fn: Callable[[], Any]) -> Any:
        began, sent = time.perf_counter(), self.t.stats.total
        try:
            return fn()
        finally:
            self.timings[name] = (time.perf_counter() - began, self.t.stats.total - sent)

    def parallel(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        return list(self.pool.map(fn, items))

    def task_types(self) -> dict[str, dict[str, Any]]:
        """Task types by name, for shots and for assets; the missing ones created."""
        kinds = {**{n: "Shot" for n in self.spec.shot_task_types},
                 **{n: "Asset" for n in self.spec.asset_task_types}}
        found: dict[str, dict[str, Any]] = {}
        for tt in self.t.get("data/task-types"):
            if kinds.get(tt["name"]) == tt["for_entity"]:
                found[tt["name"]] = tt
        for name, kind in kinds.items():
            if name not in found:
                found[name] = self.t.post("data/task-types", {"name": name, "for_entity": kind})
        return found

    def persons(self) -> list[dict[str, Any]]:
        by_email = {p["email"]: p for p in self.t.get("data/persons")}
        missing = [i for i in range(1, self.spec.persons + 1) if person_email(i) not in by_email]
        self.parallel(lambda i: self.t.post("data/persons", {
            "first_name": "Artist", "last_name": f"{i:02d}", "email": person_email(i)}), missing)
        by_email = {p["email"]: p for p in self.t.get("data/persons")}
        return [by_email[person_email(i)] for i in range(1, self.spec.persons + 1)]

    def shots(self, pid: str) -> list[dict[str, Any]]:
        t, spec = self.t, self.spec
        episodes = {e["name"]: e for e in t.get("data/episodes", {"project_id": pid})}
        names = [f"E{e:02d}" for e in range(1, spec.episodes + 1)]
        created = self.parallel(lambda n: t.post(f"data/projects/{pid}/episodes", {"name": n}),
                                [n for n in names if n not in episodes])
        episodes.update({e["name"]: e for e in created})
        sequences = {s["name"]: s for s in t.get("data/sequences", {"project_id": pid})}
        wanted = [(f"{e}_SQ{q:02d}", episodes[e]["id"]) for e in names
                  for q in range(1, spec.sequences + 1)]
        created = self.parallel(
            lambda w: t.post(f"data/projects/{pid}/sequences", {"name": w[0], "episode_id": w[1]}),
            [w for w in wanted if w[0] not in sequences])
        sequences.update({s["name"]: s for s in created})
        existing = {(s["parent_id"], s["name"]) for s in t.get("data/shots/all", {"project_id": pid})}
        todo = []
        for seq_name, _ in wanted:
            seq_id = sequences[seq_name]["id"]
            for n in range(1, spec.shots + 1):
                if (seq_id, f"SH{n * 10:04d}") not in existing:
                    todo.append((seq_id, f"SH{n * 10:04d}", n))
        self.parallel(lambda w: t.post(f"data/projects/{pid}/shots", {
            "name": w[1], "sequence_id": w[0], "nb_frames": 24 + w[2],
            "data": {"frame_in": 1001, "frame_out": 1024 + w[2]}}), todo)
        return list(t.get("data/shots/all", {"project_id": pid}))

    def assets(self, pid: str, asset_types: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        t = self.t
        existing = {(a["entity_type_id"], a["name"]) for a in t.get("data/assets/all", {"project_id": pid})}
        todo = [(asset_types[kind]["id"], f"{kind}{n:03d}")
                for kind in ASSET_TYPES for n in range(1, self.spec.assets + 1)]
        self.parallel(lambda w: t.post(f"data/projects/{pid}/asset-types/{w[0]}/assets/new", {
            "name": w[1], "description": f"bench asset {w[1]}"}),
            [w for w in todo if w not in existing])
        return list(t.get("data/assets/all", {"project_id": pid}))

    def team(self, pid: str, persons: list[dict[str, Any]]) -> None:
        members = set(self.t.get(f"data/projects/{pid}").get("team") or ())
        self.parallel(lambda p: self.t.post(f"data/projects/{pid}/team", {"person_id": p["id"]}),
                      [p for p in persons if p["id"] not in members])

    def tasks(self, pid: str, task_types: dict[str, dict[str, Any]], status: dict[str, Any],
              persons: list[dict[str, Any]], shots: list[dict[str, Any]],
              assets: list[dict[str, Any]]) -> None:
        """One task per entity and task type, assigned round-robin when the spec says so."""
        if not (self.spec.assign and persons):
            jobs = [(task_types[n]["id"], "shots", [s["id"] for s in shots])
                    for n in self.spec.shot_task_types]
            jobs += [(task_types[n]["id"], "assets", [a["id"] for a in assets])
                     for n in self.spec.asset_task_types if assets]
            # Zou skips the tasks that exist.
            self.parallel(lambda j: self.t.post(
                f"actions/projects/{pid}/task-types/{j[0]}/{j[1]}/create-tasks", j[2]), jobs)
            return
        existing = {(task["entity_id"], task["task_type_id"]): task
                    for task in self.t.get("data/tasks", {"project_id": pid, "relations": "true"})}
        wanted = [(shot["id"], task_types[n]["id"]) for shot in sorted(shots, key=lambda s: s["id"])
                  for n in self.spec.shot_task_types]
        wanted += [(asset["id"], task_types[n]["id"]) for asset in sorted(assets, key=lambda a: a["id"])
                   for n in self.spec.asset_task_types]
        me = self.t.get("auth/authenticated")["user"]["id"]
        rows = []
        for i, key in enumerate(wanted):
            task = existing.get(key)
            if task is not None and task.get("assignees"):
                continue
            rows.append({
                "id": task["id"] if task else str(uuid.uuid4()), "project_id": pid,
                "entity_id": key[0], "task_type_id": key[1], "name": "main",
                "task_status_id": task["task_status_id"] if task else status["id"],
                "assignees": [persons[i % len(persons)]["id"]], "assigner_id": me,
            })
        self.parallel(self.import_rows("tasks"), _batches(rows, 250))

    def cast(self, pid: str, shots: list[dict[str, Any]], assets: list[dict[str, Any]]) -> None:
        """``cast_per_shot`` assets in each shot not cast so yet."""
        assets = sorted(assets, key=lambda a: a["name"])
        per = self.spec.cast_per_shot
        current = self.t.get(f"data/projects/{pid}/sequences/all/casting")
        rows = []
        for i, shot in enumerate(sorted(shots, key=lambda s: s["id"])):
            cast = [assets[(i * per + k) % len(assets)]["id"] for k in range(per)]
            if set(cast) != {c["asset_id"] for c in current.get(shot["id"], ())}:
                rows.append({"id": shot["id"], "type": "Shot", "entities_out": cast,
                             "nb_entities_out": len(cast)})
        self.parallel(self.import_rows("entities"), _batches(rows, 125))

    def import_rows(self, model: str) -> Callable[[list[dict[str, Any]]], Any]:
        """Zou's import route: an upsert by id, many rows a request, no events."""
        return lambda rows: self.t.post(f"import/kitsu/{model}", rows, params={"silent": "true"})


def _batches(rows: list[Any], size: int) -> list[list[Any]]:
    return [rows[start:start + size] for start in range(0, len(rows), size)]


def _project_named(transport: Transport, name: str) -> dict[str, Any] | None:
    # Zou matches names without case and with wildcards: check exactly.
    rows = transport.get("data/projects", {"name": name})
    return next((p for p in rows if p["name"] == name), None)


def main() -> dict[str, Any]:
    transport = connect()
    if "--purge" in sys.argv[1:]:
        purge(transport)
    began = time.perf_counter()
    project = ensure(transport)
    elapsed = time.perf_counter() - began
    print(f"bench production {project['name']!r} ({project['id']}): ready in {elapsed:.1f} s, "
          f"{transport.stats.total} requests")
    return {"seconds": elapsed, "requests": transport.stats.total, "project_id": project["id"]}


if __name__ == "__main__":
    main()
