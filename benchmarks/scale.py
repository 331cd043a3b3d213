"""Large surveys: pandas groupby vs the toolkit's pandas path vs its DuckDB path.

Generates N responses (default 10 million) with three segment columns, writes
them once to Parquet in a temporary folder, then times on the same data:

(a) the obvious alternative: ``pd.read_parquet`` then a bare
    ``df.groupby(segments)["recommend"].value_counts()`` (read timed apart);
(b) the toolkit's pandas path: ``nps.summarize(df, by=segments)`` with
    adjusted-Wald intervals on the loaded frame;
(c) the toolkit's DuckDB path: ``nps.summarize(path, by=segments)`` straight
    from the Parquet file, read included.

Targets: (b) at most 2x (a); (c) faster than (a) even though (c) includes
its own read.  Then the peak memory (VmHWM and ru_maxrss) of (c) in a fresh process on
``--memory-rows`` rows (default 50 million; target under 2 GiB), beside the
peak of the pandas alternative (read + value_counts) on the same file.

    python benchmarks/scale.py                      # 10M timed, 50M memory
    python benchmarks/scale.py --rows 1e6 --memory-rows 5e6   # quick
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SEGMENTS = {
    "region": ["North", "South", "East", "West", "Central", "Islands", "Capital", "Abroad"],
    "channel": ["app", "web", "store", "phone", "partner"],
    "customer_type": ["new", "returning", "loyal", "at-risk"],
}
BY = list(SEGMENTS)
# a realistic score distribution: many 8-10s, a long tail of detractors
SCORE_P = np.array([3, 1, 1, 2, 2, 5, 6, 12, 20, 22, 26], dtype=float)
SCORE_P /= SCORE_P.sum()
BLANK_SHARE = 0.02
SEED = 20261123


def write_survey(path: Path, rows: int, *, chunk: int = 5_000_000, seed: int = SEED) -> None:
    """Write ``rows`` synthetic responses to one Parquet file, chunk by chunk (vectorised)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    labels = {k: pa.array(v) for k, v in SEGMENTS.items()}
    writer = None
    try:
        for start in range(0, rows, chunk):
            m = min(chunk, rows - start)
            score = rng.choice(11, size=m, p=SCORE_P).astype(np.float64)
            score[rng.random(m) < BLANK_SHARE] = np.nan
            cols = {"recommend": pa.array(score, from_pandas=True)}  # NaN -> null (blank)
            for k, lab in labels.items():
                cols[k] = lab.take(pa.array(rng.integers(0, len(lab), m, dtype=np.int32)))
            table = pa.table(cols)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="snappy")
            writer.write_table(table, row_group_size=1_000_000)
    finally:
        if writer is not None:
            writer.close()


def timed(fn, repeat: int = 1):
    """Best wall time of ``repeat`` runs and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def child(mode: str, path: str, threads: int | None, memory_limit: str) -> None:
    """Run one way of counting in this (fresh) process and print its peak RSS."""
    import resource

    import pandas as pd

    import nps_toolkit as nps
    from nps_toolkit import backends

    t0 = time.perf_counter()
    if mode == "duckdb":
        backends.configure(memory_limit=memory_limit, threads=threads)
        out = nps.summarize(path, by=BY)
        groups = len(out)
    elif mode == "pandas":
        df = pd.read_parquet(path)
        groups = df.groupby(BY)["recommend"].value_counts().index.droplevel(-1).nunique()
    else:  # baseline: the interpreter with the toolkit imported
        import duckdb  # noqa: F401

        groups = 0
    seconds = time.perf_counter() - t0
    maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    # Linux keeps ru_maxrss across fork + exec, so it can show the *parent's*
    # size; VmHWM (peak RSS of this process's own address space) cannot.
    hwm_kib = maxrss_kib
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                hwm_kib = int(line.split()[1])
    print(
        json.dumps(
            {
                "peak_mib": hwm_kib / 1024,
                "ru_maxrss_mib": maxrss_kib / 1024,
                "seconds": seconds,
                "groups": groups,
            }
        )
    )


def peak_memory(mode: str, path: Path, threads, memory_limit) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--path", str(path)]
    cmd += ["--memory-limit", memory_limit]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=10e6, help="rows timed (default 1e7)")
    parser.add_argument(
        "--memory-rows", type=float, default=50e6, help="rows for peak memory (0 skips)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (all cores)")
    parser.add_argument("--memory-limit", default="1GiB", help="DuckDB memory_limit")
    parser.add_argument("--skip-pandas-memory", action="store_true")
    parser.add_argument("--child", choices=["duckdb", "pandas", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.path, args.threads, args.memory_limit)
        return

    import duckdb
    import pandas as pd

    import nps_toolkit as nps
    from nps_toolkit import backends

    rows, memory_rows = int(args.rows), int(args.memory_rows)
    backends.configure(memory_limit=args.memory_limit, threads=args.threads)
    print(
        f"nps-toolkit scale benchmark: pandas {pd.__version__}, duckdb {duckdb.__version__}, "
        f"DuckDB memory_limit={args.memory_limit} threads={args.threads or 'all cores'}"
    )
    with tempfile.TemporaryDirectory(prefix="nps-scale-") as tmp:
        path = Path(tmp) / "survey.parquet"
        t_gen, _ = timed(lambda: write_survey(path, rows))
        size = path.stat().st_size / 2**20
        print(f"\n{rows:,} rows, segments {BY}: written in {t_gen:.1f} s ({size:.0f} MiB Parquet)")

        # warm-up on 1,000 rows: one-time imports (scipy.stats for the
        # intervals) and DuckDB start-up are not what is being compared
        small = Path(tmp) / "warm-up.parquet"
        write_survey(small, 1_000)
        nps.summarize(pd.read_parquet(small), by=BY)
        nps.summarize(str(small), by=BY)
        pd.read_parquet(small).groupby(BY)["recommend"].value_counts()

        t_read, df = timed(lambda: pd.read_parquet(path), args.repeat)
        t_a, _ = timed(lambda: df.groupby(BY)["recommend"].value_counts(), args.repeat)
        t_b, table_b = timed(lambda: nps.summarize(df, by=BY), args.repeat)
        t_c, table_c = timed(lambda: nps.summarize(str(path), by=BY), args.repeat)
        same = table_b.drop(columns="band").equals(table_c.drop(columns="band"))
        df = None  # free the frame before the memory runs

        print(f"  pandas read_parquet                        {t_read:7.2f} s")
        print(f"  (a) pandas groupby().value_counts()        {t_a:7.2f} s")
        print(f"  (b) nps.summarize(DataFrame)               {t_b:7.2f} s")
        print(f"  (c) nps.summarize(parquet path), DuckDB    {t_c:7.2f} s  (read included)")
        print(f"  ratio (b)/(a) = {t_b / t_a:.2f}   target <= 2")
        print(f"  ratio (c)/(a) = {t_c / t_a:.2f}   target < 1")
        print(f"  ratio (c)/(read + a) = {t_c / (t_read + t_a):.2f}")
        print(f"  {len(table_c)} groups; (b) and (c) give the same table: {same}")

        if memory_rows:
            mpath = Path(tmp) / "survey-memory.parquet"
            if memory_rows == rows:
                mpath = path
            else:
                write_survey(mpath, memory_rows)
            print(f"\npeak memory of a fresh process, {memory_rows:,} rows:")
            base = peak_memory("baseline", mpath, args.threads, args.memory_limit)
            duck = peak_memory("duckdb", mpath, args.threads, args.memory_limit)
            print("  (VmHWM of the child; its ru_maxrss in brackets, which Linux carries over")
            print("   from the parent process across fork + exec)")
            print(
                f"  python + nps_toolkit + duckdb imported     {base['peak_mib']:7.0f} MiB"
                f"  [{base['ru_maxrss_mib']:.0f}]"
            )
            print(
                f"  (c) nps.summarize(path), DuckDB            {duck['peak_mib']:7.0f} MiB"
                f"  [{duck['ru_maxrss_mib']:.0f}]  in {duck['seconds']:.1f} s   target < 2048 MiB"
            )
            if not args.skip_pandas_memory:
                pand = peak_memory("pandas", mpath, args.threads, args.memory_limit)
                print(
                    f"  pandas read_parquet + value_counts         {pand['peak_mib']:7.0f} MiB"
                    f"  [{pand['ru_maxrss_mib']:.0f}]  in {pand['seconds']:.1f} s"
                )
                print(f"  ratio pandas / DuckDB = {pand['peak_mib'] / duck['peak_mib']:.1f}")


if __name__ == "__main__":
    main()
