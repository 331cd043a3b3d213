"""How the report shows things: escaped Markdown sentences, styled tables, the tables it writes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .._export import write_csv, write_xlsx
from .config import INTERNAL_PARAMETERS


def escape(value) -> str:
    """Text from respondents or config made safe for HTML and Markdown.

    >>> escape("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    """
    import html

    return html.escape(str(value), quote=True)


def say(template: str, **values):
    """Display Markdown with ``values`` filled in; every value that is not a number is escaped.

    The report's sentences carry numbers computed in the notebook (format
    specifications such as ``{n:,}`` work on them); names and comment text
    must never become markup, so everything else is HTML-escaped.
    """
    from IPython.display import Markdown, display

    display(Markdown(fill(template, **values)))


def fill(template: str, **values) -> str:
    """``template.format(**values)`` with every non-number value HTML-escaped.

    >>> fill("{name}: {n:,} answers", name="<b>Acme</b>", n=1200)
    '&lt;b&gt;Acme&lt;/b&gt;: 1,200 answers'
    """
    import numbers

    safe = {
        k: v if isinstance(v, numbers.Number) and not isinstance(v, bool) else escape(v)
        for k, v in values.items()
    }
    return template.format(**safe)


# Column names of the toolkit's tables as a report reader should see them.
LABELS = {
    "group": "group",
    "n": "answers",
    "nps": "NPS",
    "ci_low": "interval low",
    "ci_high": "interval high",
    "band": "band",
    "suppressed": "suppressed (too few)",
    "difference": "vs rest",
    "difference_low": "vs rest low",
    "difference_high": "vs rest high",
    "p_value": "p",
    "p_adjusted": "p (Holm)",
    "significant": "significant",
    "change": "change",
    "change_low": "change low",
    "change_high": "change high",
    "change_p_value": "p (change)",
    "below_min_n": "few answers",
    "driver": "attribute",
    "importance": "R\u00b2 share",
    "share": "% of explained",
    "mean": "mean rating",
    "rank": "rank",
    "quadrant": "priority",
    "theme": "theme",
    "mentions": "mentions",
    "share_of_commenters": "% of commenters",
    "nps_mentioning": "NPS mentioning",
    "nps_rest": "NPS of the rest",
    "impact": "impact",
    "impact_low": "impact low",
    "impact_high": "impact high",
    "category": "category",
    "quote": "quote",
    "score": "score",
}


def format_p(p) -> str:
    """A p-value as a reader sees it: three decimals, or "<0.001".

    >>> format_p(0.04321), format_p(0.00002)
    ('0.043', '<0.001')
    """
    if pd.isna(p):
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def table(df: pd.DataFrame, *, digits: int = 1, hide_index: bool = True, labels=True):
    """A DataFrame styled for the report: rounded numbers, p-values as p, escaped text.

    Every cell is HTML-escaped (comments and group names come from
    respondents).  ``labels`` renames the toolkit's column names to words a
    reader knows (``LABELS``); pass a dict to add or override names.
    """
    names = {}
    if labels:
        names = {**LABELS, **(labels if isinstance(labels, dict) else {})}
    out = df.rename(columns={c: names.get(c, c) for c in df.columns})
    p_cols = [names.get(c, c) for c in df.columns if c.startswith("p_") or c.endswith("p_value")]
    styler = out.style.format(precision=digits, na_rep="-", escape="html")
    if p_cols:  # the Styler does not escape what a formatter returns
        styler = styler.format(lambda p: escape(format_p(p)), subset=p_cols)
    if hide_index:
        styler = styler.hide(axis="index")
    return styler


def write_tables(tables: dict, folder) -> None:
    """Write the key tables: ``summary.xlsx`` (a sheet each), ``summary.csv`` (all, tidy).

    ``summary.csv`` stacks the tables with a first column ``table`` naming
    where each row comes from.  Both go through the toolkit's export helper:
    text from the data cannot become a live formula or split a row.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if not tables:
        raise ValueError("no tables to write")
    frames = []
    for name, t in tables.items():
        frames.append(t.reset_index(drop=True).assign(table=name)[["table", *t.columns]])
    write_csv(pd.concat(frames, ignore_index=True), folder / "summary.csv")
    write_xlsx(tables, folder / "summary.xlsx")


def parameter_table(parameters: dict) -> pd.DataFrame:
    """The report's parameters for its appendix: no local paths, no internal settings.

    >>> parameter_table({"data_path": "/home/me/s.csv", "min_n": 5, "tables_dir": "/tmp/x"})
       parameter  value
    0  data_path  s.csv
    1      min_n      5
    """
    rows = []
    for key, value in parameters.items():
        if key in INTERNAL_PARAMETERS:
            continue
        if key in ("data_path", "columns", "themes") and isinstance(value, str):
            value = Path(value).name  # a file: its name only
        rows.append({"parameter": key, "value": value if isinstance(value, str) else repr(value)})
    return pd.DataFrame(rows, columns=["parameter", "value"])
