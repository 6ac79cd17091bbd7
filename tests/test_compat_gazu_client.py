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
