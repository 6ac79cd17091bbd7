"""Rows the server saves again after answering a write are read again after the commit."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

import kitsu_orm as kitsu
from kitsu_orm.testing import Team
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server


@pytest.mark.parametrize("role", ["admin", "supervisor", "artist"])
def test_an_edited_comment_is_read_again_after_the_commit_and_edited_again(
    role: str,
    kitsu_client: Transport,
    kitsu_team: Team,
    kitsu_as: Callable[..., kitsu.Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Zou answers a comment's PUT with the row as it was before it saves the comment
    again (its mentions): the commit reads the comment again, so that the object holds
    the server's stamp and a later edit is no conflict with our own."""
    pid = kitsu_team.project["id"]
    c = kitsu_client
    seq = c.post(f"data/projects/{pid}/sequences", {"name": "SQ01"})
    shot = c.post(f"data/projects/{pid}/shots", {"name": "SH01", "sequence_id": seq["id"]})
    layout = next(t for t in c.get("data/task-types") if t["name"] == "Layout")
    todo = next(s for s in c.get("data/task-status") if s["short_name"] == "todo")
    task = c.post(
        "data/tasks",
        {
            "project_id": pid,
            "entity_id": shot["id"],
            "task_type_id": layout["id"],
            "task_status_id": todo["id"],
        },
    )
    me = kitsu_team[role].id if role != "admin" else (c.user or {})["id"]
    if role != "admin":
        c.put(f"actions/persons/{me}/assign", {"task_ids": [task["id"]]})
    s = kitsu_as(role)
    comment = kitsu.Task.get(task["id"], session=s).comment("first take")
    s.commit()
    for text in ("second take", "third take"):
        comment.text = text
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="kitsu_orm.http"):
            s.commit()
        sent = [r.getMessage().split()[:2] for r in caplog.records if r.name == "kitsu_orm.http"]
        put = sent.index(["PUT", f"/data/comments/{comment.id}"])
        # After the PUT, a read that brings the comment back (its task's list for others).
        assert any(m == "GET" and "comments" in p for m, p in sent[put + 1 :]), sent
        row = c.get(f"data/comments/{comment.id}")
        assert row["text"] == text
        assert comment.updated_at is not None
        assert comment.updated_at.isoformat().startswith(row["updated_at"])
