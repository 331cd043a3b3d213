"""Render speed: `nps-toolkit render` vs a naive loop of the papermill and nbconvert commands.

Both render the same 12 small surveys (waves and segments of the b2b example
survey) from the same template:

* toolkit: ``render_reports`` - parallel workers (default: CPUs), each reusing one
  kernel for its surveys, HTML exported in-process, plus tables and provenance;
* naive: for each survey, ``papermill template.ipynb out.ipynb -y <params>`` and
  ``jupyter nbconvert --to html --no-input out.ipynb``, one after the other
  (no tables, no provenance: less work than the toolkit does).

Prints both wall times and the ratio.  Target: at least 2.5x on 2 cores.

    .venv/bin/python benchmarks/render_speed.py            # 12 surveys
    .venv/bin/python benchmarks/render_speed.py --surveys 4 --jobs 2
    .venv/bin/python benchmarks/render_speed.py --fresh-kernels   # also without kernel reuse

Measured on the 2-core development machine (shared with other jobs, so noisy):
3.0x, 4.5x (busy) and 6.4-7.0x (quiet: 31-34 s vs 217-220 s; with a fresh kernel per
survey the toolkit took 64 s, so kernel reuse and parallel workers each roughly halve the time).
"""

from __future__ import annotations

import argparse
import os
import shutil
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
    import nps_toolkit as nps
    from nps_toolkit.datasets import write_example

    write_example("b2b-annual", folder / "b2b.csv")
    assert len(FILTERS) >= count
    surveys = [
        {"name": f"bench {i + 1:02d} {f}", "data": "b2b.csv", "filter": f, "n_resamples": 200}
        for i, f in enumerate(FILTERS[:count])
    ]
    config = folder / "surveys.yml"
    config.write_text(yaml.safe_dump({"surveys": surveys}, sort_keys=False), encoding="utf-8")
    nps.report.load_config(config)  # validate before timing anything
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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surveys", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=None, help="toolkit workers (default CPUs)")
    parser.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="also time the toolkit with a new kernel per survey (shows what kernel reuse adds)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        config = make_config(tmp, args.surveys)
        t_tool = toolkit(config, tmp / "toolkit", args.jobs)
        n_html = len(list((tmp / "toolkit").glob("*/report.html")))
        t_fresh = (
            toolkit(config, tmp / "fresh", args.jobs, reuse=False) if args.fresh_kernels else None
        )
        t_naive = naive(config, tmp / "naive")
        n_naive = len(list((tmp / "naive").glob("*/report.html")))
        shutil.rmtree(tmp / "toolkit", ignore_errors=True)
    print(f"surveys: {args.surveys}  cpus: {os.cpu_count()}  jobs: {args.jobs or os.cpu_count()}")
    print(f"toolkit render_reports : {t_tool:7.1f} s  ({n_html} HTML reports)")
    if t_fresh is not None:
        print(f"toolkit, fresh kernels  : {t_fresh:7.1f} s  (parallel + in-process HTML only)")
    print(f"naive papermill+nbconvert: {t_naive:7.1f} s  ({n_naive} HTML reports)")
    print(f"ratio naive / toolkit   : {t_naive / t_tool:7.2f}x  (target >= 2.5x on 2 cores)")


if __name__ == "__main__":
    main()
