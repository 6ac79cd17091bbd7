"""The people corner of the ORM on the real server: day offs, the organisation, and the
verbs of a person that gazu's person module has (invite, change a password)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import kitsu_orm as kitsu
from kitsu_orm.testing import KitsuServer
from kitsu_orm.transport import Transport

pytestmark = pytest.mark.server


@pytest.fixture
def person(kitsu_client: Transport) -> Iterator[dict[str, Any]]:
    login = f"orm-people-{uuid.uuid4().hex[:8]}"
    row: dict[str, Any] = kitsu_client.post(
        "data/persons", {"first_name": "Orm", "last_name": login, "email": f"{login}@example.com"}
    )
    yield row
    for day_off in kitsu_client.get(f"data/persons/{row['id']}/day-offs"):
        kitsu_client.delete(f"data/day-offs/{day_off['id']}")
    kitsu_client.delete(f"data/persons/{row['id']}", {"force": "true"})


def test_day_offs_are_made_read_edited_and_deleted(
    new_session: Callable[..., kitsu.Session], person: dict[str, Any]
) -> None:
    session = new_session()
    someone = kitsu.Person.get(person["id"], session=session)
    off = kitsu.DayOff(
        person=someone, date=datetime.date(2024, 5, 6), end_date=datetime.date(2024, 5, 7)
    )
    session.add(off)
    session.commit()
    assert off.id is not None

    other = new_session()
    loaded = kitsu.Person.get(person["id"], session=other)
    assert [(d.id, d.date, d.end_date) for d in loaded.day_offs] == [
        (off.id, datetime.date(2024, 5, 6), datetime.date(2024, 5, 7))
    ]
    found = kitsu.DayOff.where(person=loaded, session=other).all()
    assert [d.id for d in found] == [off.id] and found[0].person is loaded

    found[0].description = "a long weekend"
    other.commit()
    assert session.refresh(off).description == "a long weekend"
    session.delete(off)
    session.commit()
    assert kitsu.Person.get(person["id"], session=new_session()).day_offs == []


def test_the_organisation_is_gazus(
    new_session: Callable[..., kitsu.Session], kitsu_client: Transport
) -> None:
    session = new_session()
    organisations = kitsu.Organisation.query(session=session).all()
    assert [o.id for o in organisations] == [
        o["id"] for o in kitsu_client.get("data/organisations")
    ]
    here = organisations[0]
    assert here.name and here.hours_by_day > 0
    assert here.id == kitsu_client.get("auth/authenticated")["organisation"]["id"]


def test_a_person_is_invited_and_given_a_password(
    new_session: Callable[..., kitsu.Session], person: dict[str, Any], kitsu_server: KitsuServer
) -> None:
    someone = kitsu.Person.get(person["id"], session=new_session())
    # The dev server sends no mail (no SMTP): Zou answers as if it had.
    assert someone.invite() == {"success": True, "message": "Email sent"}
    assert someone.change_password("a-password-for-tests-77") == {"success": True}
    check = Transport(kitsu_server.url)
    try:
        assert check.login(person["email"], "a-password-for-tests-77")["id"] == person["id"]
    finally:
        check.logout()
        check.close()
    session = new_session()
    pending = kitsu.Person(first_name="New", email="new@example.com")
    session.add(pending)
    with pytest.raises(kitsu.ValidationError, match="not created yet"):
        pending.invite()


def test_a_department_made_with_a_name_alone_takes_people(
    new_session: Callable[..., kitsu.Session], person: dict[str, Any], kitsu_client: Transport
) -> None:
    """Zou refuses a department without a colour: the class gives it gazu's ``""``."""
    session = new_session()
    department = kitsu.Department.get_or_create(
        name=f"orm-dept-{uuid.uuid4().hex[:6]}", session=session
    )
    session.commit()
    try:
        someone = kitsu.Person.get(person["id"], session=session)
        someone.departments = [*someone.departments, department]
        session.commit()
        assert kitsu_client.get(f"data/persons/{person['id']}")["departments"] == [department.id]
        someone.departments = []
        session.commit()
        assert kitsu_client.get(f"data/persons/{person['id']}")["departments"] == []
    finally:
        kitsu_client.delete(f"data/departments/{department.id}", {"force": "true"})
