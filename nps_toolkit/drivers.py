"""Driver analysis: which experience ratings move likelihood-to-recommend.

``driver_importance`` ranks driver ratings (communication, price, quality, ...)
by how much of the outcome they explain; ``importance_performance`` places
each driver in the classic importance-performance quadrants ("fix first",
"keep up", "lower priority", "possible overkill").

Methods
-------
``"shapley"``
    LMG / general dominance: each driver's average increase in R^2 over all
    orders of entry.  Computed from the (weighted) correlation matrix: the
    R^2 of a subset S is ``r_yS' R_SS^-1 r_yS``, so the 2^k subsets cost 2^k
    tiny k-by-k solves (batched in numpy) instead of 2^k regressions on the
    raw rows, which is what the ``dominance-analysis`` package and R's
    ``relaimpo`` run.  The importances sum to the full-model R^2.
``"relative-weights"``
    Johnson's (2000) relative weights from the eigendecomposition of the
    drivers' correlation matrix; they also sum to R^2 and are usually within a
    few hundredths of the Shapley values.
``"correlation"`` / ``"spearman"``
    Pearson / Spearman correlation of each driver with the outcome.  With
    weights, Spearman is the weighted Pearson correlation of the (unweighted)
    mid-ranks; its bootstrap keeps the full-sample ranks.
``"regression"``
    Standardized OLS (WLS with weights) coefficients with HC3 robust
    standard errors (cluster-robust with ``clusters=``), statsmodels.
``"logit"``
    Logistic regression of promoter (or detractor) membership on the raw
    ratings: odds ratios per rating point and average marginal effects
    (change in the probability of being a promoter per rating point).
``"ordinal"``
    Proportional-odds model (statsmodels ``OrderedModel``) of the 0-10 score.

``target`` chooses what is explained: ``"score"`` (the 0-10 answer),
``"promoter"`` (1 for 9-10, else 0) or ``"detractor"`` (1 for 0-6).  With
``"shapley"``, ``"relative-weights"``, ``"correlation"`` and ``"regression"``
a binary target is analysed as a linear probability model: R^2 is that of
the 0/1 indicator.  What makes someone a promoter is often not what raises the
mean score (a driver can lift 5s to 7s without creating a single 9), so pass
several targets, ``target=("score", "promoter", "detractor")``, to get them
side by side in one tidy frame with a ``target`` column.

statsmodels is imported inside the functions that need it so that
``import nps_toolkit`` stays fast in a report kernel.

References
----------
Lindeman, Merenda & Gold (1980), *Introduction to Bivariate and Multivariate
Analysis* (LMG).  Budescu (1993), Dominance analysis, *Psychological Bulletin*
114(3); Azen & Budescu (2003), *Psychological Methods* 8(2) (general
dominance).  Johnson (2000), A heuristic method for estimating the relative
weight of predictor variables in multiple regression, *Multivariate
Behavioral Research* 35(1).  Pratt (1987) for the beta * r shares.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from math import factorial

import numpy as np
import pandas as pd

from ._validation import check_columns, check_resamples, resolve_weights

METHODS = (
    "shapley",
    "relative-weights",
    "correlation",
    "spearman",
    "regression",
    "logit",
    "ordinal",
)
TARGETS = ("score", "promoter", "detractor")
MISSING = ("listwise", "raise")
QUADRANTS = ("fix first", "keep up", "lower priority", "possible overkill")

# Above this many rows x resamples, bootstrap count weights are built in chunks
# so that memory stays around 50 MB whatever n and B are.
_CHUNK_CELLS = 6_000_000
# Shapley visits 2^k subsets: k = 15 takes well under a second, k = 20 about
# ten seconds; beyond that use relative weights (usually the same ranking).
MAX_SHAPLEY_DRIVERS = 20


# --------------------------------------------------------------------------
# input validation (at the edge)
# --------------------------------------------------------------------------


def _as_name_list(drivers) -> list:
    if isinstance(drivers, str) or not isinstance(drivers, Sequence | pd.Index):
        return [drivers]
    return list(drivers)


def _numeric_column(df: pd.DataFrame, col) -> np.ndarray:
    """Column as float array; error names the column and the first bad row."""
    s = df[col]
    if pd.api.types.is_bool_dtype(s):
        s = s.astype(float)
    if not pd.api.types.is_numeric_dtype(s):
        converted = pd.to_numeric(s, errors="coerce")
        bad = converted.isna() & s.notna()
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(
                f"column {col!r} must hold numeric ratings, but row {s.index[pos]!r} "
                f"(position {pos}) has {s.iloc[pos]!r}; {int(bad.sum())} non-numeric value(s) in "
                "all (map text labels to numbers first, e.g. df[col].map({'Bad': 2, 'Good': 4}))"
            )
        s = converted
    arr = s.to_numpy(dtype=float, na_value=np.nan)
    inf = np.isinf(arr)
    if inf.any():
        pos = int(np.flatnonzero(inf)[0])
        raise ValueError(f"column {col!r} has an infinite value at row {s.index[pos]!r}")
    return arr


def _check_zero_to_ten(y: np.ndarray, index: pd.Index, outcome) -> None:
    finite = ~np.isnan(y)
    bad = finite & ((y < 0) | (y > 10) | (y != np.round(y)))
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"outcome {outcome!r} must be a 0-10 score for this target/method, but row "
            f"{index[pos]!r} has {y[pos]!r}"
        )


def _row_vector(values, df: pd.DataFrame, what: str):
    """A column name or an array of len(df) -> Series aligned with df."""
    if isinstance(values, str):
        check_columns(df, [values], what=f"{what} column")
        return df[values]
    s = pd.Series(
        np.asarray(values).ravel() if not isinstance(values, pd.Series) else values.to_numpy()
    )
    if len(s) != len(df):
        raise ValueError(f"{what} has length {len(s)} but the data has {len(df)} rows")
    s.index = df.index
    return s


class _Prepared:
    """Validated, listwise-complete arrays (internal)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def _prepare(df, outcome, drivers, method, target, weights, clusters, missing, confidence_level):
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    if not isinstance(outcome, str) and isinstance(outcome, Sequence | pd.Index):
        # driver_importance(df, ["price", "speed"], "recommend"): the two swapped
        raise ValueError(
            f"the score (second argument) is one column, got {list(outcome)!r}: "
            f"driver_importance(df, score, drivers), e.g. driver_importance(df, "
            f"{drivers!r}, {list(outcome)!r})"
        )
    drivers = _as_name_list(drivers)
    if not drivers:
        raise ValueError("drivers is empty: name at least one driver rating column")
    dupes = sorted({d for d in drivers if drivers.count(d) > 1}, key=str)
    if dupes:
        raise ValueError(f"drivers listed more than once: {dupes}")
    if outcome in drivers:
        raise ValueError(f"the outcome {outcome!r} is also listed as a driver")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; valid methods are {list(METHODS)}")
    targets = [target] if isinstance(target, str) else list(target)
    if not targets:
        raise ValueError(f"target is empty; valid targets are {list(TARGETS)}")
    for t in targets:
        if t not in TARGETS:
            raise ValueError(f"unknown target {t!r}; valid targets are {list(TARGETS)}")
    if method == "logit" and "score" in targets:
        raise ValueError(
            "method='logit' models promoter or detractor membership: use target='promoter' "
            "or target='detractor' (method='ordinal' models the whole 0-10 score)"
        )
    if method == "ordinal" and targets != ["score"]:
        raise ValueError("method='ordinal' models the 0-10 score: use target='score'")
    if method == "shapley" and len(drivers) > MAX_SHAPLEY_DRIVERS:
        raise ValueError(
            f"method='shapley' visits 2^k subsets and is limited to {MAX_SHAPLEY_DRIVERS} "
            f"drivers, got {len(drivers)}: use method='relative-weights' (it approximates "
            "Shapley closely at the cost of one eigendecomposition)"
        )
    if missing not in MISSING:
        raise ValueError(f"unknown missing={missing!r}; valid options are {list(MISSING)}")
    if not 0 < confidence_level < 1:
        raise ValueError(f"confidence_level must be between 0 and 1, got {confidence_level}")
    check_columns(df, [outcome, *drivers])

    y = _numeric_column(df, outcome)
    if method == "ordinal" or any(t != "score" for t in targets):
        _check_zero_to_ten(y, df.index, outcome)
    X = np.column_stack([_numeric_column(df, d) for d in drivers])

    # zero weights are allowed (a row can be left out); rows named by df's index labels
    w = resolve_weights(df, weights)
    cl = None
    if clusters is not None:
        cl = _row_vector(clusters, df, "clusters")

    cols = {outcome: np.isnan(y)}
    cols.update({d: np.isnan(X[:, j]) for j, d in enumerate(drivers)})
    if cl is not None:
        cols["clusters"] = cl.isna().to_numpy()
    miss_any = np.zeros(len(df), dtype=bool)
    for m in cols.values():
        miss_any |= m
    missing_by_column = {str(c): int(m.sum()) for c, m in cols.items() if m.any()}
    if missing == "raise" and miss_any.any():
        pos = int(np.flatnonzero(miss_any)[0])
        col = next(c for c, m in cols.items() if m[pos])
        raise ValueError(
            f"missing value in column {col!r} at row {df.index[pos]!r} "
            f"({int(miss_any.sum())} incomplete row(s)); use missing='listwise' to exclude them"
        )
    keep = ~miss_any
    y, X = y[keep], X[keep]
    k = len(drivers)
    if w is not None:
        w = w[keep]
        if w.sum() <= 0:
            raise ValueError("all weights of the complete rows are zero")
    n_used = int(keep.sum())
    if n_used < k + 2:
        raise ValueError(
            f"{n_used} complete row(s) for {k} driver(s): need at least drivers + 2 = {k + 2} "
            f"({int(miss_any.sum())} row(s) excluded for missing values: {missing_by_column})"
        )
    support = np.ones(n_used, bool) if w is None else w > 0
    constant = [d for j, d in enumerate(drivers) if np.ptp(X[support, j]) == 0]
    if constant:
        raise ValueError(f"driver(s) {constant} are constant in the complete rows: drop them")
    codes = None
    if cl is not None:
        codes, uniques = pd.factorize(cl[keep], sort=True)
        if len(uniques) < 2:
            raise ValueError(
                f"clusters: the complete rows come from {len(uniques)} cluster(s); cluster-robust "
                "standard errors and the cluster bootstrap need at least two (better 20 or more)"
            )
    return _Prepared(
        y=y,
        X=X,
        w=w,
        clusters=codes,
        drivers=drivers,
        targets=targets,
        outcome=outcome,
        n_rows=len(df),
        n_used=n_used,
        n_excluded=int(miss_any.sum()),
        missing_by_column=missing_by_column,
    )


def _target_vector(y: np.ndarray, target: str) -> np.ndarray:
    if target == "promoter":
        return (y >= 9).astype(float)
    if target == "detractor":
        return (y <= 6).astype(float)
    return y


def _check_collinear(R: np.ndarray, drivers: list) -> None:
    """Name the drivers that take part in an exact linear dependence."""
    evals, evecs = np.linalg.eigh(R)
    null = evals < 1e-10 * max(evals[-1], 1.0)
    if null.any():
        involved = np.abs(evecs[:, null]).max(axis=1) > 1e-6
        names = [d for d, i in zip(drivers, involved, strict=True) if i]
        raise ValueError(
            f"drivers {names} are perfectly collinear (one is an exact linear combination of "
            f"the others): drop or combine one of them"
        )


# --------------------------------------------------------------------------
# correlation matrices (weighted, batched over resamples)
# --------------------------------------------------------------------------


def _weighted_corr(Z: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """Correlation matrix of the columns of Z with row weights w."""
    if w is None:
        w = np.ones(Z.shape[0])
    m = w @ Z / w.sum()
    Zc = Z - m
    C = (Zc * w[:, None]).T @ Zc
    s = np.sqrt(np.diag(C))
    return C / np.outer(s, s)


def _batched_corr(Z: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Correlation matrices for every row of weights W (B, n) at once -> (B, p, p).

    Hand-written because it turns B resamples into two matrix products:
    W @ Z and W @ (row-wise outer products of Z), instead of B passes over
    the data.  Z is centred first (at its column means) for numerical
    stability of the one-pass moments.
    """
    n, p = Z.shape
    Zc = Z - Z.mean(axis=0)
    outer = (Zc[:, :, None] * Zc[:, None, :]).reshape(n, p * p)
    sw = W.sum(axis=1)[:, None]
    m = (W @ Zc) / sw
    S = ((W @ outer) / sw).reshape(-1, p, p) - m[:, :, None] * m[:, None, :]
    d = np.sqrt(np.clip(np.einsum("bii->bi", S), 0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        return S / (d[:, :, None] * d[:, None, :])


def _rank(a: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return np.column_stack([rankdata(a[:, j]) for j in range(a.shape[1])])


# --------------------------------------------------------------------------
# importance from a correlation matrix (all batched over leading axes)
# --------------------------------------------------------------------------


def _subset_members(k: int) -> tuple[np.ndarray, np.ndarray]:
    masks = np.arange(1 << k)
    members = ((masks[:, None] >> np.arange(k)) & 1).astype(bool)
    return members, members.sum(axis=1)


def all_subset_r2(R: np.ndarray, r: np.ndarray) -> np.ndarray:
    """R^2 of every subset of drivers from correlations, visiting each subset once.

    Parameters
    ----------
    R : array (..., k, k)
        Correlations among the drivers.
    r : array (..., k)
        Correlations of the drivers with the outcome.

    Returns
    -------
    array (..., 2**k)
        Entry ``m`` is the R^2 of the drivers whose bits are set in ``m``
        (bit j = driver j); entry 0 (no drivers) is 0.

    Examples
    --------
    Two uncorrelated drivers: the R^2 values add up.

    >>> all_subset_r2(np.eye(2), np.array([0.3, 0.4])).round(2).tolist()
    [0.0, 0.09, 0.16, 0.25]
    """
    R = np.asarray(R, dtype=float)
    r = np.asarray(r, dtype=float)
    k = R.shape[-1]
    members, size = _subset_members(k)
    out = np.zeros(r.shape[:-1] + (1 << k,))
    n_batch = int(np.prod(r.shape[:-1]))
    # All subsets of one size share a shape, so each size is one batched
    # solve: sum_s C(k, s) systems of size s (k = 15: 32,767 tiny solves),
    # split in pieces of about _CHUNK_CELLS numbers to bound memory.
    for s in range(1, k + 1):
        sel_all = np.flatnonzero(size == s)
        step = max(1, _CHUNK_CELLS // (n_batch * s * s))
        for start in range(0, len(sel_all), step):
            sel = sel_all[start : start + step]
            idx = np.nonzero(members[sel])[1].reshape(len(sel), s)
            RS = R[..., idx[:, :, None], idx[:, None, :]]
            rS = r[..., idx]
            beta = np.linalg.solve(RS, rS[..., None])[..., 0]
            out[..., sel] = np.einsum("...i,...i->...", rS, beta)
    return out


def _shapley_matrix(k: int) -> np.ndarray:
    """(2^k, k) matrix C so that shapley = subset_r2 @ C.

    phi_j = sum over S containing j of w(|S|-1) R2(S) - sum over S without j of
    w(|S|) R2(S), with w(s) = s! (k-s-1)! / k!  (the share of the k! orders in
    which the drivers of S, and only they, enter before j).
    """
    members, size = _subset_members(k)
    wt = np.array([factorial(s) * factorial(k - s - 1) / factorial(k) for s in range(k)])
    size = size[:, None]
    return np.where(members, wt[np.maximum(size - 1, 0)], -wt[np.minimum(size, k - 1)])


def _shapley(R: np.ndarray, r: np.ndarray) -> np.ndarray:
    k = R.shape[-1]
    return all_subset_r2(R, r) @ _shapley_matrix(k)


def _relative_weights(R: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Johnson (2000): eps_j = sum_i Lambda_ji^2 beta_i^2.

    Lambda = V sqrt(L) V' (R = V L V') holds the correlations of the drivers
    with their closest orthonormal counterparts Z, and beta = Lambda^-1 r the
    standardized coefficients of the outcome on Z.
    """
    evals, evecs = np.linalg.eigh(R)
    sq = np.sqrt(np.clip(evals, 0, None))
    lam = (evecs * sq[..., None, :]) @ np.swapaxes(evecs, -1, -2)
    beta = np.linalg.solve(lam, r[..., None])[..., 0]
    return np.einsum("...ji,...i->...j", lam**2, beta**2)


def _std_beta(R: np.ndarray, r: np.ndarray) -> np.ndarray:
    return np.linalg.solve(R, r[..., None])[..., 0]


_FROM_CORR = {
    "shapley": _shapley,
    "relative-weights": _relative_weights,
    "regression": _std_beta,
    "correlation": lambda R, r: r,
    "spearman": lambda R, r: r,
}


# --------------------------------------------------------------------------
# bootstrap
# --------------------------------------------------------------------------


def _draw_counts(rng, m: int, size: int) -> np.ndarray:
    """(size, m) counts of m draws with replacement from m items, per resample.

    Uniform indices + one bincount: ten times faster than
    ``rng.multinomial(m, [1/m] * m, size)`` for m in the thousands.
    """
    idx = rng.integers(0, m, size=(size, m))
    idx += (np.arange(size) * m)[:, None]
    return np.bincount(idx.ravel(), minlength=size * m).reshape(size, m).astype(float)


def _count_weights(rng, n: int, clusters: np.ndarray | None, size: int) -> np.ndarray:
    """(size, n) resampling counts: respondents, or whole clusters."""
    if clusters is None:
        return _draw_counts(rng, n, size)
    return _draw_counts(rng, int(clusters.max()) + 1, size)[:, clusters]


def _resample_weights(rng, prep, n: int, n_resamples: int, chunk: int):
    """Row weights of the bootstrap resamples, ``chunk`` resamples at a time.

    Yields (size, n) arrays: resampling counts (of respondents, or of whole
    clusters) times the survey weights, so every bootstrap path draws the same way.
    """
    for start in range(0, n_resamples, chunk):
        W = _count_weights(rng, n, prep.clusters, min(chunk, n_resamples - start))
        if prep.w is not None:
            W *= prep.w
        yield W


def _bootstrap_corr_method(prep, yt, Z_extra_rank, method, n_resamples, rng):
    """(B, k) bootstrap replicates of a correlation-matrix method (NaN = degenerate resample)."""
    Z = np.column_stack([yt, prep.X])
    if Z_extra_rank:
        Z = _rank(Z)
    n = Z.shape[0]
    k = Z.shape[1] - 1
    func = _FROM_CORR[method]
    chunk = max(1, _CHUNK_CELLS // n)
    if method == "shapley":  # the (chunk, 2^k) table of subset R^2 values
        chunk = max(1, min(chunk, _CHUNK_CELLS // (1 << k)))
    reps = []
    for W in _resample_weights(rng, prep, n, n_resamples, chunk):
        C = _batched_corr(Z, W)
        R, r = C[:, 1:, 1:], C[:, 0, 1:]
        ok = np.isfinite(C).all(axis=(1, 2))
        ok[ok] = np.linalg.eigvalsh(R[ok])[:, 0] > 1e-10
        # degenerate resamples (a driver constant by chance) get an identity
        # placeholder and are reported as NaN, then left out of the percentiles
        R = np.where(ok[:, None, None], R, np.eye(k))
        r = np.where(ok[:, None], r, 0.0)
        est = func(R, r)
        est[~ok] = np.nan
        reps.append(est)
    return np.concatenate(reps)


def _percentile_ci(reps: np.ndarray, confidence_level: float):
    alpha = (1 - confidence_level) / 2
    good = np.isfinite(reps).all(axis=1)
    if not good.any():
        nan = np.full(reps.shape[1], np.nan)
        return nan, nan, 0
    lo, hi = np.quantile(reps[good], [alpha, 1 - alpha], axis=0)
    return lo, hi, int((~good).sum())


# --------------------------------------------------------------------------
# model-based methods (statsmodels, imported lazily)
# --------------------------------------------------------------------------


def _regression_table(prep, yt, confidence_level):
    import statsmodels.api as sm

    w = prep.w
    Z = np.column_stack([yt, prep.X])
    ww = np.ones(len(yt)) if w is None else w
    m = ww @ Z / ww.sum()
    sd = np.sqrt(ww @ (Z - m) ** 2 / ww.sum())
    Zs = (Z - m) / sd
    exog = sm.add_constant(Zs[:, 1:], has_constant="add")
    model = sm.OLS(Zs[:, 0], exog) if w is None else sm.WLS(Zs[:, 0], exog, weights=w)
    if prep.clusters is not None:
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": prep.clusters})
    else:
        fit = model.fit(cov_type="HC3")
    ci = np.asarray(fit.conf_int(alpha=1 - confidence_level))[1:]
    return {
        "importance": np.asarray(fit.params)[1:],
        "se": np.asarray(fit.bse)[1:],
        "p_value": np.asarray(fit.pvalues)[1:],
        "model_low": ci[:, 0],
        "model_high": ci[:, 1],
    }, float(fit.rsquared)


def _logit_ame(X1: np.ndarray, beta: np.ndarray, w: np.ndarray, cov: np.ndarray | None):
    """Average marginal effects of a logit fit and their delta-method SEs.

    AME_j = mean_w[p(1-p)] beta_j.  Written out (rather than statsmodels'
    ``get_margeff``) because it must also work for weighted fits (GLM with
    weights), which ``get_margeff`` does not support; the tests pin
    it to ``Logit(...).fit().get_margeff()`` on unweighted data.
    """
    p = 1 / (1 + np.exp(-(X1 @ beta)))
    s = p * (1 - p)
    ws = w / w.sum()
    ame = (ws @ s) * beta[1:]
    if cov is None:
        return ame, None
    # d AME_j / d beta_l = mean_w[s * (delta_jl + beta_j (1 - 2p) x_l)]
    a = ws @ (s[:, None] * (1 - 2 * p)[:, None] * X1)  # (p,)
    G = np.outer(beta[1:], a)
    G[:, 1:] += (ws @ s) * np.eye(len(ame))
    return ame, np.sqrt(np.diag(G @ cov @ G.T))


def _logit_fit(X1, yt, w):
    import statsmodels.api as sm

    return sm.GLM(yt, X1, family=sm.families.Binomial(), var_weights=w)


def _logit_table(prep, yt, target, confidence_level):
    from scipy.stats import norm

    X1 = np.column_stack([np.ones(len(yt)), prep.X])
    # survey weights are rescaled to average 1 so that standard errors reflect
    # the number of respondents, not the size of the population they stand for
    w = np.ones(len(yt)) if prep.w is None else prep.w * len(yt) / prep.w.sum()
    model = _logit_fit(X1, yt, None if prep.w is None else w)
    # Newton-Raphson: same estimates as IRLS for the canonical logit link,
    # but a (k+1)-square solve per step instead of a least-squares fit on all
    # rows (2-3x faster at n = 5,000)
    kw = {"method": "newton"}
    if prep.clusters is not None:
        kw.update(cov_type="cluster", cov_kwds={"groups": prep.clusters})
    with warnings.catch_warnings():
        # statsmodels warns for any robust cov_type with var_weights; the
        # cluster sandwich it computes is the usual weighted pseudo-likelihood
        # one (pinned to a hand-written sandwich in the tests).  Overflow
        # warnings under separation are replaced by the error below.
        warnings.filterwarnings("ignore", "cov_type not fully supported")
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            fit = model.fit(**kw)
            params = np.asarray(fit.params)
        except (np.linalg.LinAlgError, ValueError):
            params = np.full(X1.shape[1], np.nan)
    # complete or quasi-complete separation: the MLE does not exist (odds
    # ratios run off to infinity); an odds ratio of e^15 per rating point is
    # taken as that
    if not np.isfinite(params).all() or np.abs(params[1:]).max() > 15:
        raise ValueError(
            f"the driver ratings separate {target}s from the other respondents (almost) "
            f"perfectly, so logistic odds ratios are infinite; use method='shapley' or "
            f"'regression' with target={target!r}, or fewer drivers"
        )
    beta = np.asarray(fit.params)
    cov = np.asarray(fit.cov_params())
    z = norm.ppf(0.5 + confidence_level / 2)
    ame, ame_se = _logit_ame(X1, beta, w, cov)
    se = np.sqrt(np.diag(cov))[1:]
    # McFadden pseudo R^2 (weighted log-likelihoods)
    ybar = w @ yt / w.sum()
    llnull = w @ (yt * np.log(ybar) + (1 - yt) * np.log(1 - ybar))
    return {
        "importance": ame,
        "odds_ratio": np.exp(beta[1:]),
        "or_low": np.exp(beta[1:] - z * se),
        "or_high": np.exp(beta[1:] + z * se),
        "ame": ame,
        "ame_low": ame - z * ame_se,
        "ame_high": ame + z * ame_se,
        "p_value": np.asarray(fit.pvalues)[1:],
    }, float(1 - fit.llf / llnull)


def _logit_bootstrap(prep, yt, n_resamples, rng, max_iter=50):
    """(B, k) bootstrap AMEs by a batched Newton-Raphson over all resamples at once.

    Hand-written: B statsmodels fits take ~B x 20 ms; one Newton iteration
    here is two matrix products and a batched (k+1)-square solve for all B.
    Resamples that do not converge (e.g. complete separation) are NaN.
    """
    n = len(yt)
    X1 = np.column_stack([np.ones(n), prep.X])
    p = X1.shape[1]
    outer = (X1[:, :, None] * X1[:, None, :]).reshape(n, p * p)
    chunk = max(1, _CHUNK_CELLS // n)
    reps = []
    for W in _resample_weights(rng, prep, n, n_resamples, chunk):
        size = W.shape[0]
        beta = np.zeros((size, p))
        ok = np.ones(size, bool)
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(max_iter):
                mu = 1 / (1 + np.exp(-(beta @ X1.T)))  # (B, n)
                grad = (W * (yt - mu)) @ X1
                H = ((W * mu * (1 - mu)) @ outer).reshape(size, p, p)
                H[~ok] = np.eye(p)
                grad[~ok] = 0
                try:
                    step = np.linalg.solve(H, grad[..., None])[..., 0]
                except np.linalg.LinAlgError:
                    good = np.linalg.cond(H) < 1e12
                    ok &= good
                    H[~ok] = np.eye(p)
                    grad[~ok] = 0
                    step = np.linalg.solve(H, grad[..., None])[..., 0]
                beta += step
                ok &= np.isfinite(beta).all(axis=1) & (np.abs(beta).max(axis=1) < 50)
                if np.abs(step[ok]).max(initial=0) < 1e-10:
                    break
            conv = ok & (np.abs(step).max(axis=1) < 1e-6)
            mu = 1 / (1 + np.exp(-(beta @ X1.T)))
            s = (W * mu * (1 - mu)).sum(axis=1) / W.sum(axis=1)
        est = s[:, None] * beta[:, 1:]
        est[~conv] = np.nan
        reps.append(est)
    return np.concatenate(reps)


def _ordinal_fit(y, X, weights=None, groups=None):
    """Proportional-odds logit fit; ``weights`` multiply each row's log-likelihood."""
    from scipy.special import expit
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    class _LogitOrderedModel(OrderedModel):
        # Same model as OrderedModel(distr="logit") with two additions:
        # the logistic cdf/pdf via scipy.special.expit instead of
        # scipy.stats.logistic, whose per-call overhead made a 300-row fit take
        # 2 s (thousands of likelihood calls for the numerical gradient), and
        # case weights on the log-likelihood, which OrderedModel lacks.  The
        # numerical score, per-row scores (cluster sandwich) and Hessian are
        # all derived from loglikeobs, so they are weighted too.
        case_weights = None

        def cdf(self, x):
            return expit(x)

        def pdf(self, x):
            p = expit(x)
            return p * (1 - p)

        def loglikeobs(self, params):
            ll = super().loglikeobs(params)
            return ll if self.case_weights is None else ll * self.case_weights

    if weights is not None:
        # rows without weight would leave their score level unidentified
        keep = weights > 0
        y, X, weights = y[keep], X[keep], weights[keep]
        groups = None if groups is None else groups[keep]
    model = _LogitOrderedModel(y.astype(int), X, distr="logit")
    model.case_weights = weights
    kw = {"method": "bfgs", "disp": False, "maxiter": 2000}
    if groups is not None:
        kw.update(cov_type="cluster", cov_kwds={"groups": groups})
    fit = model.fit(**kw)
    # McFadden pseudo R^2 against the (weighted) null model, whose fitted
    # category probabilities are the observed shares
    w = np.ones(len(y)) if weights is None else weights
    shares = np.bincount(np.unique(y, return_inverse=True)[1], weights=w)
    llnull = float(shares @ np.log(shares / shares.sum()))
    return fit, 1 - fit.llf / llnull


def _ordinal_table(prep, confidence_level):
    # weights rescaled to average 1, as for the logit
    w = None if prep.w is None else prep.w * prep.n_used / prep.w.sum()
    fit, pseudo_r2 = _ordinal_fit(prep.y, prep.X, weights=w, groups=prep.clusters)
    k = prep.X.shape[1]
    coef = np.asarray(fit.params)[:k]
    ci = np.asarray(fit.conf_int(alpha=1 - confidence_level))[:k]
    return {
        "importance": coef,
        "odds_ratio": np.exp(coef),
        "or_low": np.exp(ci[:, 0]),
        "or_high": np.exp(ci[:, 1]),
        "p_value": np.asarray(fit.pvalues)[:k],
    }, float(pseudo_r2)


def _ordinal_bootstrap(prep, n_resamples, rng):
    # one weighted refit per resample (a few tenths of a second each)
    k = prep.X.shape[1]
    (W,) = _resample_weights(rng, prep, prep.n_used, n_resamples, n_resamples)
    reps = np.full((n_resamples, k), np.nan)
    for b in range(n_resamples):
        try:
            fit, _ = _ordinal_fit(prep.y, prep.X, weights=W[b])
            reps[b] = np.asarray(fit.params)[:k]
        except (ValueError, np.linalg.LinAlgError):  # pragma: no cover - degenerate resample
            pass
    return reps


# --------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------


def _one_target(prep, target, method, n_resamples, confidence_level, rng):
    yt = _target_vector(prep.y, target)
    support = np.ones(len(yt), bool) if prep.w is None else prep.w > 0
    if np.ptp(yt[support]) == 0:
        what = {
            "promoter": "no respondent or every respondent is a promoter",
            "detractor": "no respondent or every respondent is a detractor",
        }
        raise ValueError(
            f"the outcome {prep.outcome!r} has no variation for target={target!r}"
            + (f" ({what[target]})" if target in what else "")
        )
    Z = np.column_stack([yt, prep.X])
    if method == "spearman":
        Z = _rank(Z)
    C = _weighted_corr(Z, prep.w)
    R, r = C[1:, 1:], C[0, 1:]
    _check_collinear(R, prep.drivers)
    full_r2 = float(r @ np.linalg.solve(R, r))

    cols: dict = {}
    r2 = full_r2
    if method in ("shapley", "relative-weights"):
        imp = _FROM_CORR[method](R, r)
        share = 100 * imp / imp.sum()
        cols["importance"] = imp
    elif method in ("correlation", "spearman"):
        imp = r
        share = 100 * r**2 / (r**2).sum()
        cols["importance"] = imp
    elif method == "regression":
        cols, r2 = _regression_table(prep, yt, confidence_level)
        # Pratt's measure beta_j * r_j: the shares of R^2 (they sum to 100)
        share = 100 * cols["importance"] * r / r2
    elif method == "logit":
        cols, r2 = _logit_table(prep, yt, target, confidence_level)
        share = 100 * np.abs(cols["importance"]) / np.abs(cols["importance"]).sum()
    else:  # ordinal
        cols, r2 = _ordinal_table(prep, confidence_level)
        share = 100 * np.abs(cols["importance"]) / np.abs(cols["importance"]).sum()

    ci_method = None
    n_failed = 0
    if n_resamples > 0:
        if method == "logit":
            reps = _logit_bootstrap(prep, yt, n_resamples, rng)
        elif method == "ordinal":
            reps = _ordinal_bootstrap(prep, n_resamples, rng)
        else:
            reps = _bootstrap_corr_method(prep, yt, method == "spearman", method, n_resamples, rng)
        lo, hi, n_failed = _percentile_ci(reps, confidence_level)
        cols["ci_low"], cols["ci_high"] = lo, hi
        ci_method = "percentile bootstrap" + (" (clusters)" if prep.clusters is not None else "")
    elif method == "regression":
        cols["ci_low"], cols["ci_high"] = cols["model_low"], cols["model_high"]
        ci_method = "cluster-robust" if prep.clusters is not None else "HC3"
    cols.pop("model_low", None)
    cols.pop("model_high", None)

    w = np.ones(prep.n_used) if prep.w is None else prep.w
    out = pd.DataFrame(
        {"driver": prep.drivers, "importance": cols.pop("importance"), "share": share}
    )
    for name in ("ci_low", "ci_high"):
        if name in cols:
            out[name] = cols.pop(name)
    out["mean"] = w @ prep.X / w.sum()
    out["n"] = prep.n_used
    for name, values in cols.items():
        out[name] = values
    key = (
        out["importance"].abs()
        if method not in ("shapley", "relative-weights")
        else out["importance"]
    )
    out["rank"] = key.rank(ascending=False, method="min").astype(int)
    out = out.sort_values(["rank", "driver"], kind="stable").reset_index(drop=True)
    cols_order = ["driver", "importance", "share", "ci_low", "ci_high", "mean", "n", "rank"]
    first = [c for c in cols_order if c in out.columns]
    out = out[first + [c for c in out.columns if c not in first]]
    info = {"r_squared": r2, "ci_method": ci_method, "n_resamples_failed": n_failed}
    if method in ("logit", "ordinal"):
        info["linear_r_squared"] = full_r2
    return out, info


def driver_importance(
    df: pd.DataFrame,
    score,
    drivers,
    *,
    method: str = "shapley",
    target="score",
    weights=None,
    clusters=None,
    n_resamples: int = 0,
    confidence_level: float = 0.95,
    rng=None,
    missing: str = "listwise",
) -> pd.DataFrame:
    """Rank driver ratings by how much they move likelihood-to-recommend.

    Parameters
    ----------
    df : DataFrame, path, DuckDB relation, Arrow table or Spark DataFrame
        One row per respondent.  A path or glob of Parquet/CSV files, a
        DuckDB relation or an Arrow table is analysed in DuckDB, a Spark
        DataFrame on its cluster, from its correlation matrix (methods
        ``"shapley"``, ``"relative-weights"``, ``"correlation"``; columns and
        weights by name; interval by the random-groups bootstrap, see
        ``_engine_importance``).
    score : str
        The 0-10 likelihood-to-recommend column (the outcome the drivers explain).
    drivers : list of str
        Driver rating columns (numeric; at least one).
    method : {"shapley", "relative-weights", "correlation", "spearman", "regression", "logit", "ordinal"}
        See the module docstring.  ``"shapley"`` (LMG / general dominance) is
        the default: its importances sum to R^2 and do not depend on the order
        of the drivers.
    target : {"score", "promoter", "detractor"} or a sequence of them
        What is explained: the 0-10 score, or membership of the promoter
        (9-10) or detractor (0-6) group.  Linear methods treat the 0/1
        membership as a linear probability model.  A sequence returns one
        block of rows per target with a ``target`` column.
    weights : str or array, optional
        Respondent weights (column name or array): weighted correlations,
        WLS, weighted logit likelihood (weights rescaled to average 1 so
        that standard errors reflect the number of respondents), weighted
        proportional-odds likelihood for ``"ordinal"`` (same rescaling).
        Finite non-negative numbers, in the order of the rows; a zero weight
        leaves its row out.  Text, blanks, negative and infinite weights are
        refused, naming the rows by index label.
    clusters : str or array, optional
        Cluster ids (e.g. account): the bootstrap resamples whole clusters and
        ``"regression"``, ``"logit"`` and ``"ordinal"`` use cluster-robust
        standard errors.
    n_resamples : int
        Bootstrap resamples for percentile intervals ``ci_low``/``ci_high``
        (0 = none).  Resampling is vectorised: all resamples' weighted
        correlation matrices come from two matrix products, and ``"logit"``
        refits all resamples in one batched Newton-Raphson; ``"ordinal"``
        refits each resample (about 0.3 s each).  Resamples where a driver
        happens to be constant or the logit does not converge are left out
        and counted in ``attrs["n_resamples_failed"]``.
    confidence_level : float
    rng : int or numpy.random.Generator, optional
        Seed for the bootstrap.
    missing : {"listwise", "raise"}
        ``"listwise"`` excludes rows with a blank outcome, driver rating or
        cluster and records how many in ``attrs``; ``"raise"`` stops at the
        first such row.

    Returns
    -------
    DataFrame
        One row per driver, most important first: ``driver``, ``importance``,
        ``share`` (percent of the total explained; for ``"regression"``
        Pratt's beta*r / R^2, for correlations r^2 / sum r^2, for
        ``"logit"``/``"ordinal"`` |importance| / sum |importance|), ``ci_low``,
        ``ci_high`` (bootstrap when ``n_resamples > 0``; HC3 for
        ``"regression"`` otherwise), ``mean`` (the driver's average rating:
        performance), ``n``, ``rank``.  ``"regression"`` adds ``se`` and
        ``p_value``; ``"logit"`` (importance = average marginal effect on the
        probability, per rating point) adds ``odds_ratio``, ``or_low``,
        ``or_high``, ``ame``, ``ame_low``, ``ame_high``, ``p_value``;
        ``"ordinal"`` (importance = log cumulative odds per rating point)
        adds ``odds_ratio``, ``or_low``, ``or_high``, ``p_value``.
        ``attrs``: ``r_squared`` (McFadden pseudo R^2 for logit/ordinal),
        ``n_used``, ``n_excluded_missing``, ``missing_by_column``, ``method``,
        ``target``, ``score``, ``confidence_level``, ``n_resamples``,
        ``ci_method``, ``n_resamples_failed``.

    Examples
    --------
    Two uncorrelated drivers: each one's Shapley importance is its squared
    correlation with the score (0.6^2 = 0.36 and 0.8^2 = 0.64 here, and the
    two explain the score exactly, R^2 = 1).

    >>> df = pd.DataFrame({"a": [1, -1, 1, -1], "b": [1, 1, -1, -1]})
    >>> df["ltr"] = 5 + 0.6 * df["a"] + 0.8 * df["b"]
    >>> res = driver_importance(df, "ltr", ["a", "b"])
    >>> res[["driver", "importance", "share", "rank"]].round(2)
      driver  importance  share  rank
    0      b        0.64   64.0     1
    1      a        0.36   36.0     2
    >>> round(res.attrs["r_squared"], 6)
    1.0
    """
    if _is_engine_source(df):  # a path, DuckDB relation, Arrow table or Spark DataFrame
        return _engine_importance(
            df, score, drivers, method, target, weights, clusters, n_resamples,
            confidence_level, rng, missing,
        )  # fmt: skip
    prep = _prepare(
        df, score, drivers, method, target, weights, clusters, missing, confidence_level
    )
    n_resamples = check_resamples(n_resamples, allow_zero=True)
    gen = np.random.default_rng(rng)
    frames, infos = [], {}
    for t in prep.targets:
        out, info = _one_target(prep, t, method, int(n_resamples), confidence_level, gen)
        if len(prep.targets) > 1:
            out.insert(0, "target", t)
        frames.append(out)
        infos[t] = info
    result = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def pick(key):
        if len(prep.targets) == 1:
            return infos[prep.targets[0]][key]
        return {t: infos[t][key] for t in prep.targets}

    result.attrs = {
        "method": method,
        "target": prep.targets[0] if len(prep.targets) == 1 else tuple(prep.targets),
        "score": score,
        "r_squared": pick("r_squared"),
        "n_used": prep.n_used,
        "n_excluded_missing": prep.n_excluded,
        "missing_by_column": prep.missing_by_column,
        "weighted": prep.w is not None,
        "confidence_level": confidence_level,
        "n_resamples": int(n_resamples),
        "ci_method": pick("ci_method"),
        "n_resamples_failed": pick("n_resamples_failed"),
    }
    if method in ("logit", "ordinal"):
        result.attrs["linear_r_squared"] = pick("linear_r_squared")
    return result


def importance_performance(
    importance_df: pd.DataFrame,
    *,
    importance: str = "share",
    performance: str = "mean",
    thresholds="mean",
) -> pd.DataFrame:
    """Place drivers in importance-performance quadrants.

    A driver is "high" on an axis when its value is at or above the threshold.

    ============  ================  =====================
    importance    low performance   high performance
    ============  ================  =====================
    high          "fix first"       "keep up"
    low           "lower priority"  "possible overkill"
    ============  ================  =====================

    Parameters
    ----------
    importance_df : DataFrame
        The result of :func:`driver_importance` (or any frame with the two
        columns).  With a ``target`` column, thresholds are set per target.
    importance, performance : str
        Column names of the two axes.
    thresholds : "mean", "median" or (float, float)
        Where the axes are split: the mean or median over the drivers, or
        fixed (importance, performance) values.

    Returns
    -------
    DataFrame
        A copy with ``quadrant`` (ordered categorical), plus
        ``attrs["thresholds"]`` = (importance, performance) split points.

    Examples
    --------
    >>> d = pd.DataFrame({"driver": ["price", "speed", "tone", "decor"],
    ...                   "share": [40, 30, 20, 10], "mean": [6, 9, 5, 9]})
    >>> importance_performance(d)[["driver", "quadrant"]]
      driver           quadrant
    0  price          fix first
    1  speed            keep up
    2   tone     lower priority
    3  decor  possible overkill
    """
    if not isinstance(importance_df, pd.DataFrame):
        raise TypeError(f"importance_df must be a DataFrame, got {type(importance_df).__name__}")
    check_columns(importance_df, [importance, performance], where="importance_df")
    if isinstance(thresholds, str):
        if thresholds not in ("mean", "median"):
            raise ValueError(
                f"unknown thresholds={thresholds!r}; use 'mean', 'median' or an "
                "(importance, performance) pair of numbers"
            )
    else:
        try:
            t_imp, t_perf = (float(v) for v in thresholds)
        except (TypeError, ValueError):
            raise ValueError(
                f"thresholds must be 'mean', 'median' or an (importance, performance) pair "
                f"of numbers, got {thresholds!r}"
            ) from None
    out = importance_df.copy()
    imp = pd.to_numeric(out[importance], errors="coerce").astype(float)
    perf = pd.to_numeric(out[performance], errors="coerce").astype(float)
    for name, s in ((importance, imp), (performance, perf)):
        if s.isna().any():
            raise ValueError(
                f"column {name!r} has a missing or non-numeric value at row {s.index[s.isna()][0]!r}"
            )
    groups = out["target"] if "target" in out.columns else pd.Series(0, index=out.index)
    if isinstance(thresholds, str):
        t_i = imp.groupby(groups).transform(thresholds)
        t_p = perf.groupby(groups).transform(thresholds)
    else:
        t_i = pd.Series(t_imp, index=out.index)
        t_p = pd.Series(t_perf, index=out.index)
    hi_i = (imp >= t_i).to_numpy()
    hi_p = (perf >= t_p).to_numpy()
    labels = np.select(
        [hi_i & ~hi_p, hi_i & hi_p, ~hi_i & ~hi_p], list(QUADRANTS[:3]), default=QUADRANTS[3]
    )
    out["quadrant"] = pd.Categorical(labels, categories=list(QUADRANTS), ordered=True)
    if "target" in out.columns:
        out.attrs["thresholds"] = {
            t: (float(t_i[groups == t].iloc[0]), float(t_p[groups == t].iloc[0]))
            for t in groups.unique()
        }
    else:
        out.attrs["thresholds"] = (float(t_i.iloc[0]), float(t_p.iloc[0]))
    out.attrs["importance_column"] = importance
    out.attrs["performance_column"] = performance
    return out


# --------------------------------------------------------------------------
# files, DuckDB relations, Spark: importance from sums computed in the engine
# --------------------------------------------------------------------------

# Methods that need only the correlation matrix, so the rows never come to Python.
ENGINE_METHODS = ("shapley", "relative-weights", "correlation")
# Random groups of the engine path's interval (see ``_engine_importance``).
ENGINE_GROUPS = 200
# At most this many complete rows, a file or relation is read into pandas and
# analysed row by row (the same numbers as for a DataFrame, intervals included).
ENGINE_EXACT_ROWS = 20_000


def _is_engine_source(df) -> bool:
    """A path, a DuckDB relation, an Arrow table or a Spark DataFrame (not pandas)."""
    return not isinstance(df, pd.DataFrame)


def _engine_refusal(df, method, clusters, missing) -> None:
    if method not in ENGINE_METHODS:
        raise ValueError(
            f"method={method!r} fits a model to the rows one by one, which is not done for "
            f"files and relations; use one of {list(ENGINE_METHODS)} (computed from the "
            "correlation matrix in DuckDB), or read the columns into pandas first"
        )
    if clusters is not None and not isinstance(clusters, str):
        raise TypeError("for files and relations clusters must be a column name")
    if missing not in MISSING:
        raise ValueError(f"unknown missing={missing!r}; valid options are {list(MISSING)}")


def _engine_sums_sql(outcome, drivers, target, weights, clusters, groups) -> tuple[str, int]:
    """SQL of the weighted sums per random group; every name is quoted, no value pasted."""
    from .backends import quote as _quote

    y = f"TRY_CAST({_quote(outcome)} AS DOUBLE)"
    if target == "promoter":
        y = f"CASE WHEN {y} IS NULL THEN NULL WHEN {y} >= 9 THEN 1.0 ELSE 0.0 END"
    elif target == "detractor":
        y = f"CASE WHEN {y} IS NULL THEN NULL WHEN {y} <= 6 THEN 1.0 ELSE 0.0 END"
    z = [y] + [f"TRY_CAST({_quote(d)} AS DOUBLE)" for d in drivers]
    w = "1.0" if weights is None else f"TRY_CAST({_quote(weights)} AS DOUBLE)"
    # rows are dealt to groups by a hash of their position (whole clusters by a
    # hash of the cluster id), so a group is a random sample of rows (clusters)
    key = "row_number() OVER ()" if clusters is None else f"CAST({_quote(clusters)} AS VARCHAR)"
    cols = [f"{e} AS __z{j}" for j, e in enumerate(z)] + [
        f"{w} AS __w",
        f"hash({key}) % {int(groups)} AS __g",
    ]
    complete = [f"__z{j} IS NOT NULL AND NOT isnan(__z{j})" for j in range(len(z))]
    complete.append("__w IS NOT NULL")
    if clusters is not None:
        cols.append(f"{_quote(clusters)} IS NOT NULL AS __c")
        complete.append("__c")
    inner = f"SELECT {', '.join(cols)} FROM src"
    complete = " AND ".join(complete)
    p = len(z)
    sums = ["count(*) AS __n", "sum(__w) AS __sw"]
    sums += [f"sum(__w * __z{j}) AS __s{j}" for j in range(p)]
    sums += [f"sum(__w * __z{i} * __z{j}) AS __s{i}_{j}" for i in range(p) for j in range(i, p)]
    sql = f"SELECT __g, {', '.join(sums)} FROM ({inner}) WHERE {complete} GROUP BY __g ORDER BY __g"
    return sql, p


def _num(name) -> str:
    """A column as DOUBLE, text that is not a number as NULL (counted separately)."""
    from .backends import quote as _quote

    return f"TRY_CAST({_quote(name)} AS DOUBLE)"


def _engine_checks_sql(outcome, drivers, weights, clusters, zero_to_ten) -> str:
    """SQL counting rows, blanks per column, unusable values, and the complete rows' ranges."""
    from .backends import quote as _quote

    parts = ["count(*) AS rows"]
    complete = []
    for j, c in enumerate([outcome, *drivers]):
        q, x = _quote(c), _num(c)
        parts.append(f"count(*) FILTER (WHERE {q} IS NULL OR isnan({x})) AS m{j}")
        parts.append(f"count(*) FILTER (WHERE {q} IS NOT NULL AND {x} IS NULL) AS t{j}")
        parts.append(f"count(*) FILTER (WHERE isinf({x})) AS i{j}")
        complete.append(f"{x} IS NOT NULL AND NOT isnan({x})")
    if clusters is not None:
        parts.append(f"count(*) FILTER (WHERE {_quote(clusters)} IS NULL) AS m{len(drivers) + 1}")
        complete.append(f"{_quote(clusters)} IS NOT NULL")
    if zero_to_ten:
        y = _num(outcome)
        parts.append(f"count(*) FILTER (WHERE {y} < 0 OR {y} > 10 OR {y} <> round({y})) AS bad_y")
    w = "1.0"
    if weights is not None:
        w = _num(weights)
        parts.append(
            f"count(*) FILTER (WHERE {w} IS NULL OR isnan({w}) OR isinf({w}) OR {w} < 0) AS bad_w"
        )
    used = " AND ".join(complete)
    parts.append(f"count(*) FILTER (WHERE {used}) AS used")
    for j, c in enumerate([outcome, *drivers]):  # ranges over the rows that carry weight
        for f in ("min", "max"):
            parts.append(f"{f}({_num(c)}) FILTER (WHERE {used} AND {w} > 0) AS {f}{j}")
    return f"SELECT {', '.join(parts)} FROM src"


def _engine_moments(S: np.ndarray, p: int) -> np.ndarray:
    """Correlation matrices from summed sufficient statistics (..., 2 + p + p(p+1)/2).

    Raw weighted moments: the drivers are ratings on short scales (sd not
    tiny against the mean), so E[zz'] - E[z]E[z]' loses at most a few digits
    of double precision (the tests pin it to the row-by-row path to 1e-9).
    """
    sw = S[..., 1]
    m = S[..., 2 : 2 + p] / sw[..., None]
    M = np.empty(S.shape[:-1] + (p, p))
    c = 2 + p
    for i in range(p):
        for j in range(i, p):
            M[..., i, j] = M[..., j, i] = S[..., c] / sw
            c += 1
    C = M - m[..., :, None] * m[..., None, :]
    d = np.sqrt(np.clip(np.einsum("...ii->...i", C), 0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        return C / (d[..., :, None] * d[..., None, :])


def _engine_importance(
    df, score, drivers, method, target, weights, clusters, n_resamples, confidence_level, rng,
    missing,
):  # fmt: skip
    """``driver_importance`` for a path, a DuckDB relation, an Arrow table or a Spark DataFrame.

    One pass of DuckDB (one Spark aggregation) computes, per random group of rows, the weighted sums
    of the outcome, the drivers and their cross products: the sufficient
    statistics of the weighted correlation matrix, from which the Shapley
    values, relative weights and correlations follow exactly as for a
    DataFrame.  Only ``ENGINE_GROUPS`` small rows come back to Python, so the
    cost grows with the rows in DuckDB only.

    The interval resamples the groups: rows (whole clusters with
    ``clusters``) are dealt to ``ENGINE_GROUPS`` groups by a hash of their
    position, so the groups are independent samples of the respondents and
    drawing groups with replacement is the random-groups bootstrap (Wolter,
    *Introduction to Variance Estimation*, ch. 2) of the correlation matrix;
    its percentile interval is checked by coverage in the tests.  Up to
    ``ENGINE_EXACT_ROWS`` complete rows, the columns are read into pandas and
    analysed as a DataFrame instead (same numbers, same intervals).
    """
    from .backends import is_spark_dataframe

    _engine_refusal(df, method, clusters, missing)
    drivers = _as_name_list(drivers)
    if not drivers:
        raise ValueError("drivers is empty: name at least one driver rating column")
    if method == "shapley" and len(drivers) > MAX_SHAPLEY_DRIVERS:
        raise ValueError(
            f"method='shapley' is limited to {MAX_SHAPLEY_DRIVERS} drivers, got {len(drivers)}: "
            "use method='relative-weights'"
        )
    if weights is not None and not isinstance(weights, str):
        raise TypeError("for files and relations weights must be a column name")
    if score in drivers:
        raise ValueError(f"the outcome {score!r} is also listed as a driver")
    targets = [target] if isinstance(target, str) else list(target)
    bad = [t for t in targets if t not in TARGETS]
    if bad or not targets:
        raise ValueError(f"unknown target {bad}; valid targets are {list(TARGETS)}")
    if not 0 < confidence_level < 1:
        raise ValueError(f"confidence_level must be between 0 and 1, got {confidence_level}")
    n_resamples = int(check_resamples(n_resamples, allow_zero=True))
    extra = [c for c in (weights, clusters) if c is not None]
    reads = _SparkSums if is_spark_dataframe(df) else _SQLSums
    src = reads(df, [score, *drivers, *extra])

    checks = src.checks(score, drivers, weights, clusters, any(t != "score" for t in targets))
    names = [score, *drivers]
    for j, c in enumerate(names):
        if checks[f"t{j}"]:
            raise ValueError(
                f"column {c!r} must hold numeric ratings, but {int(checks[f't{j}'])} value(s) "
                f"in {src.label} are not numbers"
            )
        if checks[f"i{j}"]:
            raise ValueError(f"column {c!r} has {int(checks[f'i{j}'])} infinite value(s)")
    if "bad_y" in checks and checks["bad_y"]:
        raise ValueError(
            f"outcome {score!r} must be a 0-10 score for this target, but {int(checks['bad_y'])} "
            f"value(s) in {src.label} are not whole numbers from 0 to 10"
        )
    if "bad_w" in checks and checks["bad_w"]:
        from ._validation import weights_rule

        raise ValueError(
            f"{weights_rule(f'weights column {weights!r}')}; {int(checks['bad_w'])} bad "
            f"value(s) in {src.label}"
        )
    labels = names + (["clusters"] if clusters is not None else [])
    missing_by_column = {
        str(c): int(checks[f"m{j}"]) for j, c in enumerate(labels) if checks[f"m{j}"]
    }
    n_used, n_rows = int(checks["used"]), int(checks["rows"])
    if missing == "raise" and n_used < n_rows:
        raise ValueError(
            f"{n_rows - n_used} row(s) of {src.label} miss a value ({missing_by_column}); "
            "use missing='listwise' to exclude them"
        )
    if n_used < len(drivers) + 2:
        raise ValueError(
            f"{n_used} complete row(s) for {len(drivers)} driver(s): need at least "
            f"{len(drivers) + 2} ({n_rows - n_used} row(s) excluded for missing values: "
            f"{missing_by_column})"
        )
    constant = [d for j, d in enumerate(drivers, 1) if checks[f"min{j}"] == checks[f"max{j}"]]
    if constant:
        raise ValueError(f"driver(s) {constant} are constant in the complete rows: drop them")
    if n_used <= ENGINE_EXACT_ROWS:  # small: the row-by-row path, same numbers as a DataFrame
        frame = src.frame(list(dict.fromkeys([score, *drivers, *extra])))
        return driver_importance(
            frame, score, drivers, method=method, target=target, weights=weights,
            clusters=clusters, n_resamples=n_resamples, confidence_level=confidence_level,
            rng=rng, missing=missing,
        )  # fmt: skip
    gen = np.random.default_rng(rng)
    frames, infos = [], {}
    lo, hi = checks["min0"], checks["max0"]
    for t in targets:
        flat = {"score": lo == hi, "promoter": hi < 9 or lo >= 9, "detractor": hi <= 6 or lo > 6}
        if flat[t]:
            raise ValueError(f"the outcome {score!r} has no variation for target={t!r}")
        G, p = src.sums(score, drivers, t, weights, clusters, ENGINE_GROUPS)
        out, info = _engine_one_target(G, p, drivers, t, score, method, n_resamples,
                                       confidence_level, gen)  # fmt: skip
        if len(targets) > 1:
            out.insert(0, "target", t)
        frames.append(out)
        infos[t] = info
    result = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def pick(key):
        return infos[targets[0]][key] if len(targets) == 1 else {t: infos[t][key] for t in targets}

    result.attrs = {
        "method": method,
        "target": targets[0] if len(targets) == 1 else tuple(targets),
        "score": score,
        "r_squared": pick("r_squared"),
        "n_used": n_used,
        "n_excluded_missing": n_rows - n_used,
        "missing_by_column": missing_by_column,
        "weighted": weights is not None,
        "confidence_level": confidence_level,
        "n_resamples": n_resamples,
        "ci_method": pick("ci_method"),
        "n_resamples_failed": pick("n_resamples_failed"),
    }
    return result


def _q(name) -> str:
    from .backends import quote as _quote

    return _quote(name)


class _SQLSums:
    """The engine path's three reads from a path, DuckDB relation or Arrow table, in SQL."""

    def __init__(self, df, columns):
        from .backends import SQLSource

        self._src = SQLSource(df, columns)
        self.label = self._src.label

    def checks(self, outcome, drivers, weights, clusters, zero_to_ten) -> pd.Series:
        return self._src(_engine_checks_sql(outcome, drivers, weights, clusters, zero_to_ten)).iloc[
            0
        ]

    def frame(self, columns) -> pd.DataFrame:
        return self._src("SELECT " + ", ".join(map(_q, columns)) + " FROM src")

    def sums(self, outcome, drivers, target, weights, clusters, groups):
        sql, p = _engine_sums_sql(outcome, drivers, target, weights, clusters, groups)
        return self._src(sql).drop(columns="__g").to_numpy(dtype=float), p


class _SparkSums:
    """The same three reads from a Spark DataFrame: one Spark aggregation each.

    The same statistics as ``_engine_checks_sql`` and ``_engine_sums_sql``,
    as Spark Columns (names backquoted by ``_spark.column``, no SQL
    text built from a name); rows are dealt to the random groups by a hash
    of their Spark row id (whole clusters by a hash of the cluster id).
    """

    label = "the Spark DataFrame"

    def __init__(self, df, columns):
        from ._validation import check_columns

        check_columns(list(df.columns), list(columns), where=self.label)
        self.df = df

    @staticmethod
    def _num(name):
        from ._spark import number

        return number(name)

    @staticmethod
    def _blank(x):
        from pyspark.sql import functions as F

        return x.isNull() | F.coalesce(F.isnan(x), F.lit(False))

    def checks(self, outcome, drivers, weights, clusters, zero_to_ten) -> pd.Series:
        from pyspark.sql import functions as F

        from ._spark import column as _spark_col
        from .backends import spark_pandas

        def count(cond):
            return F.count(F.when(cond, F.lit(1)))

        inf = F.lit(float("inf"))
        parts, complete = [F.count(F.lit(1)).alias("rows")], []
        for j, c in enumerate([outcome, *drivers]):
            raw, x = _spark_col(c), self._num(c)
            parts.append(count(raw.isNull() | F.coalesce(F.isnan(x), F.lit(False))).alias(f"m{j}"))
            parts.append(count(raw.isNotNull() & x.isNull()).alias(f"t{j}"))
            parts.append(count((x == inf) | (x == -inf)).alias(f"i{j}"))
            complete.append(~self._blank(x))
        if clusters is not None:
            parts.append(count(_spark_col(clusters).isNull()).alias(f"m{len(drivers) + 1}"))
            complete.append(_spark_col(clusters).isNotNull())
        if zero_to_ten:
            y = self._num(outcome)
            out = (y < 0) | (y > 10) | (y != F.round(y))
            parts.append(count(~self._blank(y) & out).alias("bad_y"))
        w = F.lit(1.0)
        if weights is not None:
            w = self._num(weights)
            bad = self._blank(w) | (w == inf) | (w < 0)
            parts.append(count(bad).alias("bad_w"))
        used = complete[0]
        for cond in complete[1:]:
            used = used & cond
        parts.append(count(used).alias("used"))
        for j, c in enumerate([outcome, *drivers]):  # ranges over the rows that carry weight
            x = F.when(used & (w > 0), self._num(c))
            parts += [F.min(x).alias(f"min{j}"), F.max(x).alias(f"max{j}")]
        return spark_pandas(self.df.agg(*parts)).iloc[0]

    def frame(self, columns) -> pd.DataFrame:
        from ._spark import column as _spark_col
        from .backends import spark_pandas

        return spark_pandas(self.df.select(*[_spark_col(c).alias(c) for c in columns]))

    def sums(self, outcome, drivers, target, weights, clusters, groups):
        from pyspark.sql import functions as F

        from ._spark import column as _spark_col
        from .backends import spark_pandas

        y = self._num(outcome)
        if target != "score":
            hit = y >= 9 if target == "promoter" else y <= 6
            y = F.when(self._blank(y), F.lit(None)).when(hit, F.lit(1.0)).otherwise(F.lit(0.0))
        z = [y] + [self._num(d) for d in drivers]
        w = F.lit(1.0) if weights is None else self._num(weights)
        key = (
            F.monotonically_increasing_id()
            if clusters is None
            else _spark_col(clusters).cast("string")
        )
        cols = [e.alias(f"__z{j}") for j, e in enumerate(z)]
        cols += [w.alias("__w"), F.pmod(F.xxhash64(key), F.lit(int(groups))).alias("__g")]
        complete = ~self._blank(F.col("__w"))
        for j in range(len(z)):
            complete = complete & ~self._blank(F.col(f"__z{j}"))
        if clusters is not None:
            cols.append(_spark_col(clusters).isNotNull().alias("__c"))
            complete = complete & F.col("__c")
        p = len(z)
        zc, wc = [F.col(f"__z{j}") for j in range(p)], F.col("__w")
        sums = [F.count(F.lit(1)).alias("__n"), F.sum(wc).alias("__sw")]
        sums += [F.sum(wc * zc[j]).alias(f"__s{j}") for j in range(p)]
        sums += [
            F.sum(wc * zc[i] * zc[j]).alias(f"__s{i}_{j}") for i in range(p) for j in range(i, p)
        ]
        long = spark_pandas(
            self.df.select(*cols).where(complete).groupBy("__g").agg(*sums).orderBy("__g")
        )
        return long.drop(columns="__g").to_numpy(dtype=float), p


def _engine_one_target(G, p, drivers, target, score, method, n_resamples, level, gen):
    """One target's table from the per-group sums ``G`` (groups x statistics)."""
    total = G.sum(axis=0)
    C = _engine_moments(total, p)
    R, r = C[1:, 1:], C[0, 1:]
    _check_collinear(R, drivers)
    full_r2 = float(r @ np.linalg.solve(R, r))
    imp = _FROM_CORR[method](R, r)
    share = 100 * imp / imp.sum() if method != "correlation" else 100 * r**2 / (r**2).sum()
    out = pd.DataFrame({"driver": drivers, "importance": imp, "share": share})
    ci_method, n_failed = None, 0
    if n_resamples > 0:
        k = p - 1
        reps = []
        chunk = max(1, _CHUNK_CELLS // max(len(G), 1 << k))
        for start in range(0, n_resamples, chunk):
            counts = _draw_counts(gen, len(G), min(chunk, n_resamples - start))
            Cb = _engine_moments(counts @ G, p)
            Rb, rb = Cb[:, 1:, 1:], Cb[:, 0, 1:]
            ok = np.isfinite(Cb).all(axis=(1, 2))
            ok[ok] = np.linalg.eigvalsh(Rb[ok])[:, 0] > 1e-10
            est = _FROM_CORR[method](np.where(ok[:, None, None], Rb, np.eye(k)),
                                     np.where(ok[:, None], rb, 0.0))  # fmt: skip
            est[~ok] = np.nan
            reps.append(est)
        lo, hi, n_failed = _percentile_ci(np.concatenate(reps), level)
        out["ci_low"], out["ci_high"] = lo, hi
        ci_method = f"random-groups bootstrap ({len(G)} groups)"
    sw = total[1]
    out["mean"] = total[3 : 2 + p] / sw
    out["n"] = int(total[0])
    key = out["importance"].abs() if method == "correlation" else out["importance"]
    out["rank"] = key.rank(ascending=False, method="min").astype(int)
    out = out.sort_values(["rank", "driver"], kind="stable").reset_index(drop=True)
    return out, {"r_squared": full_r2, "ci_method": ci_method, "n_resamples_failed": n_failed}
