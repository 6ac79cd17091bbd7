"""Progress bars: off by default and silent, on when asked (or in a notebook), drawn by
tqdm for commits (operations done / total) and loads (rows fetched)."""

from __future__ import annotations

import sys
import threading
import time
import types
from typing import Any

import pytest
from conftest import SessionFactory

import kitsu_orm as kitsu
from kitsu_orm import progress
from kitsu_orm.compat import gazu
from kitsu_orm.transport import Transport

NB_SEQUENCES = 3
SHOTS_PER_SEQUENCE = 4
NB_OBJECTS = NB_SEQUENCES * (1 + SHOTS_PER_SEQUENCE)


@pytest.fixture
def no_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bars drawn from the first operation, so that quick local work shows one."""
    monkeypatch.setattr(progress, "DELAY", 0)


@pytest.fixture
def without_tqdm(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry makes `import` fail as if the package were not installed.
    for name in [m for m in sys.modules if m == "tqdm" or m.startswith("tqdm.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)


@pytest.fixture
def in_a_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a Jupyter kernel leaves in sys.modules: ipykernel, and IPython's running shell."""
    shell = types.SimpleNamespace(config={"IPKernelApp": {"connection_file": "kernel.json"}})
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: shell  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))


def _final_bar(err: str) -> str:
    """The last state tqdm drew: it redraws one line with carriage returns."""
    return err.rstrip("\n").split("\r")[-1]


def _plan_production(s: kitsu.Session, project_id: str) -> None:
    project = s.get(kitsu.Project, project_id)
    for n in range(NB_SEQUENCES):
        seq = kitsu.Sequence(name=f"SQ{n:02d}", project=project)
        s.add(seq)
        for m in range(SHOTS_PER_SEQUENCE):
            s.add(kitsu.Shot(name=f"SH{n:02d}{m:02d}", project=project, sequence=seq))


# -- settings -------------------------------------------------------------------------------


@pytest.mark.parametrize("setting", ["yes", 1, None, "AUTO"])
def test_a_setting_other_than_true_false_or_auto_is_refused(setting: Any) -> None:
    with pytest.raises(kitsu.ConfigurationError, match="progress must be"):
        kitsu.Session("http://127.0.0.1:9", progress=setting)


def test_auto_is_off_in_a_plain_python_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # Another test of the run may have imported it (the notebooks' kernel client).
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    assert progress.in_notebook() is False
    assert progress.enabled("auto") is False
    assert progress.enabled(True) is True and progress.enabled(False) is False


def test_auto_is_on_in_a_jupyter_kernel(in_a_kernel: None) -> None:
    assert progress.in_notebook() is True
    assert progress.enabled("auto") is True


def test_ipykernel_imported_without_a_running_kernel_is_not_a_notebook(
    in_a_kernel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.modules["IPython"], "get_ipython", lambda: None)
    assert progress.in_notebook() is False
    terminal = types.SimpleNamespace(config={"TerminalIPythonApp": {}})
    monkeypatch.setattr(sys.modules["IPython"], "get_ipython", lambda: terminal)
    assert progress.in_notebook() is False


def test_asking_for_progress_without_tqdm_fails_at_once(without_tqdm: None) -> None:
    with pytest.raises(kitsu.ConfigurationError, match=r"pip install 'kitsu-orm\[progress\]'"):
        kitsu.Session("http://127.0.0.1:9", progress=True)


def test_auto_without_tqdm_fails_only_where_it_would_draw(
    without_tqdm: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = kitsu.Session("http://127.0.0.1:9", progress="auto")  # a script: no bar, no tqdm
    assert session.progress == "auto"
    with pytest.raises(kitsu.ConfigurationError, match="need tqdm"):
        session.commit(progress=True)

    shell = types.SimpleNamespace(config={"IPKernelApp": {}})
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    with pytest.raises(kitsu.ConfigurationError, match="need tqdm"):
        kitsu.Session("http://127.0.0.1:9", progress="auto")


def test_progress_off_never_imports_tqdm(without_tqdm: None) -> None:
    session = kitsu.Session("http://127.0.0.1:9")
    assert session.progress is False
    with progress.loading(False, "rows") as counter:
        counter.advance(10)


# -- meters --------------------------------------------------------------------------------


class _RacyBar:
    """A bar whose update gives the other threads a chance between read and write."""

    def __init__(self) -> None:
        self.n = 0
        self.closed = False

    def update(self, n: int) -> None:
        seen = self.n
        time.sleep(0)
        self.n = seen + n

    def close(self) -> None:
        self.closed = True


def test_a_meter_counts_every_step_of_many_threads() -> None:
    bar = _RacyBar()
    counter = progress.Meter(bar)

    def work() -> None:
        for _ in range(200):
            counter.advance()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counter.close()
    assert bar.n == 8 * 200 and bar.closed


def test_a_load_inside_a_load_adds_to_the_outer_bar(
    no_delay: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with progress.loading(True, "outer") as outer:
        progress.rows_read([{"id": 1}, {"id": 2}])
        with progress.loading(True, "inner") as inner:
            assert inner is outer
            progress.rows_read({"data": [{"id": 3}], "nb_pages": 1})
            progress.rows_read({"id": 4})
    err = capsys.readouterr().err
    assert "inner" not in err
    assert _final_bar(err).startswith("outer: 4 rows")


def test_rows_read_outside_a_load_draw_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    progress.rows_read([{"id": 1}])
    assert capsys.readouterr() == ("", "")


# -- on the server ---------------------------------------------------------------------------


@pytest.mark.server
@pytest.mark.parametrize("workers", [1, 8])
def test_a_commit_with_progress_counts_its_operations(
    new_session: SessionFactory,
    kitsu_project: dict[str, Any],
    no_delay: None,
    capsys: pytest.CaptureFixture[str],
    workers: int,
) -> None:
    s = new_session(progress=True, workers=workers)
    _plan_production(s, kitsu_project["id"])
    capsys.readouterr()

    s.commit()

    out, err = capsys.readouterr()
    assert out == ""
    bar = _final_bar(err)
    assert bar.startswith("commit: 100%") and f" {NB_OBJECTS}/{NB_OBJECTS} " in bar
    assert all(obj.id for obj in s.identity.objects())


@pytest.mark.server
def test_progress_can_be_asked_for_one_commit(
    session: kitsu.Session,
    kitsu_project: dict[str, Any],
    no_delay: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _plan_production(session, kitsu_project["id"])
    capsys.readouterr()
    session.commit(progress=True)
    assert f" {NB_OBJECTS}/{NB_OBJECTS} " in _final_bar(capsys.readouterr().err)

    for seq in kitsu.Sequence.where(project=kitsu_project["id"], session=session):
        seq.description = "edited"
    session.commit()  # the session's own setting again: off
    assert capsys.readouterr() == ("", "")


@pytest.mark.server
def test_a_failed_commit_leaves_its_bar_at_what_was_applied(
    new_session: SessionFactory,
    kitsu_project: dict[str, Any],
    no_delay: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    s = new_session(progress=True, workers=1)
    _plan_production(s, kitsu_project["id"])
    # Shots are sent after every sequence: the second one fails.
    shots = [o for o in s.new if isinstance(o, kitsu.Shot)]
    original = s.transport.post
    sent: list[str] = []

    def post(path: str, *args: Any, **kwargs: Any) -> Any:
        if path.endswith("/shots"):
            sent.append(path)
            if len(sent) == 2:
                raise kitsu.ServerError("refused", method="POST", path=path, status=500)
        return original(path, *args, **kwargs)

    s.transport.post = post
    capsys.readouterr()
    with pytest.raises(kitsu.CommitError) as info:
        s.commit()

    applied = len(info.value.applied)
    assert applied == NB_SEQUENCES + 1 and len(shots) == NB_SEQUENCES * SHOTS_PER_SEQUENCE
    assert f" {applied}/{NB_OBJECTS} " in _final_bar(capsys.readouterr().err)


@pytest.mark.server
def test_progress_off_prints_nothing_at_all(
    new_session: SessionFactory,
    kitsu_project: dict[str, Any],
    no_delay: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    s = new_session()
    assert s.progress is False
    _plan_production(s, kitsu_project["id"])
    s.commit()
    reader = new_session()
    sequences = kitsu.Sequence.where(project=kitsu_project["id"], session=reader)
    assert len(sequences.include("shots").all()) == NB_SEQUENCES
    assert capsys.readouterr() == ("", "")


@pytest.mark.server
def test_quick_work_draws_no_bar_before_the_delay(
    new_session: SessionFactory,
    kitsu_project: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(progress, "DELAY", 60.0)
    s = new_session(progress=True)
    _plan_production(s, kitsu_project["id"])
    s.commit()
    kitsu.Sequence.where(project=kitsu_project["id"], session=s).include("shots").all()
    assert capsys.readouterr() == ("", "")


@pytest.mark.server
def test_a_query_with_includes_counts_the_rows_it_fetched_in_one_bar(
    new_session: SessionFactory,
    kitsu_project: dict[str, Any],
    no_delay: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    writer = new_session()
    _plan_production(writer, kitsu_project["id"])
    writer.commit()
    s = new_session(progress=True)
    capsys.readouterr()

    query = kitsu.Sequence.where(project=kitsu_project["id"], session=s).include("shots")
    sequences = query.all()

    assert sum(len(seq.shots) for seq in sequences) == NB_SEQUENCES * SHOTS_PER_SEQUENCE
    err = capsys.readouterr().err
    assert err.count("\n") == 1  # one bar, for the query and its include
    assert _final_bar(err).startswith(f"Sequence: {NB_OBJECTS} rows ")


@pytest.mark.server
def test_a_paginated_fetch_counts_rows_page_by_page(
    kitsu_server: Any,
    kitsu_client: Transport,
    kitsu_project: dict[str, Any],
    no_delay: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for n in range(5):
        kitsu_client.post(f"data/projects/{kitsu_project['id']}/sequences", {"name": f"SQ{n}"})
    session = kitsu.connect(
        kitsu_server.url,
        transport=Transport(kitsu_server.url, token=kitsu_client.tokens),
        progress=True,
    )
    pages: list[int] = []
    paginate = session.transport.paginate

    def spy(*args: Any, on_rows: Any = None, **kwargs: Any) -> Any:
        def heard(n: int) -> None:
            pages.append(n)
            on_rows(n)

        return paginate(*args, on_rows=heard, **kwargs)

    session.transport.paginate = spy
    capsys.readouterr()
    try:
        rows = gazu.client.fetch_all(
            f"entities?project_id={kitsu_project['id']}", paginated=True, limit=2
        )
    finally:
        session.transport.close()

    assert len(rows) == 5 and pages == [2, 2, 1]
    assert " 5 rows " in _final_bar(capsys.readouterr().err)
