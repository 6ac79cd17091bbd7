"""gazu's ``person`` module through kitsu_orm.compat.gazu, compared with gazu 1.3.1 on
the same server: reads on one shared board, writes on twin objects (ours, gazu's).

Needing what the dev server lacks, checked for the request they send and the
server's answer only:

- ``invite_person``: sends an e-mail; the dev server has no SMTP server (its mail
  is disabled), so Zou answers success without sending anything.
- ``disable_two_factor_authentication``: needs a person with a second factor set
  up (a TOTP secret or a FIDO key), which the tests cannot enrol; on a person
  without one, both libraries get the server's same refusal.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import struct
import uuid
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm.compat import gazu
from kitsu_orm.testing import remove_project, unique_project_name
from kitsu_orm.transport import Transport

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("gazu_facade")]

# What two objects made apart differ in.
APART = (
    "id",
    "created_at",
    "updated_at",
    "first_name",
    "last_name",
    "full_name",
    "email",
    "name",
    "desktop_login",
    "person_id",
    "access_token",
)
DAY, WEEK = "2024-03-05", (2024, 10)  # a Tuesday of ISO week 10
OFF, OFF_END = "2024-04-10", "2024-04-11"


def gone(client: Transport, path: str) -> None:
    """Delete what a test made, if it is still there."""
    with contextlib.suppress(kitsu.NotFound):
        client.delete(path, {"force": "true"})


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def apart(row: Any) -> Any:
    """A row without what differs between two objects made apart."""
    if isinstance(row, dict):
        return {k: v for k, v in row.items() if k not in APART}
    return row


def _person_body(tag: str, **fields: Any) -> dict[str, Any]:
    login = unique(tag)
    return {"first_name": "P", "last_name": login, "email": f"{login}@example.com", **fields}


@pytest.fixture(scope="module")
def board(kitsu_client: Transport) -> Iterator[dict[str, Any]]:
    """A department, a person in it with a time spent on DAY and a day off at OFF."""
    c = kitsu_client
    department = c.post("data/departments", {"name": unique("dept"), "color": "#112233"})
    person = c.post(
        "data/persons",
        _person_body("subject", departments=[department["id"]], desktop_login=unique("dl")),
    )
    project = c.post("data/projects", {"name": unique_project_name("person-board")})
    try:
        prop = next(t for t in c.get("data/asset-types") if t["name"] == "Prop")
        asset = c.post(
            f"data/projects/{project['id']}/asset-types/{prop['id']}/assets/new", {"name": "Lamp"}
        )
        task_type = next(t for t in c.get("data/task-types") if t["name"] == "Modeling")
        todo = next(s for s in c.get("data/task-status") if s["short_name"] == "todo")
        task = c.post(
            "data/tasks",
            {
                "project_id": project["id"],
                "entity_id": asset["id"],
                "task_type_id": task_type["id"],
                "task_status_id": todo["id"],
            },
        )
        c.post(f"data/projects/{project['id']}/team", {"person_id": person["id"]})
        c.put(f"actions/persons/{person['id']}/assign", {"task_ids": [task["id"]]})
        c.post(
            f"actions/tasks/{task['id']}/time-spents/{DAY}/persons/{person['id']}",
            {"duration": 90},
        )
        day_off = c.post(
            "data/day-offs", {"person_id": person["id"], "date": OFF, "end_date": OFF_END}
        )
        yield {"department": department, "person": person, "day_off": day_off}
    finally:
        for row in c.get(f"data/persons/{person['id']}/day-offs"):
            gone(c, f"data/day-offs/{row['id']}")
        remove_project(c, project)
        gone(c, f"data/persons/{person['id']}")
        gone(c, f"data/departments/{department['id']}")


Args = Callable[[dict[str, Any]], tuple[Any, ...]]

READS: list[tuple[str, Args]] = [
    ("all_organisations", lambda b: ()),
    ("all_departments", lambda b: ()),
    ("all_persons", lambda b: ()),
    ("get_department", lambda b: (b["department"]["id"],)),
    ("get_department_by_name", lambda b: (b["department"]["name"],)),
    ("get_department_by_name", lambda b: (b["department"]["name"].upper(),)),
    ("get_department_by_name", lambda b: (unique("no-dept"),)),
    ("get_person", lambda b: (b["person"]["id"],)),
    ("get_person", lambda b: (b["person"]["id"], True)),
    ("get_person", lambda b: (str(uuid.uuid4()),)),
    ("get_person_by_email", lambda b: (b["person"]["email"],)),
    ("get_person_by_email", lambda b: (b["person"]["email"], True)),
    ("get_person_by_full_name", lambda b: (b["person"]["full_name"],)),
    ("get_person_by_desktop_login", lambda b: (b["person"]["desktop_login"],)),
    ("get_person_url", lambda b: (b["person"],)),
    ("get_organisation", lambda b: ()),
    ("get_time_spents_range", lambda b: (b["person"]["id"], "2024-03-01", "2024-03-31")),
    ("get_all_month_time_spents", lambda b: (b["person"]["id"], datetime.date(2024, 3, 5))),
    ("get_time_spents_by_date", lambda b: (b["person"], DAY)),
    ("get_week_time_spents", lambda b: (b["person"], *WEEK)),
    ("get_year_time_spents", lambda b: (b["person"]["id"], 2024)),
    ("get_day_offs", lambda b: (b["person"],)),
    ("get_week_day_offs", lambda b: (b["person"], 2024, 15)),
    ("get_month_day_offs", lambda b: (b["person"], 2024, 4)),
    ("get_year_day_offs", lambda b: (b["person"]["id"], 2024)),
    ("get_day_off", lambda b: (b["day_off"]["id"],)),
    ("get_presence_log", lambda b: (2024, 4)),
]


def test_reads_answer_what_gazu_answers(real_gazu: Any, board: dict[str, Any]) -> None:
    seen = set()
    for name, args in READS:
        ours = getattr(gazu.person, name)(*args(board))
        theirs = getattr(real_gazu.person, name)(*args(board))
        assert ours == theirs, name
        seen.add(name)
    # The board is not empty: each read found something where it should.
    assert gazu.person.get_time_spents_by_date(board["person"], DAY)[0]["duration"] == 90
    assert [d["id"] for d in gazu.person.get_day_offs(board["person"])] == [board["day_off"]["id"]]
    assert gazu.person.get_person_url(board["person"]).endswith(f"/people/{board['person']['id']}/")


def test_calendar_values_are_checked_before_any_request(board: dict[str, Any]) -> None:
    before = kitsu.current_session().transport.stats.total
    for call in (
        lambda: gazu.person.get_time_spents_by_date(board["person"], "../../auth"),
        lambda: gazu.person.get_week_day_offs(board["person"], "2024/..", 1),
        lambda: gazu.person.get_year_time_spents(board["person"], True),
        lambda: gazu.person.get_presence_log(2024, "4?x=1"),
        lambda: gazu.person.get_all_month_time_spents(board["person"]["id"], "2024-03"),
    ):
        with pytest.raises(gazu.exception.ParameterException):
            call()
    assert kitsu.current_session().transport.stats.total == before


def _twins(make: Callable[[Any, str], dict[str, Any]], real_gazu: Any) -> tuple[Any, Any]:
    return make(gazu, "ours"), make(real_gazu, "theirs")


def test_departments(real_gazu: Any, kitsu_client: Transport) -> None:
    ours, theirs = _twins(lambda g, tag: g.person.new_department(unique(tag), "#00ff00"), real_gazu)
    try:
        assert apart(ours) == apart(theirs)
        assert gazu.person.new_department(ours["name"]) == real_gazu.person.new_department(
            ours["name"]
        )
        updated = [
            g.person.update_department({**row, "color": "#0000ff"})
            for g, row in ((gazu, ours), (real_gazu, theirs))
        ]
        assert apart(updated[0]) == apart(updated[1]) and updated[0]["color"] == "#0000ff"
        assert (
            gazu.person.remove_department(ours) == real_gazu.person.remove_department(theirs) == ""
        )
        assert gazu.person.get_department_by_name(ours["name"]) is None
    finally:
        for row in (ours, theirs):
            gone(kitsu_client, f"data/departments/{row['id']}")


def _png(path: Path) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
    return path


def test_persons_and_their_departments(
    real_gazu: Any, kitsu_client: Transport, board: dict[str, Any], tmp_path: Path
) -> None:
    dept = board["department"]

    def make(g: Any, tag: str) -> dict[str, Any]:
        body = _person_body(tag)
        return g.person.new_person(
            body["first_name"],
            body["last_name"],
            body["email"],
            desktop_login=unique("dl"),
            password="not-a-real-one-42",
        )

    ours, theirs = _twins(make, real_gazu)
    try:
        assert apart(ours) == apart(theirs)
        assert gazu.person.new_person("X", "Y", ours["email"]) == real_gazu.person.new_person(
            "X", "Y", ours["email"]
        )
        pair = ((gazu, ours), (real_gazu, theirs))
        for step in (
            lambda g, p: g.person.update_person({**p, "phone": "555", "departments": [dept]}),
            lambda g, p: g.person.add_person_to_department(p, dept["id"]),
            lambda g, p: g.person.remove_person_from_department(p["id"], dept),
            lambda g, p: g.person.change_password_for_person(p, "another-one-for-tests-43"),
            lambda g, p: g.person.set_avatar(p, str(_png(tmp_path / "avatar.png"))),
            lambda g, p: g.person.clear_person_avatar(p),
        ):
            answers = [apart(step(g, p)) for g, p in pair]
            if isinstance(answers[0], dict) and "thumbnail_path" in answers[0]:
                answers = [a["thumbnail_path"].rsplit("/", 1)[0] for a in answers]
            assert answers[0] == answers[1]
        progress: list[tuple[int, int]] = []
        gazu.person.set_avatar(
            ours, str(tmp_path / "avatar.png"), progress_callback=lambda *a: progress.append(a)
        )
        assert progress and progress[-1][0] == progress[-1][1]
        assert gazu.person.remove_person(ours) == real_gazu.person.remove_person(theirs) == ""
    finally:
        for row in (ours, theirs):
            gone(kitsu_client, f"data/persons/{row['id']}")


def test_bots(real_gazu: Any, kitsu_client: Transport) -> None:
    ours, theirs = _twins(
        lambda g, tag: g.person.new_bot(tag, f"{unique(tag)}@example.com"), real_gazu
    )
    try:
        assert ours["is_bot"] and ours["access_token"] and apart(ours) == apart(theirs)
        found = gazu.person.get_person_by_email(ours["email"], is_bot=True)
        assert found == real_gazu.person.get_person_by_email(ours["email"], is_bot=True)
        updated = [
            g.person.update_bot({"id": b["id"], "active": False})
            for g, b in ((gazu, ours), (real_gazu, theirs))
        ]
        assert apart(updated[0]) == apart(updated[1]) and updated[0]["active"] is False
        assert gazu.person.remove_bot(ours, force=True) == real_gazu.person.remove_bot(
            theirs, force=True
        )
    finally:
        for row in (ours, theirs):
            gone(kitsu_client, f"data/persons/{row['id']}")


def test_day_offs(real_gazu: Any, kitsu_client: Transport) -> None:
    people = [kitsu_client.post("data/persons", _person_body(tag)) for tag in ("ours", "theirs")]
    try:
        made = [
            g.person.new_day_off(p, "2024-06-03", "2024-06-04", "rest")
            for g, p in ((gazu, people[0]), (real_gazu, people[1]))
        ]
        assert apart(made[0]) == apart(made[1])
        updated = [
            g.person.update_day_off({**d, "description": "holiday"})
            for g, d in ((gazu, made[0]), (real_gazu, made[1]))
        ]
        assert apart(updated[0]) == apart(updated[1]) and updated[0]["description"] == "holiday"
        assert gazu.person.remove_day_off(made[0]) == real_gazu.person.remove_day_off(made[1]) == ""
        assert gazu.person.get_day_offs(people[0]) == []
    finally:
        for row in people:
            gone(kitsu_client, f"data/persons/{row['id']}")


def _answer_or_error(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except Exception as error:  # both raise gazu's classes: their names compared
        return next(
            c.__name__ for c in type(error).__mro__ if c.__module__.endswith("gazu.exception")
        )


def test_without_smtp_or_second_factor_the_request_is_gazus(
    real_gazu: Any, board: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    person = board["person"]
    with caplog.at_level(logging.DEBUG, logger="kitsu_orm.http"):
        invited = _answer_or_error(lambda: gazu.person.invite_person(person))
        disabled = _answer_or_error(lambda: gazu.person.disable_two_factor_authentication(person))
    sent = [r.getMessage().split(" ")[:2] for r in caplog.records if r.name == "kitsu_orm.http"]
    assert ["GET", f"/actions/persons/{person['id']}/invite"] in sent
    assert ["DELETE", f"/actions/persons/{person['id']}/disable-two-factor-authentication"] in sent
    assert invited == _answer_or_error(lambda: real_gazu.person.invite_person(person))
    theirs = _answer_or_error(lambda: real_gazu.person.disable_two_factor_authentication(person))
    assert disabled == theirs


def test_as_an_artist_the_server_refuses_what_it_refuses_gazu(
    real_gazu: Any, kitsu_server: Any, kitsu_people: dict[str, Any], board: dict[str, Any]
) -> None:
    artist = kitsu_people["artist"]
    ours = gazu.client.create_client(kitsu_server.url)
    gazu.client.log_in(artist.email, artist.password, client=ours)
    theirs = real_gazu.client.create_client(kitsu_server.url)
    real_gazu.log_in(artist.email, artist.password, client=theirs)
    try:
        assert gazu.person.all_persons(client=ours) == real_gazu.person.all_persons(client=theirs)
        assert gazu.person.get_organisation(client=ours) == real_gazu.person.get_organisation(
            client=theirs
        )
        with pytest.raises(gazu.exception.NotAllowedException):
            gazu.person.new_department(unique("artist-dept"), client=ours)
        with pytest.raises(real_gazu.exception.NotAllowedException):
            real_gazu.person.new_department(unique("artist-dept"), client=theirs)
        ours_off = _answer_or_error(lambda: gazu.person.get_day_offs(board["person"], client=ours))
        theirs_off = _answer_or_error(
            lambda: real_gazu.person.get_day_offs(board["person"], client=theirs)
        )
        assert ours_off == theirs_off
    finally:
        ours.session.transport.logout()
        real_gazu.log_out(client=theirs)
