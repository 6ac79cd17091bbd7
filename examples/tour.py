"""A tour of kitsu_orm on the sample production: walk it, edit it in one commit, fail well.

Run `make demo`: it starts a local Kitsu, fills the sample production, then runs this.
"""

from __future__ import annotations

import uuid
from collections import Counter

from _connect import ARTIST_EMAIL, ARTIST_PASSWORD, SAMPLE_PROJECT, connect

import kitsu_orm as kitsu


def type_and_status(task: kitsu.Task) -> tuple[kitsu.TaskType, kitsu.TaskStatus]:
    """A task's type and status: Kitsu gives every task both (the attributes read as
    Optional, as a new task may have neither yet)."""
    assert task.task_type is not None and task.task_status is not None
    return task.task_type, task.task_status


def task_label(task: kitsu.Task) -> str:
    kind, status = type_and_status(task)
    who = f"({'+'.join(a.first_name for a in task.assignees)})" if task.assignees else ""
    return f"{kind.name}:{status.short_name}{who}"


def walk(session: kitsu.Session, project: kitsu.Project) -> None:
    before = session.stats.requests
    for sequence in sorted(project.sequences, key=lambda s: s.name):
        episode = sequence.episode
        print(f"  {episode.name if episode else '-'} / {sequence.name}")
        for shot in sorted(sequence.shots, key=lambda s: s.name):
            tasks = ", ".join(
                task_label(t)
                for t in sorted(shot.tasks, key=lambda t: type_and_status(t)[0].name)
            )
            cast = ", ".join(a.name for a in shot.assets)
            print(
                f"    {shot.name}  frames {shot.frame_in}-{shot.frame_out}  cast: {cast}  [{tasks}]"
            )
    print(
        f"  {len(project.shots)} shots with their casting and tasks: "
        f"{session.stats.requests - before} requests (relationships load in batches, once per session)"
    )


def main() -> None:
    session = connect()
    print(f"connected to {session.transport.host} as {(session.transport.user or {}).get('email')}")
    project = kitsu.Project.where(name=SAMPLE_PROJECT).one()
    print(f"\nproject {project.name!r}")
    walk(session, project)

    print(
        "\none commit: +12 frames on every shot of E01, start the animation tasks, assign an artist"
    )
    artist = kitsu.Person.where(email="ana@sprite-fright.example").one()
    animation = kitsu.TaskType.where(name="Animation").one()
    before = session.stats.requests
    with session.begin():
        for shot in kitsu.Shot.where(project=project).include("sequence.episode", "tasks"):
            episode = shot.sequence.episode if shot.sequence else None
            if episode is not None and episode.name == "E01":
                shot.frame_out = (shot.frame_out or 0) + 12
                for task in shot.tasks:
                    if task.task_type is animation:
                        task.start("blocking started")
                        task.assign(artist)
        print(f"  pending: {len(session.dirty)} changed objects, {len(session.new)} new comments")
    print(f"  committed in {session.stats.requests - before} requests")
    walk(session, project)

    statuses = Counter(
        t.task_status.short_name if t.task_status else None
        for t in kitsu.Task.where(project=project).include("task_status")
    )
    print(f"\ntask statuses now: {dict(statuses)}")

    print("\nmistakes are caught before any request:")
    for attempt in (
        lambda: kitsu.Shot.where(nmae="SH010"),
        lambda: kitsu.Shot.where(sequence=project),
        lambda: setattr(project.shots[0], "frame_out", "48"),
    ):
        try:
            attempt()
        except kitsu.ValidationError as exc:
            print(f"  ValidationError: {exc}")
    try:
        kitsu.Shot.get(str(uuid.uuid4()))
    except kitsu.NotFound as exc:
        print(f"  a missing shot: NotFound ({exc.status} on {exc.path})")
    print(f"\nrequests in this tour: {session.stats.requests} {session.stats.by_method}")
    as_the_artist(session.transport.host)


def as_the_artist(host: str) -> None:
    """The same library as an artist: Kitsu shows her the project through other
    routes than an admin's, which the session picks by her role."""
    artist = kitsu.Session(host, ARTIST_EMAIL, ARTIST_PASSWORD)
    print(f"\nas the artist {ARTIST_EMAIL} (Kitsu role {artist.role!r}):")
    with artist:
        me = kitsu.User(artist).person
        project = kitsu.Project.where(session=artist, name=SAMPLE_PROJECT).one()
        mine = 0
        for sequence in sorted(project.sequences, key=lambda s: s.name):
            for shot in sorted(sequence.shots, key=lambda s: s.name):
                for task in shot.tasks:
                    if me in task.assignees:
                        mine += 1
                        kind, status = type_and_status(task)
                        print(
                            f"  {sequence.name} / {shot.name}  {kind.name}: "
                            f"{status.short_name}, {len(task.comments)} comment(s)"
                        )
        print(f"  {mine} shot tasks of hers, walked in {artist.stats.requests} requests")
        try:
            kitsu.Shot.where(session=artist, name="SH010").all()
        except kitsu.PermissionDenied as exc:
            print(f"  refused before any request: {exc}")


if __name__ == "__main__":
    main()
