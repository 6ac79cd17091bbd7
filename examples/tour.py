"""A tour of kitsu_orm on the sample production: walk it, edit it in one commit, fail well,
publish a preview for review and hear of it live.

Run `make demo`: it starts a local Kitsu, fills the sample production, then runs this.
"""

from __future__ import annotations

import struct
import tempfile
import time
import uuid
import zlib
from collections import Counter
from pathlib import Path

from _connect import ARTIST_EMAIL, ARTIST_PASSWORD, SAMPLE_PROJECT, connect

import kitsu_orm as kitsu
from kitsu_orm.event import Event, Listener


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
    publish_for_review(session, project)
    print(f"\nrequests in this tour: {session.stats.requests} {session.stats.by_method}")
    as_the_artist(session.transport.host)


def publish_for_review(session: kitsu.Session, project: kitsu.Project) -> None:
    """Publish a preview with a comment and a status, put it in a playlist, and see
    what the server told the listeners about it (Zou's live events)."""
    sequence = kitsu.Sequence.where(project=project, name="E01_SQ01").one()
    shot = kitsu.Shot.where(sequence=sequence, name="SH010").include("tasks").one()
    task = next(t for t in shot.tasks if type_and_status(t)[0].name == "Compositing")
    wfa = kitsu.TaskStatus.where(short_name="wfa").one()
    print(f"\npublish a preview of {sequence.name} / {shot.name} for review, live:")
    # A second session listens, as a review tool would: its events bring their objects
    # read again into it, not into the session that commits.
    watcher = connect()
    try:
        listener: Listener | None = watcher.events.listen("*", timeout=2)
    except (kitsu.ConfigurationError, kitsu.ConnectionError) as exc:
        print(f"  (no live events: {exc})")
        listener = None
    with tempfile.TemporaryDirectory() as folder:
        image = write_png(Path(folder) / "comp.png")
        with session.begin():  # the comment, the status and the preview: one commit
            comment = task.comment("comp for review", status=wfa, previews=[image])
    preview = comment.previews[0]
    print(f"  {task_label(task)}: preview {(preview.id or '')[:8]}, revision {preview.revision}")
    # A playlist of the tour, made once and then reused: the shot's entry shows this preview.
    playlist = kitsu.Playlist.where(project=project, name="Tour review").first()
    if playlist is None:
        playlist = kitsu.Playlist(name="Tour review", project=project, for_entity="shot")
        session.add(playlist)
    if shot in playlist:
        playlist.set_preview(shot, preview)
    else:
        playlist.add(shot, preview=preview)
    session.commit()
    print(f"  in the playlist {playlist.name!r}: {len(playlist.entries)} shot(s)")
    if listener is not None:
        deadline = time.monotonic() + 5  # a late event is not waited for longer
        with listener:  # stops the stream at the end
            others = []
            for event in listener:  # each with its object, read again
                if event.kind in ("comment", "preview-file", "playlist"):
                    print(f"  event {event.name:<22} {about(event)}")
                else:
                    others.append(event.name)
                if time.monotonic() > deadline:
                    break
            print(f"  and {len(others)} other event(s): {', '.join(others) or '-'}")
    watcher.close()


def about(event: Event) -> str:
    """What an event names: its object, else the id in its data (Zou's names)."""
    if event.object is not None:
        return repr(event.object)
    return f"{event.kind} {str(event.data.get(event.kind.replace('-', '_') + '_id'))[:8]}"


def write_png(path: Path) -> Path:
    """A small PNG drawn with the standard library (a teal 64x36 frame)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    width, height = 64, 36
    rows = b"".join(b"\x00" + bytes((0, 128, 128)) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


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
