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


HOST = "http://127.0.0.1:12345/api"


def test_a_query_that_fits_is_one_request_unchanged() -> None:
    params = {"relations": "true", "id": json.dumps([ID] * 10)}
    assert fitting(HOST, "data/tasks", params) == [params]


def test_a_long_in_list_is_cut_into_requests_that_each_fit() -> None:
    ids = [str(uuid.uuid4()) for _ in range(200)]
    params = {"relations": "true", "task_type_id": ID, "id": json.dumps(ids)}
    parts = fitting(HOST, "data/tasks", params)
    assert len(parts) == 3  # about 86 ids of 45 encoded characters per request line
    assert [i for p in parts for i in json.loads(p["id"])] == ids
    for part in parts:
        assert request_line_length(HOST, "data/tasks", part) <= REQUEST_LINE_LIMIT - 64
        assert part["relations"] == "true" and part["task_type_id"] == ID
    # The budget is measured on the URL: a longer host or route leaves room for fewer ids.
    long_host = "http://" + "k" * 40 + ".example/" + "p" * 1500 + "/api"
    longer = fitting(long_host, "data/tasks", params)
    assert len(longer) == 4
    assert all(request_line_length(long_host, "data/tasks", p) <= 4094 - 64 for p in longer)


def test_a_query_that_cannot_fit_is_refused_before_any_request() -> None:
    with pytest.raises(errors.ValidationError, match="too long"):
        fitting(HOST, "data/tasks", {"name": "x" * 5000})
