"""Tests for nps_toolkit.drivers, each pinned to an independent computation.

The references fit regressions on the raw rows (numpy lstsq / statsmodels),
never the correlation-matrix shortcuts the module uses.
"""

import re
from itertools import combinations, permutations
from math import comb

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import nps_toolkit as nps
from nps_toolkit import drivers as drv
from nps_toolkit import plots

SEED_SIM = 20261123
SEED_BOOT = 4242


def simulate(seed=SEED_SIM, n=300, k=5, rho=0.4):
    """Correlated 0-10 driver ratings and a 0-10 score with known weights."""
    rng = np.random.default_rng(seed)
    cov = np.full((k, k), rho) + (1 - rho) * np.eye(k)
    z = rng.multivariate_normal(np.zeros(k), cov, size=n)
    X = np.clip(np.round(6.5 + 1.8 * z), 0, 10)
    beta = np.linspace(1.0, 0.1, k)
    y = np.clip(np.round(7 + z @ beta + rng.normal(0, 1.2, n)), 0, 10)
    df = pd.DataFrame(X, columns=[f"d{j}" for j in range(k)])
    df["ltr"] = y
    return df, [f"d{j}" for j in range(k)]


def ols_r2(y, X, w=None):
    """R^2 of a (weighted) least-squares fit with intercept on raw rows."""
    X1 = np.column_stack([np.ones(len(y)), X])
    w = np.ones(len(y)) if w is None else np.asarray(w, float)
    sw = np.sqrt(w)
    coef = np.linalg.lstsq(X1 * sw[:, None], y * sw, rcond=None)[0]
    resid = y - X1 @ coef
    ybar = w @ y / w.sum()
    return 1 - (w @ resid**2) / (w @ (y - ybar) ** 2)


def by_driver(res, col="importance"):
    return res.set_index("driver")[col]


@pytest.fixture
def sim():
    return simulate()


# --------------------------------------------------------------------------
# Shapley / general dominance
# --------------------------------------------------------------------------


def test_shapley_sums_to_full_model_r2(sim):
    df, drivers = sim
    res = nps.driver_importance(df, "ltr", drivers)
    fit = sm.OLS(df["ltr"], sm.add_constant(df[drivers])).fit()
    assert res["importance"].sum() == pytest.approx(fit.rsquared, abs=1e-12)
    assert res.attrs["r_squared"] == pytest.approx(fit.rsquared, abs=1e-12)
    assert res["share"].sum() == pytest.approx(100)
    assert list(res["rank"]) == [1, 2, 3, 4, 5]
    assert res["importance"].is_monotonic_decreasing


@pytest.mark.parametrize("k", [3, 4, 5])
def test_shapley_equals_average_over_all_orders(k):
    """Brute force: for each of the k! orders, add drivers one at a time and
    record each one's increase in R^2 (numpy lstsq on the raw rows)."""
    df, drivers = simulate(seed=SEED_SIM + k, n=150, k=k)
    y, X = df["ltr"].to_numpy(), df[drivers].to_numpy()
    total = np.zeros(k)
    orders = list(permutations(range(k)))
    for order in orders:
        prev = 0.0
        for i in range(k):
            cur = ols_r2(y, X[:, list(order[: i + 1])])
            total[order[i]] += cur - prev
            prev = cur
    expected = pd.Series(total / len(orders), index=drivers)
    res = nps.driver_importance(df, "ltr", drivers, method="shapley")
    np.testing.assert_allclose(by_driver(res)[drivers], expected, atol=1e-10)


def general_dominance_slow(df, outcome, drivers):
    """General dominance the way dominance-analysis / relaimpo compute it:
    a statsmodels OLS fit on the raw rows for every one of the 2^k - 1
    subsets, then per driver the mean (over subset sizes) of its average
    incremental R^2 at that size."""
    k = len(drivers)
    y = df[outcome].to_numpy()
    r2 = {(): 0.0}
    for s in range(1, k + 1):
        for sub in combinations(drivers, s):
            r2[sub] = sm.OLS(y, sm.add_constant(df[list(sub)].to_numpy())).fit().rsquared
    out = {}
    for d in drivers:
        others = [o for o in drivers if o != d]
        by_size = []
        for s in range(k):
            incs = [
                r2[tuple(x for x in drivers if x in (*sub, d))] - r2[sub]
                for sub in combinations(others, s)
            ]
            assert len(incs) == comb(k - 1, s)
            by_size.append(np.mean(incs))
        out[d] = np.mean(by_size)
    return pd.Series(out)


def test_shapley_equals_general_dominance_on_example_data():
    from nps_toolkit.datasets import B2B_DRIVERS

    df = nps.example_survey("b2b-annual")
    drivers = list(B2B_DRIVERS)
    complete = df.dropna(subset=["recommend", *drivers])
    expected = general_dominance_slow(complete, "recommend", drivers)
    res = nps.driver_importance(df, "recommend", drivers)
    np.testing.assert_allclose(by_driver(res)[drivers], expected[drivers], atol=1e-8, rtol=0)
    # rows with a blank answer are excluded and counted, never silently
    assert res.attrs["n_used"] == len(complete)
    assert res.attrs["n_excluded_missing"] == len(df) - len(complete)
    assert sum(res.attrs["missing_by_column"].values()) >= len(df) - len(complete)
    assert (res["n"] == len(complete)).all()
    np.testing.assert_allclose(by_driver(res, "mean")[drivers], complete[drivers].mean())


def test_example_survey_driver_weights_recovered_in_order():
    """The b2b example's true weights (datasets.TRUTH) come back in order.

    The smallest true weights differ by a few hundredths of a scale point,
    which ~1,000 answers cannot always separate: the top three must be exact,
    and the whole order within one swap of neighbours (Kendall tau >= 0.9).
    """
    from scipy.stats import kendalltau

    from nps_toolkit import datasets

    truth = datasets.TRUTH["b2b-annual"]["driver_weights"]
    expected_order = sorted(truth, key=truth.get, reverse=True)
    df = nps.example_survey("b2b-annual")
    for method in ("shapley", "relative-weights", "regression"):
        res = nps.driver_importance(df, "recommend", list(truth), method=method)
        assert list(res["driver"])[:3] == expected_order[:3], method
        tau = kendalltau(res["importance"], [truth[d] for d in res["driver"]])[0]
        assert tau >= 0.9, (method, list(res["driver"]))


def test_all_subset_r2_matches_lstsq_on_random_subsets(rng):
    df, drivers = simulate(seed=SEED_SIM, n=200, k=8)
    y, X = df["ltr"].to_numpy(), df[drivers].to_numpy()
    C = np.corrcoef(np.column_stack([y, X]), rowvar=False)
    r2 = drv.all_subset_r2(C[1:, 1:], C[0, 1:])
    assert r2.shape == (256,) and r2[0] == 0
    for mask in rng.choice(np.arange(1, 256), size=25, replace=False):
        cols = [j for j in range(8) if mask >> j & 1]
        assert r2[mask] == pytest.approx(ols_r2(y, X[:, cols]), abs=1e-12)


def test_shapley_fifteen_drivers_sums_to_r2():
    df, drivers = simulate(seed=SEED_SIM, n=400, k=15, rho=0.3)
    res = nps.driver_importance(df, "ltr", drivers)
    assert len(res) == 15
    assert res["importance"].sum() == pytest.approx(ols_r2(df["ltr"], df[drivers]), abs=1e-10)
    assert (res["importance"] > 0).all()


def test_uncorrelated_drivers_get_their_squared_correlation():
    # hand-worked: orthogonal +-1 drivers, ltr = 5 + 0.6 a + 0.8 b (R^2 = 1)
    df = pd.DataFrame({"a": [1, -1, 1, -1] * 3, "b": [1, 1, -1, -1] * 3})
    df["ltr"] = 5 + 0.6 * df["a"] + 0.8 * df["b"]
    for method in ("shapley", "relative-weights"):
        res = nps.driver_importance(df, "ltr", ["a", "b"], method=method)
        assert by_driver(res)["a"] == pytest.approx(0.36)
        assert by_driver(res)["b"] == pytest.approx(0.64)


# --------------------------------------------------------------------------
# relative weights
# --------------------------------------------------------------------------


def relative_weights_slow(y, X):
    """Johnson (2000) step by step on the raw rows: orthogonal counterparts Z
    from the SVD of the standardized drivers, then two sets of regressions."""
    Xs = (X - X.mean(0)) / X.std(0)
    ys = (y - y.mean()) / y.std()
    P, _, Qt = np.linalg.svd(Xs, full_matrices=False)
    Z = P @ Qt * np.sqrt(len(y))  # the orthonormal columns closest to Xs
    beta = np.linalg.lstsq(Z, ys, rcond=None)[0]  # outcome on Z
    k = X.shape[1]
    lam = np.empty((k, k))
    for j in range(k):  # each driver on Z: Lambda[j, i] = loading of X_j on Z_i
        lam[j] = np.linalg.lstsq(Z, Xs[:, j], rcond=None)[0]
    return np.array([sum(lam[j, i] ** 2 * beta[i] ** 2 for i in range(k)) for j in range(k)])


@pytest.mark.parametrize("seed", [1, 2])
def test_relative_weights_match_slow_reference_and_sum_to_r2(seed):
    df, drivers = simulate(seed=seed, n=250, k=6, rho=0.5)
    y, X = df["ltr"].to_numpy(), df[drivers].to_numpy()
    res = nps.driver_importance(df, "ltr", drivers, method="relative-weights")
    np.testing.assert_allclose(by_driver(res)[drivers], relative_weights_slow(y, X), atol=1e-10)
    assert res["importance"].sum() == pytest.approx(ols_r2(y, X), abs=1e-10)


# --------------------------------------------------------------------------
# correlation, regression, logit, ordinal against direct fits
# --------------------------------------------------------------------------


def test_correlation_and_spearman_match_scipy(sim):
    from scipy.stats import pearsonr, spearmanr

    df, drivers = sim
    pear = nps.driver_importance(df, "ltr", drivers, method="correlation")
    spear = nps.driver_importance(df, "ltr", drivers, method="spearman")
    for d in drivers:
        assert by_driver(pear)[d] == pytest.approx(pearsonr(df[d], df["ltr"])[0], abs=1e-12)
        assert by_driver(spear)[d] == pytest.approx(spearmanr(df[d], df["ltr"])[0], abs=1e-12)
    r = by_driver(pear)
    np.testing.assert_allclose(by_driver(pear, "share"), 100 * r**2 / (r**2).sum())


def test_regression_matches_statsmodels_raw_fit_rescaled(sim):
    """Standardized coefficients and HC3 SEs are the raw-scale ones times sd_x / sd_y."""
    df, drivers = sim
    fit = sm.OLS(df["ltr"], sm.add_constant(df[drivers])).fit(cov_type="HC3")
    scale = df[drivers].std() / df["ltr"].std()
    res = nps.driver_importance(df, "ltr", drivers, method="regression").set_index("driver")
    np.testing.assert_allclose(res.loc[drivers, "importance"], fit.params[drivers] * scale)
    np.testing.assert_allclose(res.loc[drivers, "se"], fit.bse[drivers] * scale)
    np.testing.assert_allclose(res.loc[drivers, "p_value"], fit.pvalues[drivers])
    ci = fit.conf_int().loc[drivers]
    np.testing.assert_allclose(res.loc[drivers, "ci_low"], ci[0] * scale)
    # Pratt shares: beta_j r_j / R^2, summing to 100 %
    assert res["share"].sum() == pytest.approx(100)
    assert res.attrs["ci_method"] == "HC3"


@pytest.mark.parametrize("target,lo,hi", [("promoter", 9, 10), ("detractor", 0, 6)])
def test_logit_matches_direct_statsmodels_logit(sim, target, lo, hi):
    df, drivers = sim
    member = df["ltr"].between(lo, hi).astype(float)
    fit = sm.Logit(member, sm.add_constant(df[drivers])).fit(disp=0)
    marg = fit.get_margeff()
    res = nps.driver_importance(df, "ltr", drivers, method="logit", target=target)
    res = res.set_index("driver").loc[drivers]
    np.testing.assert_allclose(res["odds_ratio"], np.exp(fit.params[drivers]), rtol=1e-6)
    or_ci = np.exp(fit.conf_int().loc[drivers])
    np.testing.assert_allclose(res["or_low"], or_ci[0], rtol=1e-6)
    np.testing.assert_allclose(res["ame"], marg.margeff, rtol=1e-6)
    np.testing.assert_allclose(res["ame_low"], marg.conf_int()[:, 0], rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(res["ame_high"], marg.conf_int()[:, 1], rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(res["p_value"], fit.pvalues[drivers], rtol=1e-5)
    assert res.attrs["r_squared"] == pytest.approx(fit.prsquared, rel=1e-6)


def test_ordinal_matches_direct_ordered_model():
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    df, drivers = simulate(n=200, k=3)
    g = np.arange(len(df)) // 4
    fit = OrderedModel(df["ltr"].astype(int), df[drivers], distr="logit").fit(
        method="bfgs", disp=False, maxiter=2000, cov_type="cluster", cov_kwds={"groups": g}
    )
    res = nps.driver_importance(df, "ltr", drivers, method="ordinal", clusters=g)
    res = res.set_index("driver").loc[drivers]
    np.testing.assert_allclose(res["odds_ratio"], np.exp(fit.params[drivers]), rtol=1e-4)
    ci = np.exp(fit.conf_int().loc[drivers])
    np.testing.assert_allclose(res["or_low"], ci[0], rtol=1e-3)
    np.testing.assert_allclose(res["or_high"], ci[1], rtol=1e-3)
    assert res.attrs["r_squared"] == pytest.approx(fit.prsquared, rel=1e-4)


def test_promoter_target_is_shapley_of_the_indicator(sim):
    df, drivers = sim
    df = df.assign(is_promoter=(df["ltr"] >= 9).astype(float))
    both = nps.driver_importance(df, "ltr", drivers, target=("score", "promoter"))
    direct = nps.driver_importance(df.drop(columns="ltr"), "is_promoter", drivers)
    prom = both[both["target"] == "promoter"]
    np.testing.assert_allclose(by_driver(prom)[drivers], by_driver(direct)[drivers], atol=1e-12)
    assert set(both["target"]) == {"score", "promoter"}
    assert both.attrs["r_squared"]["promoter"] == pytest.approx(
        ols_r2(df["is_promoter"], df[drivers])
    )


# --------------------------------------------------------------------------
# weights and bootstrap
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method,cols",
    [
        ("shapley", ["importance"]),
        ("relative-weights", ["importance"]),
        ("correlation", ["importance"]),
        ("regression", ["importance", "mean"]),
        ("logit", ["odds_ratio", "ame"]),
        ("ordinal", ["odds_ratio"]),
    ],
)
def test_integer_weights_equal_repeated_rows(sim, method, cols):
    df, drivers = sim
    w = np.random.default_rng(SEED_SIM).integers(1, 4, len(df))
    repeated = df.loc[df.index.repeat(w)].reset_index(drop=True)
    target = "promoter" if method == "logit" else "score"
    if method == "ordinal":  # a slower model: fewer drivers and rows
        df, drivers, w = df.head(120), drivers[:2], w[:120]
        repeated = df.loc[df.index.repeat(w)].reset_index(drop=True)
    a = nps.driver_importance(df, "ltr", drivers, method=method, target=target, weights=w)
    b = nps.driver_importance(repeated, "ltr", drivers, method=method, target=target)
    rtol = 1e-4 if method == "ordinal" else 1e-7  # numerical optimiser
    for col in cols:
        np.testing.assert_allclose(
            by_driver(a, col)[drivers], by_driver(b, col)[drivers], rtol=rtol
        )
    if method == "ordinal":
        assert a.attrs["r_squared"] == pytest.approx(b.attrs["r_squared"], rel=1e-4)
    np.testing.assert_allclose(by_driver(a, "mean")[drivers], repeated[drivers].mean())


def test_weights_by_column_name_equal_array(sim):
    df, drivers = sim
    df = df.assign(w=np.linspace(0.5, 2, len(df)))
    a = nps.driver_importance(df, "ltr", drivers, weights="w")
    b = nps.driver_importance(df, "ltr", drivers, weights=df["w"].to_numpy())
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["weighted"]


def test_batched_correlations_equal_corrcoef_on_repeated_rows(rng):
    Z = rng.normal(size=(60, 4))
    W = rng.multinomial(60, np.full(60, 1 / 60), size=5).astype(float)
    C = drv._batched_corr(Z, W)
    for b in range(5):
        expected = np.corrcoef(np.repeat(Z, W[b].astype(int), axis=0), rowvar=False)
        np.testing.assert_allclose(C[b], expected, atol=1e-12)


def test_batched_logit_bootstrap_equals_statsmodels_refits(sim):
    df, drivers = sim
    prep = drv._prepare(df, "ltr", drivers, "logit", "promoter", None, None, "listwise", 0.95)
    yt = drv._target_vector(prep.y, "promoter")
    reps = drv._logit_bootstrap(prep, yt, 4, np.random.default_rng(SEED_BOOT))
    W = drv._count_weights(np.random.default_rng(SEED_BOOT), len(df), None, 4)
    for b in range(4):
        rows = np.repeat(np.arange(len(df)), W[b].astype(int))
        fit = sm.Logit(yt[rows], sm.add_constant(prep.X[rows])).fit(disp=0)
        np.testing.assert_allclose(reps[b], fit.get_margeff().margeff, rtol=1e-6)


def test_bootstrap_ci_covers_estimate_and_is_reproducible(sim):
    df, drivers = sim
    kw = dict(n_resamples=300, rng=SEED_BOOT)
    a = nps.driver_importance(df, "ltr", drivers, **kw)
    b = nps.driver_importance(df, "ltr", drivers, **kw)
    c = nps.driver_importance(df, "ltr", drivers, n_resamples=300, rng=SEED_BOOT + 1)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["ci_low"], c["ci_low"])
    assert (a["ci_low"] <= a["importance"]).all() and (a["importance"] <= a["ci_high"]).all()
    assert a.attrs["ci_method"] == "percentile bootstrap"
    # a wider interval at a higher confidence level
    d = nps.driver_importance(
        df, "ltr", drivers, n_resamples=300, rng=SEED_BOOT, confidence_level=0.99
    )
    assert ((d["ci_high"] - d["ci_low"]) >= (a["ci_high"] - a["ci_low"]) - 1e-12).all()


def test_bootstrap_spread_matches_loop_of_refits(sim):
    """The vectorised bootstrap's percentile interval matches one built by a
    plain loop of raw-row Shapley computations on the same resamples."""
    df, drivers = sim
    drivers = drivers[:3]
    res = nps.driver_importance(df, "ltr", drivers, n_resamples=200, rng=SEED_BOOT)
    W = drv._count_weights(np.random.default_rng(SEED_BOOT), len(df), None, 200)
    y, X = df["ltr"].to_numpy(), df[drivers].to_numpy()
    reps = []
    for b in range(200):
        rows = np.repeat(np.arange(len(df)), W[b].astype(int))
        yb, Xb = y[rows], X[:, :][rows]
        # closed form for 3 drivers from raw-row R^2 of all subsets
        r2 = {
            s: ols_r2(yb, Xb[:, list(s)]) if s else 0.0
            for n in range(4)
            for s in combinations(range(3), n)
        }
        phi = []
        for j in range(3):
            others = [o for o in range(3) if o != j]
            tot = 0.0
            for n in range(3):
                for s in combinations(others, n):
                    wgt = [1 / 3, 1 / 6, 1 / 3][n]
                    tot += wgt * (r2[tuple(sorted((*s, j)))] - r2[s])
            phi.append(tot)
        reps.append(phi)
    lo, hi = np.quantile(np.array(reps), [0.025, 0.975], axis=0)
    res = res.set_index("driver").loc[drivers]
    np.testing.assert_allclose(res["ci_low"], lo, atol=1e-10)
    np.testing.assert_allclose(res["ci_high"], hi, atol=1e-10)


def test_cluster_bootstrap_is_wider_when_clusters_share_everything(sim):
    """Duplicating every respondent 4 times within an account: resampling rows
    pretends n is 4x larger; resampling accounts recovers the right width."""
    df, drivers = sim
    df = df.assign(account=np.arange(len(df)))
    dup = pd.concat([df] * 4, ignore_index=True)
    single = nps.driver_importance(df, "ltr", drivers, n_resamples=400, rng=SEED_BOOT)
    rows = nps.driver_importance(dup, "ltr", drivers, n_resamples=400, rng=SEED_BOOT)
    clus = nps.driver_importance(
        dup, "ltr", drivers, clusters="account", n_resamples=400, rng=SEED_BOOT
    )
    width = lambda r: (r["ci_high"] - r["ci_low"]).to_numpy()  # noqa: E731
    assert width(rows).mean() < 0.7 * width(single).mean()
    np.testing.assert_allclose(width(clus).mean(), width(single).mean(), rtol=0.2)
    assert "clusters" in clus.attrs["ci_method"]


def test_logit_and_regression_bootstrap_run(sim):
    df, drivers = sim
    lg = nps.driver_importance(
        df, "ltr", drivers, method="logit", target="promoter", n_resamples=100, rng=SEED_BOOT
    )
    # bootstrap and delta-method intervals of the AME roughly agree
    np.testing.assert_allclose(
        lg["ci_high"] - lg["ci_low"], lg["ame_high"] - lg["ame_low"], rtol=0.4
    )
    rg = nps.driver_importance(
        df, "ltr", drivers, method="regression", n_resamples=100, rng=SEED_BOOT
    )
    assert (rg["ci_low"] <= rg["importance"]).all()
    # the bootstrap of the standardized coefficients is about as wide as the
    # HC3 interval (100 resamples: each width within 30 %, the mean within 20 %)
    hc3 = nps.driver_importance(df, "ltr", drivers, method="regression").set_index("driver")
    ratio = (rg.set_index("driver")["ci_high"] - rg.set_index("driver")["ci_low"]) / (
        hc3["ci_high"] - hc3["ci_low"]
    )
    np.testing.assert_allclose(ratio, 1, atol=0.3)
    assert 0.8 < ratio.mean() < 1.2


# --------------------------------------------------------------------------
# errors and missing data
# --------------------------------------------------------------------------


def test_missing_rows_are_counted_or_raise(sim):
    df, drivers = sim
    df = df.copy()
    df.loc[3, "d1"] = np.nan
    df.loc[5, "ltr"] = np.nan
    df.loc[7, ["d0", "d2"]] = np.nan
    res = nps.driver_importance(df, "ltr", drivers)
    assert res.attrs["n_excluded_missing"] == 3
    assert res.attrs["n_used"] == len(df) - 3
    assert res.attrs["missing_by_column"] == {"ltr": 1, "d0": 1, "d1": 1, "d2": 1}
    with pytest.raises(ValueError, match=r"column 'd1' at row 3"):
        nps.driver_importance(df, "ltr", drivers, missing="raise")


def test_errors_are_clear(sim):
    df, drivers = sim
    with pytest.raises(ValueError, match="valid methods are .*shapley.*relative-weights"):
        nps.driver_importance(df, "ltr", drivers, method="lmg")
    with pytest.raises(ValueError, match="limited to 20 drivers, got 21.*relative-weights"):
        nps.driver_importance(df, "ltr", [f"x{i}" for i in range(21)])
    with pytest.raises(ValueError, match="valid targets"):
        nps.driver_importance(df, "ltr", drivers, target="passive")
    with pytest.raises(KeyError, match="nope"):
        nps.driver_importance(df, "ltr", [*drivers, "nope"])
    with pytest.raises(ValueError, match="need at least drivers \\+ 2 = 7"):
        nps.driver_importance(df.head(6), "ltr", drivers)
    with pytest.raises(ValueError, match=r"\['d2'\] are constant"):
        nps.driver_importance(df.assign(d2=5.0), "ltr", drivers)
    with pytest.raises(ValueError, match=r"target='promoter'"):
        nps.driver_importance(df, "ltr", drivers, method="logit")
    with pytest.raises(ValueError, match="no variation"):
        nps.driver_importance(
            df.assign(ltr=df["ltr"].clip(0, 8)), "ltr", drivers, target="promoter"
        )
    with pytest.raises(ValueError, match="at least two"):
        nps.driver_importance(df, "ltr", drivers, method="regression", clusters=np.zeros(len(df)))
    with pytest.raises(ValueError, match="n_resamples must be 0 .* or a whole number >= 2"):
        nps.driver_importance(df, "ltr", drivers, n_resamples=1)
    with pytest.raises(ValueError, match=r"unknown missing='pairwise'.*'listwise'"):
        nps.driver_importance(df, "ltr", drivers, missing="pairwise")
    with pytest.raises(ValueError, match=r"weights must be finite non-negative.*\(-1\).* \[2\]"):
        nps.driver_importance(df, "ltr", drivers, weights=np.r_[1, 1, -1, np.ones(len(df) - 3)])


def test_text_and_negative_weights_are_refused_naming_rows(sim):
    df, drivers = sim
    df = df.set_axis([f"r{i}" for i in range(len(df))]).assign(w=1.0)
    df["w"] = df["w"].astype(object)
    df.loc["r3", "w"] = "heavy"
    df.loc["r7", "w"] = -0.5
    msg = (
        r"weights column 'w' must be finite non-negative numbers; 2 bad value\(s\) "
        r"\('heavy', -0\.5\) at index label\(s\) \['r3', 'r7'\]"
    )
    with pytest.raises(ValueError, match=msg):
        nps.driver_importance(df, "ltr", drivers, weights="w")
    # an array is aligned by position and its bad rows named by the frame's labels
    with pytest.raises(ValueError, match=r"2 bad value\(s\) \('heavy', -0\.5\) .*\['r3', 'r7'\]"):
        nps.driver_importance(df, "ltr", drivers, weights=df["w"].to_numpy())
    for bad in (np.inf, np.nan, None):
        with pytest.raises(ValueError, match=r"finite non-negative.*\['r0'\]"):
            nps.driver_importance(df, "ltr", drivers, weights=[bad, *np.ones(len(df) - 1)])
    # zero weights stay allowed: a zero-weight row counts as left out
    w = np.ones(len(df))
    w[:5] = 0
    a = nps.driver_importance(df, "ltr", drivers, weights=w)
    b = nps.driver_importance(df.iloc[5:], "ltr", drivers)
    np.testing.assert_allclose(a["importance"], b["importance"], rtol=1e-10)


def test_logit_separation_is_a_clear_error(rng):
    df = pd.DataFrame({"a": rng.integers(0, 11, 100), "b": rng.integers(0, 11, 100)})
    df["ltr"] = np.where(df["a"] >= 6, 10, 5)  # rating a decides promoters exactly
    with pytest.raises(ValueError, match="separate promoters .* perfectly"):
        nps.driver_importance(df, "ltr", ["a", "b"], method="logit", target="promoter")


def test_collinear_drivers_are_named(sim):
    df, drivers = sim
    df = df.assign(total=df["d0"] + df["d3"])
    with pytest.raises(ValueError, match=r"\['d0', 'd3', 'total'\] are perfectly collinear"):
        nps.driver_importance(df, "ltr", [*drivers, "total"])
    # the unrelated drivers are not named
    with pytest.raises(ValueError) as info:
        nps.driver_importance(df, "ltr", ["d1", "d0", "total", "d3"])
    assert "d1" not in str(info.value)


def test_non_numeric_rating_names_column_and_row(sim):
    df, drivers = sim
    bad = df.astype({"d2": object})
    bad.loc[4, "d2"] = "Very good"
    with pytest.raises(ValueError, match=r"column 'd2' .* row 4 .*'Very good'"):
        nps.driver_importance(bad, "ltr", drivers)
    # numbers stored as text are fine
    as_text = df.assign(d2=df["d2"].astype(int).astype(str))
    np.testing.assert_allclose(
        nps.driver_importance(as_text, "ltr", drivers)["importance"],
        nps.driver_importance(df, "ltr", drivers)["importance"],
    )
    with pytest.raises(ValueError, match=r"0-10 score.*row 0"):
        nps.driver_importance(df.assign(ltr=df["ltr"] + 0.5), "ltr", drivers, target="promoter")


# --------------------------------------------------------------------------
# importance-performance
# --------------------------------------------------------------------------


def test_importance_performance_quadrants_by_hand():
    d = pd.DataFrame(
        {"driver": list("abcde"), "share": [40, 30, 15, 10, 5], "mean": [6.0, 9.0, 5.0, 8.5, 7.0]}
    )
    # mean share 20, mean rating 7.1
    out = nps.importance_performance(d)
    assert list(out["quadrant"]) == [
        "fix first",
        "keep up",
        "lower priority",
        "possible overkill",
        "lower priority",
    ]
    assert out.attrs["thresholds"] == (20.0, 7.1)
    # median: share 15, rating 7.0 -> c is "high" importance (at the threshold), e high performance
    med = nps.importance_performance(d, thresholds="median")
    assert list(med["quadrant"])[2:] == ["fix first", "possible overkill", "possible overkill"]
    fixed = nps.importance_performance(d, thresholds=(35, 8))
    assert list(fixed["quadrant"])[:2] == ["fix first", "possible overkill"]
    assert "quadrant" not in d.columns  # input left alone
    with pytest.raises(ValueError, match="'mean', 'median'"):
        nps.importance_performance(d, thresholds="mode")
    with pytest.raises(KeyError, match="performance_score"):
        nps.importance_performance(d, performance="performance_score")


def test_importance_performance_per_target(sim):
    df, drivers = sim
    res = nps.driver_importance(df, "ltr", drivers, target=("score", "promoter"))
    out = nps.importance_performance(res)
    assert set(out.attrs["thresholds"]) == {"score", "promoter"}
    for t, (ti, _) in out.attrs["thresholds"].items():
        assert ti == pytest.approx(res.loc[res["target"] == t, "share"].mean())


# --------------------------------------------------------------------------
# public data and figures
# --------------------------------------------------------------------------


def test_rocks_public_data(public_data):
    df = pd.read_csv(public_data / "rocks_NPS_R_testdata.csv")
    drivers = [
        "Product.Tastiness",
        "Salesman.Smileyness",
        "Salesman.Chirpiness",
        "Salesman.Bubbliness",
    ]
    res = nps.driver_importance(df, "REC", drivers, n_resamples=200, rng=SEED_BOOT)
    fit = sm.OLS(df["REC"], sm.add_constant(df[drivers])).fit()
    assert res["importance"].sum() == pytest.approx(fit.rsquared, abs=1e-12)
    expected = general_dominance_slow(df, "REC", drivers)
    np.testing.assert_allclose(by_driver(res)[drivers], expected[drivers], atol=1e-10)
    # in this idealised data only tastiness and smileyness drive REC
    assert set(res["driver"].head(2)) == {"Product.Tastiness", "Salesman.Smileyness"}
    prom = nps.driver_importance(df, "REC", drivers, method="logit", target="promoter")
    assert (prom.set_index("driver").loc[drivers[2:], "p_value"] > 0.01).all()
    quad = nps.importance_performance(res)
    assert set(quad["quadrant"]) <= set(drv.QUADRANTS)


def test_figures_return_axes(sim):
    import matplotlib.axes

    df, drivers = sim
    res = nps.driver_importance(df, "ltr", drivers, n_resamples=50, rng=SEED_BOOT)
    ax = plots.driver_importance_plot(res)
    assert isinstance(ax, matplotlib.axes.Axes)
    assert len(ax.patches) == len(drivers)
    assert len(ax.collections) == 1  # the whiskers
    ax = plots.importance_performance_plot(res)
    assert isinstance(ax, matplotlib.axes.Axes)
    assert len(ax.texts) == len(drivers) + 4
    fixed = nps.importance_performance(res, thresholds=(12.5, 6.4))
    ax = plots.importance_performance_plot(fixed)
    vline, hline = ax.lines[:2]
    assert vline.get_xdata()[0] == 6.4 and hline.get_ydata()[0] == 12.5
    both = nps.driver_importance(
        df, "ltr", drivers, target=("score", "promoter"), n_resamples=50, rng=1
    )
    ax = plots.driver_importance_plot(both)
    assert len(ax.collections) == 2
    with pytest.raises(ValueError, match="several targets"):
        plots.importance_performance_plot(both)


def test_weighted_cluster_logit_matches_hand_written_sandwich(sim):
    """Cluster-robust SEs of the weighted logit: bread^-1 meat bread^-1 with
    cluster score sums and the usual G/(G-1) (n-1)/(n-k) correction."""
    df, drivers = sim
    g = np.arange(len(df)) // 3
    w = np.linspace(1, 2, len(df))
    res = nps.driver_importance(
        df, "ltr", drivers, method="logit", target="promoter", weights=w, clusters=g
    ).set_index("driver")
    y = (df["ltr"] >= 9).to_numpy(float)
    X1 = np.column_stack([np.ones(len(df)), df[drivers].to_numpy()])
    wn = w * len(w) / w.sum()
    b0 = sm.GLM(y, X1, family=sm.families.Binomial(), var_weights=wn).fit().params
    np.testing.assert_allclose(np.exp(b0[1:]), res.loc[drivers, "odds_ratio"], rtol=1e-8)
    p = 1 / (1 + np.exp(-(X1 @ b0)))
    assert np.abs(X1.T @ (wn * (y - p))).max() < 1e-6  # weighted score equations hold
    bread = (X1 * (wn * p * (1 - p))[:, None]).T @ X1
    sums = np.zeros((g.max() + 1, X1.shape[1]))
    np.add.at(sums, g, X1 * (wn * (y - p))[:, None])
    n, k = X1.shape
    G = sums.shape[0]
    inv = np.linalg.inv(bread)
    se = np.sqrt(np.diag(inv @ sums.T @ sums @ inv) * G / (G - 1) * (n - 1) / (n - k))[1:]
    z = 1.959963984540054
    np.testing.assert_allclose(res.loc[drivers, "or_high"], np.exp(b0[1:] + z * se), rtol=1e-6)


def test_cluster_robust_regression_matches_statsmodels(sim):
    df, drivers = sim
    g = np.arange(len(df)) // 4
    fit = sm.OLS(df["ltr"], sm.add_constant(df[drivers])).fit(
        cov_type="cluster", cov_kwds={"groups": g}
    )
    scale = df[drivers].std() / df["ltr"].std()
    res = nps.driver_importance(df, "ltr", drivers, method="regression", clusters=g)
    res = res.set_index("driver")
    np.testing.assert_allclose(res.loc[drivers, "se"], fit.bse[drivers] * scale)
    assert res.attrs["ci_method"] == "cluster-robust"


def test_import_does_not_load_statsmodels():
    import subprocess
    import sys

    code = (
        "import sys, nps_toolkit.drivers; "
        "print([m for m in ('statsmodels', 'seaborn') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("method", ["shapley", "relative-weights", "regression", "correlation"])
def test_batched_bootstrap_equals_point_estimates_on_each_resample(sim, method):
    """Each vectorised bootstrap replicate equals driver_importance run on
    that resample's rows (repeated by their counts)."""
    df, drivers = sim
    prep = drv._prepare(df, "ltr", drivers, method, "score", None, None, "listwise", 0.95)
    reps = drv._bootstrap_corr_method(
        prep, prep.y, False, method, 3, np.random.default_rng(SEED_BOOT)
    )
    W = drv._count_weights(np.random.default_rng(SEED_BOOT), len(df), None, 3)
    for b in range(3):
        rows = df.loc[df.index.repeat(W[b].astype(int))]
        point = nps.driver_importance(rows, "ltr", drivers, method=method)
        np.testing.assert_allclose(reps[b], by_driver(point)[drivers], atol=1e-10)


@pytest.mark.parametrize(
    "method,target,cols",
    [
        ("shapley", "score", ["importance"]),
        ("regression", "score", ["importance", "se", "ci_low"]),
        ("logit", "detractor", ["ame", "ame_low", "or_high", "p_value"]),
    ],
)
def test_equal_weights_equal_unweighted(sim, method, target, cols):
    # weights that are all equal (any value) must change nothing, standard
    # errors included: logit weights are rescaled to average 1
    df, drivers = sim
    a = nps.driver_importance(df, "ltr", drivers, method=method, target=target)
    b = nps.driver_importance(
        df, "ltr", drivers, method=method, target=target, weights=np.full(len(df), 0.3)
    )
    for col in cols:
        np.testing.assert_allclose(
            by_driver(b, col)[drivers], by_driver(a, col)[drivers], rtol=1e-6
        )
    assert b.attrs["r_squared"] == pytest.approx(a.attrs["r_squared"], rel=1e-9)


def test_score_names_the_outcome_column_as_everywhere():
    df = pd.DataFrame({"a": [1, -1, 1, -1], "b": [1, 1, -1, -1]})
    df["ltr"] = 5 + 0.6 * df["a"] + 0.8 * df["b"]
    by_keyword = nps.driver_importance(df, score="ltr", drivers=["a", "b"])
    pd.testing.assert_frame_equal(by_keyword, nps.driver_importance(df, "ltr", ["a", "b"]))
    assert by_keyword.attrs["score"] == "ltr"
    assert by_keyword["importance"].tolist() == pytest.approx([0.64, 0.36])


# --------------------------------------------------------------------------
# files and DuckDB relations: importance from sums computed in DuckDB
# --------------------------------------------------------------------------

SEED_ENGINE = 770124


def engine_frame(seed=SEED_ENGINE, n=3000):
    df, names = simulate(seed=seed, n=n, k=4)
    rng = np.random.default_rng(seed)
    df["w"] = rng.uniform(0.5, 2.0, n)
    df.loc[::37, "d1"] = np.nan  # blanks are left out listwise and counted
    return df, names


@pytest.mark.parametrize("target", ["score", "promoter", ("score", "detractor")])
@pytest.mark.parametrize("method", ["shapley", "relative-weights", "correlation"])
def test_engine_sums_equal_the_row_by_row_numbers(tmp_path, monkeypatch, target, method):
    # the sums path (forced on a small file) against the DataFrame path
    monkeypatch.setattr(drv, "ENGINE_EXACT_ROWS", 0)
    df, names = engine_frame()
    path = tmp_path / "survey.parquet"
    df.to_parquet(path)
    kw = dict(method=method, target=target, weights="w")
    ref = nps.driver_importance(df, "ltr", names, **kw)
    got = nps.driver_importance(str(path), "ltr", names, **kw)
    cols = ["driver", "importance", "share", "mean", "n", "rank"]
    cols = (["target"] if "target" in ref.columns else []) + cols
    pd.testing.assert_frame_equal(got[cols], ref[cols], rtol=1e-9, atol=1e-12)
    for key in ("r_squared", "n_used", "n_excluded_missing", "missing_by_column"):
        assert got.attrs[key] == pytest.approx(ref.attrs[key], rel=1e-9)
    assert got.attrs["missing_by_column"] == {"d1": int(np.ceil(3000 / 37))}


def test_engine_small_file_is_the_dataframe_path_intervals_included(tmp_path):
    df, names = engine_frame(n=400)
    path = tmp_path / "survey.csv"
    df.to_csv(path, index=False)
    kw = dict(weights="w", n_resamples=200, rng=SEED_BOOT)
    ref = nps.driver_importance(df, "ltr", names, **kw)
    got = nps.driver_importance(str(path), "ltr", names, **kw)
    pd.testing.assert_frame_equal(got, ref, rtol=1e-9)
    assert got.attrs["ci_method"] == "percentile bootstrap"


def population_shapley(beta, rho, sigma, k):
    """Shapley values of the population: correlations from the generating model."""
    cov = np.full((k, k), rho) + (1 - rho) * np.eye(k)
    var_y = beta @ cov @ beta + sigma**2
    r = cov @ beta / np.sqrt(var_y)  # the drivers have unit variance
    return drv._shapley(cov, r)


def test_engine_interval_covers_the_population_shapley_values(monkeypatch):
    # random-groups bootstrap: 90 % intervals over 120 simulated surveys
    # (benchmarks/scale_report.py --coverage runs a longer version)
    import duckdb

    monkeypatch.setattr(drv, "ENGINE_EXACT_ROWS", 0)
    k, rho, sigma, n = 3, 0.3, 1.0, 4000
    beta = np.array([0.6, 0.4, 0.2])
    truth = population_shapley(beta, rho, sigma, k)
    rng = np.random.default_rng(SEED_ENGINE)
    cov = np.full((k, k), rho) + (1 - rho) * np.eye(k)
    hits, reps = np.zeros(k), 120
    for _ in range(reps):
        X = rng.multivariate_normal(np.zeros(k), cov, size=n)
        frame = pd.DataFrame(X, columns=["a", "b", "c"])
        frame["y"] = X @ beta + rng.normal(0, sigma, n)
        res = nps.driver_importance(
            duckdb.from_df(frame), "y", ["a", "b", "c"], n_resamples=300,
            confidence_level=0.90, rng=rng,
        ).set_index("driver").loc[["a", "b", "c"]]  # fmt: skip
        hits += (res["ci_low"].to_numpy() <= truth) & (truth <= res["ci_high"].to_numpy())
    coverage = hits / reps
    # binomial sd at 0.90 over 120 surveys is 0.027: each within 3 sd of nominal
    assert np.all(coverage > 0.81) and np.all(coverage < 0.99), coverage
    assert res.attrs["ci_method"] == "random-groups bootstrap (200 groups)"


def test_engine_clusters_deal_whole_clusters_to_groups(monkeypatch):
    # an interval that ignored the clustering would be far too narrow: every
    # account answers 20 times with the same ratings
    import duckdb

    monkeypatch.setattr(drv, "ENGINE_EXACT_ROWS", 0)
    rng = np.random.default_rng(SEED_ENGINE)
    acc = pd.DataFrame(rng.normal(size=(400, 2)), columns=["a", "b"])
    acc["y"] = acc["a"] * 0.7 + acc["b"] * 0.3 + rng.normal(0, 1, 400)
    acc["account"] = np.arange(400).astype(str)
    rows = acc.loc[np.repeat(acc.index, 20)].reset_index(drop=True)
    kw = dict(n_resamples=300, rng=1)
    naive = nps.driver_importance(duckdb.from_df(rows), "y", ["a", "b"], **kw)
    clustered = nps.driver_importance(
        duckdb.from_df(rows), "y", ["a", "b"], clusters="account", **kw
    )
    per_account = nps.driver_importance(acc, "y", ["a", "b"], **kw)
    width = lambda r: (r["ci_high"] - r["ci_low"]).to_numpy()  # noqa: E731
    # clustered width matches the 400 independent accounts' width, the naive one is ~sqrt(20) narrower
    assert np.allclose(width(clustered), width(per_account), rtol=0.3)
    assert np.all(width(naive) < width(clustered) / 2.5)


def test_engine_refuses_what_it_cannot_do(tmp_path):
    df, names = engine_frame(n=200)
    path = tmp_path / "s.parquet"
    df.to_parquet(path)
    with pytest.raises(ValueError, match="method='logit'.*shapley"):
        nps.driver_importance(str(path), "ltr", names, method="logit", target="promoter")

    with pytest.raises(KeyError, match="nope"):
        nps.driver_importance(str(path), "ltr", [*names, "nope"])
    bad = df.astype({"d2": object})
    bad.loc[5, "d2"] = "good"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ValueError, match="'d2' must hold numeric ratings.*1 value"):
        nps.driver_importance(str(tmp_path / "bad.csv"), "ltr", names)


# Spark: the same sums as one Spark aggregation (make test-spark; skipped without pyspark)


@pytest.mark.filterwarnings("ignore::FutureWarning")  # pyspark about pandas 3
@pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")
def test_spark_sums_equal_the_row_by_row_numbers(spark, tmp_path, monkeypatch):
    monkeypatch.setattr(drv, "ENGINE_EXACT_ROWS", 0)  # the sums path on a small frame
    df, names = engine_frame()
    df["account"] = (np.arange(len(df)) % 150).astype(str)
    hostile = "d0` , `w"  # a backquote in a column name: Spark's quoting, not the name, counts
    df = df.rename(columns={"d0": hostile})
    cols = [hostile, *names[1:]]
    df.to_parquet(tmp_path / "s.parquet")
    sdf = spark.read.parquet(str(tmp_path / "s.parquet"))
    show = ["driver", "importance", "share", "mean", "n", "rank"]
    for kw in (
        dict(method="shapley", target=("score", "detractor"), weights="w"),
        dict(method="relative-weights", target="promoter", clusters="account", n_resamples=200),
    ):
        ref = nps.driver_importance(df, "ltr", cols, **kw)
        got = nps.driver_importance(sdf, "ltr", cols, **kw)
        use = (["target"] if "target" in ref.columns else []) + show
        pd.testing.assert_frame_equal(got[use], ref[use], rtol=1e-9, atol=1e-12)
        for key in ("r_squared", "n_used", "n_excluded_missing", "missing_by_column"):
            assert got.attrs[key] == pytest.approx(ref.attrs[key], rel=1e-9)
    assert got.attrs["missing_by_column"] == {"d1": int(np.ceil(3000 / 37))}
    # the interval: whole accounts dealt to random groups by Spark, so no more groups
    # than the 150 accounts (rows dealt one by one would fill all 200)
    groups = int(
        re.fullmatch(r"random-groups bootstrap \((\d+) groups\)", got.attrs["ci_method"])[1]
    )
    assert 50 < groups <= 150
    assert (got["ci_low"] <= got["importance"]).all() and (
        got["importance"] <= got["ci_high"]
    ).all()


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")
def test_spark_small_frame_is_the_dataframe_path_and_bad_input_is_named(spark, tmp_path):
    df, names = engine_frame(n=400)
    sdf = spark.createDataFrame(df)
    kw = dict(weights="w", n_resamples=200, rng=SEED_BOOT)
    ref = nps.driver_importance(df, "ltr", names, **kw)
    got = nps.driver_importance(sdf, "ltr", names, **kw)
    pd.testing.assert_frame_equal(got, ref, rtol=1e-9)  # intervals included
    with pytest.raises(KeyError, match="column 'nope' not in the Spark DataFrame"):
        nps.driver_importance(sdf, "ltr", [*names, "nope"])
    with pytest.raises(ValueError, match="method='logit'.*shapley"):
        nps.driver_importance(sdf, "ltr", names, method="logit", target="promoter")
    bad = df.astype({"d2": object, "w": object})
    bad.loc[5, "d2"], bad.loc[7, "w"] = "good", -1.0
    bad = spark.createDataFrame(bad.astype({"d2": str, "w": str}))
    with pytest.raises(ValueError, match="'d2' must hold numeric ratings.*1 value.*Spark"):
        nps.driver_importance(bad, "ltr", names)
    with pytest.raises(ValueError, match="weights column 'w' must be finite non-negative.*1 bad"):
        nps.driver_importance(bad.drop("d2"), "ltr", [n for n in names if n != "d2"], weights="w")


def test_engine_quotes_hostile_column_names(tmp_path, monkeypatch):
    monkeypatch.setattr(drv, "ENGINE_EXACT_ROWS", 0)
    df, names = engine_frame(n=500)
    hostile = 'd0" FROM src; DROP TABLE x; --'
    df = df.rename(columns={"d0": hostile})
    df.to_parquet(tmp_path / "s.parquet")
    cols = [hostile, *names[1:]]
    got = nps.driver_importance(str(tmp_path / "s.parquet"), "ltr", cols)
    ref = nps.driver_importance(df, "ltr", cols)
    assert np.allclose(got["importance"], ref["importance"], rtol=1e-9)


def test_misspelled_columns_suggest_the_closest(sim):
    df, drivers = sim
    df = df.rename(columns={"d0": "speed", "ltr": "recommend"})
    drivers = ["speed", *drivers[1:]]
    with pytest.raises(ValueError, match=r"column 'sped' not in the data; did you mean 'speed'\?"):
        nps.driver_importance(df, "recommend", ["sped", *drivers[1:]])
    with pytest.raises(ValueError, match=r"column 'Recommend' not in the data; did you mean "):
        nps.driver_importance(df, "Recommend", drivers)
    with pytest.raises(ValueError, match=r"weights column 'wieght' .*did you mean 'weight'\?"):
        nps.driver_importance(df.assign(weight=1.0), "recommend", drivers, weights="wieght")
    table = pd.DataFrame({"driver": ["a"], "share": [1.0], "mean": [5.0]})
    with pytest.raises(ValueError, match=r"'shares' not in importance_df; did you mean 'share'"):
        nps.importance_performance(table, importance="shares")


def test_score_and_drivers_swapped_says_which_comes_first(sim):
    df, drivers = sim
    with pytest.raises(ValueError, match=r"the score \(second argument\) is one column.*"
                       r"driver_importance\(df, 'ltr', \['d0'"):  # fmt: skip
        nps.driver_importance(df, drivers, "ltr")
