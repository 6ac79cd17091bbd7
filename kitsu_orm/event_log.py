"""Which of Zou's events a listener has had: none missed, none twice.

Zou pushes an event on its socket *before* it writes it to its event log, and
the push carries no id; the log's row has one. So, for a user who may read
the log (admins, and managers for their productions), a push is only a signal:
:class:`EventLog` then reads the log since the last event it delivered (a few
seconds earlier, as rows commit out of order), and hands over each row whose
id it has not delivered yet. A push whose row does not show within ``grace``
seconds (Zou does not log some events, such as ``comment:acknowledge``, and a
manager's log hides other productions) is handed over as pushed, without an
id, and a row that matches it later is not handed over again. After a cut
connection the same read brings the events pushed meanwhile, so nothing is
lost. Users who may not read the log get the pushes as they come: no id, and
nothing while disconnected.

No HTTP here: the log is read through the function given (the session's
transport).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Mapping
from typing import Any

from .errors import NotFound, PermissionDenied

__all__ = ["EventLog", "Row"]

Row = dict[str, Any]
"""An event as the log has it: ``id``, ``created_at``, ``name``, ``user_id``,
``project_id``, ``data`` (``id`` and ``created_at`` None for a push handed over
as pushed)."""

_PAGE = 1000  # the most Zou answers at once
_KEPT = 60.0  # seconds a push and its row may arrive apart


class EventLog:
    """The delivered events of one listener, and the pushes not yet found in the log.

    ``read(params)`` answers ``GET data/events/last`` with these parameters.
    Not thread-safe: its owner calls it from one thread at a time.
    """

    def __init__(
        self,
        read: Callable[[dict[str, Any]], Any],
        *,
        lookback: float = 5.0,
        grace: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = read
        self.lookback = datetime.timedelta(seconds=lookback)
        self.grace = grace
        self._clock = clock
        self.readable = False
        self._newest: datetime.datetime | None = None
        self._delivered: dict[str, datetime.datetime] = {}
        self._pending: list[tuple[float, Row]] = []  # pushes waiting for their row
        self._unlogged: list[tuple[float, Row]] = []  # pushes handed over without a row
        self._unpushed: list[tuple[float, Row]] = []  # rows handed over before their push

    def start(self) -> bool:
        """Mark what the log holds now as delivered (a listener gets what happens after
        it starts), and learn whether this user may read it; returns that."""
        try:
            newest = self._read({"limit": 1})
        except (PermissionDenied, NotFound):
            self.readable = False
            return False
        self.readable = True
        if newest:
            self._newest = _when(newest[0])
            for row in self._since(self._newest - self.lookback):
                self._remember(row)
        return True

    @property
    def waiting(self) -> bool:
        """Whether pushes wait for their row in the log."""
        return bool(self._pending)

    def next_deadline(self) -> float | None:
        """When the oldest waiting push is handed over as pushed (clock time), or None."""
        return self._pending[0][0] + self.grace if self._pending else None

    def pushed(self, name: str, data: Any) -> list[Row]:
        """A push arrived: what to hand over now (the push itself when the log cannot be
        read, else nothing until :meth:`catch_up`)."""
        row = _push_row(name, data)
        if not self.readable:
            return [row]
        if _take(self._unpushed, row) is None:  # else: its row came first (a slow socket)
            self._pending.append((self._clock(), row))
        return []

    def catch_up(self) -> list[Row]:
        """The events not handed over yet, oldest first: the log's rows since the last
        one delivered, then the pushes that waited past ``grace`` for theirs."""
        if not self.readable:
            return []
        since = self._newest - self.lookback if self._newest is not None else None
        fresh = [row for row in reversed(self._since(since)) if row["id"] not in self._delivered]
        now = self._clock()
        self._unlogged = [(at, row) for at, row in self._unlogged if now - at < _KEPT]
        self._unpushed = [(at, row) for at, row in self._unpushed if now - at < _KEPT]
        out: list[Row] = []
        for row in fresh:
            self._remember(row)
            if _take(self._pending, row) is None:
                if _take(self._unlogged, row) is not None:
                    continue  # handed over as pushed already
                self._unpushed.append((now, row))  # missed while cut, or its push is late
            out.append(row)
        while self._pending and now - self._pending[0][0] >= self.grace:
            at, row = self._pending.pop(0)
            self._unlogged.append((at, row))
            out.append(row)
        self._prune()
        return out

    def _since(self, after: datetime.datetime | None) -> list[Row]:
        """The log's rows after ``after`` (all of them for None), newest first, every page."""
        rows: list[Row] = []
        params: dict[str, Any] = {"limit": _PAGE}
        if after is not None:
            params["after"] = after.isoformat(timespec="seconds")
        while True:
            page = [r for r in self._read(params) or [] if isinstance(r, dict) and r.get("id")]
            rows.extend(page)
            if len(page) < _PAGE:
                return rows
            params["cursor_event_id"] = page[-1]["id"]  # older than that one, exactly

    def _remember(self, row: Row) -> None:
        when = _when(row)
        self._delivered[str(row["id"])] = when
        if self._newest is None or when > self._newest:
            self._newest = when

    def _prune(self) -> None:
        if self._newest is None:
            return
        oldest = self._newest - 3 * self.lookback
        self._delivered = {k: v for k, v in self._delivered.items() if v >= oldest}


def _push_row(name: str, data: Any) -> Row:
    body = dict(data) if isinstance(data, Mapping) else {}
    project = body.get("project_id")
    return {
        "id": None,
        "created_at": None,
        "name": name,
        "user_id": None,
        "project_id": str(project) if project else None,
        "data": body,
    }


def _take(pushes: list[tuple[float, Row]], row: Row) -> Row | None:
    """Remove and return the first push that is ``row`` (same name and data), if any."""
    for i, (_, push) in enumerate(pushes):
        if push["name"] == row.get("name") and push["data"] == (row.get("data") or {}):
            return pushes.pop(i)[1]
    return None


def _when(row: Mapping[str, Any]) -> datetime.datetime:
    try:
        return datetime.datetime.fromisoformat(str(row.get("created_at")))
    except ValueError:
        return datetime.datetime.min
