"""Write the binary test files (xlsx, parquet, sav) from comma_utf8.csv.

Run from the project root: ``.venv/bin/python tests/data/good/make_files.py``
(``... make_files.py input`` writes only the files of ``input_files``).
The text files beside it are written by hand.  Nothing runs on import.
"""

import datetime as dt
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

    input_files()


def input_files():
    """Files that must be read right or refused (written on their own by ``input``)."""
    from openpyxl import Workbook

    # formulas saved by a program that does not calculate them: no cached values
    wb = Workbook()
    ws = wb.active
    ws.title = "Vastaukset"
    ws.append(["respondent_id", "recommend", "weight"])
    ws.append(["A1", 10, 1.0])
    ws.append(["A2", "=B2-1", 1.0])
    ws.append(["A3", 6, "=C2*2"])
    wb.save(BAD / "uncomputed_formulas.xlsx")

    # a two-row header: names, then the question texts
    wb = Workbook()
    ws = wb.active
    ws.title = "Vastaukset"
    ws.append(["respondent_id", "recommend", "price", "responded_at"])
    ws.append(["Vastaaja", "Suosittelisitko meitä? (0-10)", "Hinta (0-10)", "Vastattu"])
    ws.append(["A1", 10, 8, dt.datetime(2025, 3, 1, 10)])
    ws.append(["A2", 6, 5, dt.datetime(2025, 3, 2, 11)])
    wb.save(BAD / "two_row_header.xlsx")

    # the same column name twice
    wb = Workbook()
    ws = wb.active
    ws.append(["respondent_id", "recommend", "region", "region"])
    ws.append(["A1", 10, "north", "Oulu"])
    wb.save(BAD / "duplicate_header.xlsx")

    # a bare CR in an unquoted comment on line 3 (Excel exports it; pandas splits the record)
    (BAD / "bare_cr.csv").write_bytes(
        b"respondent_id,recommend,comment\nB1,10,ok\nB2,6,slow\rservice\nB3,9,fine\n"
    )
    # UTF-16 with BOM, tab-delimited: Excel's "Unicode text"
    text = "id\tsuositus\tkommentti\n1\t10\tHyvä palvelu\n2\t6\tÄänekoski\n"
    (HERE / "utf16_unicode_text.txt").write_bytes(text.encode("utf-16"))
    # a .gz that is not gzip and a .sav that is not SPSS
    (BAD / "not_gzip.csv.gz").write_bytes(b"respondent_id,recommend\nB1,10\n")
    (BAD / "corrupt.sav").write_bytes(b"$FL2@(#) not really an SPSS file" * 4)


if __name__ == "__main__":
    import sys

    input_files() if "input" in sys.argv[1:] else main()
