"""What a report adds for market researchers: raking, a target, the banner workbook and slides.

The template calls these: ``rake`` builds the weights from ``rake:`` targets
before any section is computed, ``target_test`` tests the headline against
``target:``, and ``write_deliverables`` (in the template's last cell) writes
``banner.xlsx`` and ``report.pptx`` into the tables folder when ``outputs``
asks for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .._i18n import Texts
from .sections import Settings

OUTPUTS = ("html", "pdf", "pptx", "xlsx")
RAKE_WEIGHT = "rake_weight"  # the column raking adds to the data
# the report's segment corrections in banner_table's words
BANNER_CORRECTIONS = {"holm": "holm", "bonferroni": "bonferroni", "fdr_bh": "bh"}


@dataclass(frozen=True)
class Weighting:
    """The raking a report did: summary row, per-variable diagnostics, the variables."""

    summary: pd.DataFrame
    diagnostics: pd.DataFrame
    variables: tuple


def rake(df: pd.DataFrame, targets: dict, *, weights: str | None = None):
    """``df`` with a ``rake_weight`` column raked to ``targets`` (from ``weights`` if given).

    Returns ``(df, Weighting)``.
    """
    from ..weighting import rake_weights, raking_diagnostics, weighting_summary

    if RAKE_WEIGHT in df.columns:
        raise ValueError(
            f"the data already has a column {RAKE_WEIGHT!r}; raking would overwrite it: "
            "rename that column"
        )
    w = rake_weights(df, targets, base_weights=weights)
    return df.assign(**{RAKE_WEIGHT: w}), Weighting(
        weighting_summary(w), raking_diagnostics(w), tuple(targets)
    )


def weighting_text(weighting: Weighting, t: Texts, labels: dict | None = None) -> list[str]:
    """The sentences that say how the answers were weighted (plain text, not escaped)."""
    labels = labels or {}
    row = weighting.summary.iloc[0]
    names = [labels.get(v) or t.label("columns", v) for v in weighting.variables]
    lines = [
        t("weighting.text").format(
            variables=t.join(names),
            n_eff=t.number(row["n_effective"]),
            n=t.number(row["n"]),
            efficiency=t.pct(row["efficiency"], 0),
            deff=t.number(row["design_effect"], 2),
            min=t.number(row["min"], 2),
            max=t.number(row["max"], 2),
        )
    ]
    for r in weighting.diagnostics.itertuples():
        if r.n_outside:
            name = labels.get(r.variable) or t.label("columns", r.variable)
            lines.append(t("weighting.outside").format(k=t.number(r.n_outside), variable=name))
    return lines


def target_test(rows: pd.DataFrame, target, s: Settings):
    """``compare_to_target`` of the headline's answers against ``target`` (None without one)."""
    from ..targets import TARGET_METHODS, compare_to_target

    if target is None:
        return None
    return compare_to_target(
        rows[s.score],
        float(target),
        method=s.method if s.method in TARGET_METHODS else "adjusted-wald",
        confidence_level=s.confidence_level,
        weights=s.weight_values(rows),
        clusters=rows[s.account] if s.has(rows, s.account) else None,
    )


def target_text(result, t: Texts) -> str:
    """One sentence: is the headline above, below or not clearly different from the target?"""
    significant = result.p_value < 1 - result.confidence_level
    key = "unclear" if not significant else "above" if result.difference > 0 else "below"
    return t(f"target.{key}").format(
        target=t.signed(result.target),
        nps=t.signed(result.estimate),
        gap=t.number(abs(result.difference), 1),
        level=t.level(result.confidence_level),
        low=t.signed(result.low, 1),
        high=t.signed(result.high, 1),
        p=t.p_text(result.p_value),
    )


def banner(df: pd.DataFrame, banners, s: Settings) -> pd.DataFrame | None:
    """The banner table of the headline's answers: NPS, shares and the drivers' means."""
    from ..banners import banner_table

    columns = [c for c in banners or () if c in df.columns]
    if not columns:
        return None
    rows = ["nps", "promoters", "passives", "detractors"]
    rows += [f"mean:{d}" for d in s.drivers if d in df.columns]
    return banner_table(
        df,
        columns,
        rows=rows,
        score=s.score,
        weights=s.weights,
        confidence_level=s.confidence_level,
        correction=BANNER_CORRECTIONS.get(s.correction, "holm"),
        min_n=s.min_n,
        method=s.method if s.method in ("wald", "adjusted-wald") else "adjusted-wald",
    )


def write_deliverables(
    tables: dict,
    tables_dir,
    *,
    outputs=OUTPUTS,
    banner_table=None,
    survey_name: str,
    s: Settings,
    target=None,
    labels: dict | None = None,
    quotes: pd.DataFrame | None = None,
) -> list[Path]:
    """Write ``banner.xlsx`` (with a banner table and ``"xlsx"`` in ``outputs``) and
    ``report.pptx`` (``"pptx"``) into ``tables_dir``; the paths written."""
    from .slides import write_slides
    from .workbook import statistic_label, write_banner_workbook

    labels = dict(labels or {})
    out = Path(tables_dir)
    written = []
    if "xlsx" in outputs and banner_table is not None:
        names = {
            st: f"{statistic_label(st).split(':')[0]}: {labels.get(st[5:], st[5:])}"
            for st in banner_table["statistic"].unique()
            if st.startswith("mean:")
        }
        written.append(
            write_banner_workbook(
                banner_table, out / "banner.xlsx", title=survey_name, labels=names
            )
        )
    if "pptx" in outputs:
        written.append(
            write_slides(
                {**tables, "quotes": quotes} if quotes is not None else tables,
                out / "report.pptx",
                survey_name=survey_name,
                findings=tables.get("findings"),
                target=target,
                confidence_level=s.confidence_level,
                language=s.report_language,
                labels=labels,
                min_n=s.min_n,
                weighted=bool(s.weights),
                followup_hours=s.followup_hours,
            )
        )
    return written
