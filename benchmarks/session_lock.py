"""S1, what thread safety costs one thread: loading 3,000 tasks into a session.

No server: a stub transport answers the same 3,000 task rows (copies of one
realistic row with their own ids), so that only the session's own work is
timed: structuring rows, the identity map, and its lock. Each run times, on
a new session, the first load (3,000 new objects), a second load of the same
rows (3,000 merges into loaded objects), ``session.dirty`` and
``rollback()`` over them, and ``session.changes()``.

Side by side: ``--compare A B`` runs this script in new interpreters with
``A`` then ``B`` first on ``PYTHONPATH`` (two checkouts of kitsu_orm),
interleaved (A, B, A, B...), and prints the medians and B / A for each step::

    python benchmarks/session_lock.py --compare /work/main /work/wt-h

``--lock-cost`` measures the locks alone, in one process: the same steps on
sessions whose locks are real, and on sessions whose locks are replaced by
``contextlib.nullcontext()`` (no lock at all), interleaved, best of 30 each.
On a shared machine this is the steadier figure: two checkouts in two
processes differ by up to 15% run to run, whatever the code::

    python benchmarks/session_lock.py --lock-cost

Target: under 5% added to a load by the lock (the single-thread path).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from typing import Any

N_TASKS = 3000
ROUNDS = 15  # child processes per side; each times every step REPEAT times, keeps the best
REPEAT = 5

TASK_ROW: dict[str, Any] = {
    "name": "main",
    "description": None,
    "priority": 2,
    "duration": 0,
    "estimation": 3,
    "completion_rate": 0,
    "retake_count": 0,
    "sort_order": 0,
    "start_date": "2026-01-05T09:30:00",
    "due_date": "2026-01-30T00:00:00",
    "real_start_date": None,
    "end_date": None,
    "done_date": None,
    "last_comment_date": None,
    "nb_assets_ready": 0,
    "data": None,
    "shotgun_id": None,
    "last_preview_file_id": None,
    "nb_drawings": 0,
    "assignees": ["a0c9b899-e589-48e7-97b8-bb71bf204e57"],
    "task_type_id": "4b7f1b0e-5d0a-4a5e-8d0e-3f1a2b3c4d5e",
    "task_status_id": "5c8f2c1f-6e1b-4b6f-9e1f-4a2b3c4d5e6f",
    "entity_id": "6d9a3d2a-7f2c-4c7a-8f2a-5b3c4d5e6f7a",
    "project_id": "0f9a5f5e-7c39-4a1e-8d2e-5b1b3b9c0a11",
    "assigner_id": "a0c9b899-e589-48e7-97b8-bb71bf204e57",
    "created_at": "2026-11-27T21:06:23",
    "updated_at": "2026-11-28T08:00:00",
    "type": "Task",
}


class StubTransport:
    """Just what a session reads with: the same rows for every list request."""

    host = "http://stub.test/api"
    user = {"role": "admin"}
    tokens = None

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def get(self, path: str, params: Any = None) -> list[dict[str, Any]]:
        return [dict(row) for row in self.rows]


def one_round(repeat: int = REPEAT, locks: bool = True) -> dict[str, float]:
    import contextlib

    import kitsu_orm as kitsu

    rows = [{**TASK_ROW, "id": str(uuid.uuid4())} for _ in range(N_TASKS)]
    best: dict[str, float] = {}

    def timed(step: str, fn: Any) -> Any:
        start = time.perf_counter()
        out = fn()
        took = time.perf_counter() - start
        best[step] = min(best.get(step, took), took)
        return out

    for _ in range(repeat):
        session = kitsu.Session(transport=StubTransport(rows))
        if not locks:
            session._commit_lock = contextlib.nullcontext()  # type: ignore[assignment]
            if hasattr(session, "identity"):  # the lock of its identity map
                session.identity.lock = contextlib.nullcontext()  # type: ignore[assignment]
            else:  # a tree from before the identity map
                session._lock = contextlib.nullcontext()
        query = kitsu.Task.where(project_id=TASK_ROW["project_id"], session=session)
        tasks = timed("first load", query.all)
        assert len(tasks) == N_TASKS
        timed("second load (merges)", query.all)
        for task in tasks[::10]:
            task.priority = 3
        assert len(timed("dirty", lambda s=session: s.dirty)) == N_TASKS // 10
        timed("changes()", session.changes)
        timed("rollback()", session.rollback)
    return best


def compare(a: str, b: str) -> None:
    times: dict[str, dict[str, list[float]]] = {a: {}, b: {}}
    for _ in range(ROUNDS):
        for path in (a, b):
            env = {**os.environ, "PYTHONPATH": path}
            out = subprocess.run(
                [sys.executable, __file__], env=env, capture_output=True, text=True, check=True
            )
            for step, seconds in json.loads(out.stdout).items():
                times[path].setdefault(step, []).append(seconds)
    print(f"{N_TASKS} tasks, median of {ROUNDS} processes (best of {REPEAT} each), ms")
    print(f"{'step':<22} {'A':>8} {'B':>8} {'B / A':>7}")
    for step in times[a]:
        ma, mb = statistics.median(times[a][step]), statistics.median(times[b][step])
        print(f"{step:<22} {ma * 1e3:8.2f} {mb * 1e3:8.2f} {mb / ma:7.3f}")
    print(f"A = {a}\nB = {b}")


def lock_cost(rounds: int = 30) -> None:
    with_locks: dict[str, float] = {}
    without: dict[str, float] = {}
    for _ in range(rounds):
        for locks, best in ((True, with_locks), (False, without)):
            for step, seconds in one_round(repeat=1, locks=locks).items():
                best[step] = min(best.get(step, seconds), seconds)
    print(f"{N_TASKS} tasks, one process, best of {rounds} each, ms")
    print(f"{'step':<22} {'no lock':>8} {'locks':>8} {'ratio':>7}")
    for step in with_locks:
        a, b = without[step], with_locks[step]
        print(f"{step:<22} {a * 1e3:8.2f} {b * 1e3:8.2f} {b / a:7.3f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--compare"]:
        compare(sys.argv[2], sys.argv[3])
    elif sys.argv[1:2] == ["--lock-cost"]:
        lock_cost()
    else:
        print(json.dumps(one_round()))
