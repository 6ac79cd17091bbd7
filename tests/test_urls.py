"""Filling route templates with checked values, and query strings that fit a request line."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from kitsu_orm import errors
from kitsu_orm.routes import ACTIONS, USER_ROUTES
from kitsu_orm.urls import REQUEST_LINE_LIMIT, fill, fitting, request_line_length

ID = str(uuid.uuid4())


def test_ids_days_and_names_fill_a_template() -> None:
    path = fill(ACTIONS["set_time_spent"], task_id=ID, date="2026-01-31", person_id=uuid.UUID(ID))
    assert path == f"actions/tasks/{ID}/time-spents/2026-01-31/persons/{ID}"
    assert fill("data/things/{name}", name="a b/../c?d") == "data/things/a%20b%2F..%2Fc%3Fd"
    assert fill(USER_ROUTES["tasks"], collection="shots", entity_id=ID).endswith(f"/{ID}/tasks")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("id", "../../auth/logout"),
        ("task_id", f"{ID}/../x"),
        ("target", None),
        ("project_id", 12),
        ("date", "../../auth/logout"),
        ("date", "2026-1-31"),
        ("collection", "../persons"),
        ("name", ".."),
        ("name", ""),
        ("name", None),
    ],
)
def test_a_value_that_could_change_the_path_is_refused(key: str, value: Any) -> None:
    with pytest.raises(errors.ValidationError):
        fill(f"data/x/{{{key}}}/y", **{key: value})


def test_a_template_missing_a_value_is_a_library_error() -> None:
    with pytest.raises(errors.KitsuError, match="needs a value for {id}"):
        fill("data/x/{id}")
