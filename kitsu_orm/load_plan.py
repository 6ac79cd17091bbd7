"""The plan of an ``.include()``: its relationship loads in the order its paths name
them, those that do not depend on each other in flight together.

``.include("sequence", "tasks.task_type", "tasks.task_status", "tasks.assignees")``
is a tree: ``sequence`` and ``tasks`` on the query's objects, then three loads on
the tasks, which need the tasks but not each other. Run one after the other, each
of those three waits for its own round trip to the server. Here a load sends its
request as soon as its objects are loaded, unless a load before it in the plan,
not merged yet, may merge objects of a class it reads (its owners' class, its
target's): so the three go together, over the transport's pooled connections
(:class:`~kitsu_orm.side_by_side.SideBySide`).

The answers are merged on the calling thread, load after load, in the order of
the plan, as the sequential run merges them: the identity map ends the same, the
requests are the same, and an error is the one the sequential run raises (the
first in plan order), once what comes before it is merged and before anything
after it is. A later load's request started early may have been sent then: its
answer is dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from .errors import ValidationError
from .model.base import REGISTRY, Entity
from .model.relationships import Relationship
from .side_by_side import SideBySide

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .loading import Loader

__all__ = ["Load", "run_includes"]

T = TypeVar("T")
U = TypeVar("U")

# The classes a load may merge objects of; None: any class.
Classes = frozenset[type[Entity]] | None


def _nothing() -> None:
    return None


@attrs.frozen
class Load(Generic[T]):
    """One load, cut where it waits for the server. ``before`` merges what needs no
    request (targets made of the names their owners' rows carry); ``read`` asks the
    server and changes nothing in the session, so that it may run on another thread
    while the loads before it are merged; ``after`` merges its answer and answers
    the loaded objects. ``read`` is None when there is nothing to wait for, or when
    ``after`` runs the whole load itself (:meth:`inline`)."""

    read: Callable[[], Any] | None
    after: Callable[[Any], T]
    before: Callable[[], None] = _nothing

    @staticmethod
    def done(value: U) -> Load[U]:
        """A load with nothing left to read nor merge: its answer is ``value``."""
        return Load(None, lambda _: value)

    @staticmethod
    def inline(call: Callable[[], U]) -> Load[U]:
        """A load that is not cut: run whole at its turn, its requests included."""
        return Load(None, lambda _: call())

    def then(self, finish: Callable[[T], U]) -> Load[U]:
        """This load, with ``finish`` applied to what it answers."""
        after = self.after
        return Load(self.read, lambda answer: finish(after(answer)), self.before)

    def run(self) -> T:
        """The whole load, now, on this thread."""
        self.before()
        return self.after(None if self.read is None else self.read())


def run_includes(loader: Loader, objs: list[Entity], paths: Sequence[str]) -> None:
    """Load ``paths`` (``"tasks.task_status"``) for every object of ``objs``: each
    relationship once, level by level, independent loads side by side."""
    plan = _Plan(loader, _tree(objs, paths))
    workers = min(loader.session.workers, len(plan.order))
    if workers <= 1:
        plan.run(None)
        return
    with SideBySide(workers, "kitsu-load") as pool:
        plan.run(pool)


class _Step:
    """The load of one node's relationship on its objects of one class."""

    __slots__ = ("_loaded", "answer", "load", "members", "owner", "rel", "result")

    def __init__(
        self, rel: Relationship[Any] | None, owner: type[Entity], members: list[Entity]
    ) -> None:
        # (Set here, not declared on the class: a Relationship there is a descriptor.)
        self.rel: Relationship[Any] | None = rel  # None: that class has no such relationship
        self.owner = owner
        self.members = members
        self.load: Load[list[Entity]] | None = None  # once prepared
        self.answer: Future[Any] | None = None  # once its read is sent
        self.result: list[Entity] | None = None  # once merged
        self._loaded: bool | None = None

    def keys_loaded(self, loader: Loader) -> bool:
        """Whether preparing it reads only fields its objects hold (asked once: a
        field once loaded stays so)."""
        if self._loaded is None:
            self._loaded = self.rel is not None and loader.reads_loaded(self.rel, self.members)
        return self._loaded

    def merges(self, loader: Loader) -> Classes:
        """What it may merge: its target's class, and its owners' when it reads a
        field they lack (which loads it). A step bound to fail blocks all."""
        if self.rel is None:
            return None
        merged = merged_by(self.rel)
        if merged is None or self.keys_loaded(loader):
            return merged
        return merged | {self.owner}

    def reads(self) -> Classes:
        """The classes whose objects its preparation reads: its owners', its target's."""
        merged = None if self.rel is None else merged_by(self.rel)
        return None if merged is None else merged | {self.owner}


@attrs.define(eq=False)
class _Node:
    """One relationship of the include tree (a path's part), and what loading it gave."""

    name: str
    path: str  # the first path naming it, for messages
    parent: _Node | None
    classes: Classes  # the classes its loads may merge (and its objects' classes)
    children: dict[str, _Node] = attrs.Factory(dict)
    steps: list[_Step] | None = None  # once its parent's objects are known
    level: list[Entity] | None = None  # its objects, once merged


def _tree(objs: list[Entity], paths: Sequence[str]) -> _Node:
    """The include tree: a path's prefix that another path names too is one node,
    loaded once."""
    root = _Node("", "", None, frozenset(type(o) for o in objs), level=objs)
    for path in paths:
        node = root
        for name in path.split("."):
            child = node.children.get(name)
            if child is None:
                child = _Node(name, path, node, _targets(node.classes, name))
                node.children[name] = child
            node = child
    return root


def _targets(classes: Classes, name: str) -> Classes:
    """What a load of the relationship ``name`` of objects of ``classes`` may merge."""
    if classes is None:
        return None
    out: set[type[Entity]] = set()
    for cls in classes:
        rel = cls.__relationships__.get(name)
        merged = merged_by(rel) if rel is not None else None  # None: refused at its turn
        if merged is None:
            return None
        out |= merged
    return frozenset(out)


def merged_by(rel: Relationship[Any]) -> Classes:
    """The classes a load of ``rel`` may merge objects of (None: any)."""
    if rel.polymorphic:
        return None
    target = rel.target
    table = REGISTRY.get("EntityRow")
    if table is not None and issubclass(target, table):
        # Answers about the entities table may call their rows "Entity": merging
        # them loads the entity types (ReadPath.entity_kinds), whose ids the asset
        # types share.
        return frozenset({target, REGISTRY["EntityType"], REGISTRY["AssetType"]})
    return frozenset({target})


def _preorder(node: _Node) -> Iterator[_Node]:
    """The nodes in the order the sequential run loads them: path by path."""
    for child in node.children.values():
        yield child
        yield from _preorder(child)


def _union(a: Classes, b: Classes) -> Classes:
    return None if a is None or b is None else a | b


def _overlap(a: Classes, b: Classes) -> bool:
    if a is None or b is None:
        return True
    return any(issubclass(x, y) or issubclass(y, x) for x in a for y in b)


class _Plan:
    """The loads of one include tree, merged in plan order, read ahead where they may."""

    def __init__(self, loader: Loader, root: _Node) -> None:
        self.loader = loader
        self.order = list(_preorder(root))

    def run(self, pool: SideBySide | None) -> None:
        """Merge every load in plan order; with a ``pool``, send ahead the reads of
        the loads that may go early."""
        for index, node in enumerate(self.order):
            steps = self._steps(node)
            for step in steps:
                if pool is not None:
                    self._start_ahead(pool, index, step)
                step.result = self._finish(node, step)
            node.level = [obj for step in steps for obj in step.result or ()]

    def _steps(self, node: _Node) -> list[_Step]:
        """The node's loads, one per class of its parent's objects, in their order."""
        if node.steps is None:
            assert node.parent is not None and node.parent.level is not None
            by_type: dict[type[Entity], list[Entity]] = defaultdict(list)
            for obj in node.parent.level:
                by_type[type(obj)].append(obj)
            node.steps = [
                _Step(cls.__relationships__.get(node.name), cls, members)
                for cls, members in by_type.items()
            ]
        return node.steps

    def _finish(self, node: _Node, step: _Step) -> list[Entity]:
        """Merge one load at its turn (reading it now if it was not read ahead)."""
        if step.rel is None:
            raise ValidationError(
                f"{step.owner.__name__} has no relationship {node.name!r} (in {node.path!r})"
            )
        load = step.load or self.loader.prepare(step.rel, step.members)
        if step.answer is None:
            return load.run()
        load.before()
        return load.after(step.answer.result())  # raises what the read raised

    def _start_ahead(self, pool: SideBySide, index: int, current: _Step) -> None:
        """Send the reads of the loads after ``current`` whose objects are loaded and
        that no unfinished load before them may change."""
        unfinished: list[Classes] = []  # what the loads not merged yet may merge
        for node in self.order[index:]:
            parent = node.parent
            if node.steps is None and parent is not None and parent.level is not None:
                self._steps(node)
            if node.steps is None:  # its owners' fields may load too
                unfinished.append(_union(node.classes, parent.classes if parent else None))
                continue
            for step in node.steps:
                if step.result is not None:
                    continue
                if step is not current and step.load is None and self._may_start(step, unfinished):
                    self._start(pool, step)
                unfinished.append(step.merges(self.loader))

    def _may_start(self, step: _Step, unfinished: list[Classes]) -> bool:
        reads = step.reads()
        if step.rel is None or any(_overlap(merged, reads) for merged in unfinished):
            return False
        # Preparing it must read only loaded fields: a missing one would load now.
        return step.keys_loaded(self.loader)

    def _start(self, pool: SideBySide, step: _Step) -> None:
        """Prepare a load ahead of its turn, and send its read."""
        assert step.rel is not None
        step.load = self.loader.prepare(step.rel, step.members)
        if step.load.read is not None:
            step.answer = pool.submit(step.load.read)
