"""Write the binary test files (xlsx, parquet, sav) from comma_utf8.csv.

Run from the project root: ``.venv/bin/python tests/data/good/make_files.py``.
The text files beside it are written by hand.  Nothing runs on import.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
BAD = HERE.parent / "bad"


def main():
    import pandas as pd
    import pyreadstat
    from openpyxl import Workbook

    df = pd.read_csv(HERE / "comma_utf8.csv", dtype={"id": str})
    df["vastattu"] = pd.to_datetime(df["vastattu"])

    # good .xlsx: an "Info" sheet first, the answers on sheet "Vastaukset"
    wb = Workbook()
    wb.active.title = "Info"
    wb.active.append(["Asiakaskysely 2024"])
    ws = wb.create_sheet("Vastaukset")
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append(
            [
                None if pd.isna(v) else (v.to_pydatetime() if hasattr(v, "to_pydatetime") else v)
                for v in row
            ]
        )
    wb.save(HERE / "survey.xlsx")

    df.to_parquet(HERE / "survey.parquet", index=False)

    # SPSS: region as a labelled numeric code (1/2/3), as SPSS users store it
    codes = {"Etelä-Savo": 1, "Pohjanmaa": 2, "Åland": 3}
    sav = df.assign(alue=df["alue"].map(codes).astype(float))
    pyreadstat.write_sav(
        sav,
        HERE / "survey.sav",
        column_labels=[
            "Vastaajan tunnus",
            "Suosittelisitko meitä?",
            "Vastattu",
            "Paino",
            "Alue",
            "Kommentti",
        ],
        variable_value_labels={"alue": {float(v): k for k, v in codes.items()}},
    )

    # bad .xlsx: a blank sheet row 3, "11" on sheet row 5
    wb = Workbook()
    ws = wb.active
    ws.title = "Answers"
    ws.append(["respondent_id", "recommend"])
    ws.append(["A1", 10])
    ws.append([None, None])
    ws.append(["A2", 7])
    ws.append(["A3", 11])
    wb.save(BAD / "score_out_of_range.xlsx")

    # bad .parquet: text in the score column on data row 2
    pd.DataFrame({"respondent_id": ["P1", "P2", "P3"], "recommend": ["9", "ten", "3"]}).to_parquet(
        BAD / "score_text.parquet", index=False
    )

    # an export with a title row, a blank row, then the table; ids typed as text
    # with leading zeros, a score "10 " with a trailing space, a comment "NA"
    wb = Workbook()
    ws = wb.active
    ws.title = "Vastaukset"
    ws.append(["Asiakaskysely 2025"])
    ws.append([])
    ws.append(["respondent_id", "recommend", "comment"])
    ws.append(["007", 10, "Hyvä palvelu"])
    ws.append(["008", "10 ", "NA"])
    ws.append(["009", 6, None])
    wb.save(HERE / "title_row.xlsx")

    # the same with "ten" on sheet row 6
    ws["B6"] = "ten"
    wb.save(BAD / "title_row_text_score.xlsx")

    # two sheets that both have a recommend column: the loader must not guess
    wb = Workbook()
    wb.active.title = "Info"
    wb.active.append(["Kysely", "2025"])
    for title in ("2024", "2025"):
        ws = wb.create_sheet(title)
        ws.append(["respondent_id", "recommend"])
        ws.append(["A1", 9])
    wb.save(BAD / "two_answer_sheets.xlsx")

    # ids typed as numbers, shown as 007 / 0012 by a "000" / "0000" cell format
    wb = Workbook()
    ws = wb.active
    ws.append(["respondent_id", "account_id", "recommend"])
    ws.append([7, 12, 9])
    ws.append([8, 12, 10])
    ws.append([123, 1234, 6])
    for row in range(2, 5):
        ws.cell(row, 1).number_format = "000"
        ws.cell(row, 2).number_format = "0000"
    wb.save(HERE / "numeric_ids_zero_format.xlsx")

    # more than 20 problems: 25 scores of 11 on lines 3..27
    lines = ["respondent_id,recommend", "M00,10"] + [f"M{i:02d},11" for i in range(1, 26)]
    (BAD / "many_problems.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
