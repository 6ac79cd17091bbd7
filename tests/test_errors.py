"""The exception tree and its texts."""

from __future__ import annotations

import builtins
import pickle

import pytest

from kitsu_orm import errors
from kitsu_orm.transport import Transport, normalize_host


def test_every_error_is_a_kitsu_error_and_a_fitting_builtin() -> None:
    assert issubclass(errors.NotFound, LookupError)
    assert issubclass(errors.ValidationError, ValueError)
    assert issubclass(errors.ConnectionError, builtins.ConnectionError)
    assert issubclass(errors.Timeout, builtins.TimeoutError)
    assert issubclass(errors.Timeout, errors.ConnectionError)
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type):
            assert issubclass(obj, errors.KitsuError)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.ValidationError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDenied),
        (404, errors.NotFound),
        (500, errors.ServerError),
        (503, errors.ServerError),
        (418, errors.KitsuError),
    ],
)
def test_status_table(status: int, cls: type[errors.KitsuError]) -> None:
    assert errors.error_for_status(status) is cls


def test_text_and_pickling_keep_the_context() -> None:
    exc = errors.NotFound("Shot not found", method="GET", path="/data/shots/x", status=404)
    assert str(exc) == "GET /data/shots/x -> 404: Shot not found"
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is errors.NotFound and back.path == "/data/shots/x" and back.status == 404
    assert str(errors.ValidationError("bad filter")) == "bad filter"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://k.studio", "http://k.studio/api"),
        ("http://k.studio/", "http://k.studio/api"),
        ("http://k.studio/api", "http://k.studio/api"),
        ("https://k.studio/api/", "https://k.studio/api"),
        ("k.studio:8080", "http://k.studio:8080/api"),
        ("http://h/kitsu/api", "http://h/kitsu/api"),
    ],
)
def test_host_forms(given: str, expected: str) -> None:
    assert normalize_host(given) == expected


@pytest.mark.parametrize("bad", ["", "   ", "ftp://k.studio", None])
def test_bad_hosts_and_timeouts_are_configuration_errors(bad: object) -> None:
    with pytest.raises(errors.ConfigurationError):
        normalize_host(bad)  # type: ignore[arg-type]
    with pytest.raises(errors.ConfigurationError):
        Transport("http://k.studio", timeout=None)  # type: ignore[arg-type]
    with pytest.raises(errors.ConfigurationError):
        Transport("http://k.studio", timeout=(1, -1))
