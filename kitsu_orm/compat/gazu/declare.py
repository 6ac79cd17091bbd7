"""How a facade function is declared: gazu's signature, its client, its errors.

Two ways, one behaviour:

- a function that does more than one call is written out and decorated with
  :func:`gazu_function`;
- a function that is one route is a row of its module's table, made by
  :func:`route`: ``all_tasks_for_shot = route("GET data/shots/{shot}/tasks",
  "shot, relations=False, client=default", answer=sort_by_name)``.

Either way the function runs through the session of its ``client=`` keyword
(:mod:`.kitsu_client`), raises gazu's exception classes (which are also
kitsu_orm's, :mod:`.exception`), and, where it reads, has gazu's cache
switches (``clear_cache()``...). :func:`finish` names a module's table rows
after the names they are bound to.
"""

from __future__ import annotations

import ast
import functools
import inspect
import re
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any, ParamSpec, TypeVar, overload

from ...errors import KitsuError
from .connection import default_session
from .exception import as_gazu_error
from .kitsu_client import default_client, talking_through
from .memo import CachedFunction, read, written
from .rows import jsonable, model_id

__all__ = ["Arguments", "GazuFunction", "finish", "gazu_function", "parse_signature", "route"]

P = ParamSpec("P")
R = TypeVar("R")
Arguments = SimpleNamespace
Query = Callable[[Arguments], Mapping[str, Any] | None]
Body = Callable[[Arguments], Any]

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_METHODS = ("GET", "POST", "PUT", "DELETE")


class GazuFunction(CachedFunction[P, R]):
    """A facade function: gazu's signature, run through its ``client``'s session,
    raising gazu's errors; gazu's cache switches when it reads (``cached``)."""

    def __init__(self, function: Callable[P, R], cached: bool) -> None:
        super().__init__(function)
        self.cached = cached
        self.__signature__ = inspect.signature(function)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        client = _client_of(self.__signature__, args, kwargs)
        try:
            with talking_through(client):
                if self.cached:
                    return super().__call__(*args, **kwargs)
                return self.__wrapped__(*args, **kwargs)
        except KitsuError as error:
            as_gazu_error(error)  # the same error, now of gazu's class too
            raise

    def __repr__(self) -> str:
        return f"<gazu function {self.__module__}.{self.__name__}>"


def _client_of(signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if "client" in kwargs:
        return kwargs["client"]
    names = list(signature.parameters)
    if "client" in names and names.index("client") < len(args):
        return args[names.index("client")]
    return None


@overload
def gazu_function(function: Callable[P, R]) -> GazuFunction[P, R]: ...


@overload
def gazu_function(
    *, cached: bool = False
) -> Callable[[Callable[P, R]], GazuFunction[P, R]]: ...


def gazu_function(
    function: Callable[P, R] | None = None, *, cached: bool = False
) -> GazuFunction[P, R] | Callable[[Callable[P, R]], GazuFunction[P, R]]:
    """Make a written-out function a facade function (``@gazu_function`` or
    ``@gazu_function(cached=True)`` for the reads gazu caches)."""
    if function is None:
        return functools.partial(GazuFunction, cached=cached)
    return GazuFunction(function, cached)


def parse_signature(text: str) -> inspect.Signature:
    """gazu's parameters as written in its source: ``"shot, relations=False,
    client=default"`` (``default`` is the default client)."""
    tree = ast.parse(f"def f({text}): pass").body[0]
    assert isinstance(tree, ast.FunctionDef)
    spec = tree.args
    plain = spec.posonlyargs + spec.args
    defaults = [None] * (len(plain) - len(spec.defaults)) + list(spec.defaults)
    params = [
        inspect.Parameter(a.arg, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=_value(d))
        for a, d in zip(plain, defaults, strict=True)
    ]
    params += [
        inspect.Parameter(a.arg, inspect.Parameter.KEYWORD_ONLY, default=_value(d))
        for a, d in zip(spec.kwonlyargs, spec.kw_defaults, strict=True)
    ]
    return inspect.Signature(params)


def _value(node: ast.expr | None) -> Any:
    if node is None:
        return inspect.Parameter.empty
    if isinstance(node, ast.Name) and node.id == "default":
        return default_client
    return ast.literal_eval(node)


def route(
    call: str,
    params: str,
    *,
    query: Query | None = None,
    body: Body | None = None,
    answer: Callable[[Any], Any] | None = None,
) -> GazuFunction[..., Any]:
    """A facade function that is one request: ``call`` is ``"<METHOD> <path>"``,
    each ``{name}`` of the path the id of the argument of that name; ``query``
    and ``body`` build the rest from the arguments; ``answer`` reshapes the
    server's answer (``sort_by_name``...)."""
    method, _, template = call.partition(" ")
    if method not in _METHODS:
        raise ValueError(f"route {call!r}: the method must be one of {_METHODS}")
    signature = parse_signature(params)
    for name in _PLACEHOLDER.findall(template):
        if name not in signature.parameters:
            raise ValueError(f"route {call!r}: no parameter {name!r} in ({params})")

    def run(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        given = Arguments(**bound.arguments)
        path = _PLACEHOLDER.sub(lambda m: model_id(getattr(given, m[1]), m[1]), template)
        found = _send(method, path, query(given) if query else None, body, given)
        return answer(found) if answer else found

    run.__signature__ = signature  # type: ignore[attr-defined]
    return GazuFunction(run, cached=method == "GET")


def _send(
    method: str, path: str, params: Mapping[str, Any] | None, body: Body | None, given: Arguments
) -> Any:
    if method == "GET":
        return read(path, params)
    transport = default_session().transport
    if method == "DELETE":  # gazu answers the server's text: "" for none
        answer = written(path, lambda: transport.delete(path, params))
        return "" if answer is None else answer
    data = jsonable(body(given)) if body else {}
    send = transport.post if method == "POST" else transport.put
    return written(path, lambda: send(path, data, params))


def finish(namespace: dict[str, Any]) -> None:
    """Name each table row of a module after the name it is bound to there, so that
    its repr, ``__name__`` and ``help()`` say what gazu's would."""
    module = namespace["__name__"]
    for name, value in namespace.items():
        if isinstance(value, GazuFunction) and value.__name__ == "run":
            value.__name__ = value.__qualname__ = name
            value.__module__ = module
            if not value.__doc__:
                value.__doc__ = f"gazu's ``{name}``."
