"""Fill a small sample production, in one commit (once; a second run changes nothing).

2 episodes x 2 sequences x 3 shots, 4 assets of 2 types, a task per asset,
two per shot, and two artists; one of them, Ana, can log in: she is on the
project's team and assigned to the animation of E01_SQ01 and to an asset.
Enough for examples/tour.py to walk through, as the admin and as Ana.
"""

from __future__ import annotations

from _connect import ARTIST_EMAIL, ARTIST_PASSWORD, SAMPLE_PROJECT, connect

import kitsu_orm as kitsu

ASSETS = {"Character": ("Ellie", "Rex"), "Prop": ("Mushroom", "Lantern")}
# Bumped whenever the sample changes: an older sample is replaced, not reused.
SAMPLE_VERSION = 3
ARTISTS = (("Ana", "Lopez"), ("Kenji", "Sato"))


def main() -> None:
    build(connect())


def build(session: kitsu.Session, name: str = SAMPLE_PROJECT) -> kitsu.Project:
    """The sample production named ``name`` in ``session`` (the current session):
    the one there, or a new one (an older sample is replaced)."""
    existing = kitsu.Project.where(name=name).first()
    if existing is not None:
        if (existing.data or {}).get("sample_version") == SAMPLE_VERSION:
            print(f"sample production {name!r} already there")
            return existing
        remove(session, existing)
    task_types = {t.name: t for t in kitsu.TaskType.where()}
    todo = kitsu.TaskStatus.where(short_name="todo").one()
    asset_types = {t.name: t for t in kitsu.AssetType.where()}
    with session.begin():
        project = kitsu.Project(
            name=name, production_type="tvshow", data={"sample_version": SAMPLE_VERSION}
        )
        session.add(project)
        for first, last in ARTISTS:
            email = f"{first.lower()}@sprite-fright.example"
            if kitsu.Person.where(email=email).first() is None:
                session.add(kitsu.Person(first_name=first, last_name=last, email=email))
        assets = []
        for type_name, names in ASSETS.items():
            for asset_name in names:
                asset = kitsu.Asset(name=asset_name, project=project, asset_type=asset_types[type_name])
                session.add(asset)
                assets.append(asset)
                session.add(
                    kitsu.Task(
                        project=project,
                        entity=asset,
                        task_type=task_types["Modeling"],
                        task_status=todo,
                    )
                )
        for e in (1, 2):
            episode = kitsu.Episode(name=f"E{e:02d}", project=project)
            session.add(episode)
            for q in (1, 2):
                sequence = kitsu.Sequence(
                    name=f"E{e:02d}_SQ{q:02d}", project=project, episode=episode
                )
                session.add(sequence)
                for n in (1, 2, 3):
                    shot = kitsu.Shot(
                        name=f"SH{n * 10:03d}",
                        project=project,
                        sequence=sequence,
                        frame_in=1,
                        frame_out=24 * n,
                        nb_frames=24 * n,
                    )
                    session.add(shot)
                    shot.assets = [assets[(n + q) % 4], assets[(n + e) % 2]]  # the casting
                    for task_type in ("Animation", "Compositing"):
                        session.add(
                            kitsu.Task(
                                project=project,
                                entity=shot,
                                task_type=task_types[task_type],
                                task_status=todo,
                            )
                        )
    print(f"sample production {name!r} created in one commit: {session.stats.requests} requests")
    add_artist(session, project)
    return project


def add_artist(session: kitsu.Session, project: kitsu.Project) -> None:
    """Ana can log in (role "user": an artist), is on the team, and has work."""
    ana = kitsu.Person.where(email=ARTIST_EMAIL).one()
    # Accounts and teams have no ORM verbs yet: the transport sends these two.
    session.transport.post(
        f"actions/persons/{ana.id}/change-password",
        {"password": ARTIST_PASSWORD, "password_2": ARTIST_PASSWORD},
    )
    session.transport.post(f"data/projects/{project.id}/team", {"person_id": ana.id})
    with session.begin():
        for shot in kitsu.Shot.where(project=project).include("sequence", "tasks.task_type"):
            if shot.sequence is not None and shot.sequence.name == "E01_SQ01":
                ana_does = [t for t in shot.tasks if t.task_type and t.task_type.name == "Animation"]
                for task in ana_does:
                    task.assign(ana)
        for asset in kitsu.Asset.where(project=project, name="Ellie").include("tasks"):
            for task in asset.tasks:
                task.assign(ana)
    print(f"  {ana.full_name} ({ARTIST_EMAIL}) is on the team, with tasks to do")


def remove(session: kitsu.Session, project: kitsu.Project) -> None:
    """An older sample goes: Zou deletes only closed projects."""
    with session.begin():
        project.project_status = kitsu.ProjectStatus.where(name="Closed").one()
    with session.begin():
        session.delete(project)
    print(f"an older sample production {project.name!r} was removed")


if __name__ == "__main__":
    main()
