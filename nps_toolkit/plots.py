"""Figures (seaborn / matplotlib).  Each function returns a matplotlib Axes.

matplotlib and seaborn are imported inside the functions so that importing
``nps_toolkit`` does not pay for them.
"""

from __future__ import annotations

from ._validation import check_columns

# Okabe-Ito vermillion, grey and blue: told apart with every common colour-vision deficiency
CATEGORY_COLORS = {"detractor": "#d55e00", "passive": "#bbbbbb", "promoter": "#0072b2"}


def _plain(text) -> str:
    """Text from data as matplotlib draws it literally: every ``$`` escaped.

    matplotlib reads text between two ``$`` as mathtext, so a wave label such
    as ``"$x$"`` would be typeset and ``"$\\foo$"`` would stop the figure
    with a parse error.  An escaped ``\\$`` is drawn as a plain dollar sign.

    >>> _plain("cost $5-$10")
    'cost \\\\$5-\\\\$10'
    """
    return str(text).replace("$", r"\$")


def _axes(ax=None, figsize=(7, 4)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


# --- scoring figures ---------------------------------------------------------


def score_distribution_plot(scores, *, weights=None, ax=None, percent=True):
    """Bar chart of the 0-10 answers, each bar coloured by its category.

    Blank answers are left out.  With ``percent`` the bars show the share of
    (weighted) answers in percent, otherwise counts.  Returns the Axes; the
    bar heights are in ``ax.patches`` in score order 0..10.

    >>> ax = score_distribution_plot([10, 10, 9, 7, 3])
    >>> [round(p.get_height()) for p in ax.patches][9:]
    [20, 40]
    """
    import numpy as np
    from matplotlib.patches import Patch

    from ._validation import as_score_array, as_weights

    arr = as_score_array(scores)
    w = np.ones(arr.shape) if weights is None else as_weights(weights, arr.shape[0])
    ok = ~np.isnan(arr)
    heights = np.bincount(arr[ok].astype(int), weights=w[ok], minlength=11)
    if percent and heights.sum() > 0:
        heights = 100 * heights / heights.sum()
    colors = [
        CATEGORY_COLORS["detractor" if s <= 6 else "passive" if s <= 8 else "promoter"]
        for s in range(11)
    ]
    ax = _axes(ax)
    ax.bar(range(11), heights, color=colors, edgecolor="white")
    ax.set_xticks(range(11))
    ax.set_xlabel("likelihood to recommend (0-10)")
    ax.set_ylabel("% of answers" if percent else "answers")
    ax.legend(
        handles=[Patch(color=c, label=k + "s") for k, c in CATEGORY_COLORS.items()],
        frameon=False,
        loc="upper left",
    )
    ax.spines[["top", "right"]].set_visible(False)
    return ax


# --- interval figures (intervals / compare) ----------------------------------

METHOD_ORDER = ("wald", "adjusted-wald", "score", "bayes", "bootstrap", "bca")


def coverage_plot(coverage, *, ax=None, x="n", level=0.95, legend=True):
    """Simulated coverage by sample size, one line per method.

    ``coverage`` is a table like ``benchmarks/results/coverage.csv`` (columns
    ``method``, ``coverage``, ``coverage_se`` and ``x``).  With several
    scenarios per ``x`` the line is their mean and the band their range
    (min-max).  The dashed line is the nominal level, the grey band its
    +/- 1.96 binomial SE.  Returns the Axes.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"n": [30, 100] * 2, "method": ["wald"] * 2 + ["score"] * 2,
    ...                    "coverage": [0.9, 0.94, 0.95, 0.95], "coverage_se": 0.005})
    >>> ax = coverage_plot(df)
    >>> len(ax.get_lines()) >= 2
    True
    """
    import numpy as np
    import seaborn as sns

    ax = _axes(ax)
    order = [m for m in METHOD_ORDER if m in set(coverage["method"])]
    order += sorted(set(coverage["method"]) - set(order))
    sns.lineplot(
        data=coverage,
        x=x,
        y="coverage",
        hue="method",
        hue_order=order,
        style="method",
        style_order=order,
        markers=True,
        dashes=False,
        errorbar=("pi", 100),
        ax=ax,
        legend=legend,
    )
    se = float(np.nanmedian(coverage["coverage_se"])) if "coverage_se" in coverage else 0.0
    ax.axhline(level, color="black", linestyle="--", linewidth=1)
    ax.axhspan(level - 1.96 * se, level + 1.96 * se, color="0.85", zorder=0)
    if x == "n":
        ax.set_xscale("log")
        ticks = sorted(set(coverage[x]))
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.minorticks_off()
    ax.set_ylim(min(0.85, float(coverage["coverage"].min()) - 0.01), 1.0)
    ax.set_ylabel(f"coverage of {level:.0%} intervals")
    ax.set_xlabel("respondents (n)" if x == "n" else x)
    if legend and ax.get_legend() is not None:
        ax.get_legend().set_title("method")
    return ax


def interval_plot(intervals, *, ax=None, labels=None, color="#4575b4"):
    """Horizontal NPS intervals, e.g. the six methods on one sample.

    ``intervals`` is a list or dict (label -> interval) of ``NPSInterval``;
    without labels the method names label the rows.  Returns the Axes.

    >>> from nps_toolkit.intervals import nps_interval
    >>> ax = interval_plot([nps_interval(counts=(15, 15, 70), method=m)
    ...                     for m in ("wald", "score")])
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['wald', 'score']
    """
    if isinstance(intervals, dict):
        labels, intervals = list(intervals), list(intervals.values())
    intervals = list(intervals)
    labels = labels or [r.method for r in intervals]
    ax = _axes(ax, figsize=(7, 0.5 * len(intervals) + 1.2))
    ys = list(range(len(intervals)))[::-1]
    for y, r in zip(ys, intervals, strict=True):
        ax.plot([r.low, r.high], [y, y], color=color, linewidth=3, solid_capstyle="butt")
        ax.plot([r.estimate], [y], "o", color="black", markersize=5)
        ax.annotate(
            f"[{r.low:.1f}, {r.high:.1f}]",
            (r.high, y),
            xytext=(6, -3),
            textcoords="offset points",
            fontsize=8,
        )
    ax.set_yticks(ys, [_plain(t) for t in labels])
    ax.set_xlim(
        max(-100, min(r.low for r in intervals) - 10), min(100, max(r.high for r in intervals) + 15)
    )
    level = intervals[0].confidence_level if intervals else 0.95
    ax.set_xlabel(f"NPS with {level:.0%} interval")
    ax.grid(axis="x", alpha=0.3)
    return ax


def segment_plot(summary, *, ax=None, by=None, color="#4575b4"):
    """NPS and interval of each group of a ``summarize`` table, one row per group.

    Each shown group is a horizontal line from ``ci_low`` to ``ci_high`` with
    a point at its ``nps``, labelled with the group and its ``n``; groups
    ``suppressed`` for having too few answers are left out, and the axis
    label says how many.  Returns the Axes.

    Parameters
    ----------
    summary : the DataFrame ``summarize`` returns (with or without ``by``).
    ax : Axes to draw on (default: a new figure).
    by : the group columns (default: the columns before ``n``).
    color : colour of the interval lines.

    >>> import pandas as pd
    >>> from nps_toolkit.scoring import summarize
    >>> df = pd.DataFrame({"seg": ["A"] * 10 + ["B"] * 10 + ["C"] * 2 + ["D"] * 3,
    ...                    "recommend": [10] * 8 + [0] * 2 + [10] * 2 + [0] * 8 + [9] * 5})
    >>> ax = segment_plot(summarize(df, by="seg", min_n=5))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['A (n=10)', 'B (n=10)']
    """
    import numpy as np

    where = "summary (make it with summarize)"
    check_columns(summary, ["n", "nps", "ci_low", "ci_high", "suppressed"], where=where)
    keys = by if by is not None else list(summary.columns[: summary.columns.get_loc("n")])
    keys = [keys] if isinstance(keys, str) else list(keys)
    check_columns(summary, keys, where=where)
    hidden = summary["suppressed"].astype(bool).to_numpy()
    shown = summary.loc[~hidden]
    n_hidden = int(summary.attrs.get("n_hidden", hidden.sum())) if hidden.any() else 0
    ax = _axes(ax, figsize=(7, 0.45 * max(len(shown), 1) + 1.6))
    ys = np.arange(len(shown))[::-1]
    labels = []
    for y, (_, row) in zip(ys, shown.iterrows(), strict=True):
        name = ", ".join(str(row[k]) for k in keys) if keys else "all respondents"
        labels.append(f"{name} (n={int(row['n'])})")
        if not (np.isnan(row["ci_low"]) or np.isnan(row["ci_high"])):
            ax.plot(
                [row["ci_low"], row["ci_high"]],
                [y, y],
                color=color,
                linewidth=3,
                solid_capstyle="butt",
            )
        ax.plot([row["nps"]], [y], "o", color="black", markersize=5, zorder=3)
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_yticks(ys, [_plain(t) for t in labels])
    ax.set_ylim(-0.7, max(len(shown), 1) - 0.3)
    level = summary.attrs.get("confidence_level", 0.95)
    label = f"NPS with {level:.0%} interval"
    if n_hidden:
        min_n = summary.attrs.get("min_n")
        why = f": fewer than {min_n} answers, or hidden with them" if min_n is not None else ""
        label += f"\n{n_hidden} small group(s) not shown{why}"
    ax.set_xlabel(label)
    ends = shown[["ci_low", "ci_high", "nps"]].to_numpy(float)
    if np.isfinite(ends).any():
        ax.set_xlim(max(-100, np.nanmin(ends) - 10), min(100, np.nanmax(ends) + 10))
    ax.grid(axis="x", alpha=0.3)
    return ax


def segment_forest_plot(comparison, *, ax=None, by=None):
    """Forest plot of ``compare_segments`` output: difference to the reference.

    Each segment is a horizontal interval of its difference in NPS points;
    significant differences (after the correction) are drawn in colour,
    others in grey, and the row counting the hidden (small) segments is
    listed without an interval.  Returns the Axes.

    >>> import pandas as pd
    >>> from nps_toolkit.compare import compare_segments
    >>> df = pd.DataFrame({"seg": ["A"] * 40 + ["B"] * 40,
    ...                    "recommend": [10] * 30 + [0] * 10 + [10] * 10 + [0] * 30})
    >>> ax = segment_forest_plot(compare_segments(df, "seg"))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['seg = A', 'seg = B']
    """
    import numpy as np
    import pandas as pd

    # compare_segments puts the segment columns first, before "n"
    keys = by if by is not None else list(comparison.columns[: comparison.columns.get_loc("n")])
    keys = [keys] if isinstance(keys, str) else list(keys)
    ax = _axes(ax, figsize=(7, 0.45 * len(comparison) + 1.5))
    ys = np.arange(len(comparison))[::-1]
    labels = []
    for y, (_, row) in zip(ys, comparison.iterrows(), strict=True):
        if bool(row["suppressed"]):  # the row that counts the hidden segments: no names
            labels.append(str(row[keys[0]]))
            continue
        name = ", ".join(f"{k} = {row[k]}" for k in keys)
        labels.append(name)
        if pd.isna(row["ci_low"]):  # the named reference segment itself
            ax.plot([0], [y], "D", color="black", markersize=5)
            continue
        sig = bool(row["significant"]) if not pd.isna(row["significant"]) else False
        colour = (
            CATEGORY_COLORS["promoter" if row["difference"] > 0 else "detractor"] if sig else "0.55"
        )
        ax.plot(
            [row["ci_low"], row["ci_high"]],
            [y, y],
            color=colour,
            linewidth=3,
            solid_capstyle="butt",
        )
        ax.plot([row["difference"]], [y], "o", color="black", markersize=5)
    ax.axvline(0, color="black", linewidth=1)
    ax.set_yticks(ys, [_plain(t) for t in labels])
    ref = comparison["reference"].iloc[0] if len(comparison) else "reference"
    level = comparison.attrs.get("confidence_level", 0.95)
    corr = comparison.attrs.get("correction")
    ax.set_xlabel(
        f"NPS difference to {_plain(ref)} ({level:.0%} interval; colour: significant"
        f"{' after ' + corr if corr else ''})"
    )
    ax.grid(axis="x", alpha=0.3)
    return ax


# --- driver figures ----------------------------------------------------------

QUADRANT_COLORS = {
    "fix first": "#d55e00",
    "keep up": "#009e73",
    "lower priority": "#969696",
    "possible overkill": "#4575b4",
}


def importance_performance_plot(
    df, *, ax=None, importance="share", performance="mean", thresholds=None, label="driver"
):
    """Importance-performance quadrant chart of driver results.

    Parameters
    ----------
    df : DataFrame
        The result of ``driver_importance`` or ``importance_performance`` (one
        target: filter a multi-target frame first).  Quadrants are computed
        with ``importance_performance`` when the frame has no ``quadrant``.
    ax : matplotlib Axes, optional
    importance, performance, thresholds
        As in ``importance_performance``.  ``thresholds=None`` keeps the
        quadrants of a frame that ``importance_performance`` already made and
        otherwise splits at the mean.
    label : str
        Column whose values label the points.

    Returns
    -------
    matplotlib Axes
        x = performance (mean rating), y = importance; dashed lines at the
        thresholds, each quadrant named in its corner.
    """
    import seaborn as sns

    from .drivers import importance_performance

    if "target" in df.columns and df["target"].nunique() > 1:
        raise ValueError(
            "df holds several targets; plot one at a time, e.g. df[df['target'] == 'promoter']"
        )
    made = (
        "quadrant" in df.columns
        and df.attrs.get("importance_column") == importance
        and df.attrs.get("performance_column") == performance
    )
    if thresholds is not None or not made:
        df = importance_performance(
            df, importance=importance, performance=performance, thresholds=thresholds or "mean"
        )
    t = df.attrs["thresholds"]
    t_imp, t_perf = next(iter(t.values())) if isinstance(t, dict) else t
    ax = _axes(ax, figsize=(7, 5))
    sns.scatterplot(
        data=df,
        x=performance,
        y=importance,
        hue="quadrant",
        palette=QUADRANT_COLORS,
        hue_order=list(QUADRANT_COLORS),
        s=80,
        ax=ax,
        legend=False,
    )
    for _, row in df.iterrows():
        ax.annotate(
            _plain(row[label]),
            (row[performance], row[importance]),
            xytext=(5, 4),
            textcoords="offset points",
            fontsize=9,
        )
    ax.axvline(t_perf, color="0.5", ls="--", lw=1)
    ax.axhline(t_imp, color="0.5", ls="--", lw=1)
    ax.margins(x=0.25, y=0.2)  # room for point labels and the corner names
    corners = {
        "fix first": (0.02, 0.98, "left", "top"),
        "keep up": (0.98, 0.98, "right", "top"),
        "lower priority": (0.02, 0.02, "left", "bottom"),
        "possible overkill": (0.98, 0.02, "right", "bottom"),
    }
    for name, (x, y, ha, va) in corners.items():
        ax.text(
            x, y, name, transform=ax.transAxes, ha=ha, va=va,
            color=QUADRANT_COLORS[name], fontsize=9, fontweight="bold",
        )  # fmt: skip
    xlabel = "performance (mean rating)" if performance == "mean" else performance
    ylabel = "importance (% of explained)" if importance == "share" else importance
    ax.set(xlabel=xlabel, ylabel=ylabel)
    return ax


def driver_importance_plot(df, *, ax=None, x="importance", color="#4575b4"):
    """Horizontal bar chart of driver importance with confidence-interval whiskers.

    Parameters
    ----------
    df : DataFrame
        The result of ``driver_importance``.  With a ``target`` column the bars
        are grouped by target (seaborn ``hue``).
    ax : matplotlib Axes, optional
    x : str
        Column to draw: ``"importance"`` (whiskers from ``ci_low``/``ci_high``
        when present), ``"ame"`` (whiskers ``ame_low``/``ame_high``),
        ``"odds_ratio"`` (``or_low``/``or_high``) or ``"share"`` (no whiskers).

    Returns
    -------
    matplotlib Axes
    """
    import seaborn as sns

    check_columns(df, [x], where="df")
    lows = {"importance": ("ci_low", "ci_high"), "ame": ("ame_low", "ame_high"),
            "odds_ratio": ("or_low", "or_high")}  # fmt: skip
    lo_col, hi_col = lows.get(x, (None, None))
    has_ci = lo_col in df.columns and hi_col in df.columns
    hue = "target" if "target" in df.columns else None
    df = df.assign(driver=df["driver"].map(_plain))  # names drawn as text, never as maths
    order = list(dict.fromkeys(df.sort_values("rank", kind="stable")["driver"]))
    ax = _axes(ax, figsize=(7, 0.45 * len(order) + 1.2))
    sns.barplot(
        data=df,
        x=x,
        y="driver",
        hue=hue,
        order=order,
        color=None if hue else color,
        errorbar=None,
        ax=ax,
    )
    if has_ci:
        # one whisker per bar at the bar's centre; category i sits at y = i,
        # so round(centre) says which driver a bar (of any hue) belongs to
        groups = df.groupby(hue, sort=False) if hue else [(None, df)]
        for container, (_, part) in zip(ax.containers, groups, strict=False):
            centers = {
                order[round(bar.get_y() + bar.get_height() / 2)]: bar.get_y() + bar.get_height() / 2
                for bar in container
            }
            part = part[part["driver"].isin(centers)]
            ax.errorbar(
                part[x],
                part["driver"].map(centers),
                xerr=[part[x] - part[lo_col], part[hi_col] - part[x]],
                fmt="none",
                ecolor="0.2",
                capsize=3,
                lw=1,
            )
    if x == "odds_ratio":
        ax.axvline(1, color="0.5", lw=1)
    elif x in ("importance", "ame") and (df[x] < 0).any():
        ax.axvline(0, color="0.5", lw=1)
    labels = {"importance": "importance", "share": "share of explained (%)",
              "ame": "average marginal effect per rating point", "odds_ratio": "odds ratio per rating point"}  # fmt: skip
    method = df.attrs.get("method")
    xlabel = labels.get(x, x)
    if x == "importance" and method in ("shapley", "relative-weights"):
        xlabel = "importance (R\N{SUPERSCRIPT TWO} contribution)"
    ax.set(xlabel=xlabel, ylabel="")
    return ax


# --- theme figures -----------------------------------------------------------


def theme_impact_plot(impact, *, ax=None, labels=None, language="en", show_mentions=True):
    """Theme impact on NPS (points) with bootstrap interval whiskers.

    Parameters
    ----------
    impact : DataFrame
        The result of ``theme_impact`` (columns theme, impact, ci_low,
        ci_high, mentions).
    ax : matplotlib Axes, optional
    labels : dict, optional
        Display label per theme id; by default the default lexicon's labels in
        ``language``, else the id.
    show_mentions : bool
        Add the number of respondents mentioning each theme to its label.

    Returns
    -------
    matplotlib Axes
        One row per theme, largest impact on top; green points lift the NPS,
        red ones pull it down; faded points are themes flagged below_min_n.
    """
    from .themes import theme_labels

    missing = {"theme", "impact"} - set(impact.columns)
    if missing:
        raise ValueError(
            f"impact is missing column(s) {sorted(missing)}; pass the result of theme_impact"
        )
    if labels is None:
        labels = theme_labels(language=language)
    data = impact.sort_values("impact", ascending=True, na_position="first")
    names = [
        _plain(labels.get(t, t)) + (f" (n={m})" if show_mentions and "mentions" in data else "")
        for t, m in zip(data["theme"], data.get("mentions", data["theme"]), strict=True)
    ]
    ax = _axes(ax, figsize=(7, 0.45 * len(data) + 1.2))
    y = range(len(data))
    est = data["impact"].to_numpy(dtype=float)
    colors = [CATEGORY_COLORS["promoter"] if v >= 0 else CATEGORY_COLORS["detractor"] for v in est]
    small = (
        data["below_min_n"].to_numpy(dtype=bool) if "below_min_n" in data else [False] * len(data)
    )
    if {"ci_low", "ci_high"} <= set(data.columns):
        ax.hlines(y, data["ci_low"], data["ci_high"], color="0.45", lw=1.5)
    for yi, v, c, s in zip(y, est, colors, small, strict=True):
        ax.plot(v, yi, "o", color=c, alpha=0.35 if s else 1.0, ms=7, zorder=3)
    ax.axvline(0, color="0.3", lw=0.8)
    ax.set_yticks(list(y), names)
    ax.set_xlabel("Impact on NPS (points)")
    level = impact.attrs.get("confidence_level")
    title = "Theme impact on NPS"
    if level and impact.attrs.get("n_resamples"):
        title += f" ({level:.0%} bootstrap CI)"
    ax.set_title(title)
    return ax


# --- trend figures -----------------------------------------------------------


def trend_plot(trend, *, ax=None, color="#4575b4", show_n=True):
    """NPS per period with its confidence-interval band (from ``nps_trend``).

    Periods are evenly spaced in time order.  Suppressed periods (too few
    answers, see ``nps_trend``) and empty ones leave a gap in the line and the
    band; flagged periods that are shown (a table without ``suppressed``) are
    drawn as hollow points.  With ``show_n`` the tick labels carry each
    period's number of answers, and "hidden" for a suppressed period.

    Parameters
    ----------
    trend : DataFrame from ``nps_trend`` (``period``, ``nps``, ``ci_low``,
        ``ci_high``, ``n``; ``below_min_n`` optional).
    ax : matplotlib Axes, optional
    color : line and band colour.
    show_n : add "n=..." under each period label.

    Returns
    -------
    matplotlib Axes
    """
    import numpy as np

    check_columns(
        trend, ["period", "nps", "ci_low", "ci_high", "n"], where="trend (make it with nps_trend)"
    )
    ax = _axes(ax, figsize=(min(12.0, max(5.0, 0.7 * len(trend) + 2)), 4))
    x = np.arange(len(trend))
    y = trend["nps"].to_numpy(float)
    level = trend.attrs.get("confidence_level", 0.95)
    ax.fill_between(
        x,
        trend["ci_low"].to_numpy(float),
        trend["ci_high"].to_numpy(float),
        color=color,
        alpha=0.2,
        lw=0,
        label=f"{level:.0%} interval",
    )
    ax.plot(x, y, color=color, lw=2, label="NPS")
    # flagged but shown periods (suppressed ones have no NPS to draw)
    small = (
        trend["below_min_n"].to_numpy(bool) & np.isfinite(y)
        if "below_min_n" in trend.columns
        else np.zeros(len(trend), bool)
    )
    ax.plot(x[~small], y[~small], "o", color=color, ms=6, ls="none")
    if small.any():
        min_n = trend.attrs.get("min_n")
        ax.plot(
            x[small],
            y[small],
            "o",
            mfc="white",
            mec=color,
            ms=6,
            ls="none",
            label=f"n < {min_n}" if min_n is not None else "small n",
        )
    ax.axhline(0, color="0.6", lw=0.8)
    labels = [_plain(p) for p in trend["period"]]
    if show_n:
        hidden = (
            trend["suppressed"].to_numpy(bool) if "suppressed" in trend else np.zeros(len(x), bool)
        )
        labels = [
            f"{p}\nn={_count_label(n)}" + (" hidden" if h else "")
            for p, n, h in zip(labels, trend["n"], hidden, strict=True)
        ]
    ax.set_xticks(x, labels)
    if len(trend) > 12:
        ax.tick_params(axis="x", labelrotation=90)
    lo = np.nanmin(trend["ci_low"].to_numpy(float), initial=0.0)
    hi = np.nanmax(trend["ci_high"].to_numpy(float), initial=0.0)
    pad = max(5.0, 0.1 * (hi - lo))
    ax.set_ylim(max(-100.0, lo - pad), min(100.0, hi + pad))
    wave = trend.attrs.get("wave")
    ax.set(xlabel=_plain(wave) if wave else "", ylabel="NPS")
    ax.legend(loc="best", frameon=False)
    return ax


def _count_label(n) -> str:
    """A count short enough to sit under a period label: 1,234; 52.3k; 2.49M.

    Whole counts up to 99,999 (as before); larger ones in three significant
    digits, or eight periods of two million answers write over each other.

    >>> [_count_label(n) for n in (950, 12_345, 123_456, 2_490_614, 20_000_000)]
    ['950', '12,345', '123k', '2.49M', '20M']
    """
    n = int(n)
    if n < 100_000:
        return f"{n:,}"
    if n < 999_500:
        return f"{n / 1e3:.0f}k"
    return f"{n / 1e6:.3g}M" if n < 999_500_000 else f"{n / 1e9:.3g}B"


def goal_plot(progress, *, ax=None, color=CATEGORY_COLORS["promoter"]):
    """Promoter share against its goal (from ``goal_progress``).

    The dashed line is the target path from the baseline share; points are the
    actual shares with their interval, filled when on track and hollow red
    when behind.

    Returns
    -------
    matplotlib Axes
    """
    import numpy as np

    need = ("period", "target", "actual", "baseline_share", "on_track", "share_low", "share_high")
    check_columns(progress, need, where="progress (make it with goal_progress)")
    ax = _axes(ax, figsize=(max(5.0, 0.7 * len(progress) + 2.7), 4))
    k = len(progress)
    x = np.arange(k + 1)  # position 0 is the baseline period
    base = float(progress["baseline_share"].iat[0]) if k else np.nan
    target = np.concatenate([[base], progress["target"].to_numpy(float)])
    actual = progress["actual"].to_numpy(float)
    ax.plot(x, target, ls="--", color="0.3", lw=1.5, label="target")
    ax.plot([0], [base], "s", color="0.3", ms=7, label="baseline")
    on = progress["on_track"].fillna(False).to_numpy(bool)
    err = np.vstack(
        [
            actual - progress["share_low"].to_numpy(float),
            progress["share_high"].to_numpy(float) - actual,
        ]
    )
    for mask, style, label in (
        (on, dict(color=color, mfc=color), "on track"),
        (~on, dict(color=CATEGORY_COLORS["detractor"], mfc="white"), "behind"),
    ):
        if mask.any():
            ax.errorbar(
                x[1:][mask],
                actual[mask],
                yerr=err[:, mask],
                fmt="o",
                capsize=3,
                ms=6,
                label=label,
                **style,
            )
    baseline = progress.attrs.get("baseline", "baseline")
    ax.set_xticks(x, [_plain(baseline), *(_plain(p) for p in progress["period"])])
    growth = progress.attrs.get("promoter_growth")
    if growth is not None:
        if progress.attrs.get("absolute"):
            goal = f"{100 * growth:+.3g} percentage points of promoters a year"
        else:
            goal = f"promoter share {growth:+.0%} a year (relative growth)"
        ax.set_title(f"goal: {goal}", fontsize=10)
    ax.set(ylabel="promoters (%)", xlabel="")
    ax.legend(loc="best", frameon=False)
    return ax
