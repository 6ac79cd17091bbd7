"""The usage page's "Generic functions", through kitsu_orm.compat.gazu, on the real server."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from kitsu_orm import errors
from kitsu_orm.compat import gazu

pytestmark = pytest.mark.server


@pytest.fixture
def logged_in(kitsu_server: Any) -> Any:
    gazu.client.set_host(kitsu_server.url)
    gazu.client.log_in(kitsu_server.admin_email, kitsu_server.admin_password)
    yield kitsu_server
    gazu.client.log_out()


def test_host_functions(kitsu_server: Any) -> None:
    root = kitsu_server.url.removesuffix("/api")
    assert gazu.client.set_host(root + "/") == kitsu_server.url
    assert gazu.client.get_host() == kitsu_server.url
    assert gazu.client.is_host_up() is True
    gazu.client.set_host("http://127.0.0.1:9/api")
    assert gazu.client.is_host_up() is False
    gazu.set_host(kitsu_server.url)
    assert gazu.get_host() == kitsu_server.url


def test_log_in_current_user_log_out(kitsu_server: Any) -> None:
    gazu.client.set_host(kitsu_server.url)
    answer = gazu.client.log_in(kitsu_server.admin_email, kitsu_server.admin_password)
    assert answer["login"] is True and answer["user"]["email"] == kitsu_server.admin_email
    assert gazu.client.get_current_user()["email"] == kitsu_server.admin_email
    assert gazu.client.log_out() == {}
    with pytest.raises(errors.AuthenticationError):
        gazu.client.get_current_user()
    with pytest.raises(errors.AuthenticationError):
        gazu.client.log_in(kitsu_server.admin_email, "wrong-" + uuid.uuid4().hex)


def test_get_post_put_delete(logged_in: Any) -> None:
    name = "gazu-generic-" + uuid.uuid4().hex[:8]
    created = gazu.client.post("data/projects", {"name": name})
    assert created["name"] == name
    assert any(p["id"] == created["id"] for p in gazu.client.get("data/projects"))
    text = gazu.client.get(f"data/projects/{created['id']}", json_response=False)
    assert isinstance(text, str) and created["id"] in text
    updated = gazu.client.put(f"data/projects/{created['id']}", {"name": name + " updated"})
    assert updated["name"] == name + " updated"
    closed = next(s for s in gazu.client.get("data/project-status") if s["name"] == "Closed")
    gazu.client.put(f"data/projects/{created['id']}", {"project_status_id": closed["id"]})
    gazu.client.delete(f"data/projects/{created['id']}", {"force": "true"})
    with pytest.raises(errors.NotFound):
        gazu.client.get(f"data/projects/{created['id']}")


def test_create_fetch_one_and_fetch_all(logged_in: Any, kitsu_project: dict[str, Any]) -> None:
    name = "gazu-create-" + uuid.uuid4().hex[:8]
    created = gazu.client.create("projects", {"name": name})
    assert gazu.client.fetch_one("projects", created["id"])["name"] == name
    assert gazu.client.fecth_one(f"projects?id={created['id']}")["name"] == name
    assert any(p["id"] == created["id"] for p in gazu.client.fecth("projects"))
    # Every page, then one page as the page object itself, as gazu answers it.
    project_id = kitsu_project["id"]
    for i in range(5):
        gazu.client.post(f"data/projects/{project_id}/sequences", {"name": f"SQ{i}"})
    rows = gazu.client.fetch_all(f"entities?project_id={project_id}", paginated=True, limit=2)
    assert sorted(r["name"] for r in rows) == [f"SQ{i}" for i in range(5)]
    page = gazu.client.fecth(f"entities?project_id={project_id}&page=2&limit=2")
    assert page["page"] == 2 and page["nb_pages"] == 3 and len(page["data"]) == 2
    assert gazu.client.fetch_first(f"entities?project_id={project_id}&name=SQ3")["name"] == "SQ3"


def test_upload(logged_in: Any, tmp_path: Path) -> None:
    picture = tmp_path / "thumbnail.png"
    picture.write_bytes(_tiny_png())
    project = gazu.client.create("projects", {"name": "gazu-upload-" + uuid.uuid4().hex[:8]})
    answer = gazu.client.upload(f"pictures/thumbnails/projects/{project['id']}", picture)
    assert answer == {"thumbnail_path": f"pictures/thumbnails/projects/{project['id']}.png"}
    assert gazu.client.fetch_one("projects", project["id"])["has_avatar"] is True


def test_errors_are_the_library_s_own(logged_in: Any) -> None:
    with pytest.raises(errors.NotFound):
        gazu.client.fetch_one("projects", str(uuid.uuid4()))
    with pytest.raises(errors.ValidationError):
        gazu.client.fecth("projects?id=not-a-uuid")


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\xff\x00\x00" * 2 + b"\x00" + b"\x00\xff\x00" * 2)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_ids_and_days_that_could_change_the_path_are_refused(logged_in: Any) -> None:
    transport = gazu.client.default_transport()
    task = {"id": str(uuid.uuid4())}
    transport.stats.reset()
    with pytest.raises(errors.ValidationError):
        gazu.client.fetch_one("shots", "../../auth/logout")
    with pytest.raises(errors.ValidationError):
        gazu.client.update("shots", "../persons/x", {"name": "x"})
    with pytest.raises(errors.ValidationError):
        gazu.task.get_time_spent(task, "../../../../auth/logout")
    with pytest.raises(errors.ValidationError):
        gazu.task.set_time_spent(task, task, "../../x", 10)
    assert transport.stats.total == 0
    assert gazu.client.get_current_user()["email"] == logged_in.admin_email


# -- compared with gazu 1.3.1 ---------------------------------------------------------------

# Differ between two rows made apart.
VARYING = {"id", "name", "created_at", "updated_at"}


def _same_but_made_apart(ours: Any, theirs: Any) -> None:
    if isinstance(ours, dict):
        ours = {k: v for k, v in ours.items() if k not in VARYING}
        theirs = {k: v for k, v in theirs.items() if k not in VARYING}
    assert ours == theirs


class _Answer:
    """A stand-in for a ``requests`` response: a status and a JSON body (or none)."""

    def __init__(self, status_code: int, body: Any = None) -> None:
        self.status_code = status_code
        self.body = body
        self.text = "" if body is None else str(body)

    def json(self) -> Any:
        if self.body is None:
            raise ValueError("no JSON")
        return self.body


# Functions of no request, the same arguments for both libraries.
LOCAL: list[tuple[str, tuple[Any, ...]]] = [
    ("url_path_join", ("http://h/api/", "/data/", "projects/")),
    ("url_path_join", ()),
    ("build_path_with_params", ("data/tasks", {"ids": ["a", "b"], "x": 1})),
    ("build_path_with_params", ("data/tasks?page=2", {"limit": 3})),
    ("build_path_with_params", ("data/tasks", {})),
    ("get_message_from_data", ({"error": True, "message": "Bad"},)),
    (
        "get_message_from_data",
        ({"message": "Wrong", "data": {"errors": [{"field": "f", "message": "m"}]}},),
    ),
    ("get_message_from_data", ([1, 2], "fallback")),
    ("get_message_from_response", (_Answer(400, {"error": "Nope"}),)),
    ("get_message_from_response", (_Answer(400),)),
    ("check_status", (_Answer(200, {}), "data/x")),
    ("check_status", (_Answer(201, {}), "data/x")),
]


@pytest.mark.parametrize(("name", "args"), LOCAL, ids=[n for n, _ in LOCAL])
def test_local_helpers_answer_as_gazu(name: str, args: tuple[Any, ...]) -> None:
    import gazu as real

    assert getattr(gazu.client, name)(*args) == getattr(real.client, name)(*args)


@pytest.mark.parametrize("status", [400, 403, 404, 405, 413, 422, 500, 502])
def test_check_status_raises_gazu_s_class(status: int) -> None:
    import gazu as real

    answer = _Answer(status, {"message": "why"})
    with pytest.raises(Exception) as theirs:
        real.client.check_status(answer, "data/x")
    with pytest.raises(getattr(gazu.exception, type(theirs.value).__name__)):
        gazu.client.check_status(answer, "data/x")


def test_hosts_and_tokens_of_clients_as_gazu_s(kitsu_server: Any, real_gazu: Any) -> None:
    ours = gazu.client.create_client("http://127.0.0.1:9/api")
    theirs = real_gazu.client.create_client("http://127.0.0.1:9/api")
    for name, args in [
        ("get_host", ()),
        ("get_api_url_from_host", ()),
        ("get_full_url", ("data/projects",)),
        ("host_is_up", ()),
        ("host_is_valid", ()),
        ("set_host", (kitsu_server.url,)),
        ("get_api_url_from_host", ()),
        ("get_full_url", ("/data/projects/",)),
        ("host_is_up", ()),
        ("host_is_valid", ()),
        ("get_api_version", ()),
        ("set_event_host", ("http://127.0.0.1:9/events",)),
        ("get_event_host", ()),
        ("make_auth_header", ()),
        ("set_tokens", ({"access_token": None, "refresh_token": None},)),
    ]:
        mine = getattr(gazu.client, name)(*args, client=ours)
        assert mine == getattr(real_gazu.client, name)(*args, client=theirs), name
    assert gazu.__version__ == real_gazu.__version__ == "1.3.1"
    # Also at the top of the facade (gazu has them in gazu.client only).
    assert gazu.get_full_url("data/x", ours) == real_gazu.client.get_full_url("data/x", theirs)
    assert gazu.url_path_join("a", "b") == real_gazu.client.url_path_join("a", "b")
    assert gazu.host_is_up(ours) is real_gazu.client.host_is_up(theirs) is True
    assert gazu.get_event_host(ours) == real_gazu.get_event_host(theirs)
    assert gazu.set_host(kitsu_server.url, ours) is real_gazu.set_host(kitsu_server.url, theirs)


def test_tokens_and_auth_headers_as_gazu_s(
    kitsu_server: Any, real_gazu: Any, kitsu_people: dict[str, Any]
) -> None:
    """A second client, logged in as an artist with gazu's top-level log_in; its tokens
    handed to another client with set_tokens."""
    artist = kitsu_people["artist"]
    ours = gazu.client.create_client(kitsu_server.url)
    answer = gazu.log_in(artist.email, artist.password, client=ours)
    header = gazu.client.make_auth_header(ours)
    assert header == {
        "User-Agent": "CGWire Gazu 1.3.1",
        "Authorization": f"Bearer {answer['access_token']}",
    }
    other = gazu.client.create_client(kitsu_server.url)
    tokens = {"access_token": answer["access_token"], "refresh_token": answer["refresh_token"]}
    assert gazu.client.set_tokens(tokens, client=other) == tokens
    assert gazu.client.get_current_user(client=other)["email"] == artist.email
    assert gazu.client.get_current_user(client=ours) == real_gazu.client.get_current_user(
        client=real_gazu.create_session(kitsu_server.url, artist.email, artist.password)
    )
    refreshed = gazu.refresh_access_token(ours)
    assert set(refreshed) >= {"access_token"}
    assert gazu.client.make_auth_header(ours)["Authorization"] == (
        f"Bearer {refreshed['access_token']}"
    )
    third = gazu.client.create_client(kitsu_server.url)
    gazu.set_token(refreshed["access_token"], client=third)
    assert gazu.client.get_current_user(client=third)["email"] == artist.email
    assert gazu.log_out(client=ours) == {}
    with pytest.raises(gazu.exception.NotAuthenticatedException):
        gazu.refresh_access_token(third)  # no refresh token


@pytest.mark.usefixtures("gazu_facade")
def test_generic_calls_answer_as_gazu(
    real_gazu: Any, kitsu_client: Any, kitsu_make_project: Any, tmp_path: Path
) -> None:
    import datetime

    projects = [kitsu_make_project(), kitsu_make_project()]
    pid = projects[0]["id"]
    for i in range(3):
        kitsu_client.post(f"data/projects/{pid}/sequences", {"name": f"SQ{i}"})
    reads: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
        ("get", ("data/project-status",), {}),
        ("get", ("data/entities",), {"params": {"project_id": pid}}),
        ("fetch_all", ("project-status",), {}),
        ("fetch_all", ("projects",), {"fields": ["name", "fps"]}),
        ("fetch_all", (f"entities?project_id={pid}",), {"paginated": True, "limit": 2}),
        ("fetch_first", ("project-status",), {"params": {"name": "Open"}}),
        ("fetch_first", ("project-status",), {"params": {"name": "None such"}}),
        ("fetch_one", ("projects", pid), {}),
        ("get_current_user", (), {}),
        ("get_api_version", (), {}),
        ("host_is_up", (), {}),
        ("host_is_valid", (), {}),
    ]
    for name, args, kwargs in reads:
        mine = getattr(gazu.client, name)(*args, **kwargs)
        theirs = getattr(real_gazu.client, name)(*args, **kwargs)
        if name == "fetch_all" and kwargs.get("paginated"):
            mine, theirs = sorted(mine, key=str), sorted(theirs, key=str)
        assert mine == theirs, name
    # Writes, each on rows of its own; dates and datetimes sent as gazu sends them.
    day, moment = datetime.date(2026, 3, 2), datetime.datetime(2026, 3, 4, 10, 30)
    made = [
        lib.client.create("projects", {"name": unique, "start_date": day, "end_date": moment})
        for lib, unique in ((gazu, uuid.uuid4().hex), (real_gazu, uuid.uuid4().hex))
    ]
    projects += made
    _same_but_made_apart(*made)
    assert made[0]["start_date"] == "2026-03-02"
    updated = [
        lib.client.update("projects", row["id"], {"end_date": datetime.date(2026, 5, 1)})
        for lib, row in zip((gazu, real_gazu), made, strict=True)
    ]
    _same_but_made_apart(*updated)
    put = [
        lib.client.put(f"data/projects/{row['id']}", {"description": "d", "start_date": day})
        for lib, row in zip((gazu, real_gazu), made, strict=True)
    ]
    _same_but_made_apart(*put)
    sequences = [
        lib.client.post(f"data/projects/{row['id']}/sequences", {"name": "SQ9"})
        for lib, row in zip((gazu, real_gazu), made, strict=True)
    ]
    assert sequences[0]["name"] == sequences[1]["name"] == "SQ9"
    deleted = [
        lib.client.delete(f"data/sequences/{row['id']}", {"force": True})
        for lib, row in zip((gazu, real_gazu), sequences, strict=True)
    ]
    assert deleted == ["", ""]
    # Files: a thumbnail sent, then read back whole and downloaded.
    picture = tmp_path / "thumbnail.png"
    picture.write_bytes(_tiny_png())
    sent = [
        lib.client.upload(f"pictures/thumbnails/projects/{row['id']}", str(picture))
        for lib, row in zip((gazu, real_gazu), made, strict=True)
    ]
    assert sent[0] == {"thumbnail_path": f"pictures/thumbnails/projects/{made[0]['id']}.png"}
    assert sent[1] == {"thumbnail_path": f"pictures/thumbnails/projects/{made[1]['id']}.png"}
    # gazu's files= dict (a file object) and its progress callback.
    heard: list[tuple[int, int]] = []
    with picture.open("rb") as opened:
        again = gazu.client.upload(
            f"pictures/thumbnails/projects/{made[0]['id']}",
            files={"file": opened},
            progress_callback=lambda sent, total: heard.append((sent, total)),
        )
    assert again == sent[0]
    size = picture.stat().st_size
    assert heard[-1] == (size, size)
    route = f"pictures/thumbnails/projects/{made[0]['id']}.png"
    data = gazu.client.get_file_data_from_url(route)
    assert data == real_gazu.client.get_file_data_from_url(route)
    full = gazu.client.get_full_url(route)
    assert gazu.client.get_file_data_from_url(full, full=True) == data
    with pytest.raises(errors.ValidationError):
        gazu.client.get_file_data_from_url("http://elsewhere.example/x.png", full=True)
    ours_file, gazu_file = tmp_path / "ours.png", tmp_path / "gazu.png"
    gazu.client.download(route, str(ours_file))
    real_gazu.client.download(route, str(gazu_file))
    assert ours_file.read_bytes() == gazu_file.read_bytes() == data
    # import_data: a project row by id, upserted.
    rows = [
        lib.client.import_data("projects", [{"id": str(uuid.uuid4()), "name": uuid.uuid4().hex}])
        for lib in (gazu, real_gazu)
    ]
    projects += [r[0] for r in rows]
    _same_but_made_apart(rows[0][0], rows[1][0])
    with pytest.raises(errors.ValidationError):
        gazu.client.import_data("../auth/logout", [])
    from kitsu_orm.testing import remove_project

    for row in projects[2:]:
        remove_project(kitsu_client, row)
