"""R1, the review sheet: every shot of the bench production with its tasks.

One row per task of a shot: (sequence, shot, task type name, status short
name, assignee names). Four sides build the same rows on the same server,
interleaved, and the rows are checked equal before anything is timed:

- ``kitsu_orm (lazy)``: a new Session each run (from the tokens of an earlier
  login, as every side), ``Shot.where(project=...)``, then plain attribute
  walking: ``shot.sequence``, ``shot.tasks``, ``task.task_type``,
  ``task.task_status``, ``task.assignees``, all loaded lazily in batches (4
  requests: the with-tasks board, which answers a project's shots with their
  tasks, then task types, statuses, persons one after the other as the walk
  reaches them; the sequences are made of the names the shot rows carry).
- ``kitsu_orm (include)``: the same with
  ``.include("sequence", "tasks.task_type", "tasks.task_status", "tasks.assignees")``
  (the same 4 requests; task types, statuses and persons go together, so two
  round trips).
- ``gazu (typical loop)``: gazu 1.3.1 with its cache off, written as a
  gazu user does, with dicts as caches for what repeats::

      for shot in gazu.shot.all_shots_for_project(project):
          sequence = sequences[id] or gazu.shot.get_sequence(shot["parent_id"])
          for task in gazu.task.all_tasks_for_shot(shot, relations=True):
              task_type = task_types[id] or gazu.task.get_task_type(task["task_type_id"])
              status = statuses[id] or gazu.task.get_task_status(task["task_status_id"])
              names = [persons[id] or gazu.person.get_person(id) for id in task["assignees"]]

  ``relations=True`` is needed for ``assignees``; without the dict caches the
  loop sends one request per task and lookup (about 10,000 instead of 548).
- ``raw minimum``: one ``requests.Session`` kept for every run (its
  connections stay open across runs, as kitsu_orm's sessions share one pool
  per process, and gazu keeps its own), then the fewest requests that
  hold the rows: ``data/shots/with-tasks?project_id=&compact=true`` (shots
  with their sequence names and tasks, with assignee ids, as positional rows:
  half the bytes of the dict form), ``data/task-types``,
  ``data/task-status``, ``data/persons``; dict lookups join them.

Targets: kitsu_orm 4 requests with include and lazily, at least 20x faster
than the gazu loop (40x in the remote profile, where each of gazu's 548
requests pays a round trip), within 1.5x of the raw minimum with include and
1.3x lazily. Every side goes through the profile's network
(benchmarks/README.md).
"""

from __future__ import annotations

from typing import Any

import requests
from _common import (
    Result,
    Target,
    bench_server,
    by_profile,
    client_url,
    compare,
    gazu_client,
    median,
    profile,
)
from production import PROJECT_NAME, connect, ensure

import kitsu_orm as kitsu

# After one untimed run of each side that checks the rows.
RUNS = by_profile(loopback=15, remote=7)
GAZU_RUNS = by_profile(loopback=3, remote=2)
GAZU = "gazu (typical loop)"
Row = tuple[str, str, str, str, tuple[str, ...]]
# Seconds each kitsu_orm run spent waiting for HTTP answers, by variant.
HTTP_SECONDS: dict[bool, list[float]] = {True: [], False: []}


def orm_rows(url: str, tokens: Any, project_id: str, *, include: bool) -> tuple[list[Row], int]:
    session = kitsu.Session(url, token=tokens)
    query = kitsu.Shot.where(project=project_id, session=session)
    if include:
        query = query.include("sequence", "tasks.task_type", "tasks.task_status", "tasks.assignees")
    rows = [
        (shot.sequence.name, shot.name, task.task_type.name, task.task_status.short_name,
         tuple(sorted(p.full_name or "" for p in task.assignees)))
        for shot in query.all()
        for task in shot.tasks
    ]
    HTTP_SECONDS[include].append(session.transport.stats.seconds)
    return rows, session.stats.requests


def gazu_rows(project_id: str) -> list[Row]:
    import gazu

    sequences: dict[str, dict[str, Any]] = {}
    task_types: dict[str, dict[str, Any]] = {}
    statuses: dict[str, dict[str, Any]] = {}
    persons: dict[str, dict[str, Any]] = {}
    rows = []
    for shot in gazu.shot.all_shots_for_project(project_id):
        if shot["parent_id"] not in sequences:
            sequences[shot["parent_id"]] = gazu.shot.get_sequence(shot["parent_id"])
        sequence = sequences[shot["parent_id"]]
        for task in gazu.task.all_tasks_for_shot(shot, relations=True):
            if task["task_type_id"] not in task_types:
                task_types[task["task_type_id"]] = gazu.task.get_task_type(task["task_type_id"])
            if task["task_status_id"] not in statuses:
                statuses[task["task_status_id"]] = gazu.task.get_task_status(task["task_status_id"])
            names = []
            for person_id in task["assignees"]:
                if person_id not in persons:
                    persons[person_id] = gazu.person.get_person(person_id)
                names.append(persons[person_id]["full_name"])
            rows.append((sequence["name"], shot["name"], task_types[task["task_type_id"]]["name"],
                         statuses[task["task_status_id"]]["short_name"], tuple(sorted(names))))
    return rows


_RAW = requests.Session()  # the raw side's, for the whole run


def raw_rows(url: str, access: str, project_id: str) -> tuple[list[Row], int]:
    def get(path: str, params: dict[str, str] | None = None) -> Any:
        response = _RAW.get(f"{url}/{path}", params=params, timeout=(5, 60),
                            headers={"Authorization": f"Bearer {access}"})
        response.raise_for_status()
        return response.json()

    board = get("data/shots/with-tasks", {"project_id": project_id, "compact": "true"})
    task_types = {t["id"]: t["name"] for t in get("data/task-types")}
    statuses = {s["id"]: s["short_name"] for s in get("data/task-status")}
    persons = {p["id"]: p["full_name"] for p in get("data/persons")}
    shot_at = {name: i for i, name in enumerate(board["shot_fields"])}
    task_at = {name: i for i, name in enumerate(board["task_fields"])}
    sequence, name, tasks = shot_at["sequence_name"], shot_at["name"], shot_at["tasks"]
    task_type, status, assignees = (
        task_at["task_type_id"], task_at["task_status_id"], task_at["assignees"]
    )
    rows = [
        (shot[sequence], shot[name], task_types[task[task_type]], statuses[task[status]],
         tuple(sorted(persons[p] for p in task[assignees])))
        for shot in board["rows"]
        for task in shot[tasks]
    ]
    return rows, 4


def main() -> Result:
    server = bench_server()
    transport = connect()
    project = ensure(transport, PROJECT_NAME)
    pid, url, tokens = project["id"], client_url(server), transport.tokens
    assert tokens is not None
    counter = gazu_client(server)

    def gazu_run() -> tuple[list[Row], int]:
        counter.take()
        rows = gazu_rows(pid)
        return rows, counter.take()

    ways = {
        "kitsu_orm (include)": lambda: orm_rows(url, tokens, pid, include=True),
        "kitsu_orm (lazy)": lambda: orm_rows(url, tokens, pid, include=False),
        GAZU: gazu_run,
        "raw minimum": lambda: raw_rows(url, tokens.access, pid),
    }
    # The warm-up run checks that every side builds the same rows.
    expected: list[Row] | None = None
    for name, way in ways.items():
        rows, _ = way()
        assert len(rows) == 3000, f"{name}: {len(rows)} rows, not 3000"
        if expected is None:
            expected = sorted(rows)
        assert sorted(rows) == expected, f"{name} builds other rows than the first side"
    # The sides of a fraction of a second run many times, interleaved, for ratios between
    # them that the machine's noise does not decide; gazu's loop, 20x slower, fewer.
    quick = {name: (lambda _, way=way: way()[1]) for name, way in ways.items() if name != GAZU}
    sides = compare(RUNS, quick)
    sides.update(compare(GAZU_RUNS, {GAZU: lambda _: gazu_run()[1]}))
    sides = {name: sides[name] for name in ways}  # in the table's order

    for name, how in (
        ("kitsu_orm (include)", "Shot.where(project).include(sequence, tasks.*)"),
        ("kitsu_orm (lazy)", "Shot.where(project), attributes walked lazily"),
        ("gazu (typical loop)", "shots, then tasks per shot; dict caches"),
        ("raw minimum", "shots/with-tasks + 3 reference tables"),
    ):
        sides[name].how = how
    result = Result("R1", "review sheet: 500 shots, 3000 task rows", list(sides.values()),
                    reference="kitsu_orm (include)")
    best = min(("kitsu_orm (include)", "kitsu_orm (lazy)"), key=lambda n: sides[n].median)
    ours = sides["kitsu_orm (include)"]
    lazy = sides["kitsu_orm (lazy)"]
    gazu_x = result.ratio("gazu (typical loop)")
    gazu_lazy_x = result.ratio("gazu (typical loop)", "kitsu_orm (lazy)")
    raw_x = ours.median / sides["raw minimum"].median
    lazy_x = lazy.median / sides["raw minimum"].median
    faster = 40 if profile().remote else 20
    result.targets = [
        Target("kitsu_orm 4 requests with include and lazily",
               (ours.request_count, lazy.request_count) == (4, 4),
               f"include {ours.request_count}, lazy {lazy.request_count}"),
        Target(f"kitsu_orm at least {faster}x faster than the typical gazu loop",
               gazu_x >= faster, f"{gazu_x:.1f}x (include), {gazu_lazy_x:.1f}x (lazy)"),
        Target("kitsu_orm within 1.5x of the raw minimum", raw_x <= 1.5,
               f"{raw_x:.2f}x (include), {lazy_x:.2f}x (lazy)"),
        Target("the lazy walk within 1.3x of the raw minimum", lazy_x <= 1.3, f"{lazy_x:.2f}x"),
    ]
    result.notes.append(f"fastest kitsu_orm variant: {best}; rows checked equal on all four sides")
    result.figures["gazu loop / kitsu_orm (include, lazy)"] = f"{gazu_x:.1f}x, {gazu_lazy_x:.1f}x"
    result.figures["kitsu_orm (include, lazy) / raw minimum"] = f"{raw_x:.2f}x, {lazy_x:.2f}x"
    for include, name in ((True, "kitsu_orm (include)"), (False, "kitsu_orm (lazy)")):
        http = median(HTTP_SECONDS[include][1:])  # the first was the check run
        result.notes.append(f"{name}: {http:.3f} s of its {sides[name].median:.3f} s waiting "
                            f"for HTTP answers, the rest in the client")
    print(result.report())
    return result


if __name__ == "__main__":
    main()
