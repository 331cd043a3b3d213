"""Reports from a large retail survey: the national report and one report per store.

Generates a synthetic retailer (500 stores in 5 regions, 5 driver ratings,
20 % of respondents commenting, survey weights, two years of answers) as a
folder of Parquet parts (one million rows each), then measures in one run:

* floor: DuckDB alone counting what the national report's count-based
  sections count (NPS overall, by region, by channel and by quarter) from
  the same parts: the least any report from these files costs;
* national: ``nps-toolkit render`` of one entry (``data:`` the glob of the
  parts, segments, drivers, comments, trend, default settings), its wall
  time and the peak memory of all its processes together (the command and
  its Jupyter kernel, RSS sampled every 0.1 s);
* stores: the same entry with ``split: store``: one report per store (500),
  their total wall time and peak memory; ``--stores K`` renders the first K
  stores only (a filter on the entry) and prints the time scaled to 500.

Each report has ``outputs: [html]``.  Prints the times, the ratio national /
floor, and the per-store time.

    .venv/bin/python benchmarks/scale_report.py                    # 100k rows
    taskset -c 1 .venv/bin/python benchmarks/scale_report.py --rows 1000000 --jobs 1
    .venv/bin/python benchmarks/scale_report.py --rows 5000000 --stores 50
    .venv/bin/python benchmarks/scale_report.py --coverage 1000    # driver interval coverage

``--coverage N`` instead runs the long version of the test of the drivers'
random-groups bootstrap (tests/test_drivers.py): N simulated surveys of
20,000 rows analysed from DuckDB sums, coverage of the 95 % interval of each
driver's population Shapley value, printed beside the row-by-row bootstrap's
coverage on the same surveys (the obvious alternative) and both times.

Measured on the 2-core development machine (shared with six other jobs), one
core (``taskset -c 1``), ``--jobs 1``, 2026-12-06:

==========  =========  ==========================  ==================================
rows        floor      national report             store reports (K rendered)
==========  =========  ==========================  ==================================
1M          0.69 s     49.9 s, 0.88 GiB (ratio 72)  20: 6.3 s a store, 0.67 GiB
5M          1.17 s     158 s, 2.69 GiB (ratio 136)  20: 8.6 s a store, 0.83 GiB
==========  =========  ==========================  ==================================

(The issue's baseline on the same kind of machine: 1M rows 76 s and 1.68 GiB;
5M rows failed after 600 s at 3.55 GiB.)  500 stores at these rates take
52 min (1M) and 71 min (5M) on one core: a store report's time is its
figures and HTML, not its data (its data cell takes 0.1-1.1 s).  20M rows
were not run: the national report still holds every row in pandas (about
0.5 GiB a million rows).

After the report read only its columns (``report.report_columns``, the
same machine and settings, national report only, ``--skip-stores``):
1M rows 23.9 s and 0.95 GiB (floor 0.18 s); 5M rows 73.4 s and 2.46 GiB
(floor 1.07 s); 20M rows 487.6 s and 7.77 GiB (floor 3.76 s; the core was
shared with other jobs: in one 150 s stretch the kernel got 49 s of CPU), far
from the issue's 3 minutes and 3 GiB.  The retailer's report uses all but
one of its columns (``store``), so reading fewer columns saves little here;
at 5M rows the kernel's frame is 0.35 GiB, but its memory reaches 1.1 GiB
while DuckDB hands the rows to pandas, and the comments section (42 of the
report's seconds) holds its tags beside the frame.

Counted where the data lives (``backend: auto`` above 2,000,000 rows, see
``nps_toolkit/reporting/counted.py``; ``--backend duckdb`` forces it at 1M),
the same machine with both cores shared with other helpers' jobs (load
average 5 to 7 throughout: wall times are about twice the CPU times),
``--skip-stores --jobs 1``, 2026-12-06:

==========  =========  ==============================================
rows        floor      national report (wall, CPU of all processes)
==========  =========  ==============================================
1M          0.31 s     21.1 s, 9.3 s CPU, 0.81 GiB (``--backend duckdb``)
5M          1.21 s     21.4 s, 12.6 s CPU, 0.81 GiB
20M         3.19 s     34.8 s, 24.1 s CPU, 0.89 GiB
==========  =========  ==============================================

within the issue's 3 minutes and 3 GiB at 20M rows.  The sections at 20M,
profiled in one process: drivers 22.5 s (two DuckDB passes of sums), comments
21.2 s (the sample 4.7 s, tagging and sentiment of its 100,000 comments),
segments 7.5 s, load 6.3 s, headline 3.8 s, trend 2.6 s.

All 500 store reports from the 5M parts (``--rows 5M --skip-national
--jobs 2``, both cores, one other helper's tests running part of the time,
2026-12-06): 489.6 s (8.2 min, 0.98 s a store; 810.6 s CPU of all processes),
peak 2.15 GiB, 500 ok: within the issue's 10 minutes.  Each worker kernel
keeps the report's columns of the parts in memory from its second store on
(``reporting/inputs.py``, ``_kept_dataset``).

``--coverage 200`` (one core): 95 % intervals of the three drivers' Shapley
values covered the population values in 0.940, 0.965 and 0.955 of the
surveys from DuckDB sums (random-groups bootstrap, 9.9 s in all) and in
0.930, 0.975 and 0.970 by the row-by-row bootstrap (58.7 s): 5.9 times
faster at 20,000 rows, and its cost does not grow with the rows in Python.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

SIZES = {"100k": 100_000, "1M": 1_000_000, "5M": 5_000_000, "20M": 20_000_000}
PART_ROWS = 1_000_000
DRIVERS = ["staff", "checkout_speed", "product_range", "price", "store_cleanliness"]
REGIONS = ["North", "South", "East", "West", "Capital"]
PHRASES = [
    "friendly staff",
    "the staff were rude",
    "long queue at the checkout",
    "fast checkout",
    "prices are too high",
    "good value for money",
    "store was clean and tidy",
    "dirty floors and messy shelves",
    "great product range",
    "could not find what I needed",
    "helpful assistant found my size",
    "the app crashed when paying",
    "parking was easy",
    "nothing special",
    "will come again",
]


def generate(rows: int, folder: Path, seed: int = 0) -> Path:
    """Write the retailer's answers as Parquet parts; the folder holding them."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    store_effect = rng.normal(0, 0.8, 500)
    start = pd.Timestamp("2024-01-01").value // 10**9
    for part, first in enumerate(range(0, rows, PART_ROWS)):
        n = min(PART_ROWS, rows - first)
        store = rng.integers(0, 500, n)
        z = rng.normal(size=n)
        ratings = 6.5 + 1.8 * (0.6 * z[:, None] + 0.8 * rng.normal(size=(n, len(DRIVERS))))
        score = 7 + 1.5 * z + store_effect[store] + rng.normal(0, 1.2, n)
        comment = np.where(
            rng.random(n) < 0.2,
            np.array(PHRASES, dtype=object)[rng.integers(0, len(PHRASES), n)],
            None,
        )
        df = pd.DataFrame(
            {
                "respondent_id": np.arange(first, first + n),
                "responded_at": pd.to_datetime(start + rng.integers(0, 730 * 86400, n), unit="s"),
                "store": pd.Series(store).map(lambda s: f"S{s:03d}"),
                "region": np.array(REGIONS)[store % 5],
                "channel": np.array(["in store", "click and collect"])[rng.integers(0, 2, n)],
                "recommend": np.clip(np.round(score), 0, 10).astype(np.int8),
                **{
                    d: np.clip(np.round(ratings[:, j]), 0, 10).astype(np.int8)
                    for j, d in enumerate(DRIVERS)
                },
                "comment": comment,
                "weight": rng.uniform(0.5, 2.0, n).round(3),
            }
        )
        df.to_parquet(folder / f"part-{part:03d}.parquet", index=False)
    return folder


def floor(folder: Path) -> float:
    """DuckDB counting the national report's counts from the parts: seconds."""
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect()
    src = f"read_parquet('{folder}/*.parquet')"
    cat = "CASE WHEN recommend >= 9 THEN 'p' WHEN recommend >= 7 THEN 'n' ELSE 'd' END"
    for by in ("", "region,", "channel,", "date_trunc('quarter', responded_at),"):
        con.sql(f"SELECT {by} {cat} AS c, count(*), sum(weight) FROM {src} GROUP BY ALL").fetchall()
    return time.perf_counter() - t0


class PeakMemory:
    """Peak of the summed RSS of a process and all its children, sampled every 0.1 s."""

    def __init__(self, pid: int):
        import psutil

        self.proc, self.peak, self._stop = psutil.Process(pid), 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            time.sleep(0.1)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak / 2**30


def render(config: Path, out: Path, jobs: int) -> tuple[float, float, str]:
    """``nps-toolkit render`` in a fresh process: (seconds, peak GiB of all processes, stdout).

    Also prints the CPU seconds (user + system) of the command and its kernels
    (``RUSAGE_CHILDREN``: the processes waited for), beside the wall time: on a
    shared machine their ratio says how much of a core the report got.
    """
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = [sys.executable, "-m", "nps_toolkit.cli", "render", "--no-progress", "--force",
           "--config", str(config), "--output", str(out), "--jobs", str(jobs)]  # fmt: skip
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    mem = PeakMemory(proc.pid)
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - t0
    peak = mem.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    load = os.getloadavg()[0]
    print(f"  render: {seconds:.1f} s wall, {cpu:.1f} s CPU (all its processes), "
          f"load average {load:.1f} on {os.cpu_count()} cores at the end")  # fmt: skip
    if proc.returncode != 0:
        print(stdout[-3000:], stderr[-3000:], sep="\n")
    return seconds, peak, stdout


def write_config(
    path: Path, data: str, *, split: str | None = None, stores: int | None = None, backend=None
):
    import yaml

    entry = {
        "name": "Retailer",
        "data": data,
        "segments": ["region", "channel"],
        "drivers": DRIVERS,
        "wave": None,
        "freq": "QE",
        "comment": "comment",
        "language": "en",
        "weights": "weight",
        "outputs": ["html"],
        "timeout": 3000,
    }
    if split:
        entry["name"] = "Retailer stores"  # its own folder beside the national report
        entry["split"] = split
        entry["segments"] = ["channel"]
    if backend:
        entry["backend"] = backend
    if stores:
        entry["filter"] = {"store": [f"S{s:03d}" for s in range(stores)]}
    path.write_text(yaml.safe_dump({"surveys": [entry]}, sort_keys=False), encoding="utf-8")
    return path


def coverage(n_surveys: int, n: int = 20_000, seed: int = 1) -> None:
    """Coverage of the drivers' 95 % intervals: DuckDB sums vs the row-by-row bootstrap."""
    import duckdb

    import nps_toolkit as nps
    from nps_toolkit import drivers as drv

    drv.ENGINE_EXACT_ROWS = 0
    k, rho, sigma = 3, 0.3, 1.0
    beta = np.array([0.6, 0.4, 0.2])
    cov = np.full((k, k), rho) + (1 - rho) * np.eye(k)
    truth = drv._shapley(cov, cov @ beta / np.sqrt(beta @ cov @ beta + sigma**2))
    rng = np.random.default_rng(seed)
    hits = {"sums": np.zeros(k), "rows": np.zeros(k)}
    secs = {"sums": 0.0, "rows": 0.0}
    for _ in range(n_surveys):
        X = rng.multivariate_normal(np.zeros(k), cov, size=n)
        df = pd.DataFrame(X, columns=["a", "b", "c"])
        df["y"] = X @ beta + rng.normal(0, sigma, n)
        for how, source in (("sums", duckdb.from_df(df)), ("rows", df)):
            t0 = time.perf_counter()
            res = nps.driver_importance(source, "y", ["a", "b", "c"], n_resamples=1000, rng=rng)
            secs[how] += time.perf_counter() - t0
            res = res.set_index("driver").loc[["a", "b", "c"]]
            hits[how] += (res["ci_low"].to_numpy() <= truth) & (truth <= res["ci_high"].to_numpy())
    for how in ("sums", "rows"):
        cov_ = ", ".join(f"{h / n_surveys:.3f}" for h in hits[how])
        print(f"{how}: coverage of the 95 % interval per driver {cov_}; {secs[how]:.1f} s")
    print(f"time ratio rows / sums: {secs['rows'] / secs['sums']:.1f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default="100k", help="100k, 1M, 5M, 20M or a number")
    parser.add_argument("--jobs", type=int, default=1, help="reports rendered at once")
    parser.add_argument("--stores", type=int, default=None, help="render the first K stores only")
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--skip-stores", action="store_true")
    parser.add_argument(
        "--folder", default=None, help="where the data goes (default: a temp folder)"
    )
    parser.add_argument(
        "--backend", default=None, help="the entry's backend: auto (default), pandas or duckdb"
    )
    parser.add_argument("--coverage", type=int, default=0, help="run the drivers' coverage check")
    args = parser.parse_args(argv)
    if args.coverage:
        coverage(args.coverage)
        return 0
    rows = SIZES.get(args.rows) or int(float(args.rows))
    base = Path(args.folder or tempfile.mkdtemp(prefix="nps-scale-"))
    data = base / f"retailer-{rows}"
    if not data.is_dir():
        t0 = time.perf_counter()
        generate(rows, data)
        print(f"generated {rows:,} rows in {time.perf_counter() - t0:.1f} s: {data}")
    print(f"rows {rows:,}, jobs {args.jobs}, CPUs allowed {len(os.sched_getaffinity(0))}")
    f = floor(data)
    print(f"floor (DuckDB counts of the national report): {f:.2f} s")
    glob = f"{data.name}/*.parquet"
    if not args.skip_national:
        config = write_config(base / "national.yml", glob, backend=args.backend)
        secs, peak, _ = render(config, base / "reports", args.jobs)
        print(f"national report: {secs:.1f} s, peak {peak:.2f} GiB (all processes); "
              f"ratio to floor {secs / f:.0f}")  # fmt: skip
    if not args.skip_stores:
        config = write_config(
            base / "stores.yml", glob, split="store", stores=args.stores, backend=args.backend
        )
        secs, peak, stdout = render(config, base / "reports", args.jobs)
        k = args.stores or 500
        lines = [line for line in stdout.splitlines() if "Retailer stores /" in line]
        ok = sum(" ok " in line for line in lines)
        print(f"{k} store reports: {secs:.1f} s ({secs / k:.2f} s a store, {ok} ok of "
              f"{len(lines)}), peak {peak:.2f} GiB; 500 stores at this rate: "
              f"{secs / k * 500 / 60:.1f} min")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
