"""The report's figures: the toolkit's plots with titles that state the finding, labels in
the report's language, and alt text on every image.

Each function draws with ``nps_toolkit.plots``, relabels the Axes from the
catalogue and returns ``(ax, alt)``; ``show`` puts the figure into the
notebook as a PNG whose metadata carries the alt text (the HTML template
writes it into ``<img alt=...>``).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from .. import plots
from .._i18n import Texts
from .._redact import visible
from .._suppression import shown_rows
from .presentation import defang


def show(ax, alt: str, *, dpi: int = 110) -> None:
    """Display the Axes' figure as a PNG with ``alt`` text, then close it."""
    import base64

    import matplotlib.pyplot as plt
    from IPython.display import display

    fig = ax.figure
    width, height = fig.get_size_inches()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    # alt text names groups, waves, questions and themes from the data and the config: no
    # URL may stand in it, nor a bidi override or an invisible character
    alt = defang(visible(alt))
    png = base64.b64encode(buf.getvalue()).decode("ascii")
    # the alt text is the figure's text view too (not "<IPython.core.display.Image object>")
    display(
        {"image/png": png, "text/plain": f"[figure] {alt}"},
        # a tall chart (one row per theme) may take more of a printed page
        metadata={"image/png": {"alt": alt, "tall": bool(height > 1.1 * width)}},
        raw=True,
    )


def _relabel_legend(ax, mapping: dict) -> None:
    legend = ax.get_legend()
    if legend is None:
        return
    for text in legend.get_texts():
        text.set_text(mapping.get(text.get_text(), text.get_text()))


def _title(ax, text: str) -> None:
    ax.set_title("")  # the plot's own (centred) title gives way to the finding
    # titles carry names from the data or a lexicon: a "$" in them is not maths
    ax.set_title(text, loc="left", fontsize=11, fontweight="bold", parse_math=False)


def score_distribution(scores, summary_row, t: Texts, *, weights=None, digits: int = 0):
    """The 0-10 answers, coloured by category; the title gives the shares and the NPS
    (with ``digits`` decimals: the headline's)."""
    ax = plots.score_distribution_plot(scores, weights=weights)
    ax.set_xlabel(t("charts.score_axis"))
    ax.set_ylabel(t("charts.share_axis"))
    _relabel_legend(
        ax, {f"{c}s": t(f"categories.{c}s") for c in ("detractor", "passive", "promoter")}
    )
    title = t("charts.distribution_title").format(
        promoters=t.pct(summary_row["pct_promoters"]),
        detractors=t.pct(summary_row["pct_detractors"]),
        nps=t.number(summary_row["nps"], digits),
    )
    _title(ax, title)
    return ax, title + ". " + t("charts.distribution_alt")


def trend(table: pd.DataFrame, t: Texts, *, level: float, digits: int = 0):
    """NPS per wave or period with its interval band; the title says where it went.

    ``digits``: the decimals of the NPS values in the title and the alt text
    (the trend section's, ``show.trend_digits``): "rose" and "fell" compare
    the numbers as they are printed.
    """
    from ..insights import period_label

    ax = plots.trend_plot(table)
    shown = shown_rows(table)  # the title reads no suppressed period
    i, j = (int(shown[0]), int(shown[-1])) if len(shown) else (0, len(table) - 1)
    first, last = table["nps"].iloc[i], table["nps"].iloc[j]
    a, b = round(first, digits), round(last, digits)
    key = "rose" if b > a else "fell" if b < a else "flat"
    title = t(f"charts.trend_{key}").format(
        first=t.number(first, digits), last=t.number(last, digits),
        first_period=period_label(t, table, i), last_period=period_label(t, table, j),
    )  # fmt: skip
    _title(ax, title)
    ax.set_xlabel(t("charts.wave_axis") if table.attrs.get("wave") else "")
    ax.set_ylabel("NPS")
    _relabel_legend(
        ax, {f"{level:.0%} interval": t("charts.interval").format(level=t.level(level))}
    )
    values = "; ".join(
        f"{period_label(t, table, i)}: {t.number(v, digits)}" for i, v in enumerate(table["nps"])
    )
    return ax, f"{title}. {values}."


def goal(progress: pd.DataFrame, t: Texts, *, growth: float):
    """Promoter share against its target path; the title gives the latest verdict."""
    ax = plots.goal_plot(progress)
    tracked = progress[progress["actual"].notna()]  # suppressed periods have no share
    g = tracked.iloc[-1] if len(tracked) else progress.iloc[-1]
    title = t("charts.goal_title").format(
        actual=t.pct(g["actual"]), target=t.pct(g["target"]),
        verdict=t("goal.on_track" if g["on_track"] else "goal.behind"),
    )  # fmt: skip
    _title(ax, title)
    ax.set_ylabel(t("charts.promoters_axis"))
    _relabel_legend(ax, {k: t(f"charts.goal_{k.replace(' ', '_')}") for k in
                         ("target", "baseline", "on track", "behind")})  # fmt: skip
    return ax, title + ". " + t("charts.goal_alt").format(growth=t.pct(100 * growth, 0))


def _named(df: pd.DataFrame, labels: dict) -> pd.DataFrame:
    out = df.copy()
    out["driver"] = [labels.get(d, str(d).replace("_", " ")) for d in df["driver"]]
    out.attrs = dict(df.attrs)
    return out


def _percent_axis(axis, t: Texts) -> None:
    """Tick labels as the report writes percentages (25 %, Finnish 25 %), with as many
    decimals as the ticks' spacing needs (shares of 19.98 to 20.02 % are not all "20 %")."""
    from matplotlib.ticker import FuncFormatter

    def label(value, _):
        return t.pct(value, tick_decimals(axis.get_ticklocs()))

    axis.set_major_formatter(FuncFormatter(label))


def tick_decimals(ticks) -> int:
    """Decimals that tell ticks this far apart from each other (at most 3).

    >>> tick_decimals([0, 5, 10]), tick_decimals([19.98, 19.99, 20.0]), tick_decimals([1])
    (0, 2, 0)
    """
    steps = np.diff(np.sort(np.asarray(ticks, dtype=float)))
    steps = steps[steps > 0]
    if not len(steps):
        return 0
    return int(min(3, max(0, np.ceil(-np.log10(steps.min()) - 1e-9))))


def as_shares(importance: pd.DataFrame) -> pd.DataFrame:
    """Driver importance with ``importance`` and its interval in percent of the explained R².

    The report's table and title give each attribute's ``share`` (percent of
    the model's R²); the chart must draw the same numbers.  Shapley and
    relative weights add up to R², so the share is importance × 100 / R² for
    every attribute, and the interval ends scale by the same constant (the
    axis changes unit, the bars and whiskers keep their proportions).  When
    the shares are not such a rescaling, the bars are the shares, without
    whiskers.
    """
    out = importance.copy()
    out.attrs = dict(importance.attrs)
    total = float(importance["importance"].sum())
    scale = 100 / total if total else float("nan")
    if total and np.allclose(importance["share"], importance["importance"] * scale):
        for column in ("importance", "ci_low", "ci_high"):
            if column in out.columns:
                out[column] = importance[column] * scale
    else:
        out["importance"] = importance["share"]
        out = out.drop(columns=["ci_low", "ci_high"], errors="ignore")
    return out


def driver_importance(quadrants: pd.DataFrame, t: Texts, labels: dict):
    """Share of the explained variance of each rated attribute; the title names the largest.

    The bars are the table's shares (percent of R²), with their intervals.
    """
    named = _named(quadrants, labels)
    ax = plots.driver_importance_plot(as_shares(named))
    top = named.sort_values("share", ascending=False).iloc[0]
    title = t("charts.drivers_title").format(driver=top["driver"], share=t.pct(top["share"], 0))
    _title(ax, title)
    ax.set_xlabel(t("charts.importance_axis"))
    _percent_axis(ax.xaxis, t)
    order = named.sort_values("rank")
    values = "; ".join(
        f"{d}: {t.pct(s, 0)}" for d, s in zip(order["driver"], order["share"], strict=True)
    )
    return ax, f"{title}. {values}."


def importance_performance(quadrants: pd.DataFrame, t: Texts, labels: dict):
    """The quadrant chart; the title names what to fix first (or that nothing is)."""
    named = _named(quadrants, labels)
    ax = plots.importance_performance_plot(named)
    names = {q: t(f"quadrants.{q.replace(' ', '_')}") for q in plots.QUADRANT_COLORS}
    for text in ax.texts:
        if text.get_text() in names:
            text.set_text(names[text.get_text()])
    fix = named[named["quadrant"] == "fix first"].sort_values("share", ascending=False)
    if len(fix):
        title = t("charts.quadrant_title").format(drivers=t.join(fix["driver"]))
    else:
        title = t("charts.quadrant_none")
    _title(ax, title)
    ax.set(xlabel=t("charts.performance_axis"), ylabel=t("charts.importance_axis"))
    _percent_axis(ax.yaxis, t)  # the quadrant chart draws the shares too
    values = "; ".join(
        f"{d}: {names[q]}" for d, q in zip(named["driver"], named["quadrant"], strict=True)
    )
    return ax, f"{title}. {values}."


def theme_impact(impact: pd.DataFrame, t: Texts, labels: dict):
    """Theme impact on NPS; the title names the theme lifting and the one pulling most.

    A theme nobody mentions is left out (its impact is 0 by definition, with no
    interval); ``(None, None)`` when no mentioned theme has an impact to show
    (too few mention each).  The title names only themes whose impact is not 0
    ("No theme moves the score" else).
    """
    if "mentions" in impact:
        impact = impact[impact["mentions"] > 0]
    ordered = impact.sort_values("impact")
    # themes with too few mentions have no impact (suppressed): the title names shown ones
    named = ordered[ordered["impact"].notna()]
    if named.empty:
        return None, None
    ax = plots.theme_impact_plot(impact, labels=labels)
    low, high = named.iloc[0], named.iloc[-1]
    up = labels.get(high["theme"], high["theme"]) if high["impact"] > 0 else None
    down = labels.get(low["theme"], low["theme"]) if low["impact"] < 0 else None
    key = "both" if up and down else "up" if up else "down" if down else "none"
    title = t(f"charts.themes_{key}").format(up=up, down=down)
    _title(ax, title)
    ax.set_xlabel(t("charts.impact_axis"))
    values = "; ".join(
        f"{labels.get(th, th)}: {t.signed(v, 1)}"
        for th, v in zip(ordered["theme"][::-1], ordered["impact"][::-1], strict=True)
    )
    return ax, f"{title}. {values}."
