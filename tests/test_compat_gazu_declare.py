"""How every facade function behaves, whatever its module: gazu's ``client=``
keyword, gazu's exception classes (also kitsu_orm's), table rows named as gazu's."""

from __future__ import annotations

import inspect
import pickle

import pytest

import kitsu_orm as kitsu
from kitsu_orm.compat import gazu
from kitsu_orm.compat.gazu.declare import parse_signature, route
from kitsu_orm.testing import KitsuServer, TeamMember
from kitsu_orm.transport import Transport


def test_a_signature_is_read_as_gazu_writes_it() -> None:
    signature = parse_signature("shot, relations=False, name=None, *, page=1, client=default")
    assert list(signature.parameters) == ["shot", "relations", "name", "page", "client"]
    assert signature.parameters["relations"].default is False
    assert signature.parameters["page"].kind is inspect.Parameter.KEYWORD_ONLY
    assert signature.parameters["client"].default is gazu.client.default_client


def test_a_route_names_only_its_own_parameters() -> None:
    with pytest.raises(ValueError, match="no parameter 'shot'"):
        route("GET data/shots/{shot}", "client=default")
    with pytest.raises(ValueError, match="method"):
        route("FETCH data/shots", "client=default")


def test_a_table_row_is_named_and_documented_as_gazus_function() -> None:
    function = gazu.person.all_departments
    assert function.__name__ == "all_departments"
    assert function.__module__ == "kitsu_orm.compat.gazu.person"
    assert "all_departments" in (function.__doc__ or "")
    assert str(inspect.signature(function)).startswith("(client=")


def test_an_id_that_is_not_one_is_refused_before_any_request(
    gazu_facade: None, kitsu_client: Transport
) -> None:
    before = kitsu.current_session().transport.stats.total
    with pytest.raises(gazu.exception.ParameterException) as caught:
        gazu.person.get_department("../persons")
    assert isinstance(caught.value, kitsu.ValidationError)
    assert kitsu.current_session().transport.stats.total == before


@pytest.mark.server
def test_errors_are_gazus_classes_and_kitsu_orms(gazu_facade: None) -> None:
    missing = "5f0ac5ad-0000-4000-8000-000000000000"
    with pytest.raises(gazu.exception.RouteNotFoundException) as caught:
        gazu.person.get_department(missing)
    error = caught.value
    assert isinstance(error, kitsu.NotFound) and isinstance(error, gazu.exception.GazuException)
    assert error.status == 404 and missing in str(error)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == str(error)


@pytest.mark.server
def test_a_finer_error_keeps_its_class_and_gains_gazus(gazu_facade: None) -> None:
    """A project name taken is kitsu_orm's AlreadyExists and gazu's ParameterException."""
    error = kitsu.AlreadyExists("taken", method="POST", path="data/projects", status=400)
    with pytest.raises(kitsu.AlreadyExists) as caught:
        gazu.exception.as_gazu_error(error)
        raise error
    assert isinstance(caught.value, gazu.exception.ParameterException)
    assert type(pickle.loads(pickle.dumps(caught.value))) is type(caught.value)


@pytest.mark.server
def test_a_client_of_its_own_talks_as_its_own_user(
    gazu_facade: None, kitsu_server: KitsuServer, kitsu_people: dict[str, TeamMember]
) -> None:
    """gazu's ``create_client`` for a second login: the artist's client sees what an
    artist sees, the default client stays the admin's, and neither changes the other."""
    artist = kitsu_people["artist"]
    other = gazu.client.create_client(kitsu_server.url)
    gazu.client.log_in(artist.email, artist.password, client=other)
    assert gazu.client.get_current_user(client=other)["id"] == artist.id
    assert gazu.client.get_current_user()["role"] == "admin"
    assert other.tokens["access_token"] and "access_token" not in repr(other)
    # A 403 for the artist, answered through the artist's client, in gazu's class.
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.client.post("data/departments", {"name": "not for artists"}, client=other)
    names = [d["name"] for d in gazu.person.all_departments(client=other)]
    assert names == [d["name"] for d in gazu.person.all_departments()]
    other.session.transport.logout()


def test_a_client_must_be_a_client() -> None:
    with pytest.raises(gazu.exception.ParameterException, match="KitsuClient"):
        gazu.person.all_departments(client="http://elsewhere/api")


def test_a_client_certificate_is_refused_not_ignored() -> None:
    with pytest.raises(kitsu.ConfigurationError, match="cert"):
        gazu.client.create_client("http://localhost/api", cert="/etc/client.pem")
