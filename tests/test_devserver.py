"""kitsu_orm.devserver and the kitsu_orm.testing fixtures.

Tests without the marker never start anything: they point a throwaway server
at unused ports and a missing virtualenv. Tests marked ``server`` share the
session's server (``kitsu_server``) and never restart or reset it.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import stat
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kitsu_orm import devserver
from kitsu_orm.devserver import DevServer, DevServerError, ZouInstall
from kitsu_orm.errors import ConfigurationError, NotFound
from kitsu_orm.testing import KitsuServer, unique_project_name

REPO = Path(__file__).resolve().parents[1]


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kitsu_orm.devserver", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _python_env(**extra: str) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}


@pytest.fixture
def offline_env(tmp_path: Path) -> dict[str, str]:
    """Settings of a server that cannot start: any install or spawn would show in tmp_path."""
    return _python_env(
        KITSU_ORM_HOME=str(tmp_path / "home"),
        KITSU_ORM_ZOU_VENV=str(tmp_path / "venv"),
        KITSU_DEV_NAME="offline",
    )


def _assert_nothing_started(server: DevServer, env: dict[str, str]) -> None:
    assert not Path(env["KITSU_ORM_ZOU_VENV"]).exists(), "zou install was attempted"
    assert not (server.state_dir / "server.pid").exists()
    assert not (server.state_dir / "redis.pid").exists()
    assert not server.log_path.exists()


@pytest.fixture
def local_server(kitsu_server: KitsuServer) -> DevServer:
    if not isinstance(kitsu_server, DevServer):
        pytest.skip("tests the local dev server; KITSU_TEST_URL points elsewhere")
    return kitsu_server


@pytest.fixture
def stray_process() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait()


# -- settings ---------------------------------------------------------------------


def test_settings_are_made_once_and_kept_private(offline_env: dict[str, str]) -> None:
    first = DevServer.from_env("alpha", environ=offline_env)
    again = DevServer.from_env("alpha", environ=offline_env)

    assert (again.admin_password, again.secret_key) == (first.admin_password, first.secret_key)
    assert again.config.port == first.config.port
    assert 20000 <= first.config.port < 30000
    assert first.database == "kitsu_orm_alpha"
    assert first.admin_email == "admin@example.com"
    assert len(first.admin_password) >= 16 and len(first.secret_key) >= 32
    assert stat.S_IMODE(first.config_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(first.state_dir.stat().st_mode) == 0o700
    assert json.loads(first.config_path.read_text())["secret_key"] == first.secret_key


def test_default_server_has_a_fixed_port_and_env_wins(offline_env: dict[str, str]) -> None:
    assert DevServer.from_env(environ={**offline_env, "KITSU_DEV_NAME": ""}).url == (
        "http://127.0.0.1:8780/api"
    )
    custom = DevServer.from_env(
        "beta", environ={**offline_env, "KITSU_DEV_PORT": "12345", "KITSU_DEV_DB": "my_db"}
    )
    assert custom.url == "http://127.0.0.1:12345/api"
    assert custom.database == "my_db"


@pytest.mark.parametrize(
    ("name", "extra"),
    [("../escape", {}), ("ok", {"KITSU_DEV_PORT": "http"}), ("ok", {"KITSU_DEV_DB": "a; drop"})],
)
def test_bad_settings_are_configuration_errors(
    offline_env: dict[str, str], name: str, extra: dict[str, str]
) -> None:
    with pytest.raises(ConfigurationError):
        DevServer.from_env(name, environ={**offline_env, **extra})


def test_an_interrupted_install_is_redone_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    install = ZouInstall(tmp_path / "zou-venv")
    (install.root / "lib").mkdir(parents=True)
    (install.root / "lib" / "half-written").write_text("")  # no bin/zou: interrupted
    calls: list[list[str]] = []

    def fake_run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        calls.append(cmd)
        if "pip" in cmd:  # what a successful install leaves behind
            for tool in ("zou", "gunicorn"):
                install.bin(tool).parent.mkdir(parents=True, exist_ok=True)
                install.bin(tool).write_text("")
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(subprocess, "run", fake_run)
    install.ensure()
    install.ensure()

    assert [c[1:3] for c in calls] == [["-m", "venv"], ["-m", "pip"]]
    assert calls[1][0] == str(install.bin("python"))
    assert calls[1][-1] == f"zou=={devserver.ZOU_VERSION}"
    assert not (install.root / "lib" / "half-written").exists()
    assert capsys.readouterr().err.count("installing zou") == 1


# -- services down: one clear message, nothing started ------------------------------


def test_unreachable_postgresql_is_named_with_its_start_command(
    offline_env: dict[str, str],
) -> None:
    port = _unused_port()
    server = DevServer.from_env(environ={**offline_env, "KITSU_DEV_PG_PORT": str(port)})

    with pytest.raises(DevServerError) as caught:
        server.start()

    message = str(caught.value)
    assert f"PostgreSQL is not reachable at 127.0.0.1:{port}" in message
    assert "pg_ctlcluster --skip-systemctl-redirect" in message
    _assert_nothing_started(server, offline_env)


def test_unreachable_redis_is_named_with_its_start_command(offline_env: dict[str, str]) -> None:
    port = _unused_port()
    server = DevServer.from_env(environ={**offline_env, "KITSU_DEV_REDIS_PORT": str(port)})

    with pytest.raises(DevServerError) as caught:
        server.start()

    message = str(caught.value)
    assert f"Redis is not reachable at 127.0.0.1:{port}" in message
    assert f"redis-server --daemonize yes --bind 127.0.0.1 -::1 --port {port}" in message
    _assert_nothing_started(server, offline_env)


def test_cli_prints_the_error_alone_and_exits_1(offline_env: dict[str, str]) -> None:
    done = _cli("start", env={**offline_env, "KITSU_DEV_PG_PORT": str(_unused_port())})

    assert done.returncode == 1
    assert done.stderr.startswith("kitsu_orm.devserver: PostgreSQL is not reachable")
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


# -- stop ends its own process only -----------------------------------------------


def test_stop_of_a_server_never_started_is_a_no_op(offline_env: dict[str, str]) -> None:
    server = DevServer.from_env("idle", environ=offline_env)

    assert server.stop() is False
    assert not server.is_running()
    assert _cli("status", "--name", "idle", env=offline_env).returncode == 3


def test_stop_spares_a_process_that_is_not_ours(
    offline_env: dict[str, str], stray_process: subprocess.Popen[bytes]
) -> None:
    server = DevServer.from_env("idle", environ=offline_env)
    pid_file = server.state_dir / "server.pid"
    pid_file.write_text(f"{stray_process.pid}\n")  # as if the pid had been reused

    assert server.stop() is False
    assert stray_process.poll() is None, "stop killed a process that was not its own"
    assert not pid_file.exists()


def test_stop_ends_its_own_process(offline_env: dict[str, str]) -> None:
    server = DevServer.from_env("idle", environ=offline_env)
    run_dir = server.state_dir / "run"
    # Same markers in the command line as the gunicorn the server starts.
    fake = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; time.sleep(60)",
            "zou.app:app",
            "--chdir",
            str(run_dir),
        ],
        start_new_session=True,
    )
    (server.state_dir / "server.pid").write_text(f"{fake.pid}\n")
    try:
        assert server.stop() is True
        assert fake.wait(timeout=15) == -15  # SIGTERM, no need for SIGKILL
    finally:
        fake.kill()
        fake.wait()
    assert not (server.state_dir / "server.pid").exists()


def test_the_event_stream_has_a_port_of_its_own(offline_env: dict[str, str]) -> None:
    default = DevServer.from_env(environ={**offline_env, "KITSU_DEV_NAME": ""})
    custom = DevServer.from_env("gamma", environ={**offline_env, "KITSU_DEV_EVENTS_PORT": "12346"})
    other = DevServer.from_env("delta", environ=offline_env)

    assert default.events_url == "http://127.0.0.1:8781"
    assert custom.events_url == "http://127.0.0.1:12346"
    assert other.config.events_port != other.config.port
    assert json.loads(other.config_path.read_text())["events_port"] == other.config.events_port


def test_a_server_made_before_the_event_stream_gets_its_port_once(
    offline_env: dict[str, str],
) -> None:
    first = DevServer.from_env("old", environ=offline_env)
    stored = json.loads(first.config_path.read_text())
    del stored["events_port"]  # as an earlier version wrote it
    first.config_path.write_text(json.dumps(stored))

    again = DevServer.from_env("old", environ=offline_env)
    third = DevServer.from_env("old", environ=offline_env)

    assert again.config.events_port == third.config.events_port  # picked once, then kept
    assert (again.config.port, again.secret_key) == (first.config.port, first.secret_key)
    assert json.loads(again.config_path.read_text())["events_port"] == again.config.events_port


def test_stop_ends_its_own_event_stream_by_its_pid(
    offline_env: dict[str, str], stray_process: subprocess.Popen[bytes]
) -> None:
    server = DevServer.from_env("idle", environ=offline_env)
    run_dir = server.state_dir / "run"
    # Same markers in the command line as the event stream the server starts.
    fake = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", "zou.event_stream:app", str(run_dir)],
        start_new_session=True,
    )
    (server.state_dir / "events.pid").write_text(f"{fake.pid}\n")
    try:
        server.stop()
        assert fake.wait(timeout=15) == -15
    finally:
        fake.kill()
        fake.wait()
    assert stray_process.poll() is None  # nothing else was touched
    assert not (server.state_dir / "events.pid").exists()


# -- the session's server -----------------------------------------------------------


@pytest.mark.server
def test_url_status_and_env_commands_describe_the_running_server(
    local_server: DevServer,
) -> None:
    env = _python_env(
        KITSU_ORM_HOME=str(local_server.state_dir.parents[1]), KITSU_DEV_NAME=local_server.name
    )

    url = _cli("url", env=env)
    status = _cli("status", env=env)
    exports = _cli("env", env=env)

    assert url.stdout.strip() == local_server.url
    assert status.returncode == 0
    assert f"running (pid {local_server.pid})" in status.stdout
    assert local_server.database in status.stdout
    variables = dict(
        line.removeprefix("export ").split("=", 1) for line in exports.stdout.splitlines()
    )
    assert variables["KITSU_HOST"] == variables["KITSU_URL"] == local_server.url
    assert shlex.split(variables["KITSU_PASSWORD"]) == [local_server.admin_password]


@pytest.mark.server
def test_the_event_stream_runs_beside_zou_on_its_own_port(local_server: DevServer) -> None:
    env = _python_env(
        KITSU_ORM_HOME=str(local_server.state_dir.parents[1]), KITSU_DEV_NAME=local_server.name
    )
    port = local_server.config.events_port
    handshake = f"{local_server.events_url}/socket.io/?EIO=4&transport=polling"

    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(handshake) as resp:
        opened = resp.read()
    exports = _cli("env", env=env).stdout

    assert port != local_server.config.port and local_server.events_url.endswith(f":{port}")
    assert opened.startswith(b"0{") and b'"sid"' in opened  # Engine.IO's open packet
    assert f"export KITSU_EVENTS_URL={local_server.events_url}" in exports.splitlines()


@pytest.mark.server
def test_start_on_a_running_server_is_a_quick_no_op(local_server: DevServer) -> None:
    pid = local_server.pid
    began = time.monotonic()

    assert local_server.start() is False

    assert time.monotonic() - began < 3.0
    assert pid is not None and local_server.pid == pid
    assert local_server.is_running()


@pytest.mark.server
def test_stopping_another_server_leaves_this_one_running(
    local_server: DevServer, offline_env: dict[str, str]
) -> None:
    pid = local_server.pid
    other = DevServer.from_env(
        "other", environ={**offline_env, "KITSU_DEV_PORT": str(local_server.config.port)}
    )

    assert other.stop() is False
    assert local_server.pid == pid and local_server.is_running()


@pytest.mark.server
def test_a_server_in_use_by_a_session_is_not_reset(
    local_server: DevServer, kitsu_project: dict[str, Any], kitsu_client: Any
) -> None:
    env = {"KITSU_ORM_HOME": str(local_server.state_dir.parents[1])}
    other_session = DevServer.from_env(local_server.name, environ=env)
    pid = local_server.pid

    with other_session.session(reset=True) as did_reset:
        assert did_reset is False  # this test session holds the server

    assert kitsu_client.get(f"data/projects/{kitsu_project['id']}")["id"] == kitsu_project["id"]
    assert local_server.pid == pid


@pytest.mark.server
def test_each_server_has_its_own_redis(local_server: DevServer) -> None:
    if not local_server.config.redis_private:
        pytest.skip("this server was configured with a shared Redis")
    port = local_server.config.redis_port
    assert port != 6379
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(b"*1\r\n$4\r\nPING\r\n")
        assert sock.recv(64) == b"+PONG\r\n"


@pytest.mark.server
def test_process_ids_name_the_server_s_own_running_processes(local_server: DevServer) -> None:
    found = local_server.process_ids()

    assert found["zou"] == local_server.pid
    assert set(found) == ({"zou", "events", "redis"} if local_server.config.redis_private
                          else {"zou", "events"})
    titles = {name: Path(f"/proc/{pid}/cmdline").read_bytes() for name, pid in found.items()}
    assert b"zou.app:app" in titles["zou"] and b"zou.event_stream:app" in titles["events"]
    if "redis" in titles:
        assert str(local_server.config.redis_port).encode() in titles["redis"]


# -- the fixtures ------------------------------------------------------------------


def test_project_names_are_unique_short_and_plain() -> None:
    names = {unique_project_name("test_x[param/with spaces" + "y" * 100 + "]") for _ in range(50)}

    assert len(names) == 50
    for name in names:
        assert name.startswith("test-test_x-param-with-spaces")
        assert len(name) <= 80
        assert " " not in name and "/" not in name and "[" not in name


@pytest.mark.server
def test_kitsu_client_is_the_logged_in_admin(kitsu_client: Any, kitsu_server: KitsuServer) -> None:
    assert kitsu_client.current_user()["email"] == kitsu_server.admin_email


@pytest.mark.server
def test_kitsu_project_is_a_fresh_project(kitsu_project: dict[str, Any], kitsu_client: Any) -> None:
    assert kitsu_project["name"].startswith("test-test_kitsu_project_is_a_fresh_project-")
    assert (
        kitsu_client.get(f"data/projects/{kitsu_project['id']}")["name"] == (kitsu_project["name"])
    )


@pytest.mark.server
def test_fixture_projects_are_deleted_after_their_test(
    kitsu_server: KitsuServer, kitsu_client: Any, tmp_path: Path
) -> None:
    (tmp_path / "test_inner.py").write_text(
        textwrap.dedent("""
        import json, os

        def test_two_projects(kitsu_project, kitsu_make_project):
            other = kitsu_make_project(description="second")
            with open(os.environ["INNER_OUT"], "w") as out:
                json.dump([kitsu_project["id"], other["id"]], out)
    """)
    )
    env = _python_env(INNER_OUT=str(tmp_path / "ids.json"))
    if isinstance(kitsu_server, DevServer):
        env.update(
            KITSU_ORM_HOME=str(kitsu_server.state_dir.parents[1]), KITSU_DEV_NAME=kitsu_server.name
        )
    # Load the plugin by module whether or not its entry point is installed.
    inner = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:kitsu_orm",
            "-p",
            "kitsu_orm.testing",
            "--kitsu-no-reset",
            "-W",
            "error::UserWarning",
            "test_inner.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert inner.returncode == 0, inner.stdout + inner.stderr
    ids = json.loads((tmp_path / "ids.json").read_text())
    assert len(ids) == 2
    for project_id in ids:
        with pytest.raises(NotFound):
            kitsu_client.get(f"data/projects/{project_id}")
