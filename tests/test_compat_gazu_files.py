"""gazu's ``files`` functions that gazu 1.3.1 added beside the usage page's, through
kitsu_orm.compat.gazu and through gazu itself on the real server, driven by tables:
reads, downloads (preview pictures always, movies where ffmpeg is present),
writes made twice on equivalent data, and one non-admin's view.

Every function of the module that reads or writes Kitsu data is compared here or
in test_compat_gazu_tasks_files.py / test_compat_gazu_preview_files.py, except:

- ``update_software``: it PUTs the software dict whole, created_at and all, as gazu
  does; compared below on a software made for the test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_previews import require_ffmpeg
from test_publishing import Board, write_png

from kitsu_orm import file_tree
from kitsu_orm.compat import gazu
from kitsu_orm.scratch_projects import remove_project, unique_project_name
from kitsu_orm.testing import KitsuServer, TeamMember
from kitsu_orm.transport import Transport

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("gazu_facade")]

PNG = b"\x89PNG"
STAMPS = {"created_at", "updated_at"}
HAS_FFMPEG = shutil.which("ffmpeg") is not None


def plain(value: Any, ignore: set[str] = STAMPS) -> Any:
    """``value`` without the keys that differ between two calls (recursively)."""
    if isinstance(value, dict):
        return {k: plain(v, ignore) for k, v in value.items() if k not in ignore}
    if isinstance(value, list):
        return [plain(v, ignore) for v in value]
    return value


def _movie(folder: Path) -> Path:
    """A one-second movie with a sound track (see test_previews._movie)."""
    path = folder / "clip.mp4"
    command = ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi"]
    command += ["-i", "testsrc=duration=1:size=160x120:rate=24", "-f", "lavfi"]
    command += ["-i", "anullsrc=r=44100:cl=stereo", "-t", "1", "-shortest"]
    command += ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", str(path)]
    subprocess.run(command, check=True, timeout=60)
    return path


@pytest.fixture(scope="module")
def world(
    kitsu_server: KitsuServer, kitsu_client: Transport, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """One project for the module: a shot task with a picture preview (and a movie one
    where ffmpeg is present), a comment attachment, a working file, an output file."""
    import gazu as real

    real.cache.disable()
    real.set_host(kitsu_server.url)
    real.log_in(kitsu_server.admin_email, kitsu_server.admin_password)
    folder = tmp_path_factory.mktemp("files")
    # A small frame size: the server encodes movies at the project's resolution.
    body = {"name": unique_project_name("compat-files"), "resolution": "320x240"}
    project = kitsu_client.post("data/projects", body)
    kitsu_client.put(f"data/projects/{project['id']}", {"file_tree": file_tree("simple")})
    board = Board(kitsu_client, project, 1)
    (task,) = board.task_ids
    wfa = next(s for s in kitsu_client.get("data/task-status") if s["short_name"] == "wfa")
    notes = write_png(folder, "notes.png", 7)
    comment = real.task.add_comment(task, wfa, "with a file", attachments=[str(notes)])
    _c, picture = real.task.publish_preview(
        task, wfa, "v001", preview_file_path=str(write_png(folder, "v001.png", 40))
    )
    movie = None
    if HAS_FFMPEG:
        _c, movie = real.task.publish_preview(
            task, wfa, "v002", preview_file_path=str(_movie(folder))
        )
        movie = real.files.wait_for_preview_file(movie, timeout=120, poll_interval=0.5)
    maya = real.files.new_software("Maya", "ma", "ma")
    working = real.files.new_working_file(task, software=maya, comment="first")
    cache = real.files.new_output_type("Cache", "cch")
    task_type = kitsu_client.get(f"data/tasks/{task}")["task_type_id"]
    output = real.files.new_entity_output_file(
        board.shot_ids[0], cache, task_type, "published", working_file=working
    )
    yield {
        "project": project,
        "shot": board.shot_ids[0],
        "task": task,
        "comment": comment,
        "attachment": comment["attachment_files"][0],
        "picture": picture,
        "movie": movie,
        "working": working,
        "output": output,
        "cache": cache,
        "folder": folder,
    }
    remove_project(kitsu_client, project)


# -- reads: (function, its arguments from the world) ---------------------------------------

Args = Callable[[dict[str, Any]], tuple[Any, ...]]
READS: list[tuple[str, Args]] = [
    ("get_preview_file", lambda w: (w["picture"]["id"],)),
    ("get_all_preview_files_for_task", lambda w: (w["task"],)),
    ("wait_for_preview_file", lambda w: (w["picture"], 5, 0.5)),
    ("get_preview_file_url", lambda w: (w["picture"],)),
    ("get_preview_movie_url", lambda w: (w["picture"]["id"], True)),
    ("get_preview_lowdef_movie_url", lambda w: (w["picture"],)),
    ("get_attachment_file", lambda w: (w["attachment"]["id"],)),
    ("get_all_attachment_files_for_task", lambda w: (w["task"],)),
    ("get_all_attachment_files_for_project", lambda w: (w["project"],)),
    ("get_attachment_thumbnail_url", lambda w: (w["attachment"],)),
    ("get_all_working_files_for_entity", lambda w: (w["shot"],)),
    ("get_all_working_files_for_entity", lambda w: (w["shot"], w["task"], "main")),
    ("get_all_working_files_for_entity", lambda w: (w["shot"], None, "other")),
    ("all_output_files_for_project", lambda w: (w["project"],)),
    ("all_output_files_for_project", lambda w: (w["project"], w["cache"], None, "main")),
    ("all_output_files_for_project", lambda w: (w["project"], None, None, None, "abc")),
    ("get_file_status", lambda w: (w["output"]["file_status_id"],)),
    ("get_file_status_by_name", lambda w: ("Created",)),
    ("get_file_status_by_name", lambda w: ("None such",)),
    ("get_software_by_name", lambda w: ("None such",)),
    ("all_output_types_for_asset_instance", None),  # in test_compat_gazu_tasks_files
]
READS = [row for row in READS if row[1] is not None]
if HAS_FFMPEG:
    READS += [
        ("get_preview_file_url", lambda w: (w["movie"],)),
        ("get_preview_movie_url", lambda w: (w["movie"], False)),
        ("wait_for_preview_file", lambda w: (w["movie"]["id"],)),
    ]


@pytest.mark.parametrize(("name", "args"), READS, ids=[r[0] for r in READS])
def test_reads_answer_what_gazu_answers(
    real_gazu: Any, world: dict[str, Any], name: str, args: Args
) -> None:
    given = args(world)
    assert getattr(gazu.files, name)(*given) == getattr(real_gazu.files, name)(*given)


# -- downloads: both write a file; the bytes must be equal ------------------------------------

DOWNLOADS: list[tuple[str, Args]] = [
    ("download_preview_file", lambda w: (w["picture"],)),
    ("download_preview_file_thumbnail", lambda w: (w["picture"]["id"],)),
    ("download_preview_file_cover", lambda w: (w["picture"],)),
    ("download_attachment_file", lambda w: (w["attachment"],)),
    ("download_project_avatar", lambda w: (w["project"],)),
]
MOVIE_DOWNLOADS: list[tuple[str, Args]] = [
    ("download_preview_file", lambda w: (w["movie"],)),
    ("download_preview_movie", lambda w: (w["movie"],)),
    ("download_preview_lowdef_movie", lambda w: (w["movie"]["id"],)),
    ("download_preview_file_thumbnail", lambda w: (w["movie"],)),
    ("download_preview_file_cover", lambda w: (w["movie"],)),
]


def _compare_download(real_gazu: Any, world: dict[str, Any], name: str, args: Args) -> None:
    folder: Path = world["folder"]
    mine = folder / f"{name}-{uuid.uuid4().hex[:6]}.mine"
    theirs = folder / f"{name}-{uuid.uuid4().hex[:6]}.theirs"
    seen: list[tuple[int, int]] = []
    given = args(world)
    ours = getattr(gazu.files, name)(
        *given, str(mine), progress_callback=lambda done, total: seen.append((done, total))
    )
    getattr(real_gazu.files, name)(*given, str(theirs))
    assert ours == mine
    assert mine.read_bytes() == theirs.read_bytes(), name
    assert seen and seen[-1][0] == mine.stat().st_size  # streamed, block by block
    assert sorted(p.name for p in folder.glob(f"{name}-*")) == sorted([mine.name, theirs.name])
    mine.unlink()
    theirs.unlink()


@pytest.mark.parametrize(("name", "args"), DOWNLOADS, ids=[r[0] for r in DOWNLOADS])
def test_downloads_write_the_bytes_gazu_writes(
    real_gazu: Any, world: dict[str, Any], name: str, args: Args
) -> None:
    if name == "download_project_avatar":  # a project has no picture until one is sent
        image = write_png(world["folder"], "avatar.png", 90)
        ours = gazu.files.upload_project_avatar(world["project"], str(image))
        assert ours == real_gazu.files.upload_project_avatar(world["project"], str(image))
        assert set(ours) == {"thumbnail_path"}
    _compare_download(real_gazu, world, name, args)


@pytest.mark.parametrize(("name", "args"), MOVIE_DOWNLOADS, ids=[r[0] for r in MOVIE_DOWNLOADS])
def test_movie_downloads_write_the_bytes_gazu_writes(
    real_gazu: Any, world: dict[str, Any], name: str, args: Args
) -> None:
    require_ffmpeg()
    _compare_download(real_gazu, world, name, args)


def test_frames_and_tiles_extracted_as_gazu_extracts_them(
    real_gazu: Any, world: dict[str, Any]
) -> None:
    require_ffmpeg()
    movie, folder = world["movie"], world["folder"]
    # To a file: the path written; without one, the bytes (gazu: the response, read).
    written = gazu.files.extract_frame_from_preview(movie, 3, str(folder / "frame.png"))
    theirs = real_gazu.files.extract_frame_from_preview(movie, 3)
    assert written.read_bytes() == theirs.content and theirs.content.startswith(PNG)
    assert gazu.files.extract_frame_from_preview(movie["id"], 3) == theirs.content
    tile = gazu.files.extract_tile_from_preview(movie)
    assert tile == real_gazu.files.extract_tile_from_preview(movie).content
    assert tile.startswith(PNG)


# -- writes: made by each on equivalent data ------------------------------------------------


def test_preview_position_and_annotations_as_gazu_sets_them(
    real_gazu: Any, world: dict[str, Any]
) -> None:
    picture = world["picture"]
    for position in (2, 1):
        ours = gazu.files.update_preview_position(picture, position)
        assert plain(ours) == plain(real_gazu.files.update_preview_position(picture, position))
    drawing = {"time": 0, "drawing": {"objects": [{"type": "path", "id": "a1"}]}}
    ours = gazu.files.update_preview_annotations(picture["id"], additions=[drawing])
    theirs = real_gazu.files.update_preview_annotations(picture["id"], additions=[drawing])
    assert plain(ours) == plain(theirs)
    ours = gazu.files.update_preview_annotations(picture, deletions=[])
    assert plain(ours) == plain(real_gazu.files.update_preview_annotations(picture, deletions=[]))


def test_working_files_written_uploaded_and_downloaded_as_gazu_does(
    real_gazu: Any, world: dict[str, Any]
) -> None:
    working, folder = world["working"], world["folder"]
    ours = gazu.files.update_comment(working, "second thoughts")
    theirs = real_gazu.files.update_comment(working["id"], "second thoughts")
    assert plain(ours) == plain(theirs) and ours["comment"] == "second thoughts"
    ours = gazu.files.update_modification_date(working)
    theirs = real_gazu.files.update_modification_date(working)
    assert plain(ours) == plain(theirs)

    scene = folder / "scene.ma"
    scene.write_bytes(os.urandom(200_000))
    sent: list[tuple[int, int]] = []
    ours = gazu.files.upload_working_file(
        working, str(scene), progress_callback=lambda done, total: sent.append((done, total))
    )
    assert plain(ours) == plain(real_gazu.files.upload_working_file(working, str(scene)))
    assert sent[-1] == (200_000, 200_000)
    mine = gazu.files.download_working_file(working, str(folder / "back.mine"))
    real_gazu.files.download_working_file(working, str(folder / "back.theirs"))
    assert mine.read_bytes() == (folder / "back.theirs").read_bytes() == scene.read_bytes()


def test_output_files_softwares_and_file_statuses_as_gazu_writes_them(
    real_gazu: Any, world: dict[str, Any]
) -> None:
    output = world["output"]
    ours = gazu.files.update_output_file(output, {"comment": "v2"})
    assert plain(ours) == plain(real_gazu.files.update_output_file(output, {"comment": "v2"}))

    name = f"Blender-{uuid.uuid4().hex[:6]}"
    made = gazu.files.new_software(name, "bl", "blend", ["blend1"])
    assert made["secondary_extensions"] == ["blend1"] and made["file_extension"] == "blend"
    assert real_gazu.files.new_software(name, "xx", "xx") == made  # found by name
    assert gazu.files.new_software(name, "xx", "xx") == made
    theirs = real_gazu.files.new_software(f"Houdini-{uuid.uuid4().hex[:6]}", "hou", "hip")
    assert plain(made, {*STAMPS, "id", "name", "short_name", "file_extension"}) == plain(
        theirs, {*STAMPS, "id", "name", "short_name", "file_extension", "secondary_extensions"}
    ) | {"secondary_extensions": ["blend1"]}
    assert plain(gazu.files.update_software({**made, "short_name": "b3d"})) == plain(
        real_gazu.files.update_software({**made, "short_name": "b3d"})
    )

    status = f"Approved-{uuid.uuid4().hex[:6]}"
    made = gazu.files.new_file_status(status, "#00ff00")
    assert gazu.files.new_file_status(status, "#000000") == made
    assert real_gazu.files.get_file_status_by_name(status) == made
    assert gazu.files.get_file_status(made) == real_gazu.files.get_file_status(made["id"])
    theirs = real_gazu.files.new_file_status(f"{status}-g", "#00ff00")
    assert plain(made, {*STAMPS, "id", "name"}) == plain(theirs, {*STAMPS, "id", "name"})


def test_avatars_of_people_and_organisations_as_gazu_sends_them(
    real_gazu: Any, world: dict[str, Any], kitsu_people: dict[str, TeamMember]
) -> None:
    folder, person = world["folder"], kitsu_people["manager"].person
    image = write_png(folder, "face.png", 120)
    ours = gazu.files.upload_person_avatar(person, str(image))
    assert ours == real_gazu.files.upload_person_avatar(person["id"], str(image))
    _compare_download(real_gazu, world, "download_person_avatar", lambda w: (person,))
    organisation = real_gazu.client.fetch_first("organisations")
    ours = gazu.files.upload_organisation_avatar(organisation, str(image))
    assert ours == real_gazu.files.upload_organisation_avatar(organisation, str(image))
    _compare_download(real_gazu, world, "download_organisation_avatar", lambda w: (organisation,))


def test_removed_preview_and_errors_as_gazu_raises_them(
    real_gazu: Any, world: dict[str, Any], kitsu_client: Transport
) -> None:
    folder = world["folder"]
    missing = str(uuid.uuid4())
    for name, args in [
        ("get_preview_file", (missing,)),
        ("get_attachment_file", (missing,)),
        ("get_file_status", (missing,)),
        ("download_preview_file_thumbnail", (missing, str(folder / "none.png"))),
        # Zou 1.0.97 makes no thumbnail of an attached picture: 404 to both.
        ("download_attachment_thumbnail", (world["attachment"], str(folder / "none.png"))),
    ]:
        with pytest.raises(real_gazu.exception.RouteNotFoundException):
            getattr(real_gazu.files, name)(*args)
        with pytest.raises(gazu.exception.RouteNotFoundException):
            getattr(gazu.files, name)(*args)
    assert not (folder / "none.png").exists()
    with pytest.raises(gazu.exception.ParameterException):  # bad ids never reach a URL
        gazu.files.get_preview_file("../persons")
    wfa = next(s for s in kitsu_client.get("data/task-status") if s["short_name"] == "wfa")
    image = str(write_png(folder, "gone.png", 3))
    pair = [real_gazu.task.publish_preview(world["task"], wfa, "x", preview_file_path=image)[1]]
    pair += [real_gazu.task.publish_preview(world["task"], wfa, "y", preview_file_path=image)[1]]
    ours = gazu.files.remove_preview_file(pair[0]["id"], force=True)
    assert ours == real_gazu.files.remove_preview_file(pair[1], force=True) == ""


def test_a_second_server_client_and_a_non_admin_see_what_gazu_shows(
    real_gazu: Any,
    world: dict[str, Any],
    kitsu_server: KitsuServer,
    kitsu_people: dict[str, TeamMember],
) -> None:
    artist = kitsu_people["artist"]
    theirs = real_gazu.client.create_client(kitsu_server.url)
    real_gazu.log_in(artist.email, artist.password, client=theirs)
    ours = gazu.client.create_client(kitsu_server.url)
    gazu.client.log_in(artist.email, artist.password, client=ours)
    # Not on the project's team: the artist may not read its previews.
    with pytest.raises(real_gazu.exception.NotAllowedException):
        real_gazu.files.get_preview_file(world["picture"]["id"], client=theirs)
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.files.get_preview_file(world["picture"]["id"], client=ours)
    # Their own avatar, through their own client.
    image = write_png(world["folder"], "me.png", 200)
    mine = gazu.files.upload_person_avatar(artist.person, str(image), client=ours)
    assert mine == real_gazu.files.upload_person_avatar(artist.id, str(image), client=theirs)
    assert gazu.files.all_softwares(client=ours) == real_gazu.files.all_softwares(client=theirs)
