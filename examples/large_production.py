"""Fill a 500-shot production, in one commit (once; a second run changes nothing).

2 episodes x 5 sequences x 50 shots: what examples/production_at_scale.ipynb
shows as a table and a DataFrame, in a number of requests that does not grow
with the shots. About 10 seconds on a local Kitsu.
"""

from __future__ import annotations

from _connect import connect
from sample_production import remove

import kitsu_orm as kitsu

LARGE_PROJECT = "Sample: 500 shots"
EPISODES, SEQUENCES, SHOTS = 2, 5, 50  # sequences per episode, shots per sequence


def main() -> None:
    build(connect())


def build(session: kitsu.Session, name: str = LARGE_PROJECT) -> kitsu.Project:
    """The production named ``name`` in ``session`` (the current session): the one
    there when it is complete, or a new one."""
    existing = kitsu.Project.where(name=name).first()
    if existing is not None and (existing.data or {}).get("complete"):
        print(f"production {name!r} already there")
        return existing
    if existing is not None:  # a run cut short
        remove(session, existing)
    before = session.stats.requests
    with session.begin():
        project = kitsu.Project(name=name, production_type="tvshow")
        session.add(project)
        for e in range(1, EPISODES + 1):
            episode = kitsu.Episode(name=f"E{e:02d}", project=project)
            session.add(episode)
            for q in range(1, SEQUENCES + 1):
                sequence = kitsu.Sequence(name=f"E{e:02d}_SQ{q:02d}", project=project, episode=episode)
                session.add(sequence)
                for n in range(1, SHOTS + 1):
                    session.add(
                        kitsu.Shot(
                            name=f"E{e:02d}_SQ{q:02d}_SH{n * 10:04d}",
                            project=project,
                            sequence=sequence,
                            frame_in=1001,
                            frame_out=1000 + 24 + n,
                            nb_frames=24 + n,
                        )
                    )
    with session.begin():  # marked complete last: a run cut short is built again
        project.data = {"complete": True}
    print(f"production {name!r} created: {session.stats.requests - before} requests")
    return project


if __name__ == "__main__":
    main()
