"""Progress bars for long commits and long loads: off unless asked for.

``progress=`` on :func:`~kitsu_orm.connect`, :class:`~kitsu_orm.Session` and
``session.commit()`` takes ``False`` (the default: nothing is ever printed),
``True``, or ``"auto"``: on inside a Jupyter kernel, off in scripts. A commit
counts its operations (requests) done out of the plan's total; a load (a
query with its includes, a paginated read) counts the rows it has fetched.

A bar appears only once the work has taken :data:`DELAY` seconds, so that a
session with progress on stays quiet for the many quick calls around the
long ones. tqdm is an optional dependency (``pip install kitsu-orm[progress]``):
this is the only module that imports it, and only when a bar may be drawn.
"""

from __future__ import annotations

import contextvars
import importlib
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from .errors import ConfigurationError

__all__ = [
    "DELAY",
    "Meter",
    "Setting",
    "check",
    "enabled",
    "in_notebook",
    "loading",
    "meter",
    "rows_read",
]

Setting = bool | Literal["auto"]

DELAY = 0.5
"""Seconds of work before a bar is drawn (tqdm's ``delay``)."""

_load: contextvars.ContextVar[Meter | None] = contextvars.ContextVar(
    "kitsu_progress_load", default=None
)


class Meter:
    """Counts work done; draws a bar when it has one. Safe to advance from many threads,
    since a commit's operations finish on the workers of a pool."""

    def __init__(self, bar: Any = None) -> None:
        self._bar = bar
        self._lock = threading.Lock()

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more units done (thread-safe; nothing shown when off)."""
        if self._bar is None or n <= 0:
            return
        with self._lock:  # tqdm.update adds to its count without a lock
            self._bar.update(n)

    def close(self) -> None:
        """Finish the bar (safe to call twice)."""
        if self._bar is not None:
            with self._lock:
                self._bar.close()


_SILENT = Meter()


def check(setting: object) -> Setting:
    """``setting`` if it is a valid one. Where it turns a bar on here and now, tqdm is
    imported at once, so that a missing install fails at connect, not mid-commit."""
    valid: Setting
    if isinstance(setting, bool):
        valid = setting
    elif setting == "auto":
        valid = "auto"
    else:
        raise ConfigurationError(f"progress must be True, False or 'auto', not {setting!r}")
    if enabled(valid):
        _bar_class()
    return valid


def enabled(setting: Setting) -> bool:
    """Whether a progress setting shows a bar here (``auto``: in a notebook only)."""
    return setting is True or (setting == "auto" and in_notebook())


def in_notebook() -> bool:
    """Whether this process is a Jupyter kernel (notebook, lab, VS Code, Colab).

    Only modules already imported are looked at, so a script never pays for
    importing IPython. ipykernel alone is not enough (tools import it without
    running a kernel), nor is IPython (the terminal shell is a console): the
    running shell must have been started by a kernel app.
    """
    if "ipykernel" not in sys.modules:
        return False
    get_ipython = getattr(sys.modules.get("IPython"), "get_ipython", None)
    if not callable(get_ipython):
        return False
    try:
        shell = get_ipython()
        return shell is not None and "IPKernelApp" in shell.config
    except Exception:  # a half-built or foreign shell: no bars rather than a failure
        return False


@contextmanager
def meter(
    setting: Setting, desc: str, *, total: int | None = None, unit: str, delay: float | None = None
) -> Iterator[Meter]:
    """A meter for one piece of work: a bar when ``setting`` is on, a silent one otherwise;
    drawn once the work has taken ``delay`` seconds (:data:`DELAY` when None)."""
    if not enabled(setting):
        yield _SILENT
        return
    wait = DELAY if delay is None else delay
    bar = _bar_class()(desc=desc, total=total, unit=unit, delay=wait, dynamic_ncols=True)
    counter = Meter(bar)
    try:
        yield counter
    finally:
        counter.close()


@contextmanager
def loading(setting: Setting, desc: str) -> Iterator[Meter]:
    """The meter of a load, that the reads made under it report rows to (:func:`rows_read`).
    The outermost load owns it: loads inside it add to its bar rather than draw their own."""
    outer = _load.get()
    if outer is not None:
        yield outer
        return
    with meter(setting, desc, unit=" rows") as counter:
        token = _load.set(counter)
        try:
            yield counter
        finally:
            _load.reset(token)


def rows_read(body: Any) -> None:
    """Report a read's answer to the load in progress, if any."""
    counter = _load.get()
    if counter is not None:
        counter.advance(_row_count(body))


def _row_count(body: Any) -> int:
    if isinstance(body, list):
        return len(body)
    if isinstance(body, dict):
        # A page ("data") or a compact answer ("rows") holds rows; any other dict is one.
        rows = body.get("data", body.get("rows"))
        return len(rows) if isinstance(rows, list) else 1
    return 0


def _bar_class() -> Any:
    # tqdm.auto draws a widget in a notebook and text elsewhere.
    try:
        return importlib.import_module("tqdm.auto").tqdm
    except ImportError as exc:
        raise ConfigurationError(
            "progress bars need tqdm: pip install 'kitsu-orm[progress]' (or tqdm itself), "
            "or leave progress off"
        ) from exc
