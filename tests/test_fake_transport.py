"""kitsu_orm.fake_transport: a real Session over a transport that answers from a function.

No server: these run in milliseconds, and show what a query and a commit send.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm.errors import CommitError, NotFound, PermissionDenied
from kitsu_orm.testing import FakeRequest, FakeTransport

PROJECT = "11111111-1111-4111-8111-111111111111"
SEQUENCE = "22222222-2222-4222-8222-222222222222"
SHOT = "33333333-3333-4333-8333-333333333333"
LOADED = "2026-01-05T09:30:00"

ROWS: dict[str, dict[str, Any]] = {
    PROJECT: {"id": PROJECT, "type": "Project", "name": "Agent 327", "updated_at": LOADED},
    SEQUENCE: {
        "id": SEQUENCE,
        "type": "Sequence",
        "name": "SQ01",
        "project_id": PROJECT,
        "parent_id": None,
        "updated_at": LOADED,
    },
    SHOT: {
        "id": SHOT,
        "type": "Shot",
        "name": "SH010",
        "project_id": PROJECT,
        "parent_id": SEQUENCE,
        "nb_frames": 48,
        "data": {"frame_in": 1, "frame_out": 48},
        "updated_at": LOADED,
    },
}


class Studio:
    """A tiny Kitsu: the three rows above, and a 403 for whatever ``refused`` names."""

    def __init__(self) -> None:
        self.refused: set[tuple[str, str]] = set()

    def __call__(self, method: str, path: str, params: dict[str, Any], json: Any) -> Any:
        if (method, path) in self.refused:
            raise PermissionDenied("you are not allowed to do this")
        kind, _, rest = path.removeprefix("data/").partition("/")
        if method == "GET" and path == "data/shots/all":
            return [ROWS[SHOT]]
        if method == "GET" and path == "data/entities":  # the commit's conflict check
            fields = params["fields"].split(",")
            return [{k: ROWS[SHOT].get(k) for k in fields}]
        if method == "GET" and rest in ROWS:
            return ROWS[rest]
        if method == "PUT" and kind == "entities" and rest in ROWS:
            # As Zou does, the entity route merges ``data`` into the stored dict.
            data = {**ROWS[rest].get("data", {}), **json.get("data", {})}
            return {**ROWS[rest], **json, "data": data, "updated_at": "2026-01-06T10:00:00"}
        raise NotFound("no such route in this test")


@pytest.fixture
def studio() -> Studio:
    return Studio()


@pytest.fixture
def fake(studio: Studio) -> FakeTransport:
    return FakeTransport(studio)


@pytest.fixture
def session(fake: FakeTransport) -> kitsu.Session:
    return kitsu.Session(transport=fake)


def test_a_query_compiles_to_the_list_route_and_its_filters(
    session: kitsu.Session, fake: FakeTransport
) -> None:
    project = session.get(kitsu.Project, PROJECT)
    sequence = session.get(kitsu.Sequence, SEQUENCE)
    shots = kitsu.Shot.where(project=project, sequence=sequence, session=session).all()

    assert [s.name for s in shots] == ["SH010"]
    assert shots[0].sequence is sequence  # the identity map, not another request
    assert fake.requests == [
        FakeRequest("GET", f"data/projects/{PROJECT}"),
        FakeRequest("GET", f"data/sequences/{SEQUENCE}"),
        FakeRequest("GET", "data/shots/all", {"project_id": PROJECT, "parent_id": SEQUENCE}),
    ]
    assert session.stats.requests == 3


def test_a_commit_of_an_edited_shot_sends_one_put_of_what_changed(
    session: kitsu.Session, fake: FakeTransport
) -> None:
    shot = session.get(kitsu.Shot, SHOT)
    shot.frame_out = 60
    shot.description = "longer"
    fake.requests.clear()

    session.commit()

    writes = [r for r in fake.requests if r.method != "GET"]
    assert writes == [
        FakeRequest(
            "PUT", f"data/entities/{SHOT}", {}, {"data": {"frame_out": 60}, "description": "longer"}
        )
    ]
    assert shot.frame_out == 60 and not shot.is_modified


def test_a_403_from_the_handler_surfaces_as_permission_denied(
    session: kitsu.Session, studio: Studio
) -> None:
    studio.refused.add(("GET", f"data/projects/{PROJECT}"))
    with pytest.raises(PermissionDenied) as caught:
        session.get(kitsu.Project, PROJECT)
    assert caught.value.status == 403
    assert (caught.value.method, caught.value.path) == ("GET", f"/data/projects/{PROJECT}")


def test_a_refused_write_stops_the_commit_and_keeps_the_edit(
    session: kitsu.Session, studio: Studio
) -> None:
    shot = session.get(kitsu.Shot, SHOT)
    shot.frame_out = 60
    studio.refused.add(("PUT", f"data/entities/{SHOT}"))
    with pytest.raises(CommitError) as caught:
        session.commit()
    assert isinstance(caught.value.__cause__, PermissionDenied)
    assert shot.is_modified


def test_the_fake_logs_in_counts_and_pages_like_a_transport(tmp_path: Path) -> None:
    pages = {1: {"data": [1, 2], "nb_pages": 2}, 2: {"data": [3], "nb_pages": 2}}
    fake = FakeTransport(lambda method, path, params, json: pages[params["page"]], token=None)
    assert not fake.is_authenticated and fake.confirmed_user_id() is None
    user = fake.login("me@studio.test", "secret")
    assert user["email"] == "me@studio.test" and fake.current_user() is user
    assert fake.confirmed_user_id() == user["id"]
    assert "secret" not in repr(fake.requests)

    assert list(fake.paginate("data/shots", limit=2)) == [1, 2, 3]
    assert [r.params for r in fake.requests[-2:]] == [
        {"page": 1, "limit": 2},
        {"page": 2, "limit": 2},
    ]
    assert fake.stats.by_method == {"POST": 1, "GET": 3}
    fake.logout()
    assert not fake.is_authenticated


def test_without_a_handler_every_request_answers_none(tmp_path: Path) -> None:
    fake = FakeTransport()
    assert fake.get("data/projects") is None
    assert fake.upload("pictures/x", tmp_path / "take.mov", data={"a": 1}) is None
    assert fake.requests[-1] == FakeRequest("POST", "pictures/x", {}, {"a": 1, "file": "take.mov"})
    assert fake.download("pictures/x", tmp_path / "out").read_bytes() == b""
