"""gazu's ``exception`` module: its exception classes, inside kitsu_orm's own tree.

Every class here is a :class:`GazuException` and also the kitsu_orm error of
the same meaning, so a script keeps ``except gazu.exception.RouteNotFoundException``
and new code may write ``except kitsu.NotFound``: both catch one error.

The facade's functions raise these (:func:`as_gazu_error` gives an error of
ours its gazu class on its way out). An error of a finer class of ours
(``AlreadyExists``, ``ConflictError``...) keeps that class and gains gazu's
beside it, so nothing a handler of either library expects is lost.
"""

from __future__ import annotations

import threading

from ... import errors

__all__ = [
    "AuthFailedException",
    "DownloadFileException",
    "FileDoesntExistException",
    "GazuException",
    "HostException",
    "MethodNotAllowedException",
    "NotAllowedException",
    "NotAuthenticatedException",
    "ParameterException",
    "PreviewFileProcessingException",
    "ProjectDoesntExistException",
    "RouteNotFoundException",
    "ServerErrorException",
    "TaskMustBeADictException",
    "TaskStatusNotFoundException",
    "TooBigFileException",
    "UploadFailedException",
    "ValidationException",
    "as_gazu_error",
]


class GazuException(errors.KitsuError):
    """Any error the facade raises (gazu's base class)."""


class HostException(GazuException, errors.ConfigurationError):
    """The host is not a Kitsu API."""


class AuthFailedException(GazuException, errors.AuthenticationError):
    """Wrong email or password at log-in."""


class NotAuthenticatedException(GazuException, errors.AuthenticationError):
    """No valid login (401), or it expired and could not be refreshed."""


class NotAllowedException(GazuException, errors.PermissionDenied):
    """The user's role may not do this (403)."""


class MethodNotAllowedException(GazuException):
    """The route does not take this HTTP method (405)."""


class RouteNotFoundException(GazuException, errors.NotFound):
    """No such route or object (404)."""


class ServerErrorException(GazuException, errors.ServerError):
    """The server failed (5xx)."""


class ParameterException(GazuException, errors.ValidationError):
    """The server refused the request's values (400), or they were refused before it."""


class ValidationException(GazuException, errors.ValidationError):
    """The server refused the request's values (422)."""


class UploadFailedException(GazuException):
    """An upload was answered with an error message."""


class TooBigFileException(GazuException):
    """The file is larger than the server (or its proxy) takes (413)."""


class TaskStatusNotFoundException(GazuException, errors.NotFound):
    """No task status of that name or short name."""


class DownloadFileException(GazuException):
    """A download failed."""


class TaskMustBeADictException(GazuException, errors.ValidationError):
    """A task was given as an id where gazu needs its dict."""


class FileDoesntExistException(GazuException, errors.NotFound):
    """A local file to send does not exist."""


class ProjectDoesntExistException(GazuException, errors.NotFound):
    """No project of that name or id."""


class PreviewFileProcessingException(GazuException):
    """A preview was still being processed when the wait ran out."""


# gazu's class for an error of each of our base classes, by HTTP status first.
_BY_STATUS: dict[int, type[GazuException]] = {
    400: ParameterException,
    401: NotAuthenticatedException,
    403: NotAllowedException,
    404: RouteNotFoundException,
    405: MethodNotAllowedException,
    413: TooBigFileException,
    422: ValidationException,
}
_BY_CLASS: dict[type[errors.KitsuError], type[GazuException]] = {
    errors.AuthenticationError: NotAuthenticatedException,
    errors.PermissionDenied: NotAllowedException,
    errors.NotFound: RouteNotFoundException,
    errors.ValidationError: ParameterException,
    errors.ServerError: ServerErrorException,
}
_mixed: dict[tuple[type[errors.KitsuError], type[GazuException]], type[errors.KitsuError]] = {}
_mixed_lock = threading.Lock()


def _gazu_class(error: errors.KitsuError) -> type[GazuException]:
    if error.status is not None and error.status in _BY_STATUS:
        return _BY_STATUS[error.status]
    if error.status is not None and error.status >= 500:
        return ServerErrorException
    for ours, theirs in _BY_CLASS.items():
        if isinstance(error, ours):
            return theirs
    return GazuException


def _mix(ours: type[errors.KitsuError], theirs: type[GazuException]) -> type[errors.KitsuError]:
    """``ours`` with ``theirs`` as a second base: one class per pair, made once."""
    with _mixed_lock:
        if (ours, theirs) not in _mixed:
            # Named in this module, so that pickle finds it (errors cross processes).
            name = f"{ours.__name__}_{theirs.__name__}"
            doc = f"kitsu_orm's {ours.__name__}, raised by the facade as gazu's {theirs.__name__}."
            body = {"__module__": __name__, "__qualname__": name, "__doc__": doc}
            mixed = type(name, (ours, theirs), body)
            globals()[name] = _mixed[ours, theirs] = mixed
        return _mixed[ours, theirs]


def as_gazu_error(error: errors.KitsuError) -> errors.KitsuError:
    """``error`` itself, made an instance of gazu's class for it too (its class is
    swapped in place, so its attributes and traceback stay as they were)."""
    if isinstance(error, GazuException):
        return error
    theirs = _gazu_class(error)
    ours = type(error)
    if issubclass(theirs, ours):  # gazu's class already is ours and more
        error.__class__ = theirs
    else:
        error.__class__ = _mix(ours, theirs)
    return error
