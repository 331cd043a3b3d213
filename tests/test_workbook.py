"""The banner workbook, read back with openpyxl."""

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

import nps_toolkit as nps
from nps_toolkit._export import Cell, write_grid
from nps_toolkit.reporting.workbook import SUPPRESSED, statistic_label, write_banner_workbook


@pytest.fixture
def survey(rng):
    n = 200
    df = pd.DataFrame(
        {
            "region": rng.choice(["north", "south", '=HYPERLINK("http://x")'], size=n),
            "size": rng.choice(["small", "large"], size=n),
            "recommend": rng.integers(0, 11, size=n),
            "quality": rng.normal(7, 2, size=n),
        }
    )
    large = df["size"] == "large"  # large accounts score higher: letters to check
    df.loc[large, "recommend"] = np.minimum(df.loc[large, "recommend"] + 4, 10)
    return df


def _sheet(path):
    return load_workbook(path)["Banner"]


def _find(ws, value):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == value:
                return cell
    raise AssertionError(f"{value!r} not in the sheet")


def test_layout_values_and_letters(survey, tmp_path):
    table = nps.banner_table(survey, ["region", "size"], rows=["nps", "promoters", "mean:quality"])
    path = write_banner_workbook(table, tmp_path / "banner.xlsx", title="Survey X")
    ws = _sheet(path)
    assert ws["A1"].value == "Survey X" and ws["A1"].font.bold
    assert ws.freeze_panes == "B5"
    # banners in row 2, groups in row 3, letters in row 4, all bold
    assert ws["B2"].value == "region" and ws["B2"].font.bold
    headers = [ws.cell(row=3, column=c).value for c in range(2, ws.max_column + 1, 2)]
    letters = [ws.cell(row=4, column=c).value for c in range(2, ws.max_column + 1, 2)]
    expected_groups = [str(g) for g in table.drop_duplicates(["banner", "letter"])["group"]]
    assert [h for h in headers if h] == [
        "'" + g if g.startswith("=") else g for g in expected_groups
    ]
    assert letters == [f"({x})" for x in table.drop_duplicates(["banner", "letter"])["letter"]]
    assert ws.cell(row=3, column=2).font.bold and ws.cell(row=4, column=2).font.bold
    # base row: n of each column
    assert ws["A5"].value == "Base (answers)"
    bases = [ws.cell(row=5, column=c).value for c in range(2, ws.max_column + 1, 2)]
    assert bases == table[table["statistic"] == "nps"]["n"].tolist()
    # every value and its letters beside it, with number formats
    labels = {ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)}
    for k, rec in enumerate(table.drop_duplicates(["banner", "letter"]).itertuples()):
        col = 2 + 2 * k
        for stat in ("nps", "promoters", "mean:quality"):
            r = labels[statistic_label(stat)]
            want = table[
                (table.banner == rec.banner)
                & (table.letter == rec.letter)
                & (table.statistic == stat)
            ].iloc[0]
            cell = ws.cell(row=r, column=col)
            assert cell.value == pytest.approx(want["value"])
            assert cell.number_format == ("0.00" if stat.startswith("mean") else "0.0")
            assert (ws.cell(row=r, column=col + 1).value or "") == want["higher_than"]
    assert any(table["higher_than"] != "")  # some letters were checked
    # notes: test, level, correction, minimum base
    notes = " ".join(
        str(ws.cell(row=r, column=2).value)
        for r in range(1, ws.max_row + 1)
        if ws.cell(row=r, column=2).value and r > labels["Notes"] - 1
    )
    for phrase in ("95 % level", "Benjamini-Hochberg", "Minimum base: 5", "Welch", "compare_nps"):
        assert phrase in notes


def test_formula_group_labels_are_defused(survey, tmp_path):
    table = nps.banner_table(survey, "region", rows=["nps"])
    ws = _sheet(write_banner_workbook(table, tmp_path / "b.xlsx"))
    cell = _find(ws, '\'=HYPERLINK("http://x")')
    assert cell.data_type == "s"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_weighted_effective_base_and_suppressed_cells(survey, tmp_path):
    df = pd.concat([survey, pd.DataFrame({"region": ["tiny"] * 2, "recommend": [10, 9]})])
    table = nps.banner_table(df, "region", rows=["nps"], weights=np.linspace(0.5, 1.5, len(df)))
    ws = _sheet(write_banner_workbook(table, tmp_path / "w.xlsx"))
    assert ws["A6"].value == "Effective base"
    effective = [ws.cell(row=6, column=c).value for c in range(2, ws.max_column + 1, 2)]
    shown = table["n_effective"].tolist()
    numbers = [e for e in effective if isinstance(e, float)]
    assert numbers == pytest.approx([x for x in shown if x == x])
    assert ws.cell(row=6, column=2).number_format == "0.0"
    # "tiny" (2 answers) and the next smallest group: one unlabelled column, no letter, no base
    assert "tiny" not in {c.value for r in ws.iter_rows() for c in r}
    last = ws.max_column - 1
    assert ws.cell(row=3, column=last).value.startswith("2 groups hidden")
    assert ws.cell(row=4, column=last).value is None
    assert ws.cell(row=5, column=last).value == SUPPRESSED
    assert ws.cell(row=7, column=last).value == SUPPRESSED
    assert "Kish" in " ".join(str(c.value) for r in ws.iter_rows() for c in r if c.value)


def test_not_a_banner_table(tmp_path):
    with pytest.raises(ValueError, match="banner_table"):
        write_banner_workbook(pd.DataFrame({"x": [1]}), tmp_path / "x.xlsx")


def test_write_grid_keeps_numbers_and_defuses_text(tmp_path):
    path = write_grid(
        tmp_path / "g.xlsx",
        [
            [Cell("=1+1", bold=True), -5, Cell(0.25, number_format="0%")],
            [None, "+x", float("nan")],
            ["wide"],
        ],
        merges=("A3:C3",),
        freeze="A2",
    )
    ws = load_workbook(path).active
    assert ws["A1"].value == "'=1+1" and ws["A1"].font.bold and ws["A1"].data_type == "s"
    assert ws["B1"].value == -5 and ws["C1"].number_format == "0%"
    assert ws["B2"].value == "'+x" and ws["A2"].value is None and ws["C2"].value is None
    assert "A3:C3" in {str(r) for r in ws.merged_cells.ranges} and ws.freeze_panes == "A2"
