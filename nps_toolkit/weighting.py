"""Survey weights from population margins (raking) and how much they cost.

``rake_weights`` adjusts respondents' weights until the weighted share of
each category of each variable equals a population target (iterative
proportional fitting, "raking" or "RIM weighting"); ``weighting_summary``
tells how much precision the weights cost (Kish's effective sample size).

The weights go straight into every ``weights=`` argument of the toolkit:

>>> import pandas as pd
>>> df = pd.DataFrame({"region": ["north"] * 3 + ["south"]})
>>> w = rake_weights(df, {"region": {"north": 0.5, "south": 0.5}})
>>> w.round(4).tolist()      # north 3 x 2/3, south 1 x 2: mean 1
[0.6667, 0.6667, 0.6667, 2.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._validation import as_weights, check_columns, resolve_weights

# shares of a variable may miss 1 by this much (rounded published figures)
_SUM_TOLERANCE = 1e-6


def _check_targets(df: pd.DataFrame, targets) -> dict:
    if not isinstance(targets, dict) or not targets:
        raise ValueError(
            "targets must be a non-empty mapping {column: {category: share}}, "
            f"got {type(targets).__name__}"
        )
    check_columns(df, targets, what="raking target column")
    out = {}
    for column, shares in targets.items():
        if not isinstance(shares, dict) or not shares:
            raise ValueError(
                f"targets[{column!r}] must be a non-empty mapping {{category: share}}, "
                f"got {shares!r}"
            )
        values = {}
        for category, share in shares.items():
            try:
                value = float(share)
            except (TypeError, ValueError):
                raise ValueError(
                    f"targets[{column!r}][{category!r}] must be a number, got {share!r}"
                ) from None
            if not np.isfinite(value) or value < 0:
                raise ValueError(
                    f"targets[{column!r}][{category!r}] must be a share between 0 and 1, "
                    f"got {share!r}"
                )
            values[category] = value
        total = sum(values.values())
        if abs(total - 1) > _SUM_TOLERANCE:
            hint = " (give shares, not percentages)" if abs(total - 100) < 1e-3 else ""
            raise ValueError(
                f"targets[{column!r}]: shares must sum to 1, they sum to {total:g}{hint}"
            )
        out[column] = values
    return out


def _category_codes(values: pd.Series, categories: list) -> np.ndarray:
    """Position of each value among ``categories``; -1 for missing or other values.

    Targets read from YAML are often text while the column holds numbers (or
    the other way round), so when nothing matches as typed, both sides are
    compared as text.
    """
    codes = pd.Index(categories, dtype=object).get_indexer(values.astype(object))
    if (codes < 0).all() and values.notna().any():
        text = values.astype("string").astype(object).where(values.notna(), None)
        codes = pd.Index([str(c) for c in categories], dtype=object).get_indexer(text)
    return np.asarray(codes, dtype=np.intp)


def _check_trim(trim):
    if trim is None:
        return None
    try:
        low, high = trim
        low = 0.0 if low is None else float(low)
        high = np.inf if high is None else float(high)
    except (TypeError, ValueError):
        raise ValueError(
            f"trim must be (low, high) caps on the mean-1 weights, e.g. (0.2, 5), got {trim!r}"
        ) from None
    if not (0 <= low < 1 < high):
        raise ValueError(f"trim caps must satisfy 0 <= low < 1 < high, got {trim!r}")
    return low, high


def _margin_errors(w, codes, shares):
    """Largest |weighted share - target| of each variable, among its categorised rows."""
    errors = {}
    for column, c in codes.items():
        valid = c >= 0
        totals = np.bincount(c[valid], weights=w[valid], minlength=len(shares[column]))
        errors[column] = float(np.max(np.abs(totals / totals.sum() - shares[column])))
    return errors


def rake_weights(
    df: pd.DataFrame,
    targets: dict,
    *,
    base_weights=None,
    max_iter: int = 100,
    tol: float = 1e-8,
    trim=None,
) -> pd.Series:
    """Weights whose weighted margins equal population shares (raking).

    Parameters
    ----------
    df : one row per respondent.
    targets : ``{column: {category: share}}``, e.g.
        ``{"region": {"north": 0.4, "south": 0.6}, "size": {...}}``.  The shares
        of each variable must sum to 1.  Every category with a positive share
        must occur in the data.
    base_weights : starting (design) weights: a column name or an array
        aligned with ``df``; positive.  Default 1 for everyone.
    max_iter : most sweeps over all variables before giving up.
    tol : convergence criterion: every weighted share within ``tol`` of its
        target.
    trim : ``(low, high)`` caps on the mean-1 weights (``None`` for no cap
        on one side).  Each sweep caps the weights and rakes again, until the
        weights respect the caps and the margins their targets.

    Returns
    -------
    Series of weights aligned with ``df`` (same index), named ``"weight"``,
    with mean 1.  ``raking_diagnostics(weights)`` is a DataFrame (kept in
    ``.attrs["diagnostics"]`` as plain columns, so that the weights of two
    waves can be concatenated) with one row per
    variable: ``variable``, ``categories``, ``n_outside`` (rows whose value
    is missing or not among the target categories: they keep their weight
    for that variable and the shares hold among the others) and
    ``max_error`` (largest |weighted share - target|); ``.attrs`` also holds
    ``iterations``.

    Raises
    ------
    ValueError
        bad targets (shares not summing to 1, a target category nobody in
        the data has), bad base weights, or no convergence within
        ``max_iter`` sweeps (the message names the variables still off).

    Notes
    -----
    Iterative proportional fitting (Deming & Stephan 1940): for each variable
    in turn, every categorised respondent's weight is multiplied by
    target share / current weighted share of their category.  Rows outside a
    variable's categories (a blank, or a value with no target share) are
    left as they are for that variable: their weight is not adjusted for it
    (only rescaled with everyone's so that the mean stays 1), the target
    shares hold among the other rows, and ``n_outside`` counts them.  R's
    ``survey::rake`` does not do this: it stops on such rows (a blank fails
    its ``na.fail`` model frame, a value missing from the population margin
    stops ``postStratify`` with "Strata in sample absent from population"),
    so to match R, recode or drop those rows first.

    Hand-written (20 lines of numpy) rather than taken from a package: the
    raking packages on PyPI either print a message instead of raising when
    they do not converge and bring unrelated dependencies (``weightipy``:
    ``watchdog``, ``requests``), need ``polars`` and loop in Python per
    category (``samplics``), or fit aggregated tables rather than respondent
    weights (``ipfn``); none leaves respondents with a missing value at their
    base weight and counts them.

    Examples
    --------
    Cell weighting by hand: 3 north and 1 south respondents, targets 50/50,
    so north weights are 0.5 / 0.75 = 2/3 and the south weight 0.5 / 0.25 = 2:

    >>> df = pd.DataFrame({"region": ["north", "north", "north", "south"]})
    >>> rake_weights(df, {"region": {"north": 0.5, "south": 0.5}}).tolist()
    [0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 2.0]
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    shares = _check_targets(df, targets)
    if int(max_iter) != max_iter or max_iter < 1:
        raise ValueError(f"max_iter must be a positive whole number, got {max_iter!r}")
    if not float(tol) > 0:
        raise ValueError(f"tol must be positive, got {tol!r}")
    caps = _check_trim(trim)
    if base_weights is None:
        w = np.ones(len(df))
    else:
        w = resolve_weights(df, base_weights, name="base_weights", positive=True)
    codes, share_arrays = {}, {}
    for column, target in shares.items():
        categories = list(target)
        c = _category_codes(df[column], categories)
        present = np.bincount(c[c >= 0], minlength=len(categories))
        absent = [
            cat
            for cat, k, share in zip(categories, present, target.values(), strict=True)
            if k == 0 and share > 0
        ]
        if absent:
            raise ValueError(
                f"raking target column {column!r}: no respondent has the categor"
                f"{'y' if len(absent) == 1 else 'ies'} {absent}, so their target share "
                "cannot be reached; merge categories or drop the target"
            )
        codes[column] = c
        share_arrays[column] = np.array(list(target.values()))

    w = w / w.mean()
    iterations = 0
    for _ in range(int(max_iter)):
        iterations += 1
        for column, c in codes.items():
            valid = c >= 0
            totals = np.bincount(c[valid], weights=w[valid], minlength=share_arrays[column].size)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(totals > 0, share_arrays[column] * totals.sum() / totals, 0.0)
            w[valid] *= factor[c[valid]]
        w = w / w.mean()
        if caps is not None:
            w = np.clip(w, *caps)
            w = w / w.mean()
        errors = _margin_errors(w, codes, share_arrays)
        in_caps = caps is None or (
            w.min() >= caps[0] * (1 - 1e-9) and w.max() <= caps[1] * (1 + 1e-9)
        )
        if max(errors.values()) <= tol and in_caps:
            break
    else:
        off = {c: e for c, e in errors.items() if e > tol}
        detail = ", ".join(f"{c!r} off by {e:.2g}" for c, e in off.items()) or "caps exceeded"
        why = f" with trim={trim!r} (caps too tight?)" if caps is not None else ""
        raise ValueError(
            f"raking did not converge in {max_iter} iterations{why}: {detail}; "
            f"variables {list(off) or list(codes)}. Raise max_iter, loosen the caps, "
            "or merge sparse categories"
        )
    out = pd.Series(w, index=df.index, name="weight")
    # plain tuples, not a DataFrame: pandas compares attrs when it combines
    # objects (pd.concat of two waves' weights), and a DataFrame cannot be compared
    out.attrs["diagnostics"] = {
        "variable": tuple(codes),
        "categories": tuple(len(share_arrays[c]) for c in codes),
        "n_outside": tuple(int((c < 0).sum()) for c in codes.values()),
        "max_error": tuple(errors[c] for c in codes),
    }
    out.attrs["iterations"] = iterations
    return out


def raking_diagnostics(weights: pd.Series) -> pd.DataFrame:
    """The per-variable diagnostics of ``rake_weights`` as a DataFrame.

    One row per raking variable: ``variable``, ``categories``, ``n_outside``
    (rows outside its categories) and ``max_error`` (largest |weighted share -
    target|), read from ``weights.attrs["diagnostics"]``.

    >>> df = pd.DataFrame({"region": ["north", "north", "south", None]})
    >>> w = rake_weights(df, {"region": {"north": 0.5, "south": 0.5}})
    >>> raking_diagnostics(w)[["variable", "categories", "n_outside"]]
      variable  categories  n_outside
    0   region           2          1
    """
    if "diagnostics" not in getattr(weights, "attrs", {}):
        raise ValueError(
            "weights has no attrs['diagnostics']: pass the Series rake_weights returned"
        )
    return pd.DataFrame({k: list(v) for k, v in weights.attrs["diagnostics"].items()})


def weighting_summary(weights) -> pd.DataFrame:
    """How much the weights cost: one row with n, effective n and the spread.

    Columns: ``n`` (weights), ``n_effective`` (Kish: (sum w)^2 / sum w^2),
    ``efficiency`` (n_effective / n in %), ``design_effect`` (n / n_effective
    = 1 + cv^2), ``min``, ``max`` and ``cv`` (coefficient of variation, SD
    with divisor n over the mean) of the weights scaled to mean 1.

    >>> weighting_summary([1, 1, 1, 3]).round(3).to_dict("records")
    [{'n': 4, 'n_effective': 3.0, 'efficiency': 75.0, 'design_effect': 1.333, 'min': 0.667, 'max': 2.0, 'cv': 0.577}]
    """
    w = as_weights(weights, np.size(weights))
    if w.size == 0:
        raise ValueError("weighting_summary needs at least one weight")
    if w.sum() <= 0:
        raise ValueError("weights sum to zero")
    n = w.size
    n_eff = w.sum() ** 2 / np.sum(w**2)
    scaled = w / w.mean()
    return pd.DataFrame(
        {
            "n": [n],
            "n_effective": [n_eff],
            "efficiency": [100 * n_eff / n],
            "design_effect": [n / n_eff],
            "min": [scaled.min()],
            "max": [scaled.max()],
            "cv": [scaled.std(ddof=0)],
        }
    )
