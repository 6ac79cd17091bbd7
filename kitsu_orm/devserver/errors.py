"""The one error the local server raises."""

from __future__ import annotations

from ..errors import KitsuError


class DevServerError(KitsuError):
    """The local server could not be installed, started, stopped or reset.

    The message says what failed and, where it can, the command that fixes it.
    """
