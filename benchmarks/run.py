"""Run every benchmark side by side in one network profile and write docs/performance.md.

``make bench`` runs this (``make bench PROFILE=remote`` sets ``BENCH_PROFILE``).
Order: the bench production (built once, reused), transport overhead, R1
review sheet, W1-W3 writes, M1 memory and import time (loopback only: no
network in them), C1 the review sheet from a cold and a warm disk cache,
farm: 200 processes reading one shot's job context (gazu, disk cache, shared
Redis tier). A workload that fails is reported as failed and the others
still run; the exit status is 1 when any failed.

Each profile's run is kept in ``benchmarks/results/<profile>.json``;
docs/performance.md is rendered from every profile's latest run, so a run of
one profile rewrites its part and keeps the others'.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import attrs
import cache_warm
import cattrs
import farm
import footprint
import production
import review_sheet
import transport_overhead
import writes
from _common import PROFILES, Profile, Result, bench_server, profile

import kitsu_orm

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "performance.md"
RESULTS = ROOT / "benchmarks" / "results"
LOOPBACK_ONLY = ("M1/import",)  # no network in them: the remote profile skips them


@attrs.define
class Run:
    """One profile's whole run, as kept between runs."""

    profile: str
    info: dict[str, dict[str, str]]
    seconds: float
    results: list[Result]
    failures: dict[str, str] = attrs.Factory(dict)
    skipped: list[str] = attrs.Factory(list)

    def save(self) -> Path:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{self.profile}.json"
        path.write_text(json.dumps(_CONVERTER.unstructure(self), indent=1) + "\n")
        return path

    @classmethod
    def load(cls, name: str) -> Run | None:
        path = RESULTS / f"{name}.json"
        return _CONVERTER.structure(json.loads(path.read_text()), cls) if path.exists() else None


_CONVERTER = cattrs.Converter()


def _versions() -> dict[str, str]:
    import gazu

    server = bench_server()
    transport = production.connect()
    zou = transport.get("").get("version", "?")
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "?"
    return {"zou": f"{zou} (local server `{server.name}`, 3 gunicorn workers)",
            "gazu": gazu.__version__, "kitsu_orm": f"{kitsu_orm.__version__} ({commit})"}


def _machine() -> dict[str, str]:
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return {"cores (nproc)": str(os.cpu_count()),
            "Python": f"{platform.python_version()} ({platform.python_implementation()})",
            "system": f"{platform.system()} {platform.release()} {platform.machine()}",
            "load average at start": load}


def _row(result: Result) -> list[str]:
    lines = []
    for side in result.sides:
        name = f"{side.name} *" if side.name == result.reference else side.name
        requests = "" if side.request_count is None else str(side.request_count)
        if side.value is not None:
            amount = f"{side.value / 2**20:.2f} MiB" if side.unit.startswith("bytes") else (
                f"{side.value:.3g} {side.unit}")
            cell = f"| {name} | {side.how} | {requests} | {amount} |"
        else:
            cell = f"| {name} | {side.how} | {requests} | {result.show(side.median)} |"
        ratio = result.ratio(side.name)
        lines.append(f"{cell} {ratio:.2f} |")
    return lines


def _summary(runs: dict[str, Run | None]) -> list[str]:
    """The key figures of every profile side by side, and how many targets each met."""
    names = list(runs)
    out = ["## Summary", "",
           "| workload | figure | " + " | ".join(names) + " |",
           "|---|---|" + "---|" * len(names)]
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for name, run in runs.items():
        for result in run.results if run else []:
            for label, figure in result.figures.items():
                rows.setdefault((result.key, label), {})[name] = figure
    for (key, label), cells in rows.items():
        out.append(f"| {key} | {label} | " + " | ".join(cells.get(n, "") for n in names) + " |")
    met = []
    for run in runs.values():
        targets = [t for r in run.results for t in r.targets] if run else []
        met.append(f"{sum(t.met for t in targets)} of {len(targets) + len(run.failures)}"
                   if run else "not run yet")
    out.append("| all | targets met | " + " | ".join(met) + " |")
    return out


def _section(wanted: Profile, run: Run | None) -> list[str]:
    """One profile's part: when and where it ran, its targets, then every workload."""
    out = [f"## {wanted.name.capitalize()} profile", "", f"**Network**: {wanted.about}.", ""]
    if run is None:
        return out + [f"Not run yet: `make bench PROFILE={wanted.name}`.", ""]
    for title, values in run.info.items():
        out.append(f"**{title}**: " + "; ".join(f"{k} {v}".strip() for k, v in values.items()))
        out.append("")
    out.append(f"Whole run: {run.seconds / 60:.1f} min.")
    if run.skipped:
        out.append(f"Not run in this profile: {', '.join(run.skipped)} (no network in them).")
    out += ["", f"### Targets ({wanted.name})", "",
            "| profile | workload | target | measured | met |", "|---|---|---|---|---|"]
    for result in run.results:
        for target in result.targets:
            out.append(f"| {wanted.name} | {result.key} | {target.text} | {target.measured} | "
                       f"{'yes' if target.met else '**no**'} |")
    for key, error in run.failures.items():
        out.append(f"| {wanted.name} | {key} | ran to the end | failed: {error} | **no** |")
    out.append("")
    for result in run.results:
        value_side = any(s.value is not None for s in result.sides)
        unit = "retained" if value_side else f"median {result.unit}"
        out += [f"### {result.key} ({wanted.name}): {result.title}", "",
                f"| side | how | requests | {unit} | ratio |", "|---|---|---|---|---|"]
        out += _row(result)
        out.append("")
        out += [f"- {note}" for note in result.notes]
        if result.notes:
            out.append("")
    return out


def render(runs: dict[str, Run | None]) -> str:
    out = ["# Performance", "",
           "Written by `make bench` (`benchmarks/run.py`); do not edit by hand. Every",
           "workload runs side by side with its baseline on the same local Kitsu in one",
           "run, interleaved; times are medians, request counts are exact (one run).",
           "The ratio column is each side's median divided by the reference side's",
           "(marked *): above 1 means slower (or bigger) than the reference. How each",
           "side is written is in the docstring of its script in `benchmarks/`.", "",
           "Two network profiles: `make bench` (loopback) puts the clients on the",
           "server's machine; `make bench PROFILE=remote` puts every benchmarked client,",
           "kitsu_orm, gazu and raw requests alike, behind a latency proxy that makes the",
           "local Zou a hosted Kitsu. A run rewrites its own profile's part and keeps the",
           "other's (`benchmarks/results/<profile>.json`): compare ratios within a",
           "profile's run, and across profiles only as orders of magnitude.", ""]
    out += _summary(runs)
    out.append("")
    for name, run in runs.items():
        out += _section(PROFILES[name], run)
    return "\n".join(out).rstrip() + "\n"


def main() -> int:
    began = time.perf_counter()
    wanted = profile()
    print(f"== profile {wanted.name}: {wanted.about}", flush=True)
    info = {"Date": {"": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")},
            "Machine": _machine(), "Versions": _versions()}
    results: list[Result] = []
    failures: dict[str, str] = {}
    steps: list[tuple[str, Callable[[], object]]] = [
        ("production", production.main),
        ("transport", transport_overhead.main),
        ("R1", review_sheet.main),
        ("W1-W3", writes.main),
        ("M1/import", footprint.main),
        ("C1", cache_warm.main),
        ("farm", farm.main),
    ]
    skipped = [key for key, _ in steps if wanted.remote and key in LOOPBACK_ONLY]
    for key, step in steps:
        if key in skipped:
            continue
        print(f"== {key}", flush=True)
        started = time.perf_counter()
        try:
            found = step()
        except Exception as exc:  # one broken workload must not hide the others
            traceback.print_exc()
            failures[key] = f"{type(exc).__name__}: {exc}".replace("|", "/")[:300]
            continue
        finally:
            print(f"== {key}: {time.perf_counter() - started:.1f} s", flush=True)
        if isinstance(found, Result):
            results.append(found)
        elif isinstance(found, list):
            results.extend(r for r in found if isinstance(r, Result))
        elif isinstance(found, dict) and key == "production":
            info["Bench production"] = {
                "": f"`{production.PROJECT_NAME}` ready in {found['seconds']:.1f} s "
                    f"({found['requests']} requests; built once, then reused)"}
    seconds = time.perf_counter() - began
    info["Machine"]["load average at end"] = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    saved = Run(wanted.name, info, seconds, results, failures, skipped).save()
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(render({name: Run.load(name) for name in PROFILES}))
    print(f"wrote {saved.relative_to(ROOT)} and {OUTPUT.relative_to(ROOT)} "
          f"in {seconds / 60:.1f} min")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
