"""The ``kitsu`` command (kitsu_orm.cli), run as a user runs it, in a new process,
against the real server: exports as the admin and as an artist (by token), the
progress bar on a terminal only, bad input in one line, the shell fed on stdin."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from small_production import make_production

from kitsu_orm.cli.export import write_csv, write_json, write_table
from kitsu_orm.devserver import DevServer
from kitsu_orm.tables import Column
from kitsu_orm.testing import KitsuServer, TeamMember, remove_project
from kitsu_orm.transport import Transport

REPO = Path(__file__).resolve().parent.parent
SHOTS = 30
FIELDS = "name,sequence.name,sequence.episode.name,frame_in,created_at"


def _env(**extra: str) -> dict[str, str]:
    """This process's environment without any KITSU_ variable but the dev server's name."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KITSU_") or k.startswith("KITSU_DEV")
    }
    return {**keep, "PYTHONPATH": str(REPO), **extra}


def kitsu(
    *args: str, env: dict[str, str], stdin: str | None = None, **options: Any
) -> subprocess.CompletedProcess[str]:
    """``kitsu ARGS`` in a new process (as ``python -m kitsu_orm.cli``)."""
    options.setdefault("stdout", subprocess.PIPE)
    options.setdefault("stderr", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "-m", "kitsu_orm.cli", *args],
        env=env,
        input=stdin,
        text=True,
        timeout=120,
        **options,
    )


@pytest.fixture(scope="module")
def production(
    kitsu_server: KitsuServer, kitsu_client: Transport, kitsu_people: dict[str, TeamMember]
) -> Iterator[dict[str, Any]]:
    """A project of 30 shots, with the test artist on its team."""
    project = make_production(kitsu_server.url, kitsu_client, "cli-export", SHOTS)
    kitsu_client.post(
        f"data/projects/{project['id']}/team", {"person_id": kitsu_people["artist"].id}
    )
    yield project
    remove_project(kitsu_client, project)


@pytest.fixture
def admin_env(kitsu_server: KitsuServer) -> dict[str, str]:
    return _env(
        KITSU_HOST=kitsu_server.url,
        KITSU_EMAIL=kitsu_server.admin_email,
        KITSU_PASSWORD=kitsu_server.admin_password,
    )


@pytest.fixture
def artist_env(
    kitsu_server: KitsuServer, kitsu_role_clients: dict[str, Transport]
) -> dict[str, str]:
    tokens = kitsu_role_clients["artist"].tokens
    assert tokens is not None
    return _env(KITSU_HOST=kitsu_server.url, KITSU_TOKEN=tokens.access)


# -- export ------------------------------------------------------------------------------


@pytest.mark.server
@pytest.mark.parametrize("who", ["admin", "artist"])
def test_export_csv_writes_every_shot(
    production: dict[str, Any], who: str, admin_env: dict[str, str], artist_env: dict[str, str]
) -> None:
    env = admin_env if who == "admin" else artist_env
    done = kitsu("export", "Shot", "--project", production["name"], "--fields", FIELDS, env=env)

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # piped: no progress bar
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == FIELDS.split(",")
    assert [r[0] for r in rows[1:]] == [f"SH{n:03d}" for n in range(SHOTS)]
    assert rows[2][:4] == ["SH001", "SQ02", "E01", "1"]
    assert rows[2][4].startswith("20") and "T" in rows[2][4]  # ISO 8601


@pytest.mark.server
def test_export_json_and_table(production: dict[str, Any], artist_env: dict[str, str]) -> None:
    args = ("export", "shot", "--project", production["name"], "--fields", "name,sequence.name")

    as_json = kitsu(*args, "--format", "json", env=artist_env)
    table = kitsu(*args, "--format", "table", env=artist_env)

    assert as_json.returncode == 0 and table.returncode == 0, (as_json.stderr, table.stderr)
    rows = json.loads(as_json.stdout)
    assert len(rows) == SHOTS
    assert rows[0] == {"name": "SH000", "sequence.name": "SQ01"}
    lines = table.stdout.splitlines()
    assert lines[:3] == ["name   sequence.name", "-----  -------------", "SH000  SQ01"]
    assert len(lines) == SHOTS + 2


@pytest.mark.server
def test_export_of_tasks_crosses_relationships(
    production: dict[str, Any], admin_env: dict[str, str]
) -> None:
    fields = "entity.name,task_type.name,task_status.short_name,due_date"
    done = kitsu(
        "export", "Task", "--project", production["name"], "--fields", fields, env=admin_env
    )

    assert done.returncode == 0, done.stderr
    rows = {r["entity.name"]: r for r in csv.DictReader(io.StringIO(done.stdout))}
    assert len(rows) == SHOTS
    assert rows["SH003"] == {
        "entity.name": "SH003",
        "task_type.name": "Animation",
        "task_status.short_name": "todo",
        "due_date": "2027-03-04T18:00:00+00:00",
    }


def _with_terminal_stderr(args: list[str], env: dict[str, str], stdout: Any) -> tuple[int, str]:
    """Run ``kitsu ARGS`` with stderr on a pseudo-terminal; returns its status and what
    the terminal showed."""
    leader, follower = pty.openpty()
    # A terminal of 100 columns (a new one has none, where tqdm draws nothing).
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kitsu_orm.cli", *args], env=env, stdout=stdout, stderr=follower
        )
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal's last writer has gone
                break
            if not chunk:
                break
            shown += chunk
        return proc.wait(timeout=60), shown.decode(errors="replace")
    finally:
        os.close(leader)


@pytest.mark.server
def test_a_progress_bar_on_a_terminal_and_none_when_piped(
    production: dict[str, Any], admin_env: dict[str, str], tmp_path: Path
) -> None:
    pytest.importorskip("tqdm")
    args = ["export", "Shot", "--project", production["name"], "--fields", "name"]
    out = tmp_path / "shots.csv"

    with out.open("w") as file:
        status, shown = _with_terminal_stderr(args, admin_env, file)
    assert status == 0
    assert "Shot export" in shown and f"{SHOTS}/{SHOTS}" in shown
    assert len(out.read_text().splitlines()) == SHOTS + 1

    status, shown = _with_terminal_stderr(args, admin_env, subprocess.PIPE)
    assert status == 0 and shown == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "Shott"], "kitsu: unknown entity type 'Shott' (did you mean Shot?)"),
        (
            ["export", "Shot", "--fields", "name,sequence.nme"],
            "kitsu: Sequence has no field 'nme' (in column 'sequence.nme') (did you mean name?)",
        ),
        (
            ["export", "Shot", "--fields", "tasks.name"],
            "kitsu: column 'tasks.name' crosses Shot.tasks",
        ),
        (["export", "Person", "--project", "x"], "kitsu: Person objects are not in a project"),
    ],
)
def test_bad_input_is_one_line_before_any_connection(args: list[str], message: str) -> None:
    # No KITSU_HOST at all: these fail before they would connect.
    done = kitsu(*args, env=_env())
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(message) and done.stderr.count("\n") == 1, done.stderr


@pytest.mark.server
def test_an_unknown_project_or_missing_credentials_is_one_line(
    admin_env: dict[str, str], kitsu_server: KitsuServer
) -> None:
    unknown = kitsu("export", "Shot", "--project", "no such project", env=admin_env)
    no_host = kitsu("export", "Shot", env=_env())
    no_password = kitsu(
        "export", "Shot", env=_env(KITSU_HOST=kitsu_server.url, KITSU_EMAIL="a@b.c")
    )
    wrong = kitsu("export", "Shot", env={**admin_env, "KITSU_PASSWORD": "not-the-password-4f2a"})

    assert (
        unknown.returncode == 1
        and unknown.stderr == "kitsu: no Project matches name='no such project'\n"
    )
    assert no_host.returncode == 1
    assert (
        no_host.stderr
        == "kitsu: no Kitsu host: pass one to connect(), or set KITSU_HOST (or KITSU_URL)\n"
    )
    assert no_password.stderr.startswith("kitsu: KITSU_EMAIL is set but KITSU_PASSWORD is not")
    assert wrong.returncode == 1 and wrong.stderr.count("\n") == 1
    assert "not-the-password-4f2a" not in wrong.stderr and "Traceback" not in wrong.stderr


def test_usage_errors_exit_2() -> None:
    done = kitsu("export", "Shot", "--format", "xml", env=_env())
    assert done.returncode == 2 and "invalid choice: 'xml'" in done.stderr


# -- writers stream ----------------------------------------------------------------------


@pytest.mark.parametrize("writer", [write_csv, write_json, write_table])
def test_writers_write_each_row_before_the_next_is_made(writer: Any) -> None:
    cols = [Column("name", (), "name", "str"), Column("n", (), "n", "int")]
    out = io.StringIO()
    seen: list[str] = []

    def rows() -> Iterator[dict[str, Any]]:
        for n in range(120):
            seen.append(out.getvalue())
            yield {"name": f"SH{n:03d}", "n": n}

    writer(rows(), cols, out)

    # the table holds back its first 50 rows to size its columns; then row by row
    first = 50 if writer is write_table else 1
    assert "SH000" not in seen[first - 1] and "SH000" in seen[first]
    assert all(f"SH{n - 1:03d}" in seen[n] for n in range(first, 120))
    assert out.getvalue().count("SH") == 120


# -- shell and devserver --------------------------------------------------------------


@pytest.mark.server
@pytest.mark.parametrize("flavour", ["plain", "ipython"])
def test_the_shell_is_connected(
    production: dict[str, Any], artist_env: dict[str, str], flavour: str
) -> None:
    if flavour == "ipython":
        pytest.importorskip("IPython")
    code = f"print('found', Project.where(name={production['name']!r}).one().name, len(Shot.where(project_id=Project.where(name={production['name']!r}).one().id).all()))\n"
    args = ["shell", "--plain"] if flavour == "plain" else ["shell"]
    done = kitsu(*args, env=artist_env, stdin=code)

    assert done.returncode == 0, done.stderr
    assert f"found {production['name']} {SHOTS}" in done.stdout
    shown = done.stdout + done.stderr
    assert "connected to" in shown and "artist.kitsu-orm@example.com" in shown


@pytest.mark.server
def test_kitsu_devserver_is_the_dev_servers_command(kitsu_server: KitsuServer) -> None:
    if not isinstance(kitsu_server, DevServer):
        pytest.skip("the tests run against an external server")
    done = kitsu("devserver", "--name", kitsu_server.name, "url", env=_env())
    assert done.returncode == 0 and done.stdout.strip() == kitsu_server.url


def test_import_kitsu_orm_loads_no_command_line_and_no_frame_library() -> None:
    code = (
        "import sys, kitsu_orm\n"
        "loaded = [m for m in sys.modules if m.startswith(('kitsu_orm.cli', 'kitsu_orm.tables', "
        "'pandas', 'polars', 'IPython'))]\n"
        "print(loaded)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
