"""The banner workbook: a ``banner_table`` laid out as market researchers read it.

Groups are columns (each banner a block, its total first), statistics are
rows, every value has its significance letters in the cell beside it, and
the bases and a note on the tests sit above and below.  The sheet is written
by ``nps_toolkit._export.write_grid``, so text from the data (group labels)
is defused like every other cell the toolkit writes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from .._export import Cell, write_grid

# number formats by statistic kind
FORMATS = {"nps": "0.0", "share": "0.0", "mean": "0.00", "n": "0", "n_effective": "0.0"}
CORRECTION_NAMES = {
    "bh": "Benjamini-Hochberg (false discovery rate)",
    "holm": "Holm (family-wise error)",
    "bonferroni": "Bonferroni (family-wise error)",
    "none": "none",
}
SUPPRESSED = "\u2013"  # an en dash: a "-" would read as a formula and be defused


def statistic_label(statistic: str) -> str:
    """Row label of a banner statistic.

    >>> statistic_label("nps"), statistic_label("top2:csat"), statistic_label("mean:price")
    ('NPS', 'Top-2 box: csat (%)', 'Mean: price')
    """
    if statistic == "nps":
        return "NPS"
    if statistic in ("promoters", "passives", "detractors"):
        return f"{statistic.capitalize()} (%)"
    kind, _, column = statistic.partition(":")
    column = column.split(":")[0]
    return f"Mean: {column}" if kind == "mean" else f"Top-2 box: {column} (%)"


def _kind(statistic: str) -> str:
    if statistic == "nps":
        return "nps"
    return "mean" if statistic.startswith("mean:") else "share"


def banner_notes(table: pd.DataFrame) -> list[str]:
    """The sentences under the table: tests, level, correction, minimum base, blanks."""
    a = table.attrs
    level = a.get("confidence_level", 0.95)
    lines = [
        "Letters: the column is significantly higher than the columns of the same banner "
        f"with those letters (two-sided tests at the {100 * level:g} % level; the total "
        "is tested as each group against everyone else).",
    ]
    tests = a.get("tests", {})
    names = {"nps": "NPS", "share": "shares", "mean": "means"}
    if tests:
        lines.append("Tests: " + "; ".join(f"{names[k]}: {v}" for k, v in tests.items()) + ".")
    correction = a.get("correction", "bh")
    lines.append(
        f"Correction for multiple tests: {CORRECTION_NAMES.get(correction, correction)}, "
        "over the pairs of each banner and statistic."
    )
    if "min_n" in a:
        lines.append(
            f"Minimum base: {a['min_n']} answers; smaller groups are shown as "
            f"{SUPPRESSED} and not tested (with one more group when a single small "
            "one could be worked out from the total)."
        )
    if a.get("weighted"):
        lines.append(
            "Weighted: values and tests use the weights; the effective base is "
            "Kish's (sum of weights)^2 / sum of squared weights."
        )
    blanks = {b: k for b, k in a.get("blank", {}).items() if k}
    if blanks:
        lines.append(
            "Answers with no value for a banner are in its total only: "
            + ", ".join(f"{b} {k}" for b, k in blanks.items())
            + "."
        )
    return lines


def write_banner_workbook(
    table: pd.DataFrame,
    path,
    *,
    title: str | None = None,
    labels: dict | None = None,
    notes: list[str] | None = None,
    sheet: str = "Banner",
) -> Path:
    """Write a ``banner_table`` result as a formatted Excel sheet (``banner.xlsx``).

    Parameters
    ----------
    table : the DataFrame ``nps_toolkit.banner_table`` returns (its
        ``attrs`` supply the notes).
    path : the ``.xlsx`` file to write.
    title : first line of the sheet (e.g. the survey's name).
    labels : row labels by statistic, e.g. ``{"nps": "NPS"}``; defaults
        from ``statistic_label``.
    notes : lines under the table; defaults from ``banner_notes``.
    sheet : sheet name.

    Returns
    -------
    The path written.

    Notes
    -----
    Layout: row 1 the title, row 2 the banners, row 3 the groups, row 4 their
    letters, then the base (answers; with weights also the effective base),
    one row per statistic with the value (number-formatted) and its letters
    in the column beside it, and the notes.  Rows 1-4 and column A stay in
    view when scrolling.
    """
    required = {"banner", "group", "letter", "statistic", "value", "n", "higher_than"}
    missing = required - set(table.columns)
    if missing:
        raise ValueError(
            f"write_banner_workbook needs a banner_table result; missing columns {sorted(missing)}"
        )
    labels = labels or {}
    weighted = "n_effective" in table.columns
    statistics = list(dict.fromkeys(table["statistic"]))
    banners = list(dict.fromkeys(table["banner"]))
    # one block of (group, letter) columns per banner, in the table's order
    columns = []
    for banner in banners:
        part = table[table["banner"] == banner]
        for letter in dict.fromkeys(part["letter"]):
            group = part.loc[part["letter"] == letter, "group"].iloc[0]
            columns.append((banner, letter, group))
    cells = {
        (r.banner, r.letter, r.statistic): r
        for r in table.itertuples(index=False)  # one row per banner, group, statistic
    }
    rows = [[Cell(title or "Banner table", bold=True)], [None], [None], [None]]
    merges = []
    col = 2
    for banner in banners:
        k = sum(1 for b, _, _ in columns if b == banner)
        rows[1].extend([Cell(str(banner), bold=True, align="center")] + [None] * (2 * k - 1))
        merges.append(f"{get_column_letter(col)}2:{get_column_letter(col + 2 * k - 1)}2")
        col += 2 * k
    for i, (_, letter, group) in enumerate(columns):
        c = 2 + 2 * i
        rows[2].extend([Cell(str(group), bold=True, align="center", wrap=True), None])
        rows[3].extend([Cell(f"({letter})" if letter else None, bold=True, align="center"), None])
        merges += [f"{get_column_letter(c)}{r}:{get_column_letter(c + 1)}{r}" for r in (3, 4)]
    base_stat = "nps" if "nps" in statistics else statistics[0]
    base_rows = [("Base (answers)", "n", FORMATS["n"])]
    if weighted:
        base_rows.append(("Effective base", "n_effective", FORMATS["n_effective"]))
    for label, field, fmt in base_rows:
        row = [Cell(label, bold=True)]
        for banner, letter, _ in columns:
            value = getattr(cells[(banner, letter, base_stat)], field)
            if pd.isna(value):  # a hidden group's base is hidden too
                row += [Cell(SUPPRESSED, align="right"), None]
            else:
                row += [Cell(float(value), number_format=fmt), None]
        rows.append(row)
    for statistic in statistics:
        row = [Cell(labels.get(statistic, statistic_label(statistic)), bold=True)]
        fmt = FORMATS[_kind(statistic)]
        for banner, letter, _ in columns:
            r = cells.get((banner, letter, statistic))
            if r is None or r.suppressed or pd.isna(r.value):
                row += [Cell(SUPPRESSED, align="right"), None]
            else:
                row += [Cell(float(r.value), number_format=fmt), Cell(r.higher_than or None)]
        rows.append(row)
    rows.append([None])
    note_lines = banner_notes(table) if notes is None else list(notes)
    for i, line in enumerate(note_lines):
        rows.append([Cell("Notes" if i == 0 else None, bold=True), Cell(line)])
    widths = {"A": 34}
    for i in range(len(columns)):
        widths[get_column_letter(2 + 2 * i)] = 9
        widths[get_column_letter(3 + 2 * i)] = 6
    return write_grid(path, rows, sheet=sheet, merges=tuple(merges), freeze="B5", widths=widths)
