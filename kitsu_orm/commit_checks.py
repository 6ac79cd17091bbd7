"""What a commit checks before its first write: that the user's role may make
every write of the plan (:mod:`.permissions`), that no new object exists on the
server already, and that nothing it updates or deletes changed there since it
was loaded (:mod:`.conflicts`). Any of them refuses the whole commit, with
nothing written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .conflicts import check_conflicts, check_existing
from .errors import KitsuError
from .operations import Create, Delete, Operation, Update
from .permissions import check_plan
from .replacements import row_key
from .side_by_side import SideBySide

if TYPE_CHECKING:
    from .session import Session

__all__ = ["check_before_writing"]


def check_before_writing(
    session: Session, plan: list[list[Operation]], *, overwrite: bool = False
) -> None:
    """Refuse ``plan`` if the role may not make it, if a new object exists already or
    (unless ``overwrite``) if an object changed on the server. A role not known yet
    is asked side by side with the reads of the other two checks, a round trip less
    before the first write; a refusal by role still comes first."""
    if session.role_known or session.workers < 2:
        check_plan(session, plan)
        _check_server(session, plan, overwrite)
        return
    found: KitsuError | None = None
    with SideBySide(1, "kitsu-role") as pool:
        role = pool.submit(lambda: session.role)
        try:
            _check_server(session, plan, overwrite)
        except KitsuError as exc:
            found = exc
        role.result()
    check_plan(session, plan)
    if found is not None:
        raise found


def _check_server(session: Session, plan: list[list[Operation]], overwrite: bool) -> None:
    ops = [op for level in plan for op in level]
    # A new object that takes the name of one deleted first is no clash.
    taken = {row_key(op.obj) for op in ops if isinstance(op, Delete)}
    check_existing(
        session, [op.obj for op in ops if isinstance(op, Create) and row_key(op.obj) not in taken]
    )
    if not overwrite:
        check_conflicts(session, [op for op in ops if isinstance(op, (Update, Delete))])
