"""Packaging: the version is defined once (kitsu_orm.__version__), and the installed
metadata, setup.cfg, the changelog and the licence agree with it."""

from __future__ import annotations

import configparser
import re
from importlib import metadata
from pathlib import Path

import kitsu_orm

ROOT = Path(__file__).resolve().parent.parent


def _setup_cfg() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    return config


def test_the_version_is_read_from_the_package() -> None:
    assert _setup_cfg()["metadata"]["version"] == "attr: kitsu_orm.__version__"
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?", kitsu_orm.__version__)


def test_the_installed_version_is_the_package_version() -> None:
    # An editable install records the version when it is made: reinstall after a bump.
    assert metadata.version("kitsu-orm") == kitsu_orm.__version__


def test_the_changelog_opens_on_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## (\S+)", changelog, re.MULTILINE)
    assert first is not None, "CHANGELOG.md has no version heading"
    release = re.sub(r"(\.dev\d+|\.post\d+)$", "", kitsu_orm.__version__)
    assert first.group(1) == release


def test_the_licence_is_the_declared_one() -> None:
    config = _setup_cfg()["metadata"]
    assert config["license"] == "MIT"
    assert "License ::" not in config["classifiers"]  # the SPDX expression says it
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License")
    assert "the kitsu-orm authors" in licence
    installed = metadata.metadata("kitsu-orm")
    assert "MIT" in (installed["License-Expression"], installed["License"])
