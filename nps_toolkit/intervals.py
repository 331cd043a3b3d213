"""Confidence intervals for NPS (all values on the -100..100 scale).

``nps_interval`` gives one interval (an ``NPSInterval``) from raw 0-10 scores
or from category counts; ``interval_arrays`` gives many at once (one per
group) and is what ``summarize`` uses.

Methods
-------
``"wald"``
    estimate +/- z * SE with Var(p - d) = (p + d - (p - d)^2) / n.
``"adjusted-wald"``
    add 0.75 promoter, 1.5 passive and 0.75 detractor pseudo-respondents and
    apply Wald to the adjusted proportions (Rocks 2016); the reported estimate
    stays the raw NPS.
``"score"``
    invert the score test of the difference of two cells of one multinomial,
    with the variance at the constrained maximum-likelihood estimate (Tango
    1998, promoters and detractors in the roles of the discordant cells).
``"bootstrap"`` / ``"bca"``
    percentile and bias-corrected accelerated bootstrap, resampling the three
    category counts (multinomial draws: cost O(n_resamples) whatever n is).
``"bayes"``
    equal-tailed credible interval of a Dirichlet posterior (Monte Carlo).

Weights and clusters enter the analytic methods through the linearised
(sandwich) variance and its design effect (with weights alone each
respondent is its own primary sampling unit), and a known population size
through the finite-population correction.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

# scipy.special holds the normal distribution functions that
# scipy.stats' norm and t call (ndtr, ndtri); importing scipy.stats
# itself costs about 0.5 s in every report kernel.
from scipy import special

# scipy.optimize (score interval only) is imported where it is used.
from ._core import ADJUST as _ADJUST
from ._core import category_codes
from ._results import EstimateRow
from ._validation import (
    ANALYTIC_METHODS,
    METHODS,
    N_RESAMPLES,
    RESAMPLING_METHODS,
    as_score_array,
    as_weights,
    check_counts,
    check_level,
    check_method,
    check_population,
    check_resamples,
    check_scale,
)
from ._validation import t as t_critical
from ._validation import (
    z as z_critical,
)

__all__ = [
    "ANALYTIC_METHODS",
    "METHODS",
    "RESAMPLING_METHODS",
    "NPSInterval",
    "bootstrap_counts",
    "interval_arrays",
    "nps_interval",
]

# bootstrap draws are made in batches of at most this many cells (rows x units)
_BATCH_CELLS = 4_000_000


# --------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class NPSInterval(EstimateRow):
    """An NPS with its interval, on the -100..100 scale.

    ``to_frame()`` gives it as a one-row table with the column names of
    ``summarize`` (``nps``, ``ci_low``, ``ci_high``, ``standard_error``,
    ``n``, ``n_effective``, ...); in a notebook it shows as a small table.

    Attributes
    ----------
    estimate : the NPS of the sample (weighted when weights are given).
    low, high : interval ends, always inside [-100, 100] and always
        including the estimate.
    standard_error : standard error of the estimate in NPS points (for
        ``adjusted-wald`` the SE of the adjusted centre; for the bootstrap the
        SD of the resampled NPS; for ``bayes`` the posterior SD).
    method, confidence_level : how the interval was made.
    n : number of (non-blank) answers.
    n_effective : sample size the interval is worth: n / design_effect with
        weights or clusters, else n.
    design_effect : variance relative to a simple random sample of n, when
        weights or clusters are given, else None.
    """

    estimate: float
    low: float
    high: float
    standard_error: float
    method: str
    confidence_level: float
    n: int
    n_effective: float
    design_effect: float | None = None

    def __repr__(self) -> str:
        deff = "" if self.design_effect is None else f", design_effect={self.design_effect:.2f}"
        return (
            f"NPSInterval(estimate={self.estimate:.1f}, "
            f"{100 * self.confidence_level:g}% CI [{self.low:.1f}, {self.high:.1f}], "
            f"standard_error={self.standard_error:.2f}, method={self.method!r}, "
            f"n={self.n}, n_effective={self.n_effective:.1f}{deff})"
        )


# --------------------------------------------------------------------------
# validation at the edge
# --------------------------------------------------------------------------


def _fpc_squared(n, N) -> np.ndarray | float:
    """(N - n)/(N - 1), the squared finite-population correction (1 without N)."""
    if N is None:
        return 1.0
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(N > 1, (N - n) / max(N - 1, 1.0), 0.0)


# --------------------------------------------------------------------------
# analytic methods (vectorised over groups)
# --------------------------------------------------------------------------


def _wald(p, d, n, z, adjusted):
    """Wald / adjusted Wald ends and SE on the proportion scale."""
    if adjusted:
        finite = np.isfinite(n)  # n = inf (census, fpc) needs no adjustment
        n_adj = np.where(finite, n + 3, np.inf)
        with np.errstate(invalid="ignore"):
            p = np.where(finite, (p * n + _ADJUST[2]) / n_adj, p)
            d = np.where(finite, (d * n + _ADJUST[0]) / n_adj, d)
        n = n_adj
    centre = p - d
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(np.maximum(p + d - centre**2, 0.0) / n)
    se = np.where(np.isinf(n), 0.0, se)
    return centre - z * se, centre + z * se, se


def _constrained_variance(delta, P, D, n):
    """Per-respondent variance p~ + d~ - delta^2 at the constrained MLE.

    (p~, d~) maximise the multinomial likelihood of (D, n - P - D, P) subject
    to p - d = delta.  Setting the derivative of
    P log(t + delta) + D log t + Q log(1 - 2t - delta) in the detractor share t
    to zero gives A t^2 + B t + C = 0 with A = 2n,
    B = -P - D + (2n - P + D) delta, C = -D delta (1 - delta) (Tango 1998,
    eq. 3).  For delta >= 0, C <= 0 and the admissible root is the positive
    one.  For delta < 0 the same formula is applied to the mirrored problem
    (promoters and detractors swapped, -delta), which has the same variance;
    this avoids choosing between two positive roots.
    """
    neg = delta < 0
    a = np.abs(delta)
    Pm = np.where(neg, D, P)
    Dm = np.where(neg, P, D)
    A = 2 * n
    B = -Pm - Dm + (2 * n - Pm + Dm) * a
    C = -Dm * a * (1 - a)
    root = np.sqrt(np.maximum(B * B - 4 * A * C, 0.0))
    # two algebraically equal forms of the positive root, each free of
    # cancellation on its side of B = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(B > 0, np.divide(-2 * C, B + root), (root - B) / (2 * A))
    t = np.where(np.isfinite(t), t, 0.0)
    return np.maximum(2 * t + a - a * a, 0.0)


def _score_statistic(delta, P, D, n):
    """Score statistic Z(delta) = (P - D - n delta) / sqrt(n V~(delta)); 0 where 0/0."""
    num = P - D - n * delta
    den = np.sqrt(n * _constrained_variance(delta, P, D, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        zstat = np.where(num == 0, 0.0, num / den)
    # where the constrained variance is 0 the statistic is +-infinite; a large
    # finite value keeps the bracketing root finders happy
    return np.clip(np.nan_to_num(zstat, nan=0.0), -1e12, 1e12)


def _score_arrays(p, d, n, z):
    """Score interval ends (proportion scale) for arrays of groups."""
    est = p - d
    low = np.full(est.shape, -1.0)
    high = np.full(est.shape, 1.0)
    exact = np.isinf(n)
    low[exact], high[exact] = est[exact], est[exact]
    n = np.where(exact, 1.0, n)  # placeholder; those rows are done
    P, D = p * n, d * n
    # upper end: Z(delta) = -z on (est, 1]; it stays 1 when Z(1) >= -z
    # (all promoters).  Lower end: Z(delta) = z on [-1, est).
    for sign, out, edge in ((-1.0, high, 1.0), (1.0, low, -1.0)):
        target = sign * z
        edge_value = _score_statistic(np.full(est.shape, edge), P, D, n) - target
        # Z(est) - target = -target, so a root lies between est and the edge
        # exactly when the edge value has the sign of target
        todo = ~exact & (edge_value * target > 0)
        if todo.any():
            from scipy.optimize import elementwise

            args = (P[todo], D[todo], n[todo], target)
            res = elementwise.find_root(
                lambda x, P_, D_, n_, target: _score_statistic(x, P_, D_, n_) - target,
                (np.minimum(est[todo], edge), np.maximum(est[todo], edge)),
                args=args,
                tolerances={"xatol": 1e-12, "xrtol": 1e-12},
            )
            out[todo] = res.x
    return low, high


def _score_scalar(P, D, n, z):
    """Score interval ends by ``scipy.optimize.brentq`` (one group)."""
    from scipy import optimize

    est = (P - D) / n

    def f(x, target):
        return float(_score_statistic(np.asarray(x), P, D, n)) - target

    high = 1.0 if f(1.0, -z) >= 0 else optimize.brentq(f, est, 1.0, args=(-z,), xtol=1e-13)
    low = -1.0 if f(-1.0, z) <= 0 else optimize.brentq(f, -1.0, est, args=(z,), xtol=1e-13)
    return low, high


def _score_se(p, d, n):
    """Standard error reported with the score interval: sqrt((p + d - (p-d)^2)/n)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isinf(n), 0.0, np.sqrt(np.maximum(p + d - (p - d) ** 2, 0) / n))


# --------------------------------------------------------------------------
# bootstrap and Bayes (vectorised over groups / simulations)
# --------------------------------------------------------------------------


def _row_quantiles(sorted_rows, q):
    """Quantile q[i] of the sorted row i, linear interpolation (numpy's default)."""
    B = sorted_rows.shape[1]
    h = np.clip(q, 0, 1) * (B - 1)
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, B - 1)
    rows = np.arange(sorted_rows.shape[0])
    a = sorted_rows[rows, lo]
    b = sorted_rows[rows, hi]
    return a + (h - lo) * (b - a)


def _bca_levels(theta_sorted, theta_hat, accel, alpha):
    """BCa percentile levels (Efron & Tibshirani 1993, eq. 14.10), as scipy does.

    The bias correction uses the mid-rank of the estimate among the resampled
    values, (#{<} + #{<=}) / 2B, like ``scipy.stats.bootstrap``: with NPS
    values on a grid, ties with the estimate are common.
    """
    B = theta_sorted.shape[1]
    below = (theta_sorted < theta_hat[:, None]).sum(axis=1)
    upto = (theta_sorted <= theta_hat[:, None]).sum(axis=1)
    z0 = special.ndtri((below + upto) / (2 * B))  # stats.norm.ppf
    za = special.ndtri(alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        n1 = z0 + za
        n2 = z0 - za
        a1 = special.ndtr(z0 + n1 / (1 - accel * n1))  # stats.norm.cdf
        a2 = special.ndtr(z0 + n2 / (1 - accel * n2))
    return np.nan_to_num(a1, nan=alpha), np.nan_to_num(a2, nan=1 - alpha)


def _acceleration(unit_p, unit_d, unit_w, mult):
    """Jackknife acceleration, leaving out one unit (respondent or cluster) at a time.

    ``unit_*`` are per-unit sums (shape (k, K)), ``mult`` how often each unit
    occurs.  Without weights or clusters there are only three distinct units
    (a detractor, a passive, a promoter), so the n leave-one-out values take
    three values and the jackknife is closed-form: no O(n^2) loop.
    a = sum m (mean - theta_i)^3 / (6 (sum m (mean - theta_i)^2)^1.5).
    """
    WP = (mult * unit_p).sum(-1, keepdims=True)
    WD = (mult * unit_d).sum(-1, keepdims=True)
    W = (mult * unit_w).sum(-1, keepdims=True)
    m_total = mult.sum(-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        theta_i = ((WP - unit_p) - (WD - unit_d)) / (W - unit_w)
        theta_i = np.where(mult > 0, theta_i, 0.0)
        mean = (mult * theta_i).sum(-1, keepdims=True) / m_total
        u = mean - theta_i
        num = (mult * u**3).sum(-1)
        den = (mult * u**2).sum(-1)
        a = num / (6 * den**1.5)
    return np.where(den > 0, a, 0.0)


def _resample(unit_p, unit_d, unit_w, mult, n_resamples, rng):
    """Resampled NPS (proportion scale), shape (k, n_resamples).

    Row i draws sum(mult[i]) units with replacement, i.e. the unit counts are
    multinomial(sum mult, mult / sum mult): one draw per resample, whatever n.
    """
    k, K = mult.shape
    out = np.empty((k, n_resamples))
    per_batch = max(1, _BATCH_CELLS // max(K * n_resamples, 1))
    for start in range(0, k, per_batch):
        sl = slice(start, start + per_batch)
        m = mult[sl].astype(np.int64)
        total = m.sum(-1)
        draws = rng.multinomial(total, m / total[:, None], size=(n_resamples, len(total)))
        draws = draws.transpose(1, 0, 2).astype(float)  # (rows, B, K)
        wp = np.einsum("rbk,rk->rb", draws, unit_p[sl])
        wd = np.einsum("rbk,rk->rb", draws, unit_d[sl])
        w = np.einsum("rbk,rk->rb", draws, unit_w[sl])
        with np.errstate(divide="ignore", invalid="ignore"):
            out[sl] = np.where(w > 0, (wp - wd) / w, 0.0)
    return out


def _bootstrap_units(unit_p, unit_d, unit_w, mult, *, bca, confidence_level, n_resamples, rng):
    """Percentile or BCa bootstrap ends and SE (proportion scale) for k rows of units."""
    rng = np.random.default_rng(rng)
    theta = _resample(unit_p, unit_d, unit_w, mult, n_resamples, rng)
    theta.sort(axis=1)
    W = (mult * unit_w).sum(-1)
    theta_hat = ((mult * unit_p).sum(-1) - (mult * unit_d).sum(-1)) / W
    alpha = (1 - confidence_level) / 2
    k = theta.shape[0]
    if bca:
        accel = _acceleration(unit_p, unit_d, unit_w, mult)
        q_low, q_high = _bca_levels(theta, theta_hat, accel, alpha)
    else:
        q_low, q_high = np.full(k, alpha), np.full(k, 1 - alpha)
    low = _row_quantiles(theta, q_low)
    high = _row_quantiles(theta, q_high)
    se = theta.std(axis=1, ddof=1)
    return low, high, se


def _category_units(D, Q, P):
    """Units for unweighted, unclustered data: one detractor, passive, promoter."""
    k = np.size(D)
    unit_p = np.tile([0.0, 0.0, 1.0], (k, 1))
    unit_d = np.tile([1.0, 0.0, 0.0], (k, 1))
    unit_w = np.ones((k, 3))
    mult = np.stack([np.ravel(D), np.ravel(Q), np.ravel(P)], axis=1).astype(float)
    return unit_p, unit_d, unit_w, mult


def bootstrap_counts(
    detractors,
    passives,
    promoters,
    *,
    method="bca",
    confidence_level=0.95,
    n_resamples=N_RESAMPLES,
    rng=None,
):
    """Bootstrap intervals for many sets of counts at once (e.g. simulations).

    Vectorised core of ``nps_interval(method="bootstrap"/"bca")``: arrays of
    counts in, arrays ``(low, high, standard_error)`` out, on the -100..100
    scale.  Each row costs n_resamples multinomial draws, whatever its n.

    >>> low, high, se = bootstrap_counts([20], [20], [60], method="bootstrap", rng=1)
    >>> bool(low[0] < 40 < high[0])
    True
    """
    check_method(method, ("bootstrap", "bca"))
    level = check_level(confidence_level)
    n_resamples = check_resamples(n_resamples, method)
    units = _category_units(np.asarray(detractors), np.asarray(passives), np.asarray(promoters))
    low, high, se = _bootstrap_units(
        *units, bca=method == "bca", confidence_level=level, n_resamples=n_resamples, rng=rng
    )
    return np.clip(100 * low, -100, 100), np.clip(100 * high, -100, 100), 100 * se


def _check_prior(prior) -> np.ndarray:
    arr = np.broadcast_to(np.asarray(prior, dtype=float), (3,)).copy()
    if (~np.isfinite(arr)).any() or (arr <= 0).any():
        raise ValueError(
            "prior must be a positive number or three positive numbers "
            f"(detractor, passive, promoter), got {prior!r}"
        )
    return arr


def _bayes(D, Q, P, *, prior, confidence_level, n_resamples, rng):
    """Equal-tailed Dirichlet credible interval, shape-(k,) arrays, proportion scale.

    Posterior Dirichlet(D + a_d, Q + a_q, P + a_p); draws from independent
    gammas (G_p - G_d) / (G_d + G_q + G_p).
    """
    rng = np.random.default_rng(rng)
    a = np.stack([np.ravel(D), np.ravel(Q), np.ravel(P)], axis=1) + prior
    k = a.shape[0]
    low, high, se = np.empty(k), np.empty(k), np.empty(k)
    alpha = (1 - confidence_level) / 2
    per_batch = max(1, _BATCH_CELLS // (3 * n_resamples))
    for start in range(0, k, per_batch):
        sl = slice(start, start + per_batch)
        g = rng.standard_gamma(a[sl, None, :], size=(a[sl].shape[0], n_resamples, 3))
        theta = (g[..., 2] - g[..., 0]) / g.sum(-1)
        low[sl], high[sl] = np.quantile(theta, [alpha, 1 - alpha], axis=1)
        se[sl] = theta.std(axis=1, ddof=1)
    # When every answer is a promoter (or every one a detractor) the
    # equal-tailed interval would exclude the observed +-100; as for the
    # Jeffreys interval of a proportion (Brown, Cai & DasGupta 2001), the end
    # on that side is set to the boundary.
    n = a.sum(1) - np.sum(prior)
    high[np.ravel(P) == n] = 1.0
    low[np.ravel(D) == n] = -1.0
    return low, high, se


# --------------------------------------------------------------------------
# many groups at once
# --------------------------------------------------------------------------


def interval_arrays(
    promoter_share,
    detractor_share,
    n,
    *,
    method="adjusted-wald",
    confidence_level=0.95,
    population_size=None,
    n_resamples=N_RESAMPLES,
    rng=None,
    prior=0.5,
):
    """Vectorised interval from proportions and (effective) sample sizes.

    Returns ``(estimate, low, high, standard_error)`` arrays on the -100..100
    scale.  Used by ``summarize`` so that thousands of groups cost one numpy
    expression, not a Python loop.  Every ``nps_interval`` method is accepted
    (see there); ``n`` may be an effective sample size for the analytic
    methods and ``"bayes"``, but the bootstrap methods resample whole
    respondents, so they need whole-number counts (unweighted groups).
    ``population_size`` applies the finite-population correction to every
    group (all groups drawn from one population of that size);
    ``n_resamples``, ``rng`` and ``prior`` are for the resampling methods.

    >>> est, low, high, se = interval_arrays([0.7], [0.15], [100], method="wald")
    >>> round(float(se[0]), 2), round(float(low[0]), 2), round(float(high[0]), 2)
    (7.4, 40.5, 69.5)
    """
    check_method(method)
    level = check_level(confidence_level)
    n_resamples = check_resamples(n_resamples, method)
    shape = np.broadcast(
        np.asarray(promoter_share), np.asarray(detractor_share), np.asarray(n)
    ).shape
    p, d, n = np.broadcast_arrays(
        np.asarray(promoter_share, dtype=float),
        np.asarray(detractor_share, dtype=float),
        np.asarray(n, dtype=float),
    )
    p, d, n = (np.array(x, dtype=float, ndmin=1) for x in (p, d, n))
    N = check_population(population_size, n)
    estimate = 100 * (p - d)
    # Finite population: the SE shrinks by sqrt((N-n)/(N-1)), i.e. the sample
    # is worth n / fpc^2 respondents.  Inflating n (rather than multiplying
    # the SE afterwards) also moves the adjusted-Wald centre onto the
    # estimate as n -> N, so that every method has width 0 at n = N.
    f2 = _fpc_squared(n, N)
    with np.errstate(divide="ignore"):
        n_eff = np.where(f2 > 0, n / f2, np.inf)
    z = z_critical(level)
    if method in ("wald", "adjusted-wald"):
        low, high, se = _wald(p, d, n_eff, z, method == "adjusted-wald")
    elif method == "score":
        low, high = _score_arrays(p, d, n_eff, z)
        se = _score_se(p, d, n_eff)
    else:
        f = np.sqrt(f2) if N is not None else 1.0
        if method == "bayes":
            low, high, se = _bayes(
                d * n,
                (1 - p - d) * n,
                p * n,
                prior=_check_prior(prior),
                confidence_level=level,
                n_resamples=n_resamples,
                rng=rng,
            )
        else:
            P, D = p * n, d * n
            Q = n - P - D
            whole = all(np.allclose(x, np.round(x), atol=1e-6) for x in (P, D, Q))
            if not whole:
                raise ValueError(
                    f"method {method!r} resamples respondents and needs whole-number "
                    "counts per group; for weighted groups use one of "
                    f"{list(ANALYTIC_METHODS) + ['bayes']}, or nps_interval(scores, "
                    f"weights=..., method={method!r}) per group"
                )
            units = _category_units(np.round(D), np.round(Q), np.round(P))
            low, high, se = _bootstrap_units(
                *units,
                bca=method == "bca",
                confidence_level=level,
                n_resamples=n_resamples,
                rng=rng,
            )
        # finite population: shrink the distance to the estimate by the fpc
        centre = p - d
        low, high, se = centre - f * (centre - low), centre + f * (high - centre), f * se
    low, high = _contain(estimate, np.clip(100 * low, -100, 100), np.clip(100 * high, -100, 100))
    out = (estimate, low, high, 100 * se)
    return tuple(x.reshape(shape) for x in out)


def _contain(estimate, low, high):
    """Interval ends widened, where needed, to include the estimate.

    Only the adjusted-Wald interval of a single answer needs it: its centre is
    pulled so far from the observed +-100 (or 0) that the interval would
    exclude the estimate, e.g. one promoter gives [-48.5, 98.5] around an NPS
    of 100.  Widening can only raise coverage; from n = 2 on nothing changes.
    """
    # (a tolerance, so that rounding in 100 * (p - d) never moves an end)
    low = np.where(low > estimate + 1e-9, estimate, low)
    high = np.where(high < estimate - 1e-9, estimate, high)
    return low, high


# --------------------------------------------------------------------------
# one interval
# --------------------------------------------------------------------------


def _prepare_scores(scores, weights, clusters):
    """Validated arrays of category codes, weights and cluster labels, blanks removed."""
    arr = as_score_array(scores)
    codes = category_codes(arr)
    w = None if weights is None else as_weights(weights, arr.shape[0])  # refuses inf too
    g = None
    if clusters is not None:
        g = np.asarray(clusters, dtype=object).ravel()
        if g.shape[0] != arr.shape[0]:
            raise ValueError(
                f"clusters has length {g.shape[0]} but there are {arr.shape[0]} scores"
            )
        missing = np.array([x is None or (isinstance(x, float) and np.isnan(x)) for x in g])
        if missing.any():
            pos = np.flatnonzero(missing)
            raise ValueError(
                f"clusters: {missing.sum()} missing cluster id(s) at position(s) {pos[:5].tolist()}"
            )
    keep = codes >= 0
    codes = codes[keep]
    if codes.size == 0:
        raise ValueError("no responses: every score is blank")
    if w is not None:
        w = w[keep]
        if w.sum() <= 0:
            raise ValueError("weights of the answered scores sum to zero")
    if g is not None:
        g = g[keep]
    return codes, w, g


def _linearised_variance(s, w, g):
    """Cluster-robust variance of the (weighted) mean of s, proportion scale.

    Var = G/(G-1) * sum_g (sum_{i in g} w_i (s_i - mean))^2 / (sum w)^2: the
    linearisation (sandwich) variance of a ratio estimator with clusters as
    primary sampling units; with w = 1 it is the unweighted cluster-robust variance.
    """
    mean = np.sum(w * s) / np.sum(w)
    _, inverse = np.unique(g.astype(str), return_inverse=True)
    totals = np.bincount(inverse, weights=w * (s - mean))
    G = totals.size
    if G < 2:
        raise ValueError("clusters: at least two clusters are needed for a cluster-robust variance")
    return G / (G - 1) * np.sum(totals**2) / np.sum(w) ** 2, G


def _units_from_raw(codes, w, g):
    """Resampling units: clusters, or (category, weight) pairs with multiplicities."""
    wv = np.ones(codes.shape) if w is None else w
    is_p = (codes == 2).astype(float)
    is_d = (codes == 0).astype(float)
    if g is not None:
        _, inverse = np.unique(g.astype(str), return_inverse=True)
        unit_p = np.bincount(inverse, weights=wv * is_p)
        unit_d = np.bincount(inverse, weights=wv * is_d)
        unit_w = np.bincount(inverse, weights=wv)
        mult = np.ones(unit_w.shape)
    else:
        # identical (category, weight) respondents are one unit with a
        # multiplicity: unweighted data collapse to three units.
        pairs, mult = np.unique(
            np.stack([codes.astype(float), wv], axis=1), axis=0, return_counts=True
        )
        unit_w = pairs[:, 1]
        unit_p = unit_w * (pairs[:, 0] == 2)
        unit_d = unit_w * (pairs[:, 0] == 0)
        mult = mult.astype(float)
    if mult.sum() < 2:
        raise ValueError("the bootstrap needs at least two respondents (or clusters)")
    return unit_p[None, :], unit_d[None, :], unit_w[None, :], mult[None, :]


def nps_interval(
    scores=None,
    *,
    counts=None,
    method="adjusted-wald",
    confidence_level=0.95,
    weights=None,
    clusters=None,
    population_size=None,
    n_resamples=N_RESAMPLES,
    rng=None,
    prior=0.5,
) -> NPSInterval:
    """NPS with a confidence interval, from raw 0-10 scores or category counts.

    Parameters
    ----------
    scores : array-like of 0-10 answers (NaN = blank, left out and not an
        error).  Give either ``scores`` or ``counts``.
    counts : ``(detractors, passives, promoters)`` whole numbers, or a
        ``Counts`` from ``category_counts``: counted elsewhere (DuckDB, Spark).
    method : ``"adjusted-wald"`` (default), ``"wald"``, ``"score"``,
        ``"bootstrap"`` (percentile), ``"bca"`` or ``"bayes"``.
    confidence_level : in (0, 1).
    weights : survey weights aligned with ``scores``.  Analytic methods and
        ``bayes`` use the weighted proportions and the linearised variance of
        the weighted NPS, each respondent its own primary sampling unit:
        sum w_i^2 (s_i - m)^2 / (sum w)^2 with s = +1/0/-1 and m the weighted
        NPS (the n divisor of the R ``NPS`` package, i.e. ``survey::svymean``'s
        SE times sqrt((n - 1)/n)), through its design effect (n_effective =
        n / design_effect; ``"wald"`` reproduces that SE exactly).  Unlike
        Kish's (sum w)^2 / sum w^2 it sees whether the weights go with the
        score.  The bootstrap resamples respondents with their weights.
    clusters : cluster ids aligned with ``scores`` (e.g. the client account
        of each respondent).  Analytic methods and ``bayes`` use the
        cluster-robust variance through its design effect (n_effective =
        n / design_effect; ``"wald"`` then reproduces the robust SE exactly)
        with t(G - 1) instead of normal critical values for G clusters; the
        bootstrap resamples whole clusters.
    population_size : number invited, N.  Applies the finite-population
        correction sqrt((N - n)/(N - 1)): the interval has width 0 at n = N.
    n_resamples, rng : number of bootstrap resamples or posterior draws, and
        a seed or ``numpy.random.Generator``.
    prior : Dirichlet prior of ``bayes``, one number for all three
        categories or (detractor, passive, promoter).

    Returns
    -------
    NPSInterval

    Notes
    -----
    Which method?  ``benchmarks/coverage.py`` simulated the coverage of 95 %
    intervals of every method (2,000 samples a cell; n = 30, 100, 500 and
    2,000; promoter/detractor shares 0.4/0.4, 0.5/0.2, 0.3/0.05, 0.7/0.1,
    0.9/0.02 and 0.05/0.8; ``benchmarks/results/coverage.csv``).  Over the 24
    cells (mean, worst cell):

    ==============  =======  ==========  ================================
    method          mean     worst       worst cell
    ==============  =======  ==========  ================================
    adjusted-wald   95.2 %   94.4 %      n = 30, 0.3/0.05
    score           95.2 %   93.8 %      n = 30, 0.3/0.05
    bayes           95.0 %   94.3 %      n = 30, 0.3/0.05
    bca             95.2 %   93.2 %      n = 30, 0.3/0.05
    bootstrap       94.4 %   83.8 %      n = 30, 0.9/0.02
    wald            93.8 %   84.3 %      n = 30, 0.9/0.02
    ==============  =======  ==========  ================================

    At n = 30 Wald averages 91.1 % and the percentile bootstrap 92.2 %;
    from n = 500 on every method is within noise (+/- 1 point) of 95 %.
    Mean widths differ by less than 0.5 points.  Adjusted Wald is the
    default: its worst cell is the best of all six, it is a closed formula
    (1,000 segments cost well under a millisecond, see
    ``benchmarks/bootstrap_speed.py``) and it never has width 0.  The score
    interval is as good (likelihood-based, range-respecting); ``bayes``
    reads as a posterior; ``bca`` suits weighted samples of n >= 100; plain
    ``wald`` and ``bootstrap`` should not be used below n = 100.

    Clustered samples (20 or 60 accounts of 1 + Poisson(3) respondents,
    intra-account correlation 0.2): with ``clusters=`` the analytic methods
    cover 93.4-95.4 % (adjusted-wald 94.8 % with 20 accounts, 95.3 % with
    60), the account bootstrap 92.0-94.3 %; ignoring the clusters gives
    85-87 %.

    Weighted samples whose weights follow the score (``python
    benchmarks/coverage.py --weighted``; detractors answering half as often
    and so weighing twice as much, n = 50 to 1,000): the adjusted-Wald
    interval on the linearised variance covers 94.5 % on average (worst cell
    93.4 %); on Kish's effective size, as before, 91.5 % (89.0 %).  With
    weights unrelated to the score the two agree (94.6 % and 94.9 %).

    References
    ----------
    Rocks, B. (2016). Interval estimation for the Net Promoter Score. The
    American Statistician 70(4), 365-372.
    Tango, T. (1998). Equivalence test and confidence interval for the
    difference in proportions for the paired-sample design. Statistics in
    Medicine 17, 891-908.

    Examples
    --------
    70 promoters, 15 passives and 15 detractors of 100 give NPS 55 with a Wald
    SE of sqrt(0.85 - 0.55^2)/10 = 7.40 points, so 55 +/- 1.96 * 7.40:

    >>> nps_interval(counts=(15, 15, 70), method="wald")
    NPSInterval(estimate=55.0, 95% CI [40.5, 69.5], standard_error=7.40, method='wald', n=100, n_effective=100.0)
    """
    check_method(method)
    level = check_level(confidence_level)
    n_resamples = check_resamples(n_resamples, method)
    if (scores is None) == (counts is None):
        raise ValueError("give either scores (raw 0-10 answers) or counts, not both or neither")
    if scores is not None:
        check_scale(as_score_array(scores))
    sample = _sample(scores, counts, weights, clusters)
    N = check_population(population_size, sample.n)
    f2 = float(_fpc_squared(sample.n, N)) if N is not None else 1.0
    if method in RESAMPLING_METHODS:
        low, high, se = _resampled_interval(
            sample, method, level, f2, n_resamples=n_resamples, rng=rng, prior=prior
        )
    else:
        low, high, se = _analytic_interval(sample, method, level, f2)
    estimate = sample.estimate
    low, high = _contain(estimate, np.clip(low, -100, 100), np.clip(high, -100, 100))
    if method in ("wald", "bootstrap", "bca") and se == 0 and (N is None or f2 > 0):
        # not a census, yet no sampling error: these methods degenerate when
        # every answer is in one category (or there is one respondent/cluster)
        warnings.warn(
            f"method {method!r} gives an interval of width 0 here (all answers in one "
            "category, or a single respondent or cluster): use method='adjusted-wald', "
            "'score' or 'bayes' for such samples",
            UserWarning,
            stacklevel=2,
        )
    return NPSInterval(
        estimate=float(estimate),
        low=float(low),
        high=float(high),
        standard_error=float(se),
        method=method,
        confidence_level=level,
        n=int(sample.n),
        n_effective=float(sample.n_eff),
        design_effect=None if sample.design_effect is None else float(sample.design_effect),
    )


@dataclass(frozen=True)
class _Sample:
    """One validated sample: shares, size, design and (for resampling) its raw data."""

    p: float
    d: float
    n: int
    n_eff: float
    estimate: float
    design_effect: float | None = None
    n_clusters: int | None = None
    counts: tuple | None = None  # (D, Q, P) when unweighted and unclustered
    codes: np.ndarray | None = None
    w: np.ndarray | None = None
    g: np.ndarray | None = None


def _sample(scores, counts, weights, clusters) -> _Sample:
    """Shares, effective size and design effect of counts, or of raw scores with a design.

    With weights or clusters the variance is the linearised (sandwich)
    variance of the weighted mean of s = +1/0/-1, with clusters as primary
    sampling units or, with weights alone, each respondent its own unit; the
    design effect is its ratio to the simple random sample variance and
    ``n_eff = n / design_effect``.
    """
    if counts is not None:
        if weights is not None or clusters is not None:
            raise ValueError(
                "weights and clusters need the raw scores: pass scores= instead of counts="
            )
        D, Q, P = check_counts(counts)
        n = D + Q + P
        return _Sample(P / n, D / n, n, float(n), 100 * (P - D) / n, counts=(D, Q, P))
    codes, w, g = _prepare_scores(scores, weights, clusters)
    n = int(codes.size)
    if w is None and g is None:
        D, Q, P = (int(x) for x in np.bincount(codes, minlength=3))
        return _Sample(P / n, D / n, n, float(n), 100 * (P - D) / n, counts=(D, Q, P), codes=codes)
    wv = np.ones(n) if w is None else w
    wp, wd, W = np.sum(wv * (codes == 2)), np.sum(wv * (codes == 0)), np.sum(wv)
    p, d = float(wp / W), float(wd / W)
    s = (codes == 2).astype(float) - (codes == 0)
    if g is not None:
        var, n_clusters = _linearised_variance(s, wv, g)
    else:
        var, n_clusters = _respondent_variance(s, wv), None
    var_srs = (p + d - (p - d) ** 2) / n
    design_effect = var / var_srs if var_srs > 0 else 1.0
    n_eff = n / design_effect if design_effect > 0 else np.inf
    return _Sample(
        p, d, n, float(n_eff), 100 * (wp - wd) / W, design_effect, n_clusters, None, codes, w, g
    )


def _respondent_variance(s, w):
    """Linearised variance of the weighted mean of s, each respondent its own PSU.

    sum w_i^2 (s_i - m)^2 / (sum w)^2, with the n divisor of the R ``NPS``
    package: ``survey::svymean``'s variance (which has n/(n - 1) in front)
    times (n - 1)/n.  Unit weights give (p + d - (p - d)^2) / n.
    """
    W = np.sum(w)
    m = np.sum(w * s) / W
    return float(np.sum((w * (s - m)) ** 2) / W**2)


def _interval_widening(sample: _Sample, level: float) -> float:
    """How many respondents the sample counts as for the interval ends, per effective one.

    With clusters the robust variance rests on only G cluster totals, and
    normal critical values under-cover when G is small (simulated: 92-93 %
    with 20 accounts).  As is usual for cluster-robust inference (Cameron &
    Miller 2015; Stata's default), the interval uses the t distribution with
    G - 1 degrees of freedom: the sample counts as n_eff (z / t)^2
    respondents for the interval ends; the reported SE stays the robust SE.
    """
    if sample.n_clusters is None:
        return 1.0
    return (z_critical(level) / t_critical(level, sample.n_clusters - 1)) ** 2


def _resampled_interval(sample: _Sample, method, level, f2, *, n_resamples, rng, prior):
    """Bootstrap, BCa or Bayes ends and SE, NPS points, finite-population corrected."""
    p, d = sample.p, sample.d
    if method == "bayes":
        # posterior from the effective counts (n_eff = n without weights or clusters)
        m = sample.n_eff * _interval_widening(sample, level)
        lo, hi, se = _bayes(
            d * m,
            (1 - p - d) * m,
            p * m,
            prior=_check_prior(prior),
            confidence_level=level,
            n_resamples=n_resamples,
            rng=rng,
        )
    else:
        if sample.counts is not None:  # only the three category counts matter
            units = _category_units(*sample.counts)
        else:
            units = _units_from_raw(sample.codes, sample.w, sample.g)
        lo, hi, se = _bootstrap_units(
            *units,
            bca=method == "bca",
            confidence_level=level,
            n_resamples=n_resamples,
            rng=rng,
        )
    # finite population: shrink the distances to the estimate by the fpc
    f, c = np.sqrt(f2), p - d
    return 100 * (c - f * (c - lo[0])), 100 * (c + f * (hi[0] - c)), 100 * f * se[0]


def _analytic_interval(sample: _Sample, method, level, f2):
    """Wald, adjusted-Wald or score ends and SE, NPS points, finite-population corrected."""
    p, d = sample.p, sample.d
    # finite population: the sample is worth n_eff / fpc^2 respondents
    # (see interval_arrays); infinite at n = N, giving width 0
    n_s = sample.n_eff / f2 if f2 > 0 else np.inf
    n_i = n_s * _interval_widening(sample, level)  # for the interval ends
    if method == "score" and np.isinf(n_s):
        return sample.estimate, sample.estimate, 0.0
    if method == "score":
        lo, hi = _score_scalar(p * n_i, d * n_i, n_i, z_critical(level))
        return 100 * lo, 100 * hi, 100 * float(_score_se(p, d, n_s))
    _, low, high, _ = interval_arrays(p, d, n_i, method=method, confidence_level=level)
    _, _, _, se = interval_arrays(p, d, n_s, method=method, confidence_level=level)
    return float(low), float(high), float(se)
