"""Simulated coverage of every NPS interval method (95 % intervals).

Run:  python benchmarks/coverage.py            (full grid, about 5-10 minutes on one core)
      python benchmarks/coverage.py --quick    (200 simulations a cell, for trying)
      python benchmarks/coverage.py --compare  (compare_nps intervals only, ~3 minutes:
                                                benchmarks/results/compare_coverage.csv)
      python benchmarks/coverage.py --weighted (weighted samples only, ~1 minute:
                                                benchmarks/results/weighted_coverage.csv)

Writes benchmarks/results/coverage.csv and benchmarks/results/coverage.png.

Design
------
* Simple random samples: n in {30, 100, 500, 2000} x six (promoter,
  detractor) shares from balanced to extreme, 2,000 simulated samples a cell,
  all six methods.  Samples are multinomial draws of the three category
  counts, so every method sees exactly what it would see from raw scores.
  Analytic methods run vectorised through ``interval_arrays``; the bootstrap
  and BCa intervals share one set of resamples per simulated sample
  (``n_resamples`` below: 1,999 instead of the default 9,999 to fit the
  time budget; the coverage of percentile intervals barely depends on B
  beyond ~1,000, only their Monte-Carlo wobble does); Bayes uses 1,999
  posterior draws.
* Clustered samples (several respondents per client account): G accounts
  of 1 + Poisson(3) respondents; each account has its own category shares
  drawn from Dirichlet(4 * base shares), an intra-account correlation of
  1 / (4 + 1) = 0.2 for each category indicator.  Every method is run through
  ``nps_interval(..., clusters=account)`` (bootstrap methods resample
  accounts, 999 resamples; the analytic methods use t(G - 1) critical
  values), and the analytic methods also without
  ``clusters`` to show what ignoring the clustering costs.  For speed the
  cluster-robust design effect is computed for all simulations at once with
  the formula of ``nps_interval``; the script asserts on the first samples
  of every cell that this equals ``nps_interval(scores, clusters=...)``.  The target is
  the population NPS, base promoter share - base detractor share.

* Weighted samples (``--weighted``): a population with promoter/detractor
  shares (p, d) answers with a response rate that depends on the category,
  and each respondent's weight is the inverse of that rate times
  within-category noise (log-normal, sd 0.3 on the log scale).  Patterns:
  detractors answer half as often (their weights are twice the others'),
  promoters answer half as often, and weights unrelated to the score (the
  same rate for all, log-normal sd 0.5).  n in {50, 200, 1000}, 2,000
  samples a cell.  Every analytic method and ``bayes`` is run twice: on
  the effective n of the linearised variance (what ``nps_interval`` does)
  and on Kish's (sum w)^2 / sum w^2 (what it did before).  The script
  asserts on the first samples of every cell that the linearised path
  equals ``nps_interval(scores, weights=...)``.

Coverage is the share of simulated intervals containing the true NPS; with
2,000 simulations its binomial standard error at 95 % is 0.49 points.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from nps_toolkit._core import effective_n, linearised_variance
from nps_toolkit.intervals import _acceleration as _accel
from nps_toolkit.intervals import (
    _bca_levels,
    _category_units,
    _resample,
    _row_quantiles,
    interval_arrays,
    nps_interval,
)

RESULTS = Path(__file__).resolve().parent / "results"
LEVEL = 0.95
SIZES = (30, 100, 500, 2000)
SHARES = [  # (promoters, detractors)
    (0.40, 0.40),
    (0.50, 0.20),
    (0.30, 0.05),
    (0.70, 0.10),
    (0.90, 0.02),
    (0.05, 0.80),
]
CLUSTER_CELLS = [(20, (0.5, 0.2)), (20, (0.7, 0.1)), (60, (0.5, 0.2)), (60, (0.7, 0.1))]
ANALYTIC = ("wald", "adjusted-wald", "score")


def _row(design, n, G, p, d, method, clusters_used, low, high, truth, seconds, n_resamples):
    low, high = np.asarray(low), np.asarray(high)
    cover = (low <= truth) & (truth <= high)
    sims = cover.size
    return {
        "design": design,
        "n": n,
        "accounts": G,
        "promoters": p,
        "detractors": d,
        "true_nps": round(truth, 6),
        "method": method,
        "clusters_used": clusters_used,
        "sims": sims,
        "n_resamples": n_resamples,
        "coverage": cover.mean(),
        "coverage_se": np.sqrt(cover.mean() * (1 - cover.mean()) / sims),
        "miss_low": np.mean(truth < low),  # interval entirely above the truth
        "miss_high": np.mean(truth > high),
        "mean_width": np.mean(high - low),
        "seconds": seconds,
    }


def simple_cells(sims, n_resamples, rng):
    rows = []
    for p, d in SHARES:
        truth = 100 * (p - d)
        for n in SIZES:
            x = rng.multinomial(n, [d, 1 - p - d, p], size=sims)
            P, D = x[:, 2] / n, x[:, 0] / n
            nn = np.full(sims, n)
            for method in (*ANALYTIC, "bayes"):
                t = time.perf_counter()
                _, low, high, _ = interval_arrays(
                    P,
                    D,
                    nn,
                    method=method,
                    confidence_level=LEVEL,
                    n_resamples=n_resamples,
                    rng=rng,
                )
                rows.append(
                    _row(
                        "simple",
                        n,
                        None,
                        p,
                        d,
                        method,
                        False,
                        low,
                        high,
                        truth,
                        time.perf_counter() - t,
                        n_resamples if method == "bayes" else 0,
                    )
                )
            # bootstrap and BCa from the same resamples (the toolkit's own
            # resampling and BCa code, shared to halve the cost)
            t = time.perf_counter()
            units = _category_units(x[:, 0], x[:, 1], x[:, 2])
            theta = _resample(*units, n_resamples, rng)
            theta.sort(axis=1)
            alpha = (1 - LEVEL) / 2
            low = 100 * _row_quantiles(theta, np.full(sims, alpha))
            high = 100 * _row_quantiles(theta, np.full(sims, 1 - alpha))
            t_boot = time.perf_counter() - t
            rows.append(
                _row(
                    "simple",
                    n,
                    None,
                    p,
                    d,
                    "bootstrap",
                    False,
                    low,
                    high,
                    truth,
                    t_boot,
                    n_resamples,
                )
            )
            t = time.perf_counter()
            q1, q2 = _bca_levels(theta, (x[:, 2] - x[:, 0]) / n, _accel(*units), alpha)
            low, high = 100 * _row_quantiles(theta, q1), 100 * _row_quantiles(theta, q2)
            rows.append(
                _row(
                    "simple",
                    n,
                    None,
                    p,
                    d,
                    "bca",
                    False,
                    low,
                    high,
                    truth,
                    t_boot + time.perf_counter() - t,
                    n_resamples,
                )
            )
            print(
                f"  simple n={n:5d} p={p:.2f} d={d:.2f}: "
                + ", ".join(f"{r['method']} {r['coverage']:.3f}" for r in rows[-6:]),
                flush=True,
            )
    return rows


def clustered_counts(sims, G, p, d, rng, concentration=4.0):
    """Per-account category counts, shape (sims, G, 3): detractors, passives, promoters."""
    sizes = 1 + rng.poisson(3, size=(sims, G))
    shares = rng.dirichlet(concentration * np.array([d, 1 - p - d, p]), size=(sims, G))
    return rng.multinomial(sizes, shares)


def _robust_n_effective(counts):
    """n / design effect of the cluster-robust variance, vectorised over simulations.

    The same formula as ``nps_interval(..., clusters=...)`` (checked against
    it on the first simulations of every cell in ``clustered_cells``).
    """
    sizes = counts.sum(-1)
    n = sizes.sum(-1)
    p = counts[..., 2].sum(-1) / n
    d = counts[..., 0].sum(-1) / n
    G = counts.shape[1]
    totals = (counts[..., 2] - counts[..., 0]) - (p - d)[:, None] * sizes
    var_robust = G / (G - 1) * (totals**2).sum(-1) / n**2
    var_srs = (p + d - (p - d) ** 2) / n
    deff = np.where(var_srs > 0, var_robust / np.where(var_srs > 0, var_srs, 1), 1.0)
    return p, d, n, n / deff


def _raw(counts_one):
    """Raw scores and account ids of one simulated sample (for nps_interval)."""
    scores, accounts = [], []
    for g, (nd, nq, npro) in enumerate(counts_one):
        scores += [0.0] * nd + [8.0] * nq + [10.0] * npro
        accounts += [g] * (nd + nq + npro)
    return np.array(scores), np.array(accounts)


def clustered_cells(sims, n_resamples, rng):
    rows = []
    alpha = (1 - LEVEL) / 2
    for G, (p, d) in CLUSTER_CELLS:
        truth = 100 * (p - d)
        counts = clustered_counts(sims, G, p, d, rng)
        P, D, n, n_eff = _robust_n_effective(counts)
        # t(G - 1) critical values, as nps_interval uses with clusters
        n_eff = n_eff * (stats.norm.ppf(1 - alpha) / stats.t.ppf(1 - alpha, G - 1)) ** 2
        n_mean = int(round(n.mean()))
        for method in (*ANALYTIC, "bayes"):
            for use in (True, False) if method in ANALYTIC else (True,):
                t = time.perf_counter()
                _, low, high, _ = interval_arrays(
                    P,
                    D,
                    n_eff if use else n,
                    method=method,
                    confidence_level=LEVEL,
                    n_resamples=n_resamples,
                    rng=rng,
                )
                if use and method in ANALYTIC:
                    # the vectorised shortcut must equal the public function
                    for i in range(5):
                        scores, accounts = _raw(counts[i])
                        one = nps_interval(scores, clusters=accounts, method=method)
                        assert np.allclose([one.low, one.high], [low[i], high[i]], atol=1e-6), (
                            method,
                            one,
                            low[i],
                            high[i],
                        )
                rows.append(
                    _row(
                        "clustered",
                        n_mean,
                        G,
                        p,
                        d,
                        method,
                        use,
                        low,
                        high,
                        truth,
                        time.perf_counter() - t,
                        0 if method in ANALYTIC else n_resamples,
                    )
                )
        # bootstrap and BCa resampling whole accounts (the units of
        # nps_interval(..., clusters=...)), vectorised over the simulations
        t = time.perf_counter()
        units = (
            counts[..., 2].astype(float),
            counts[..., 0].astype(float),
            counts.sum(-1).astype(float),
            np.ones((sims, G)),
        )
        theta = _resample(*units, n_resamples, rng)
        theta.sort(axis=1)
        low = 100 * _row_quantiles(theta, np.full(sims, alpha))
        high = 100 * _row_quantiles(theta, np.full(sims, 1 - alpha))
        t_boot = time.perf_counter() - t
        rows.append(
            _row(
                "clustered",
                n_mean,
                G,
                p,
                d,
                "bootstrap",
                True,
                low,
                high,
                truth,
                t_boot,
                n_resamples,
            )
        )
        t = time.perf_counter()
        q1, q2 = _bca_levels(theta, P - D, _accel(*units), alpha)
        low, high = 100 * _row_quantiles(theta, q1), 100 * _row_quantiles(theta, q2)
        rows.append(
            _row(
                "clustered",
                n_mean,
                G,
                p,
                d,
                "bca",
                True,
                low,
                high,
                truth,
                t_boot + time.perf_counter() - t,
                n_resamples,
            )
        )
        print(
            f"  clustered G={G} p={p:.2f} d={d:.2f}: "
            + ", ".join(
                f"{r['method']}{'' if r['clusters_used'] else '(naive)'} {r['coverage']:.3f}"
                for r in rows[-9:]
            ),
            flush=True,
        )
    return rows


# two independent samples: (n_a, n_b) x (promoters a, detractors a, promoters b, detractors b)
COMPARE_SIZES = [(30, 30), (30, 100), (100, 100), (500, 500)]
COMPARE_SHARES = [
    (0.50, 0.20, 0.50, 0.20),
    (0.70, 0.10, 0.50, 0.20),
    (0.90, 0.02, 0.90, 0.02),
    (0.05, 0.80, 0.10, 0.70),
    (0.30, 0.05, 0.90, 0.02),
]
# a panel answering twice: wave-a shares, probability of repeating the wave-a
# category, shares of a fresh wave-b answer otherwise
PANELS = [
    ((0.20, 0.30, 0.50), 0.6, (0.15, 0.30, 0.55)),
    ((0.60, 0.30, 0.10), 0.7, (0.50, 0.30, 0.20)),
    ((0.02, 0.08, 0.90), 0.8, (0.05, 0.10, 0.85)),
]
PAIRED_SIZES = (20, 30, 100, 500)
COMPARE_METHODS = ("wald", "adjusted-wald", "bootstrap", "bayes")


def compare_cells(sims, n_resamples, rng):
    """Coverage of compare_nps intervals of NPS(b) - NPS(a), calling the public function."""
    from nps_toolkit.compare import compare_nps

    rows = []
    score_of = np.array([3.0, 8.0, 10.0])
    for pa, da, pb, db in COMPARE_SHARES:
        truth = 100 * ((pb - db) - (pa - da))
        for na, nb in COMPARE_SIZES:
            xa = rng.multinomial(na, [da, 1 - pa - da, pa], size=sims)
            xb = rng.multinomial(nb, [db, 1 - pb - db, pb], size=sims)
            for method in COMPARE_METHODS:
                t = time.perf_counter()
                res = [
                    compare_nps(tuple(a), tuple(b), method=method, n_resamples=n_resamples, rng=rng)
                    for a, b in zip(xa, xb, strict=True)
                ]
                row = _row(
                    "two-sample",
                    na,
                    nb,
                    pa,
                    da,
                    method,
                    False,
                    [r.low for r in res],
                    [r.high for r in res],
                    truth,
                    time.perf_counter() - t,
                    0 if method in ("wald", "adjusted-wald") else n_resamples,
                )
                row.update(promoters_b=pb, detractors_b=db)
                rows.append(row)
            print(
                f"  two-sample n={na}/{nb} a={pa:.2f}/{da:.2f} b={pb:.2f}/{db:.2f}: "
                + ", ".join(f"{r['method']} {r['coverage']:.3f}" for r in rows[-4:]),
                flush=True,
            )
    for base, keep, fresh in PANELS:
        base, fresh = np.array(base), np.array(fresh)
        wave_b = keep * base + (1 - keep) * fresh
        truth = 100 * ((wave_b[2] - wave_b[0]) - (base[2] - base[0]))
        for n in PAIRED_SIZES:
            cat_a = rng.choice(3, size=(sims, n), p=base)
            stay = rng.random((sims, n)) < keep
            cat_b = np.where(stay, cat_a, rng.choice(3, size=(sims, n), p=fresh))
            for method in COMPARE_METHODS:
                t = time.perf_counter()
                res = [
                    compare_nps(
                        score_of[a],
                        score_of[b],
                        paired=True,
                        method=method,
                        n_resamples=n_resamples,
                        rng=rng,
                    )
                    for a, b in zip(cat_a, cat_b, strict=True)
                ]
                row = _row(
                    "paired",
                    n,
                    n,
                    base[2],
                    base[0],
                    method,
                    False,
                    [r.low for r in res],
                    [r.high for r in res],
                    truth,
                    time.perf_counter() - t,
                    0 if method in ("wald", "adjusted-wald") else n_resamples,
                )
                row.update(promoters_b=wave_b[2], detractors_b=wave_b[0], repeat=keep)
                rows.append(row)
            print(
                f"  paired n={n} wave a {base[2]:.2f}/{base[0]:.2f}, repeat {keep}: "
                + ", ".join(f"{r['method']} {r['coverage']:.3f}" for r in rows[-4:]),
                flush=True,
            )
    return rows


WEIGHT_SHARES = [(0.5, 0.2), (0.3, 0.3), (0.7, 0.1)]
WEIGHT_SIZES = (50, 200, 1000)
# relative weight of (detractor, passive, promoter) respondents, noise sd on the log scale
WEIGHT_PATTERNS = {
    "detractors x2": ((2.0, 1.0, 1.0), 0.3),
    "promoters x2": ((1.0, 1.0, 2.0), 0.3),
    "unrelated": ((1.0, 1.0, 1.0), 0.5),
}


def weighted_samples(sims, n, p, d, base, sd, rng):
    """Categories (0 d, 1 q, 2 p) and weights of ``sims`` weighted samples of n."""
    share = np.array([d, 1 - p - d, p])
    answer = share / np.asarray(base)  # response rate of a category ~ 1 / its weight
    cat = rng.choice(3, size=(sims, n), p=answer / answer.sum())
    w = np.asarray(base)[cat] * np.exp(sd * rng.standard_normal((sims, n)) - sd**2 / 2)
    return cat, w


def weighted_cells(sims, rng):
    rows = []
    for pattern, (base, sd) in WEIGHT_PATTERNS.items():
        for p, d in WEIGHT_SHARES:
            for n in WEIGHT_SIZES:
                cat, w = weighted_samples(sims, n, p, d, base, sd, rng)
                sums = {c: (w * (cat == c)).sum(1) for c in (0, 2)}
                sq = {c: (w * w * (cat == c)).sum(1) for c in (0, 2)}
                W, W2 = w.sum(1), (w * w).sum(1)
                ph, dh = sums[2] / W, sums[0] / W
                var = linearised_variance(W, sums[0], sums[2], W2, sq[0], sq[2])
                sizes = {
                    "linearised": effective_n(np.full(sims, n), ph, dh, var),
                    "kish": W**2 / W2,
                }
                for k in range(3):  # the shortcut is what nps_interval computes
                    scores = np.array([0.0, 7.0, 10.0])[cat[k]]
                    one = nps_interval(scores, weights=w[k], method="wald")
                    assert np.isclose(one.n_effective, sizes["linearised"][k])
                    assert np.isclose(one.standard_error, 100 * np.sqrt(var[k]))
                truth = 100 * (p - d)
                for variance, n_eff in sizes.items():
                    for method in (*ANALYTIC, "bayes"):
                        t0 = time.perf_counter()
                        _, low, high, _ = interval_arrays(
                            ph, dh, n_eff, method=method, n_resamples=1999, rng=rng
                        )
                        row = _row("weighted", n, None, p, d, method, False, low, high, truth,
                                   time.perf_counter() - t0, 1999 if method == "bayes" else 0)  # fmt: skip
                        row.update(weights=pattern, variance=variance,
                                   mean_n_effective=float(np.mean(n_eff)))  # fmt: skip
                        rows.append(row)
                print(f"  weighted {pattern:14s} p={p} d={d} n={n:5d} done", flush=True)
    return rows


def figure(table: pd.DataFrame, path: Path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nps_toolkit.plots import coverage_plot

    simple = table[table["design"] == "simple"]
    scenarios = simple[["promoters", "detractors"]].drop_duplicates().to_numpy()
    fig, axes = plt.subplots(2, 4, figsize=(16, 7.5), sharey=True)
    for ax, (p, d) in zip(axes.flat, scenarios, strict=False):
        sub = simple[(simple["promoters"] == p) & (simple["detractors"] == d)]
        coverage_plot(sub, ax=ax, legend=False)
        ax.set_title(f"promoters {p:.0%}, detractors {d:.0%} (NPS {100 * (p - d):.0f})")
    clustered = table[table["design"] == "clustered"].copy()
    clustered["method"] = np.where(
        clustered["clusters_used"], clustered["method"], clustered["method"] + " (no clusters)"
    )
    coverage_plot(clustered, ax=axes.flat[6], x="accounts", legend=True)
    axes.flat[6].legend(fontsize=7, ncol=2, loc="lower right")
    axes.flat[6].set_title("clustered: 20 / 60 accounts, ICC 0.2")
    coverage_plot(simple, ax=axes.flat[7], legend=True)
    axes.flat[7].set_title("all simple-sample cells (mean, min-max)")
    fig.suptitle("Simulated coverage of 95 % NPS intervals (2,000 samples a cell)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 simulations a cell")
    parser.add_argument("--sims", type=int, default=None)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--compare",
        action="store_true",
        help="only the compare_nps coverage (1,000 simulations a cell), to compare_coverage.csv",
    )
    parser.add_argument(
        "--weighted",
        action="store_true",
        help="only weighted samples, linearised vs Kish (2,000 a cell), to weighted_coverage.csv",
    )
    args = parser.parse_args(argv)
    sims = args.sims or (200 if args.quick else 2000)
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    if args.weighted:
        print(f"coverage of 95 % intervals of weighted samples, {sims} simulations a cell")
        table = pd.DataFrame(weighted_cells(sims, rng))
        args.out.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out / "weighted_coverage.csv", index=False, float_format="%.6g")
        summary = table.groupby(["weights", "variance", "method"])["coverage"]
        print("\ncoverage by weight pattern, variance and method (mean, worst cell):")
        print(summary.agg(["mean", "min"]).round(4).to_string())
        print(
            f"\nwrote {args.out / 'weighted_coverage.csv'} in {time.perf_counter() - start:.0f} s"
        )
        return 0
    if args.compare:
        sims = args.sims or (200 if args.quick else 1000)
        print(f"coverage of 95 % compare_nps intervals, {sims} simulations a cell")
        table = pd.DataFrame(compare_cells(sims, 999, rng))
        args.out.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out / "compare_coverage.csv", index=False, float_format="%.6g")
        print("\ncoverage by design and method (mean, worst cell):")
        print(table.groupby(["design", "method"])["coverage"].agg(["mean", "min", "max"]).round(3))
        print(f"\nwrote {args.out / 'compare_coverage.csv'} in {time.perf_counter() - start:.0f} s")
        return 0
    print(f"coverage of 95 % intervals, {sims} simulations a cell")
    rows = simple_cells(sims, 1999, rng)
    rows += clustered_cells(sims, 999, rng)
    table = pd.DataFrame(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "coverage.csv", index=False, float_format="%.6g")
    figure(table, args.out / "coverage.png")

    simple = table[table["design"] == "simple"]
    summary = simple.groupby("method")["coverage"].agg(["mean", "min"]).sort_values("mean")
    print("\nsimple samples, coverage over the 24 cells (mean, worst):")
    print(summary.round(4).to_string())
    clustered = table[table["design"] == "clustered"]
    print("\nclustered samples (mean over cells):")
    print(clustered.groupby(["method", "clusters_used"])["coverage"].mean().round(4).to_string())
    print(
        f"\nwrote {args.out / 'coverage.csv'} and coverage.png in {time.perf_counter() - start:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
