"""``kitsu shell``: an interactive Python session, already connected.

``kitsu`` (the package), ``session`` (connected from the environment and made
current, so ``Shot.where(...)`` works as typed) and every entity class are at
hand. IPython when it is installed (``pip install 'kitsu-orm[shell]'``), else
the standard library's prompt; ``--plain`` asks for the latter. With no
terminal (commands fed on stdin), both read and run the lines they are given.
"""

from __future__ import annotations

import code
import importlib
import importlib.util
from typing import Any

from ..model.base import REGISTRY
from ..session import connect

__all__ = ["namespace", "run_shell"]


def namespace() -> dict[str, Any]:
    """The shell's names: ``kitsu``, ``session`` and the entity classes (one request:
    who the user is, so that a wrong token fails now, not at the first query)."""
    kitsu = importlib.import_module("kitsu_orm")
    session = connect()
    session.transport.current_user()
    names: dict[str, Any] = {"kitsu": kitsu, "session": session}
    for cls in REGISTRY.values():
        if cls.__kitsu_type__ and getattr(kitsu, cls.__name__, None) is cls:
            names[cls.__name__] = cls
    return names


def banner(names: dict[str, Any]) -> str:
    """Who is connected where, and what the names are."""
    session = names["session"]
    user = session.transport.user or {}
    who = user.get("email") or user.get("full_name") or "a token"
    role = f" ({user['role']})" if user.get("role") else ""
    return (
        f"kitsu-orm {names['kitsu'].__version__}: connected to {session.transport.host} "
        f"as {who}{role}.\nAt hand: kitsu, session, Project, Shot, Asset, Task... "
        "(kitsu.Shot.where(project=...).to_pandas(...))"
    )


def run_shell(*, plain: bool = False) -> int:
    """Start the interactive session; returns the exit status once it ends."""
    names = namespace()
    text = banner(names)
    if not plain and importlib.util.find_spec("IPython") is not None:
        ipython = importlib.import_module("IPython")
        print(text)
        ipython.start_ipython(argv=["--no-banner"], user_ns=names)
        return 0
    code.interact(banner=text, local=names, exitmsg="")
    return 0
