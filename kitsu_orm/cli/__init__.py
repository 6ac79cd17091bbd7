"""The ``kitsu`` command: ``kitsu shell``, ``kitsu export``, ``kitsu devserver``.

Installed as a console script (and runnable as ``python -m kitsu_orm.cli``); never
imported by ``import kitsu_orm``. It connects as :func:`kitsu_orm.connect` does with
no argument, from ``KITSU_HOST``, ``KITSU_TOKEN`` or ``KITSU_EMAIL`` and
``KITSU_PASSWORD`` (see :mod:`kitsu_orm.environment`). An error of the library (an
unknown type, field or project, missing credentials, a refused login) ends it with a
one-line message on stderr and exit status 1; a usage error with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ..errors import KitsuError

__all__ = ["main"]

FORMATS = ("csv", "json", "table")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kitsu",
        description="Kitsu from the command line: an interactive session, exports, a local server.",
        epilog="Connects with KITSU_HOST and KITSU_TOKEN, or KITSU_EMAIL and KITSU_PASSWORD.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    shell = sub.add_parser(
        "shell",
        help="an interactive Python session, already connected (IPython when installed)",
        description="An interactive session with kitsu, session and the entity classes at hand.",
    )
    shell.add_argument(
        "--plain", action="store_true", help="the plain Python prompt, even with IPython"
    )
    export = sub.add_parser(
        "export",
        help="write objects of one type as CSV, JSON or a text table, row by row",
        description=(
            "Write every TYPE object (of a project) to stdout. Columns are fields or dotted "
            "paths through to-one relationships (sequence.name). A progress bar is drawn on "
            "stderr when it is a terminal and the output goes to a file."
        ),
    )
    export.add_argument("type", metavar="TYPE", help="an entity type: Shot, Asset, Task...")
    export.add_argument("--project", metavar="NAME", help="only the objects of this project")
    export.add_argument(
        "--fields", metavar="A,B.C", help="the columns, comma separated (default: every field)"
    )
    export.add_argument(
        "--format", choices=FORMATS, default="csv", help="csv (default), json or table"
    )
    bar = export.add_mutually_exclusive_group()
    bar.add_argument(
        "--progress", dest="progress", action="store_true", default=None, help="always draw the bar"
    )
    bar.add_argument("--no-progress", dest="progress", action="store_false", help="never draw it")
    sub.add_parser(
        "devserver",
        help="a local Kitsu for tests and demos: kitsu devserver start|stop|status|env...",
        add_help=False,
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["devserver"]:
        from ..devserver.cli import main as devserver_main

        return devserver_main(args_list[1:])
    args = _parser().parse_args(args_list)
    try:
        if args.command == "shell":
            from .shell import run_shell

            return run_shell(plain=args.plain)
        from .export import run_export

        return run_export(
            args.type,
            project=args.project,
            fields=args.fields,
            fmt=args.format,
            progress=args.progress,
        )
    except KitsuError as exc:
        message = " ".join(str(exc).split())
        print(f"kitsu: {message}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (``kitsu export ... | head``): stop quietly, and keep
        # Python from failing again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130
