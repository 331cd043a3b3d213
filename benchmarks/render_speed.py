"""Render speed: `nps-toolkit render` vs a naive loop of the papermill and nbconvert commands.

Both render the same 12 small surveys (waves and segments of the b2b example
survey) from the same template:

* toolkit: ``render_reports`` - parallel workers (default: CPUs), each reusing one
  kernel for its surveys, HTML exported in-process, plus tables and provenance;
* naive: for each survey, ``papermill template.ipynb out.ipynb -y <params>`` and
  ``jupyter nbconvert --to html --no-input out.ipynb``, one after the other
  (no tables, no provenance: less work than the toolkit does).

Prints both wall times and the ratio.  Target: at least 8x on 2 cores.

``--single`` measures what a researcher waits for most often, one full report:

* floor: ``papermill`` plus ``jupyter nbconvert --to html --no-input`` of a
  notebook that only imports pandas, matplotlib and nps_toolkit and draws one
  chart: the least any notebook report costs;
* toolkit: ``nps-toolkit render`` of the b2b wave-7 entry of ``surveys.yml``
  (segments, drivers, trend, comments, bootstrap intervals), a fresh command,
  with ``outputs: [html]`` as the floor (the PDF, slides and banner workbook
  are extra deliverables the floor does not make; the summary tables and
  provenance are still written).

Without ``--single`` or ``--batch`` both run, and then the first-``tag_themes``
benchmark of ``themes_speed.py`` (target <= 2x a bare ``import pandas``), so
that one run shows all three speed targets.

In both modes each side is run ``--repeat`` times (default 3), alternated,
and the medians and their ratio are printed; the single mode also prints the
slowest cells of the toolkit's report (papermill's per-cell durations).

    .venv/bin/python benchmarks/render_speed.py            # both, then the first tag_themes
    .venv/bin/python benchmarks/render_speed.py --batch    # 12 surveys only
    .venv/bin/python benchmarks/render_speed.py --batch --surveys 4 --jobs 2
    .venv/bin/python benchmarks/render_speed.py --batch --fresh-kernels  # also without reuse
    .venv/bin/python benchmarks/render_speed.py --single   # one survey against the floor

Measured in one run on the 2-core development machine, medians of 3:
--single: floor 4.7 s, toolkit 4.0 s, ratio 0.84 (CPU seconds 4.8 vs 4.4,
0.93); batch: toolkit 8.6 s, naive 83.9 s, 9.71x; first tag_themes 1.11x a
bare import pandas.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

FILTERS = (
    [f"wave == {w}" for w in range(1, 8)]
    + [f"tenure == '{t}'" for t in ("new", "long-term", "at-risk")]
    + [f"region == '{r}'" for r in ("North", "South")]
)


def make_config(folder: Path, count: int) -> Path:
    from nps_toolkit import reporting
    from nps_toolkit.datasets import write_example

    write_example("b2b-annual", folder / "b2b.csv")
    assert len(FILTERS) >= count
    surveys = [
        {
            "name": f"bench {i + 1:02d} {f}",
            "data": "b2b.csv",
            "filter": f,
            "n_resamples": 200,
            "outputs": ["html"],  # what the naive loop makes (no PDF, no slides)
        }
        for i, f in enumerate(FILTERS[:count])
    ]
    config = folder / "surveys.yml"
    config.write_text(yaml.safe_dump({"surveys": surveys}, sort_keys=False), encoding="utf-8")
    reporting.load_config(config)  # validate before timing anything
    return config


def naive(config: Path, out: Path) -> float:
    from nps_toolkit import reporting as report

    surveys = report.load_config(config)
    start = time.perf_counter()
    for s in surveys:
        folder = out / s.slug
        folder.mkdir(parents=True)
        nb = folder / "report.ipynb"
        params = yaml.safe_dump(s.parameters)
        for cmd in (
            [BIN / "papermill", str(report.TEMPLATE), str(nb), "-y", params, "-k", "python3"],
            [BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", str(nb)],
        ):
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode:
                raise SystemExit(f"naive render of {s.name!r} failed:\n{proc.stderr[-2000:]}")
    return time.perf_counter() - start


def toolkit(config: Path, out: Path, jobs: int | None, reuse: bool = True) -> float:
    from nps_toolkit import reporting as report

    start = time.perf_counter()
    table = report.render_reports(
        config, jobs=jobs, output_dir=out, progress=False, reuse_kernels=reuse
    )
    elapsed = time.perf_counter() - start
    failed = table[table["status"] != "ok"]
    if len(failed):
        raise SystemExit(f"toolkit render failed:\n{failed.to_string()}")
    return elapsed


SINGLE = "B2B customer survey 2025 (wave 7)"

FLOOR_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": (
                "%matplotlib inline\n"
                "import matplotlib.pyplot as plt\n"
                "import pandas as pd\n"
                "import nps_toolkit as nps\n"
                "\n"
                "scores = pd.Series([10, 9, 8, 7, 6, 3, 10, 9])\n"
                "ax = nps.classify(scores).value_counts().sort_index().plot.bar()\n"
                "ax.set_title(f'NPS {nps.nps(scores):.0f}')\n"
                "plt.show()\n"
            ),
        }
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


def single_config(folder: Path) -> Path:
    """surveys.yml holding only the wave-7 entry of the repository's surveys.yml."""
    from nps_toolkit import reporting as report
    from nps_toolkit.datasets import write_example

    spec = yaml.safe_load((ROOT / "surveys.yml").read_text(encoding="utf-8"))
    entry = next(s for s in spec["surveys"] if s["name"] == SINGLE)
    entry["outputs"] = ["html"]  # the floor makes HTML only: no PDF, slides or banner workbook
    data = folder / entry["data"]
    data.parent.mkdir(parents=True, exist_ok=True)
    write_example("b2b-annual", data)
    config = folder / "surveys.yml"
    keep = {"defaults": spec.get("defaults", {}), "surveys": [entry]}
    config.write_text(yaml.safe_dump(keep, sort_keys=False), encoding="utf-8")
    report.load_config(config)
    return config


def children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far."""
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def floor(folder: Path) -> float:
    nb = folder / "floor.ipynb"
    nb.write_text(json.dumps(FLOOR_NOTEBOOK), encoding="utf-8")
    out = folder / "floor-out.ipynb"
    start = time.perf_counter()
    for cmd in (
        [BIN / "papermill", str(nb), str(out), "-k", "python3"],
        [BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", str(out)],
    ):
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=folder)
        if proc.returncode:
            raise SystemExit(f"floor notebook failed:\n{proc.stderr[-2000:]}")
    return time.perf_counter() - start


def single(config: Path, out: Path) -> float:
    cmd = [BIN / "nps-toolkit", "render", "--config", str(config), "--output", str(out)]
    start = time.perf_counter()
    proc = subprocess.run(
        [*cmd, "--no-progress", "--force", SINGLE], capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"nps-toolkit render failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return elapsed


def slowest_cells(notebook: Path, k: int = 6) -> list[tuple[float, str]]:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cells = []
    for cell in nb["cells"]:
        seconds = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if cell["cell_type"] == "code" and seconds is not None:
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            first = next((line for line in source.splitlines() if line.strip()), "")
            cells.append((seconds, first[:70]))
    return sorted(cells, reverse=True)[:k]


def main_single(repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        config = single_config(tmp)
        t_floor, t_tool, cpu_floor, cpu_tool = [], [], [], []
        for _ in range(repeat):
            cpu = children_cpu()
            t_floor.append(floor(tmp))
            cpu_floor.append(children_cpu() - cpu)
            cpu = children_cpu()
            t_tool.append(single(config, tmp / "reports"))
            cpu_tool.append(children_cpu() - cpu)
        report_nb = next((tmp / "reports").glob("*/report.ipynb"))
        cells = slowest_cells(report_nb)
    f, t = statistics.median(t_floor), statistics.median(t_tool)
    print(f"one survey ({SINGLE}), median of {repeat}, cpus: {os.cpu_count()}")
    print(f"floor papermill+nbconvert   : {f:7.1f} s  {[round(x, 1) for x in t_floor]}")
    print(f"nps-toolkit render          : {t:7.1f} s  {[round(x, 1) for x in t_tool]}")
    print(f"ratio toolkit / floor       : {t / f:7.2f}   (target <= 1.0)")
    cf, ct = statistics.median(cpu_floor), statistics.median(cpu_tool)
    print(f"CPU seconds (all processes) : floor {cf:.1f}, toolkit {ct:.1f}, ratio {ct / cf:.2f}")
    print("slowest cells of the report (papermill durations, last run):")
    for seconds, first in cells:
        print(f"  {seconds:6.2f} s  {first}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surveys", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=None, help="toolkit workers (default CPUs)")
    parser.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="also time the toolkit with a new kernel per survey (shows what kernel reuse adds)",
    )
    parser.add_argument(
        "--single", action="store_true", help="only one full survey against the floor notebook"
    )
    parser.add_argument("--batch", action="store_true", help="only the batch against the loop")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each, alternated (medians are compared)"
    )
    args = parser.parse_args(argv)
    if not args.batch:
        main_single(args.repeat)
    if not args.single:
        if not args.batch:
            print()
        main_batch(args)
    if not (args.single or args.batch):  # the third speed target, in the same run
        print()
        _themes_speed().bench_first_call()


def _themes_speed():
    """``benchmarks/themes_speed.py``: its first-``tag_themes`` benchmark."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "themes_speed", ROOT / "benchmarks" / "themes_speed.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main_batch(args) -> None:
    t_tool, t_naive, t_fresh = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        config = make_config(tmp, args.surveys)
        for r in range(args.repeat):
            t_tool.append(toolkit(config, tmp / f"toolkit{r}", args.jobs))
            n_html = len(list((tmp / f"toolkit{r}").glob("*/report.html")))
            if args.fresh_kernels:
                t_fresh.append(toolkit(config, tmp / f"fresh{r}", args.jobs, reuse=False))
            t_naive.append(naive(config, tmp / f"naive{r}"))
            n_naive = len(list((tmp / f"naive{r}").glob("*/report.html")))
            for folder in (f"toolkit{r}", f"fresh{r}", f"naive{r}"):
                shutil.rmtree(tmp / folder, ignore_errors=True)
    tool, slow = statistics.median(t_tool), statistics.median(t_naive)
    print(f"surveys: {args.surveys}  cpus: {os.cpu_count()}  jobs: {args.jobs or os.cpu_count()}")
    print(f"median of {args.repeat} runs each, alternated")
    print(f"toolkit render_reports : {tool:7.1f} s  {_runs(t_tool)}  ({n_html} HTML reports)")
    if t_fresh:
        print(
            f"toolkit, fresh kernels  : {statistics.median(t_fresh):7.1f} s  {_runs(t_fresh)}"
            "  (parallel + in-process HTML only)"
        )
    print(f"naive papermill+nbconvert: {slow:7.1f} s  {_runs(t_naive)}  ({n_naive} HTML reports)")
    print(f"ratio naive / toolkit   : {slow / tool:7.2f}x  (target >= 8x on 2 cores)")


def _runs(times: list) -> list:
    return [round(x, 1) for x in times]


if __name__ == "__main__":
    main()
