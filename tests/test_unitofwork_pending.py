"""Nothing leaves before commit: time spent and get_or_create are pending like any
other write, a commit can send a subset, and a failed commit says what to do."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from faultproxy import FORWARD_THEN_RESET, PASS, FaultProxy, respond

import kitsu_orm as kitsu
from kitsu_orm.retry import Retry
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server

WRITES = ("POST", "PUT", "DELETE")


def _writes(s: kitsu.Session) -> int:
    return sum(s.stats.by_method.get(m, 0) for m in WRITES)


class Shop:
    """A sequence, a shot and an Animation task assigned to the admin, made by the admin."""

    def __init__(self, s: kitsu.Session, project_id: str) -> None:
        self.s = s
        self.project = s.get(kitsu.Project, project_id)
        self.project.file_tree = kitsu.file_tree("default")  # new working files need one
        self.animation = kitsu.TaskType.where(name="Animation", for_entity="Shot", session=s).one()
        self.todo = kitsu.TaskStatus.where(short_name="todo", session=s).one()
        self.me = kitsu.User(s).person
        self.maya = kitsu.Software.get_or_create(
            name="Maya",
            defaults={"short_name": "ma", "file_extension": ".ma"},
            session=s,
            commit=True,
        )
        self.sequence = kitsu.Sequence(name="SQ01", project=self.project)
        self.shot = kitsu.Shot(name="SH01", project=self.project, sequence=self.sequence)
        self.task = kitsu.Task(
            project=self.project, entity=self.shot, task_type=self.animation, task_status=self.todo
        )
        s.add_all([self.sequence, self.shot, self.task])
        self.task.assign(self.me)
        s.commit()


@pytest.fixture
def shop(session: kitsu.Session, kitsu_project: dict[str, Any]) -> Shop:
    return Shop(session, kitsu_project["id"])


# -- time spent ---------------------------------------------------------------------------------


def test_time_spent_is_pending_until_commit_and_rolled_back(
    shop: Shop, kitsu_client: Transport
) -> None:
    s, task, me, day = shop.s, shop.task, shop.me, date(2018, 3, 18)
    before = _writes(s)
    spent = task.set_time_spent(me, day, 8 * 60)
    assert spent in s.new and spent.state is kitsu.State.PENDING
    assert task.add_time_spent(me, "2018-03-18", timedelta(hours=1)) is spent  # one per day
    assert spent.duration == 540
    assert _writes(s) == before
    path = f"actions/tasks/{task.id}/time-spents/{day.isoformat()}"
    assert kitsu_client.get(path)["total"] == 0

    s.rollback()
    assert spent not in s.new and _writes(s) == before
    assert kitsu_client.get(path)["total"] == 0

    spent = task.set_time_spent(me, day, 8 * 60)
    task.add_time_spent(me, day, 60)
    s.commit()
    assert _writes(s) == before + 1  # set and add on a pending day: one request
    assert spent.state is kitsu.State.PERSISTENT and spent.id and spent.duration == 540
    assert kitsu_client.get(path)["total"] == 540

    # A loaded day: an addition is pending (dirty), then sent through the add route.
    again = task.add_time_spent(me, day, 30)
    assert again is spent and spent in s.dirty and spent.duration == 570
    assert kitsu_client.get(path)["total"] == 540
    kitsu_client.post(f"{path}/persons/{me.id}/add", {"duration": 10})  # someone else adds too
    s.commit()
    assert spent.duration == 580 and not s.dirty  # both additions count
    assert kitsu_client.get(path)["total"] == 580
    assert task.time_spents_on(day) == [spent]


def test_a_lost_addition_is_not_sent_twice_blindly(
    kitsu_server: Any, kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    with FaultProxy.in_front_of(kitsu_server.url) as proxy:
        transport = Transport(
            proxy.url, token=kitsu_client.tokens, retry=Retry(total=2, backoff=0.01, jitter=0)
        )
        transport.user = dict(kitsu_client.user or {})
        s = kitsu.Session(transport=transport)
        shop = Shop(s, kitsu_project["id"])
        day = date(2018, 3, 19)
        spent = shop.task.add_time_spent(shop.me, day, 60)
        proxy.script(FORWARD_THEN_RESET)
        with pytest.raises(kitsu.CommitError) as info:
            s.commit()
        assert "commit() again" in str(info.value)  # transient: sending again is the advice
        path = f"actions/tasks/{shop.task.id}/time-spents/{day.isoformat()}"
        assert kitsu_client.get(path)["total"] == 60  # it was applied; its answer was lost
        with pytest.raises(kitsu.CommitError) as info:
            s.commit()  # in doubt: refused, not added a second time
        assert "may have been applied" in str(info.value)
        assert kitsu_client.get(path)["total"] == 60
        shop.task.set_time_spent(shop.me, day, 60)  # the user says what the total is
        s.commit()
        assert spent.duration == 60 and kitsu_client.get(path)["total"] == 60
        transport.close()


# -- get_or_create and commit(only=...) -----------------------------------------------------------


def test_get_or_create_in_a_transaction_that_raises_sends_nothing(
    shop: Shop, kitsu_client: Transport
) -> None:
    s = shop.s
    before = _writes(s)
    with pytest.raises(RuntimeError), s.begin():
        shop.shot.description = "edited"
        made = kitsu.Shot.get_or_create(session=s, sequence=shop.sequence, name="SH02")
        assert made in s.new
        raise RuntimeError("the block fails")
    assert _writes(s) == before
    shots = kitsu_client.get("data/shots/all", {"project_id": shop.project.id})
    assert sorted(r["name"] for r in shots) == ["SH01"]
    assert shop.shot.description is None and not s.new and not s.dirty


def test_get_or_create_commit_true_sends_only_its_object_and_its_pending_parents(
    shop: Shop, kitsu_client: Transport
) -> None:
    s = shop.s
    shop.shot.description = "not yet"
    other = kitsu.Sequence(name="SQ09", project=shop.project)
    s.add(other)
    parent = kitsu.Sequence(name="SQ02", project=shop.project)
    s.add(parent)
    before = s.stats.by_method.get("POST", 0)
    shot = kitsu.Shot.get_or_create(
        session=s, sequence=parent, name="SH01", defaults={"project": shop.project}, commit=True
    )
    assert shot.id and parent.id and shot.sequence is parent
    assert s.stats.by_method.get("POST", 0) == before + 2
    assert other in s.new and other.id is None
    assert shop.shot in s.dirty  # the unrelated edit is still pending
    sequences = kitsu_client.get("data/sequences", {"project_id": shop.project.id})
    assert sorted(r["name"] for r in sequences) == ["SQ01", "SQ02"]
    s.commit()
    assert not s.new and not s.dirty and other.id


# -- errors that help -------------------------------------------------------------------------------


def test_a_permanent_failure_says_what_to_fix_not_to_commit_again(
    shop: Shop, kitsu_client: Transport
) -> None:
    s = shop.s
    made = shop.task.new_working_file("main", software=shop.maya)
    # A comment on a task that does not exist: the server answers 404.
    stray = kitsu.Comment(text="hello", object_id=str(uuid.uuid4()), task_status_id=shop.todo.id)
    s.add(stray)
    with pytest.raises(kitsu.CommitError) as info:
        s.commit()
    error = info.value
    text = str(error)
    assert "commit() again" not in text
    assert "refused" in text and "no longer on the server" in text
    assert isinstance(error.__cause__, kitsu.NotFound)
    assert [op.obj for op in error.applied] == [made] and made.id
    assert [o for op in error.pending for o in op.objects] == [stray]
    stray.object_id = shop.task.id  # fixed: the rest goes through
    s.commit()
    assert stray.id and not s.new
    comments = kitsu_client.get(f"data/tasks/{shop.task.id}/comments")
    assert [c["text"] for c in comments] == ["hello"]


def test_a_transient_failure_keeps_the_advice_to_commit_again(
    kitsu_server: Any, kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    with FaultProxy.in_front_of(kitsu_server.url) as proxy:
        transport = Transport(
            proxy.url, token=kitsu_client.tokens, retry=Retry(total=0, backoff=0.01, jitter=0)
        )
        transport.user = dict(kitsu_client.user or {})
        s = kitsu.Session(transport=transport)
        project = s.get(kitsu.Project, kitsu_project["id"])
        s.add(kitsu.Sequence(name="SQ01", project=project))
        # The two reads of the existence check of a new sequence pass; the create is busy.
        proxy.script(PASS, PASS, respond(503, body=b'{"message": "busy"}'))
        with pytest.raises(kitsu.CommitError) as info:
            s.commit()
        assert "commit() again to send the 1 left" in str(info.value)
        s.commit()
        assert not s.new
        transport.close()
