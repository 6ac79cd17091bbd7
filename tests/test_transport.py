"""The transport against the real local Kitsu: auth, refresh, errors, files, paging."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import logging
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from kitsu_orm import errors
from kitsu_orm.transport import Tokens, Transport

pytestmark = pytest.mark.server


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def expired_copy(token: str, secret_key: str) -> str:
    """The same JWT with an expiry in the past, signed with the server's key."""
    header, payload, _ = token.split(".")
    claims = json.loads(_unb64(payload))
    claims["exp"] = int(time.time()) - 60
    claims["iat"] = claims["nbf"] = int(time.time()) - 3600
    body = f"{header}.{_b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret_key.encode(), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(signature)}"


@pytest.fixture
def fresh(kitsu_server: Any) -> Transport:
    t = Transport(kitsu_server.url)
    t.login(kitsu_server.admin_email, kitsu_server.admin_password)
    yield t
    t.close()


def test_login_current_user_logout(kitsu_server: Any) -> None:
    t = Transport(kitsu_server.url)
    user = t.login(kitsu_server.admin_email, kitsu_server.admin_password)
    assert user["email"] == kitsu_server.admin_email
    assert t.current_user()["id"] == user["id"]
    old = t.tokens
    assert old is not None and old.refresh
    t.logout()
    assert t.tokens is None and not t.is_authenticated
    with pytest.raises(errors.AuthenticationError):
        t.get("data/projects")
    # The server revoked the old token too, not just this client.
    with pytest.raises(errors.AuthenticationError):
        Transport(kitsu_server.url, token=old.access).get("auth/authenticated")


def test_wrong_password_raises_and_leaves_no_token(kitsu_server: Any, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG, logger="kitsu_orm.http")
    t = Transport(kitsu_server.url, token="stale-token-from-before")
    secret = "not-the-password-" + uuid.uuid4().hex
    with pytest.raises(errors.AuthenticationError) as info:
        t.login(kitsu_server.admin_email, secret)
    assert t.tokens is None
    assert secret not in str(info.value) and secret not in repr(t)
    assert secret not in caplog.text
    assert info.value.status == 400 and info.value.path == "/auth/login"


def test_the_server_s_cookies_are_never_sent_back(
    kitsu_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Zou sets its tokens as cookies too: sent back, they would outlive logout.
    import requests.adapters

    sent: list[Any] = []
    send = requests.adapters.HTTPAdapter.send

    def spy(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(request)
        return send(self, request, *args, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", spy)
    t = Transport(kitsu_server.url)
    t.login(kitsu_server.admin_email, kitsu_server.admin_password)
    t.get("data/projects")
    t.logout()
    assert [r.method for r in sent] == ["POST", "GET", "GET"]
    assert all("Cookie" not in r.headers for r in sent)
    # What a requests.Session would have added still goes: our name, compressed answers.
    assert all(r.headers["User-Agent"] == "kitsu-orm" for r in sent)
    assert all("gzip" in r.headers["Accept-Encoding"] for r in sent)
    with pytest.raises(errors.AuthenticationError):
        t.get("data/projects")  # not let in by a cookie either


class _Redirect(http.server.BaseHTTPRequestHandler):
    """A server moved elsewhere: every request is answered with a redirect there."""

    seen: list[tuple[str, str]] = []

    def _moved(self) -> None:
        type(self).seen.append((self.command, self.path))
        status = 308 if self.command == "PUT" else 301
        self.send_response(status)
        self.send_header("Location", f"https://kitsu.example{self.path}?ticket=abc#top")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_PUT = do_POST = _moved

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.parametrize("method", ["GET", "PUT", "POST"])
def test_a_redirect_is_never_followed_and_names_the_new_address(method: str) -> None:
    # Followed, a redirected PUT would lose its body and a POST become a GET.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _Redirect.seen = []
        t = Transport(f"http://127.0.0.1:{server.server_port}", token="a.b.c")
        call = {"GET": lambda: t.get("data/projects"),
                "PUT": lambda: t.put("data/projects/x", {"name": "P"}),
                "POST": lambda: t.post("data/projects", {"name": "P"})}[method]
        with pytest.raises(errors.ConfigurationError) as info:
            call()
        assert _Redirect.seen == [(method, "/api/data/projects" + ("/x" if method == "PUT" else ""))]
        assert "https://kitsu.example/api/data/projects" in str(info.value)
        assert "connect to 'https://kitsu.example/api' instead" in str(info.value)
        assert "ticket" not in str(info.value)
        assert info.value.status in (301, 308) and info.value.method == method
    finally:
        server.shutdown()
        server.server_close()


def test_secrets_never_in_repr_or_logs(fresh: Transport, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG, logger="kitsu_orm.http")
    tokens = fresh.tokens
    assert tokens is not None
    fresh.get("data/projects")
    for text in (repr(fresh), repr(tokens), str(tokens), caplog.text):
        assert tokens.access not in text
        assert tokens.refresh is None or tokens.refresh not in text
    assert "GET /data/projects 200" in caplog.text


@pytest.mark.parametrize("form", ["{root}", "{root}/", "{root}/api", "{root}/api/"])
def test_every_host_form_reaches_the_api_root(kitsu_server: Any, form: str) -> None:
    root = kitsu_server.url.removesuffix("/api")
    t = Transport(form.format(root=root))
    assert t.host == kitsu_server.url
    assert t.is_host_up()
    assert t.get("")["api"] == "Zou"


def test_host_down_is_reported_not_raised() -> None:
    t = Transport("http://127.0.0.1:9", timeout=(0.5, 0.5))
    assert not t.is_host_up()


class _Proxy(http.server.BaseHTTPRequestHandler):
    """A forward proxy that answers every request itself and notes what it was asked."""

    seen: list[tuple[str, str | None]] = []

    def do_GET(self) -> None:
        type(self).seen.append((self.path, self.headers.get("Authorization")))
        body = b'{"api": "proxy"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_the_environment_s_proxies_are_used_and_a_netrc_never_replaces_the_token(
    kitsu_server: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Read once per transport (not per request, as requests does): still honoured.
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    netrc = tmp_path / "netrc"
    netrc.write_text("machine kitsu.invalid login someone password secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_port}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    try:
        _Proxy.seen = []
        proxied = Transport("http://kitsu.invalid/api", token="a.b.c")
        assert proxied.get("") == {"api": "proxy"}
        assert _Proxy.seen == [("http://kitsu.invalid/api/", "Bearer a.b.c")]
        direct = Transport(kitsu_server.url)  # NO_PROXY names it
        assert direct.get("")["api"] == "Zou"
        direct.host = "http://kitsu.invalid/api"  # another host: its own proxy setting
        assert direct.get("") == {"api": "proxy"} and len(_Proxy.seen) == 2
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_expired_token_is_refreshed_once(kitsu_server: Any, fresh: Transport) -> None:
    tokens = fresh.tokens
    assert tokens is not None and tokens.refresh
    expired = expired_copy(tokens.access, kitsu_server.secret_key)
    with pytest.raises(errors.AuthenticationError, match="(?i)expired"):
        Transport(kitsu_server.url, token=expired).get("auth/authenticated")

    fresh.use_tokens(Tokens(expired, tokens.refresh))
    fresh.stats.reset()
    assert fresh.get("auth/authenticated")["user"]["email"] == kitsu_server.admin_email
    assert fresh.stats.refreshes == 1
    # The expired call, the refresh and the replay.
    assert fresh.stats.total == 3
    assert fresh.tokens is not None and fresh.tokens.access != expired
    fresh.get("auth/authenticated")
    assert fresh.stats.refreshes == 1


def test_eight_threads_on_an_expired_token_cause_one_refresh(
    kitsu_server: Any, fresh: Transport
) -> None:
    tokens = fresh.tokens
    assert tokens is not None
    fresh.use_tokens(Tokens(expired_copy(tokens.access, kitsu_server.secret_key), tokens.refresh))
    fresh.stats.reset()
    barrier = threading.Barrier(8)
    results: list[Any] = []

    def work() -> None:
        barrier.wait()
        try:
            results.append(fresh.get("auth/authenticated")["user"]["email"])
        except Exception as exc:  # collected and asserted below
            results.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [kitsu_server.admin_email] * 8
    assert fresh.stats.refreshes == 1


def test_a_bot_token_that_expired_asks_to_log_in_again(kitsu_server: Any, fresh: Transport) -> None:
    tokens = fresh.tokens
    assert tokens is not None
    t = Transport(kitsu_server.url, token=expired_copy(tokens.access, kitsu_server.secret_key))
    with pytest.raises(errors.AuthenticationError, match="log in again"):
        t.get("data/projects")


@pytest.fixture
def artist(kitsu_server: Any, kitsu_client: Transport) -> Transport:
    """A logged-in non-admin user."""
    email = f"artist-{uuid.uuid4().hex[:8]}@example.com"
    password = "artist-" + uuid.uuid4().hex
    kitsu_client.post(
        "data/persons",
        {
            "email": email,
            "first_name": "Art",
            "last_name": "Ist",
            "role": "user",
            "password": password,
        },
    )
    t = Transport(kitsu_server.url)
    t.login(email, password)
    yield t
    t.close()


def test_each_status_maps_to_its_error(
    kitsu_server: Any, kitsu_client: Transport, artist: Transport
) -> None:
    with pytest.raises(errors.ValidationError) as bad:
        kitsu_client.get("data/projects", {"id": "not-a-uuid"})
    assert bad.value.status == 400 and bad.value.method == "GET"

    with pytest.raises(errors.PermissionDenied) as denied:
        artist.post("data/task-types", {"name": "Forbidden " + uuid.uuid4().hex[:6]})
    assert denied.value.status == 403 and denied.value.path == "/data/task-types"

    missing = str(uuid.uuid4())
    with pytest.raises(errors.NotFound) as nf:
        kitsu_client.get(f"data/projects/{missing}")
    assert nf.value.status == 404 and missing in nf.value.path
    assert isinstance(nf.value, LookupError)

    with pytest.raises(errors.AuthenticationError) as anon:
        Transport(kitsu_server.url).get("data/projects")
    assert anon.value.status == 401
    for exc in (bad.value, denied.value, nf.value, anon.value):
        assert exc.message and str(exc).startswith(f"{exc.method} {exc.path} -> {exc.status}")


_FLASK_404 = "The requested URL was not found on the server"


@pytest.mark.parametrize(
    ("method", "route"),
    [
        ("GET", "data/shots/{id}"),  # no such object
        ("PUT", "data/entities/{id}"),
        ("DELETE", "data/sequences/{id}"),
        ("GET", "data/no-such-route-{id}"),  # no such route
    ],
)
def test_a_generic_404_says_which_request_found_nothing(
    kitsu_client: Transport, method: str, route: str
) -> None:
    """Zou answers every 404 it does not word itself with Flask's boilerplate."""
    path = route.format(id=uuid.uuid4())
    with pytest.raises(errors.NotFound) as nf:
        if method == "PUT":
            kitsu_client.put(path, {})
        else:
            getattr(kitsu_client, method.lower())(path)
    exc = nf.value
    assert (exc.method, exc.path, exc.status) == (method, f"/{path}", 404)
    assert exc.message == f"no such route or object: {method} /{path}"
    assert _FLASK_404 not in str(exc) and "spelling" not in str(exc)


def test_a_404_the_server_words_itself_keeps_its_words(
    kitsu_client: Transport, kitsu_project: dict[str, Any]
) -> None:
    working_file = _working_file(kitsu_client, kitsu_project)  # no file uploaded
    with pytest.raises(errors.NotFound) as nf:
        kitsu_client.get(f"data/working-files/{working_file['id']}/file")
    assert nf.value.message == f"Working file not found for: {working_file['id']}"


def test_server_error_is_a_server_error(kitsu_client: Transport) -> None:
    # Zou answers 500 to a task whose required links are missing entirely.
    try:
        kitsu_client.post("data/tasks", {"name": "orphan"})
    except errors.KitsuError as exc:
        assert isinstance(exc, (errors.ServerError, errors.ValidationError))
        assert exc.status is not None and exc.status >= 400
    else:  # pragma: no cover - the server accepted nonsense
        pytest.fail("the server accepted a task without project or entity")


def _working_file(client: Transport, project: dict[str, Any]) -> dict[str, Any]:
    asset_type = client.get("data/asset-types")[0]
    asset = client.post(
        f"data/projects/{project['id']}/asset-types/{asset_type['id']}/assets/new", {"name": "prop"}
    )
    task_type = client.get("data/task-types", {"for_entity": "Asset"})[0]
    status = client.get("data/task-status", {"is_default": "true"})[0]
    task = client.post(
        "data/tasks",
        {
            "name": "main",
            "project_id": project["id"],
            "entity_id": asset["id"],
            "task_type_id": task_type["id"],
            "task_status_id": status["id"],
        },
    )
    return client.post("data/working-files", {"name": "main", "task_id": task["id"], "revision": 1})


def test_upload_download_round_trip(
    kitsu_client: Transport, kitsu_project: dict[str, Any], tmp_path: Path
) -> None:
    working_file = _working_file(kitsu_client, kitsu_project)
    source = tmp_path / "scene.blend"
    payload = bytes(range(256)) * 4096 + uuid.uuid4().bytes  # 1 MiB of every byte value
    source.write_bytes(payload)
    route = f"data/working-files/{working_file['id']}/file"

    kitsu_client.upload(route, source)
    target = kitsu_client.download(route, tmp_path / "back.blend")
    assert target.read_bytes() == payload
    assert not (tmp_path / "back.blend.part").exists()

    with source.open("rb") as handle:  # a file object works as well as a path
        kitsu_client.upload(route, handle)
    assert kitsu_client.download(route, tmp_path / "again.blend").read_bytes() == payload


def test_upload_of_a_missing_file_fails_before_any_request(
    kitsu_client: Transport, tmp_path: Path
) -> None:
    before = kitsu_client.stats.total
    with pytest.raises(errors.ValidationError):
        kitsu_client.upload("data/working-files/x/file", tmp_path / "nope.bin")
    assert kitsu_client.stats.total == before


def test_paginate_reads_every_page(kitsu_client: Transport, kitsu_project: dict[str, Any]) -> None:
    project_id = kitsu_project["id"]
    names = {f"SQ{i:03d}" for i in range(7)}
    for name in names:
        kitsu_client.post(f"data/projects/{project_id}/sequences", {"name": name})
    kitsu_client.stats.reset()
    rows = list(kitsu_client.paginate("data/entities", {"project_id": project_id}, limit=3))
    assert {row["name"] for row in rows} == names
    assert kitsu_client.stats.by_method == {"GET": 3}
    # A route that never paginates is read in one request, as a plain list.
    rows = list(kitsu_client.paginate("data/sequences", {"project_id": project_id}))
    assert {row["name"] for row in rows} == names


def test_request_counter_by_method(kitsu_client: Transport, kitsu_project: dict[str, Any]) -> None:
    kitsu_client.stats.reset()
    kitsu_client.get(f"data/projects/{kitsu_project['id']}")
    seq = kitsu_client.post(f"data/projects/{kitsu_project['id']}/sequences", {"name": "SQ1"})
    kitsu_client.put(f"data/entities/{seq['id']}", {"description": "x"})
    kitsu_client.delete(f"data/sequences/{seq['id']}")
    assert kitsu_client.stats.by_method == {"GET": 1, "POST": 1, "PUT": 1, "DELETE": 1}
    assert kitsu_client.stats.total == 4 and kitsu_client.stats.errors == 0


# -- hostile input ------------------------------------------------------------------------


def _tampered(token: str) -> str:
    """The token with one character of its signature changed."""
    head, _, last = token.rpartition(".")
    return f"{head}.{'A' if last[0] != 'A' else 'B'}{last[1:]}"


@pytest.mark.parametrize("kind", ["tampered", "malformed"])
def test_a_refused_token_is_an_authentication_error(
    kitsu_server: Any, fresh: Transport, kind: str
) -> None:
    """Zou answers 422 ("Signature verification failed", "Not enough segments")."""
    tokens = fresh.tokens
    assert tokens is not None
    bad = _tampered(tokens.access) if kind == "tampered" else "not-a-jwt"
    t = Transport(kitsu_server.url, token=bad)
    with pytest.raises(errors.AuthenticationError, match="log in again") as info:
        t.get("data/projects")
    assert info.value.status in (401, 422)
    assert t.stats.total == 1  # no refresh token: nothing else to try


@pytest.mark.parametrize("kind", ["tampered", "malformed"])
def test_a_refused_token_tries_the_refresh_token_once(
    kitsu_server: Any, fresh: Transport, kind: str
) -> None:
    tokens = fresh.tokens
    assert tokens is not None and tokens.refresh
    bad = _tampered(tokens.access) if kind == "tampered" else "not-a-jwt"
    # A good refresh token: one refresh, and the request succeeds.
    fresh.use_tokens(Tokens(bad, tokens.refresh))
    fresh.stats.reset()
    assert fresh.get("auth/authenticated")["user"]["email"] == kitsu_server.admin_email
    assert fresh.stats.refreshes == 1 and fresh.stats.total == 3
    # A refused refresh token too: one try of it, then an AuthenticationError.
    broken = _tampered(tokens.refresh) if kind == "tampered" else "not-a-jwt-either"
    fresh.use_tokens(Tokens(bad, broken))
    fresh.stats.reset()
    with pytest.raises(errors.AuthenticationError, match="could not be refreshed"):
        fresh.get("data/projects")
    assert fresh.stats.by_method == {"GET": 2}  # the request, and the refresh


@pytest.mark.parametrize(
    "path",
    [
        "data/shots/../../auth/logout",
        "../auth/logout",
        "data/shots/%2e%2E/persons",
        "data/./projects",
        "http://evil.example/api/data/projects",
        "//evil.example/data/projects",
        "data/projects\\..\\auth",
        "data/projects#x",
        "data/projects/\nx",
    ],
)
def test_a_path_that_leaves_the_api_root_is_refused_before_any_request(
    fresh: Transport, path: str
) -> None:
    fresh.stats.reset()
    with pytest.raises(errors.ValidationError, match="not a path under the API root"):
        fresh.get(path)
    assert fresh.stats.total == 0
    assert fresh.get("auth/authenticated")["user"]  # the token still works
