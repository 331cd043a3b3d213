"""Figures (seaborn / matplotlib).  Each function returns a matplotlib Axes.

matplotlib and seaborn are imported inside the functions so that importing
``nps_toolkit`` does not pay for them.
"""

from __future__ import annotations

CATEGORY_COLORS = {"detractor": "#d7301f", "passive": "#bdbdbd", "promoter": "#1a9850"}


def _axes(ax=None, figsize=(7, 4)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


# --- scoring figures ---------------------------------------------------------


# --- interval figures (intervals / compare) ----------------------------------


# --- driver figures ----------------------------------------------------------

QUADRANT_COLORS = {
    "fix first": "#d7301f",
    "keep up": "#1a9850",
    "lower priority": "#969696",
    "possible overkill": "#4575b4",
}


def importance_performance_plot(
    df, *, ax=None, importance="share", performance="mean", thresholds="mean", label="driver"
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
        As in ``importance_performance``.
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
    if "quadrant" not in df.columns or df.attrs.get("importance_column") != importance:
        df = importance_performance(
            df, importance=importance, performance=performance, thresholds=thresholds
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
            str(row[label]),
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

    if x not in df.columns:
        raise KeyError(f"column {x!r} not in df; columns are {list(df.columns)}")
    lows = {"importance": ("ci_low", "ci_high"), "ame": ("ame_low", "ame_high"),
            "odds_ratio": ("or_low", "or_high")}  # fmt: skip
    lo_col, hi_col = lows.get(x, (None, None))
    has_ci = lo_col in df.columns and hi_col in df.columns
    hue = "target" if "target" in df.columns else None
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


# --- trend figures -----------------------------------------------------------
