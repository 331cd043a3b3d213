"""Spark: driver importance and the report's counts on a Spark DataFrame (local Spark).

Generates N responses (default 1 million: a score, five 0-10 drivers, a
weight, a store and a region), writes them once to Parquet in a temporary
folder and reads them with a ``local[2]`` Spark session, then times on the
same DataFrame:

(a) the alternative the toolkit used to suggest: collect the columns
    (``df.select(...).toPandas()``) and run ``driver_importance`` on the frame;
(b) the toolkit: ``driver_importance`` on the Spark DataFrame (one Spark
    aggregation of the checks, one of the sums of cross-products per target;
    only 200 rows of sums come back);
(c) for scale, DuckDB on the Parquet file (``driver_importance(path)``).

Then ``summarize`` by region on Spark and in DuckDB, and one store's
``read_columns`` through the Spark filter.  The importances of (a), (b), (c)
are printed side by side (they agree to 1e-9: the same correlation matrix).
Needs ``pip install nps-toolkit[spark]`` and Java 17+.

    python benchmarks/spark_report.py               # 1 million rows
    python benchmarks/spark_report.py --rows 5e6
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

DRIVERS = ["staff", "speed", "price", "range", "checkout"]


def make(n: int, seed: int = 20261206) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    k = len(DRIVERS)
    cov = np.full((k, k), 0.4) + 0.6 * np.eye(k)
    z = rng.multivariate_normal(np.zeros(k), cov, size=n)
    X = np.clip(np.round(7 + 1.8 * z), 0, 10)
    y = np.clip(np.round(7.5 + z @ np.linspace(0.9, 0.1, k) + rng.normal(0, 1.3, n)), 0, 10)
    df = pd.DataFrame(X, columns=DRIVERS)
    df["recommend"] = y
    df["weight"] = rng.uniform(0.5, 2.0, n)
    df["store"] = np.char.add("S", (rng.integers(0, 500, n)).astype(str))
    df["region"] = rng.choice(["North", "South", "East", "West"], n)
    return df


def timed(label: str, fn, repeat: int = 2):
    """The best of ``repeat`` runs (the first warms the JVM's code for this query)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<58} {best:8.2f} s (best of {repeat})")
    return out, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=float, default=1e6)
    args = parser.parse_args()
    n = int(args.rows)
    warnings.filterwarnings("ignore")  # pyspark 4 about pandas 3

    import nps_toolkit as nps
    from nps_toolkit import backends

    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "responses.parquet")
        make(n).to_parquet(path, index=False)
        spark = backends.spark_session("local[2]", where="benchmark")
        sdf = spark.read.parquet(path)
        sdf.count()  # the JVM warmed up and the file listed before timing
        print(f"{n:,} rows, {len(DRIVERS)} drivers, weighted; Spark local[2]")
        kw = dict(weights="weight")
        columns = ["recommend", *DRIVERS, "weight"]

        def collected():
            frame = backends.spark_pandas(sdf.select(*columns))
            return nps.driver_importance(frame, "recommend", DRIVERS, **kw)

        b, tb = timed(
            "(b) driver_importance(spark_df): sums on Spark",
            lambda: nps.driver_importance(sdf, "recommend", DRIVERS, **kw),
        )
        c, _ = timed(
            "(c) driver_importance(path): sums in DuckDB",
            lambda: nps.driver_importance(path, "recommend", DRIVERS, **kw),
        )
        timed("summarize(spark_df, by='region')", lambda: nps.summarize(sdf, by="region"))
        timed("summarize(path, by='region')  (DuckDB)", lambda: nps.summarize(path, by="region"))
        rows, _ = timed(
            "read_columns(spark_df, [recommend], row_filter=store == 'S7')",
            lambda: backends.read_columns(sdf, ["recommend"], row_filter="store == 'S7'"),
        )
        print(f"  {len(rows):,} rows of store S7")
        # last: collecting every row can take the driver JVM down (1 GiB by default)
        try:
            a, ta = timed("(a) toPandas() + driver_importance(frame)", collected)
        except Exception as exc:  # noqa: BLE001 - the alternative's failure is the result
            print(f"(a) toPandas() + driver_importance(frame) failed: {type(exc).__name__}")
            a = None
        both = b.set_index("driver")[["importance"]].rename(columns={"importance": "spark"})
        both["duckdb"] = c.set_index("driver")["importance"]
        if a is not None:
            print(f"ratio (a)/(b): {ta / tb:.2f}x")
            both["pandas"] = a.set_index("driver")["importance"]
            print(f"largest difference (a) vs (b): {(both.pandas - both.spark).abs().max():.2e}")
        print(both.to_string(float_format=lambda v: f"{v:.10f}"))
        if a is None:
            return
        spark.stop()


if __name__ == "__main__":
    main()
