"""A commit that breaks halfway, on a real Kitsu behind the loopback fault proxy.

The proxy passes a number of requests, then breaks one the way networks do:
the request reaches the server but its answer is lost, or the server
answers 500 without doing anything. The commit must raise CommitError
naming what was applied and what was not, and a second commit must finish
the job with nothing created twice and nothing missing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from faultproxy import FORWARD_THEN_RESET, PASS, FaultProxy, respond

import kitsu_orm as kitsu
from kitsu_orm.retry import Retry
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server

NB_SHOTS = 100


@pytest.fixture
def proxy(kitsu_server: Any) -> Iterator[FaultProxy]:
    with FaultProxy.in_front_of(kitsu_server.url) as proxy:
        yield proxy


def _session(url: str, kitsu_client: Transport, workers: int) -> kitsu.Session:
    assert kitsu_client.tokens is not None
    transport = Transport(
        url, token=kitsu_client.tokens, retry=Retry(total=2, backoff=0.01, jitter=0)
    )
    return kitsu.Session(transport=transport, workers=workers)


def _plan_200_objects(s: kitsu.Session, project_id: str) -> tuple[kitsu.Sequence, list[kitsu.Shot]]:
    """One sequence, 100 shots and 99 tasks: 200 new objects in one commit."""
    project = s.get(kitsu.Project, project_id)
    animation = kitsu.TaskType.where(name="Animation", session=s).one()
    todo = kitsu.TaskStatus.where(short_name="todo", session=s).one()
    seq = kitsu.Sequence(name="SQ01", project=project)
    s.add(seq)
    shots = []
    for n in range(NB_SHOTS):
        shot = kitsu.Shot(
            name=f"SH{n:03d}", project=project, sequence=seq, frame_in=1, frame_out=n + 1
        )
        s.add(shot)
        shots.append(shot)
        if n:
            s.add(kitsu.Task(project=project, entity=shot, task_type=animation, task_status=todo))
    return seq, shots


def _server_state(
    kitsu_client: Transport, project_id: str
) -> tuple[Counter[str], Counter[str], dict[str, int]]:
    shots = kitsu_client.get("data/shots/all", {"project_id": project_id})
    tasks = kitsu_client.get("data/tasks", {"project_id": project_id})
    sequences = kitsu_client.get("data/sequences", {"project_id": project_id})
    names = {s["id"]: s["name"] for s in shots}
    frames = {s["name"]: s["data"]["frame_out"] for s in shots}
    return (
        Counter([s["name"] for s in shots] + [q["name"] for q in sequences]),
        Counter(names[t["entity_id"]] for t in tasks),
        frames,
    )


@pytest.mark.parametrize(
    ("workers", "fault", "after"),
    # The commit sends the sequence, the 100 shots, then the 99 tasks in one create-tasks
    # request: the 102nd request creates the tasks.
    [
        (1, "answer lost", 40),
        (8, "answer lost", 101),
        (8, "server error", 40),
        (1, "server error", 101),
    ],
)
def test_a_commit_broken_halfway_finishes_on_the_second_try(
    proxy: FaultProxy,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    workers: int,
    fault: str,
    after: int,
) -> None:
    s = _session(proxy.url, kitsu_client, workers)
    seq, shots = _plan_200_objects(s, kitsu_project["id"])
    assert len(s.new) == 200
    broken = (
        FORWARD_THEN_RESET if fault == "answer lost" else respond(500, body=b'{"message": "boom"}')
    )
    proxy.script(*([PASS] * after), broken)

    with pytest.raises(kitsu.CommitError) as info:
        s.commit()
    assert proxy.pending == 0  # the fault was met
    error = info.value
    assert error.applied and error.pending
    assert (
        len({id(o) for op in error.applied for o in op.objects})
        + len({id(o) for op in error.pending for o in op.objects})
        == 200
    )
    assert isinstance(error.__cause__, (kitsu.ConnectionError, kitsu.ServerError))
    # What was applied is clean and persistent; the rest is still pending.
    for op in error.applied:
        assert all(o.state is kitsu.State.PERSISTENT and o.id for o in op.objects)
    assert {id(o) for op in error.pending for o in op.objects} <= {id(o) for o in s.new}

    s.commit()
    assert not s.new and not s.dirty
    names, tasks_per_shot, frames = _server_state(kitsu_client, kitsu_project["id"])
    assert names == Counter(["SQ01"] + [f"SH{n:03d}" for n in range(NB_SHOTS)])
    assert tasks_per_shot == Counter(f"SH{n:03d}" for n in range(1, NB_SHOTS))
    assert frames == {f"SH{n:03d}": n + 1 for n in range(NB_SHOTS)}
    assert all(shot.sequence is seq and shot.id for shot in shots)
