"""A small production on the real server, for the table and command-line tests:
one project, an episode, two sequences, ``n`` shots, an Animation task per shot."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import kitsu_orm as kitsu
from kitsu_orm.testing import unique_project_name
from kitsu_orm.transport import Transport


def make_production(url: str, admin: Transport, label: str, shots: int) -> dict[str, Any]:
    """The project's dict (``remove_project`` it afterwards), made in two commits.
    Shot ``SHnnn`` is in ``SQ01`` when n is even, else ``SQ02``; its task is due
    on day n+1 of March 2027 at 18:00 UTC."""
    project = admin.post("data/projects", {"name": unique_project_name(label)})
    transport = Transport(url, token=admin.tokens)
    s = kitsu.Session(transport=transport)
    try:
        with s.begin():
            p = s.get(kitsu.Project, project["id"])
            anim = kitsu.TaskType.where(name="Animation", for_entity="Shot", session=s).one()
            todo = kitsu.TaskStatus.where(short_name="todo", session=s).one()
            episode = kitsu.Episode(name="E01", project=p)
            seqs = [kitsu.Sequence(name=f"SQ0{i}", project=p, episode=episode) for i in (1, 2)]
            s.add_all([episode, *seqs])
            for n in range(shots):
                shot = kitsu.Shot(
                    name=f"SH{n:03d}", project=p, sequence=seqs[n % 2], frame_in=1, frame_out=24
                )
                due = datetime(2027, 3, n % 28 + 1, 18, tzinfo=timezone.utc)
                task = kitsu.Task(
                    project=p, entity=shot, task_type=anim, task_status=todo, due_date=due
                )
                s.add_all([shot, task])
    finally:
        s.close()
        transport.close()
    return project
