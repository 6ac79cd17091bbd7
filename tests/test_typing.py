"""The front door is typed for the user's type checker: mypy (strict) over the README's
Python code, over examples/, and over the types a user's code sees (``reveal_type``).

One mypy run over every file at once; the cache lives in .mypy_cache, so a run
after the first checks only what changed.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

ROOT = Path(__file__).resolve().parent.parent

# What a README block uses without defining it (it is a fragment of a longer
# script): declared, typed, before the block. Keyed by a line of the block.
PRELUDES = {
    "task.start(": """
        import kitsu_orm
        task: kitsu_orm.Task
        artist: kitsu_orm.Person
    """,
    "my_tool.count_sequences(": """
        class _MyTool:
            def count_sequences(self, project_id: str) -> int:
                return 0
        my_tool = _MyTool()
    """,
}

# What a user's code reads, and the type mypy must see for it.
REVEALS = """
import kitsu_orm as kitsu
from kitsu_orm import Project, Sequence, Shot
from kitsu_orm.fake_transport import FakeTransport
from kitsu_orm.protocols import TransportProtocol
from kitsu_orm.transport import Transport


def user_code(p: Project, seq: Sequence) -> None:
    reveal_type(Shot.where(project=p).first())  # first
    reveal_type(Shot.where(project=p))  # where
    reveal_type(Shot.query().all())  # all
    as_list: list[Shot] = Shot.query().all()  # a ResultList is a list[Shot]
    reveal_type(as_list[0])  # item
    reveal_type(Shot.query().all()[1:])  # slice
    reveal_type(Shot.where(project=p).one())  # one
    reveal_type(Shot.get("id"))  # get
    reveal_type(Shot.get_or_create(name="SH01", sequence=seq))  # get_or_create
    shot = Shot.get("id")
    for each in Shot.where(project=p):
        reveal_type(each)  # iteration
    reveal_type(shot.sequence)  # sequence
    reveal_type(shot.tasks)  # tasks
    reveal_type(Shot.sequence)  # class access
    reveal_type(shot.frame_in)  # frame_in
    if shot.sequence is not None:
        reveal_type(shot.sequence.name)  # name
    new = Shot(name="SH02", sequence=seq, project=p, frame_in=1, frame_out=24)
    new.sequence = seq
    task = kitsu.Task(entity=new, assignees=[kitsu.Person()])
    reveal_type(task.assignees)  # assignees
    fake: TransportProtocol = FakeTransport()
    real: TransportProtocol = Transport("http://kitsu.test")
    kitsu.Session(transport=fake)
    kitsu.connect("http://kitsu.test", transport=real, cache="on", workers=2)
"""

EXPECTED = {
    "first": r"kitsu_orm\.model\.production\.Shot \| None|Union\[kitsu_orm\.model\.production\.Shot, None\]",
    "where": r"kitsu_orm\.query\.Query\[kitsu_orm\.model\.production\.Shot\]",
    "all": r"kitsu_orm\.display\.ResultList\[kitsu_orm\.model\.production\.Shot\]",
    "item": r"kitsu_orm\.model\.production\.Shot$",
    "slice": r"kitsu_orm\.display\.ResultList\[kitsu_orm\.model\.production\.Shot\]",
    "one": r"kitsu_orm\.model\.production\.Shot$",
    "get": r"kitsu_orm\.model\.production\.Shot$",
    "get_or_create": r"kitsu_orm\.model\.production\.Shot$",
    "iteration": r"kitsu_orm\.model\.production\.Shot$",
    "sequence": r"kitsu_orm\.model\.production\.Sequence \| None",
    "tasks": r"RelatedList\[kitsu_orm\.model\.tasks\.Task\]",
    "class access": r"ToOne\[kitsu_orm\.model\.production\.Sequence\]",
    "frame_in": r"(builtins\.)?int \| None",
    "name": r"(builtins\.)?str$",
    "assignees": r"RelatedList\[kitsu_orm\.model\.people\.Person\]",
}

# Mistakes a type checker must catch: (code, a piece of mypy's message).
MISTAKES = """
from kitsu_orm import Sequence, Shot, Task


def mistakes(seq: Sequence, shot: Shot) -> None:
    Shot(name="SH01", sequnce=seq)  # typo
    Shot(sequence=shot)  # wrong target
    shot.sequence = shot  # wrong assignment
    Task(comments=[])  # read-only
"""

EXPECTED_ERRORS = {
    "typo": 'Unexpected keyword argument "sequnce"',
    "wrong target": 'Argument "sequence" to "Shot" has incompatible type "Shot"',
    "wrong assignment": "Incompatible types in assignment",
    "read-only": 'Argument "comments" to "Task"',
}


def readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.M | re.S)


def with_prelude(block: str) -> str:
    prelude = "".join(
        textwrap.dedent(code) for marker, code in PRELUDES.items() if marker in block
    )
    return prelude + block


def test_the_readme_has_python_to_check() -> None:
    assert len(readme_blocks()) >= 2


def test_mypy_strict_passes_on_the_readme_and_examples_and_reveals_the_types(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = []
    for n, block in enumerate(readme_blocks()):
        path = tmp_path / f"readme_block_{n}.py"
        path.write_text(with_prelude(block), encoding="utf-8")
        files.append(path)
    reveals = tmp_path / "typing_reveals.py"
    reveals.write_text(REVEALS, encoding="utf-8")
    mistakes = tmp_path / "typing_mistakes.py"
    mistakes.write_text(MISTAKES, encoding="utf-8")
    examples = sorted((ROOT / "examples").glob("*.py"))
    assert examples

    monkeypatch.chdir(ROOT)  # mypy finds kitsu_orm here, as the package checked
    out, err, _ = mypy_api.run(
        [
            "--strict",
            "--python-version=3.10",
            "--no-error-summary",
            "--show-error-codes",
            "--hide-error-context",
            f"--cache-dir={ROOT / '.mypy_cache' / 'test_typing'}",
            *map(str, [*files, *examples, reveals, mistakes]),
        ]
    )
    assert not err, err
    lines = out.splitlines()

    # By file name: mypy reports a file its cache holds unchanged under the path it had
    # when checked, in another temporary folder.
    errors = [line for line in lines if ": error:" in line and mistakes.name not in line]
    assert not errors, "\n".join(errors)

    revealed = _notes_by_comment(lines, reveals, REVEALS, "Revealed type is ")
    for what, pattern in EXPECTED.items():
        assert re.search(pattern, revealed.get(what, "")), (what, revealed.get(what))

    caught = _notes_by_comment(lines, mistakes, MISTAKES, "error: ")
    for what, message in EXPECTED_ERRORS.items():
        assert message in caught.get(what, ""), (what, caught.get(what))


def _notes_by_comment(lines: list[str], path: Path, source: str, marker: str) -> dict[str, str]:
    """mypy's messages on each line of ``source`` that ends in a ``# comment``, by comment."""
    comments = {
        n: line.rsplit("# ", 1)[1]
        for n, line in enumerate(source.splitlines(), start=1)
        if "  # " in line
    }
    found: dict[str, str] = {}
    for line in lines:
        match = re.match(rf".*{re.escape(path.name)}:(\d+): ", line)
        if match is None or marker not in line:
            continue
        number = int(match.group(1))
        if number in comments:
            text = line.split(marker, 1)[1].strip().strip('"')
            found[comments[number]] = (found.get(comments[number], "") + " " + text).strip()
    return found
