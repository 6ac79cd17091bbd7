"""docs/migration.md: one row per function of gazu's usage page, and every name in it exists."""

from __future__ import annotations

import re
from pathlib import Path

import kitsu_orm as kitsu
from kitsu_orm.compat import gazu

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT.parent / "shared" / "reference" / "gazu-usage.md"
TABLE = ROOT / "docs" / "migration.md"


# The section after this heading holds gazu 1.3.1 functions the usage page does not call.
BEYOND = "## Beyond the usage page"


def _rows(page: bool | None = None) -> list[list[str]]:
    """The table's rows: the page's (``page=True``), the others (``False``), or all."""
    rows = []
    beyond = False
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            beyond = line.strip() == BEYOND
        if line.startswith("| `") and (page is None or page != beyond):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


# The page's Assets section writes these three without their ``gazu.asset.`` prefix.
_UNPREFIXED = {
    "asset.get_asset_instance",
    "asset.all_asset_instances_for_asset",
    "asset.all_asset_instances_for_shot",
}


def _page_functions() -> set[str]:
    if not PAGE.exists():
        return set()
    text = PAGE.read_text(encoding="utf-8")
    for name in _UNPREFIXED:
        assert f"= {name.split('.')[1]}(" in text, name
    return {f"{m}.{f}" for m, f in re.findall(r"gazu\.([a-z_]+)\.([a-z_]+)", text)} | _UNPREFIXED


def test_one_row_per_function_of_the_page() -> None:
    names = [re.findall(r"`([a-z_.]+)`", row[0])[0] for row in _rows(page=True)]
    beyond = [re.findall(r"`([a-z_.]+)`", row[0])[0] for row in _rows(page=False)]
    everything = names + beyond
    assert len(everything) == len(set(everything)), sorted(
        n for n in everything if everything.count(n) > 1
    )
    page = _page_functions()
    if page:  # the page ships beside the checkout (shared/reference)
        assert set(names) == page, (sorted(page - set(names)), sorted(set(names) - page))
    assert len(names) >= 121


def test_every_compat_call_exists() -> None:
    for name, _objects, compat in _rows():
        module, function = re.findall(r"`([a-z_.]+)`", name)[0].split(".")
        assert callable(getattr(getattr(gazu, module), function)), name
        for called in re.findall(r"gazu\.([a-z_]+)\.([a-z_]+)", compat):
            assert hasattr(getattr(gazu, called[0]), called[1]), (name, called)


def test_every_object_style_name_exists() -> None:
    checked = 0
    for name, objects, _compat in _rows():
        for cls_name, attribute in re.findall(r"(?<![\w.])([A-Z]\w+)\.(\w+)", objects):
            cls = getattr(kitsu, cls_name, None)
            assert cls is not None, (name, cls_name)
            assert hasattr(cls, attribute), (name, f"{cls_name}.{attribute}")
            checked += 1
        for attribute in re.findall(r"kitsu\.(\w+)", objects):
            assert hasattr(kitsu, attribute), (name, attribute)
    assert checked > 50


def test_one_row_per_function_of_every_module_the_facade_covers() -> None:
    """Every public function of gazu 1.3.1's modules that the facade covers (the
    signature test's list) has a row, found by introspection of gazu itself."""
    import importlib

    from test_compat_gazu_signatures import MODULES, gazu_functions

    rows = {re.findall(r"`([a-z_.]+)`", row[0])[0] for row in _rows()}
    missing = [
        f"{module}.{function}"
        for module in MODULES
        for function in gazu_functions(importlib.import_module(f"gazu.{module}"))
        if f"{module}.{function}" not in rows
    ]
    assert not missing, missing
    assert len(rows) >= 480
