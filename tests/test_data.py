"""Loading and validating survey files (nps_toolkit/data.py).

Every bad file in tests/data/bad/ has a test asserting that the error names
the file, the row as the user finds it (CSV line with the header as line 1,
Excel sheet row, Parquet data row) and the column.  The good files in
tests/data/good/ hold one survey in every supported format and must load to
the same canonical frame.
"""

import io
import pickle
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nps_toolkit as nps
from nps_toolkit.data import Problem, SurveyDataError, load_survey, validate

DATA = Path(__file__).resolve().parent / "data"
GOOD, BAD = DATA / "good", DATA / "bad"
MAPPING = {
    "id": "respondent_id",
    "suositus": "recommend",
    "vastattu": "responded_at",
    "paino": "weight",
    "alue": "region",
    "kommentti": "comment",
}
FIVE = {"Very bad": 1, "Bad": 2, "Ok": 3, "Good": 4, "Very good": 5}


def load_error(path, **kwargs) -> SurveyDataError:
    with pytest.raises(SurveyDataError) as info:
        load_survey(path, **kwargs)
    return info.value


def only_line(err: SurveyDataError) -> str:
    """The one problem line of a one-problem message."""
    lines = str(err).splitlines()
    assert len(lines) == 2, str(err)
    return lines[1]


# ----------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    ("name", "row", "column", "value", "words"),
    [
        ("score_out_of_range.csv", 4, "recommend", 11, "outside 0-10"),
        ("score_fraction.csv", 2, "recommend", 7.5, "not a whole number"),
        ("score_text.csv", 5, "recommend", "ten", "not a number"),
        ("weight_negative.csv", 3, "weight", -1, "negative"),
        ("weight_text.csv", 4, "weight", "heavy", "not a number"),
        ("duplicate_id.csv", 5, "respondent_id", "B2", "duplicate respondent id (first on line 3)"),
        # quoted comment over lines 2-4: the bad score is on line 5, not pandas row 2 + 2
        ("multiline_comment.csv", 5, "recommend", 12, "outside 0-10"),
        # blank lines 3, 5 and 6 are skipped by the reader but still count as lines
        ("blank_lines.csv", 7, "recommend", -1, "outside 0-10"),
    ],
)
def test_bad_csv_names_file_line_and_column(name, row, column, value, words):
    err = load_error(BAD / name)
    assert err.problems == [Problem(str(BAD / name), row, column, value, err.problems[0].reason)]
    assert words in err.problems[0].reason
    line = only_line(err)
    assert line.startswith(f"  {BAD / name}, line {row}, column {column!r}: value {value!r}")
    assert str(BAD / name) in str(err).splitlines()[0]


def test_bad_dates_name_each_line():
    err = load_error(BAD / "bad_date.csv")
    assert [(p.row, p.column, p.value) for p in err.problems] == [
        (4, "responded_at", "2024-02-30"),
        (5, "responded_at", "soon"),
    ]
    assert "line 4, column 'responded_at': value '2024-02-30' is not a date" in str(err)


def test_missing_column_lists_found_and_suggests_closest():
    # score named: no column is looked for in its place
    err = load_error(BAD / "missing_column.csv", score="recommend")
    (p,) = err.problems
    assert (p.row, p.column) == (None, "recommend")
    assert "columns found: ['respondent_id', 'recomend', 'region']" in p.reason
    assert "did you mean 'recomend'?" in p.reason
    assert "columns={'recomend': 'recommend'}" in p.reason
    assert str(BAD / "missing_column.csv") in str(err)


def test_empty_file_and_header_only():
    err = load_error(BAD / "empty.csv")
    assert only_line(err) == f"  {BAD / 'empty.csv'}: the file is empty"
    err = load_error(BAD / "header_only.csv")
    assert "has no data rows below the header" in only_line(err)
    assert "'respondent_id', 'recommend', 'region'" in str(err)


def test_ragged_line_is_named():
    err = load_error(BAD / "ragged.csv")
    (p,) = err.problems
    assert p.row == 3 and "has 4 fields but the header has 3" in p.reason
    assert f"{BAD / 'ragged.csv'}, line 3: has 4 fields" in str(err)


def test_ragged_line_after_quoted_newline_is_the_physical_line(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('respondent_id,recommend,comment\nB1,10,"one\ntwo"\nB2,8,x,extra\n')
    assert load_error(path).problems[0].row == 4  # pandas would say "line 3"


def test_unknown_recode_label_names_line_and_lists_labels():
    err = load_error(BAD / "recode_label.csv", recode={"service": FIVE})
    (p,) = err.problems
    assert (p.row, p.column, p.value) == (4, "service", "Excelent")
    assert "['Very bad', 'Bad', 'Ok', 'Good', 'Very good']" in p.reason


def test_excel_error_names_sheet_row_and_sheet():
    err = load_error(BAD / "score_out_of_range.xlsx")
    (p,) = err.problems
    assert (p.row, p.column, p.value) == (5, "recommend", 11)  # blank sheet row 3 counted
    assert f"{BAD / 'score_out_of_range.xlsx'} [sheet 'Answers'], row 5, column 'recommend'" in str(
        err
    )


def test_parquet_error_names_data_row():
    err = load_error(BAD / "score_text.parquet")
    assert "data row 2, column 'recommend': value 'ten' is not a number" in only_line(err)


def test_first_twenty_then_count_of_the_rest():
    err = load_error(BAD / "many_problems.csv")
    lines = str(err).splitlines()
    assert lines[0] == f"{BAD / 'many_problems.csv'}: 25 problems in the survey data"
    assert len(lines) == 1 + 20 + 1
    assert lines[1].startswith(f"  {BAD / 'many_problems.csv'}, line 3,")
    assert lines[20].startswith(f"  {BAD / 'many_problems.csv'}, line 22,")
    assert lines[-1] == "  ... and 5 more"
    assert err.n_problems == len(err.problems) == 25
    assert [p.row for p in err.problems] == list(range(3, 28))


def test_all_problems_reported_at_once_in_file_order(tmp_path):
    path = tmp_path / "several.csv"
    path.write_text("respondent_id,recommend,weight\nA,11,1\nB,5,-2\nA,x,1\n")
    err = load_error(path)
    assert [(p.row, p.column) for p in err.problems] == [
        (2, "recommend"),
        (3, "weight"),
        (4, "recommend"),
        (4, "respondent_id"),
    ]


def test_error_is_value_error_and_pickles():
    err = load_error(BAD / "score_text.csv")
    assert isinstance(err, ValueError)
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) and again.problems == err.problems


def test_mapped_column_is_named_as_in_the_file(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("REC,Account\n10,a\n12,b\n")
    err = load_error(path, columns={"REC": "recommend"})
    assert "line 3, column 'REC': value 12 is outside 0-10" in str(err)


def test_one_to_eleven_hint():
    path = Path(__file__).parent / "data" / "bad" / "many_problems.csv"
    assert "hint" not in str(load_error(path))  # 10 and 11 only: no guess
    err = load_error(io.StringIO("nps\n1\n11\n5\n"), columns={"nps": "recommend"})
    assert "hint: column 'nps' runs from 1 to 11" in str(err)
    assert "recode={'nps': -1}" in str(err)


def test_blank_weight_and_infinite_weight(tmp_path):
    err = load_error(io.StringIO("recommend,weight\n10,1\n9,\n8,inf\n"))
    assert [(p.row, p.reason.split(" (")[0]) for p in err.problems] == [
        (3, "is blank"),
        (4, "is not a finite number"),
    ]


# ------------------------------------------------------- mapping and config


def test_mapping_key_not_in_file_suggests():
    err = load_error(GOOD / "comma_utf8.csv", columns={**MAPPING, "suositu": "nps"})
    assert "column 'suositu' (mapped to 'nps') is not in the file" in str(err)
    assert "did you mean 'suositus'?" in str(err)


def test_mapping_conflicts_are_errors():
    err = load_error(GOOD / "comma_utf8.csv", columns={"id": "recommend", "suositus": "recommend"})
    assert "sends ['id', 'suositus'] all to 'recommend'" in str(err)
    err = load_error(io.StringIO("recommend,nps\n1,2\n"), columns={"nps": "recommend"})
    assert "would hide the file's own column 'recommend'" in str(err)


def test_suggestion_for_long_question_texts(public_data):
    path = public_data / "prepbench_case122_airline_nps.csv"
    err = load_error(path, score="recommend")
    assert "did you mean 'How likely are you to recommend this airline?'" in str(err)
    # without score=, the one question asking about recommending is the score, and it says so
    with pytest.warns(UserWarning, match="the score is column 'How likely are you to recommend"):
        df = load_survey(path)
    assert df.attrs["score_found"]["column"] == "How likely are you to recommend this airline?"
    assert df.attrs["n_answered"] == 5907
    err = load_error(public_data / "rocks_NPS_R_testdata.csv")
    assert "did you mean 'REC'?" in str(err)


def test_mapping_from_yaml_equals_mapping_from_dict():
    a = load_survey(GOOD / "comma_utf8.csv", columns=MAPPING)
    b = load_survey(GOOD / "comma_utf8.csv", columns=GOOD / "mapping.yml")
    c = load_survey(GOOD / "comma_utf8.csv", columns=str(GOOD / "mapping.yml"))
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    assert b.attrs["columns"] == MAPPING


def test_yaml_config_with_recode_and_glob(tmp_path):
    cfg = tmp_path / "survey.yml"
    cfg.write_text(
        "columns:\n  nps: recommend\nrecode:\n  recommend: -1\n"
        '  "rating_*": {Very bad: 1, Bad: 2, Ok: 3, Good: 4, Very good: 5}\n'
        "required: [account]\n"
    )
    text = "nps,rating_a,rating_b,account\n11,very good, Bad ,x\n1,Ok,,y\n"
    df = load_survey(io.StringIO(text), columns=cfg)
    assert df["recommend"].tolist() == [10.0, 0.0]
    assert df["rating_a"].tolist() == [5.0, 3.0]
    assert df["rating_b"].tolist()[0] == 2.0 and np.isnan(df["rating_b"].iloc[1])
    err = load_error(io.StringIO("nps,rating_a\n11,Good\n"), columns=cfg)
    assert "required column is missing" in str(err) and "'account'" in str(err)


def test_config_rejects_unknown_keys(tmp_path):
    cfg = tmp_path / "bad.yml"
    cfg.write_text("columns: {nps: recommend}\nrecodes: {nps: -1}\n")
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['recodes'\].*valid keys"):
        load_survey(io.StringIO("nps\n1\n"), columns=cfg)


def test_recode_numbers_as_labels():
    text = "nps\n1\n11\n6\n"
    shift = load_survey(io.StringIO(text), columns={"nps": "recommend"}, recode={"recommend": -1})
    table = {i: i - 1 for i in range(1, 12)}
    lookup = load_survey(io.StringIO(text), columns={"nps": "recommend"}, recode={"nps": table})
    assert shift["recommend"].tolist() == lookup["recommend"].tolist() == [0.0, 10.0, 5.0]


def test_recode_key_matching_nothing_is_an_error():
    err = load_error(io.StringIO("recommend\n1\n"), recode={"servce": FIVE})
    assert "recode names 'servce', which matches no column" in str(err)


def test_unknown_format_and_sheet():
    with pytest.raises(ValueError, match=r"supported: \['.csv'"):
        load_survey(GOOD / "mapping.yml")
    with pytest.raises(ValueError, match="save it as .xlsx"):
        load_survey("old.xls")
    err = load_error(GOOD / "survey.xlsx", sheet="Answers")
    assert "has no sheet 'Answers'; sheets: ['Info', 'Vastaukset']" in str(err)


# --------------------------------------------------------------- good files


def expected_frame() -> pd.DataFrame:
    """The survey in tests/data/good/, typed by hand."""
    return pd.DataFrame(
        {
            "respondent_id": [f"R00{i}" for i in range(1, 7)],
            "recommend": [10.0, np.nan, 9.0, 8.0, 9.0, 0.0],
            "responded_at": pd.to_datetime(
                [
                    "2024-03-01 10:15",
                    "2024-03-02 11:00",
                    "2024-03-03 09:30",
                    "2024-03-04 14:45",
                    "2024-03-05 16:00",
                    "2024-03-06 08:05",
                ]
            ),
            "weight": [1.5, 0.5, 1.0, 2.25, 1.0, 0.75],
            "region": ["Etelä-Savo", "Åland", "Etelä-Savo", "Pohjanmaa", "Åland", "Pohjanmaa"],
            "comment": [
                "Hyvä palvelu, kiitos!",
                np.nan,
                "Liian kallis",
                np.nan,
                "Nopea vastaus",
                "Ei vastattu sähköpostiin",
            ],
        }
    )


GOOD_FILES = [
    ("comma_utf8.csv", {}),
    ("semicolon_decimal_comma.csv", {}),
    ("finnish_excel_cp1252.csv", {}),
    ("utf8_bom.csv", {}),
    ("survey.xlsx", {"sheet": "Vastaukset"}),
    ("survey.parquet", {}),
    ("survey.sav", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), GOOD_FILES)
def test_good_formats_load_to_the_same_frame(name, kwargs):
    if name.endswith(".sav"):
        pytest.importorskip("pyreadstat")
    df = load_survey(GOOD / name, columns=MAPPING, **kwargs)
    want = expected_frame()
    # same values and same dtypes (text as str, scores and weights float, datetime64[us])
    pd.testing.assert_frame_equal(df[list(want.columns)], want)
    assert list(df.columns) == list(want.columns)
    # blank answer kept and counted: 5 answered of 6 rows
    assert (df.attrs["n_rows"], df.attrs["n_answered"], df.attrs["excluded_blank"]) == (6, 5, 1)
    assert len(df.attrs["sha256"]) == 64


def test_csv_dialects_detected():
    got = {
        name: load_survey(GOOD / name, columns=MAPPING).attrs
        for name in ("comma_utf8.csv", "semicolon_decimal_comma.csv", "finnish_excel_cp1252.csv")
    }
    assert (got["comma_utf8.csv"]["delimiter"], got["comma_utf8.csv"]["decimal"]) == (",", ".")
    assert got["semicolon_decimal_comma.csv"]["delimiter"] == ";"
    assert got["semicolon_decimal_comma.csv"]["decimal"] == ","
    assert got["finnish_excel_cp1252.csv"]["encoding"] == "cp1252"
    assert got["comma_utf8.csv"]["encoding"] == "utf-8"


def test_sha256_is_of_the_file_bytes():
    import hashlib

    df = load_survey(GOOD / "utf8_bom.csv", columns=MAPPING)
    assert df.attrs["sha256"] == hashlib.sha256((GOOD / "utf8_bom.csv").read_bytes()).hexdigest()
    assert df.attrs["source"] == str(GOOD / "utf8_bom.csv")


def test_spss_value_labels_and_question_texts():
    pytest.importorskip("pyreadstat")
    df = load_survey(GOOD / "survey.sav", columns=MAPPING)
    assert df.attrs["column_labels"]["suositus"] == "Suosittelisitko meitä?"
    assert df.attrs["value_labels"]["alue"][3.0] == "Åland"


def test_summarize_counts_the_blank_and_matches_hand_count():
    df = load_survey(GOOD / "finnish_excel_cp1252.csv", columns=MAPPING)
    row = nps.summarize(df, min_n=1).iloc[0]
    # answered 10, 9, 8, 9, 0: 3 promoters, 1 passive, 1 detractor -> (3 - 1) / 5 = 40
    assert (row["n"], row["promoters"], row["detractors"], row["excluded_blank"]) == (5, 3, 1, 1)
    assert row["nps"] == pytest.approx(40.0)
    # weighted by hand: promoters 1.5 + 1.0 + 1.0, detractor 0.75, answered weight 6.5
    weighted = nps.summarize(df, weights="weight", min_n=1).iloc[0]
    assert weighted["nps"] == pytest.approx(100 * (3.5 - 0.75) / 6.5)


def test_buffers_and_gzip(tmp_path):
    import gzip

    raw = (GOOD / "comma_utf8.csv").read_bytes()
    (tmp_path / "s.csv.gz").write_bytes(gzip.compress(raw))
    a = load_survey(tmp_path / "s.csv.gz", columns=MAPPING)
    b = load_survey(io.BytesIO(raw), columns=MAPPING)
    pd.testing.assert_frame_equal(a, b, check_like=True)
    assert a.attrs["source"].endswith("s.csv.gz") and b.attrs["source"] == "<data>"


def test_ids_stay_text_and_blank_lines_are_counted(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("respondent_id,recommend\n007,10\n\n008,\n")
    df = load_survey(path)
    assert df["respondent_id"].tolist() == ["007", "008"]
    assert df.attrs["skipped_blank_lines"] == 1 and df.attrs["excluded_blank"] == 1


def test_dotted_dates_are_day_first(tmp_path):
    df = load_survey(io.StringIO("recommend;responded_at\n9;1.3.2024\n7;12.3.2024\n"))
    assert df["responded_at"].dt.month.tolist() == [3, 3]


def test_whitespace_only_score_is_blank():
    df = load_survey(io.StringIO('recommend,x\n" ",1\n9,2\n'))
    assert np.isnan(df["recommend"].iloc[0]) and df.attrs["excluded_blank"] == 1


# ------------------------------------------------------------------ validate


def test_validate_dataframe_names_index_labels():
    df = pd.DataFrame({"recommend": [10, "7,5", 3]}, index=["a", "b", "c"])
    with pytest.raises(SurveyDataError) as info:
        validate(df, source="frame")
    assert "frame, index b, column 'recommend': value '7,5' is not a whole number" in str(
        info.value
    )


def test_validate_returns_clean_copy():
    df = pd.DataFrame({"recommend": ["10", " 8 ", None], "respondent_id": [1, 2, 3]})
    clean = validate(df)
    assert clean["recommend"].tolist()[:2] == [10.0, 8.0]
    assert clean["respondent_id"].tolist() == ["1", "2", "3"]
    assert df["recommend"].tolist()[0] == "10"  # the input is not changed


def test_validate_required_and_empty_frame():
    with pytest.raises(SurveyDataError, match="did you mean 'Recommend'"):
        validate(pd.DataFrame({"Recommend": [1]}))
    with pytest.raises(SurveyDataError, match="no data rows"):
        validate(pd.DataFrame({"recommend": []}))


def test_validate_large_frame_finds_the_two_bad_rows(rng):
    n = 200_000
    df = pd.DataFrame(
        {
            "respondent_id": np.arange(n).astype(str),
            "recommend": rng.integers(0, 11, n).astype(float),
            "weight": rng.uniform(0.5, 2, n),
        }
    )
    df.loc[[7, 150_000], "recommend"] = [11, 4.5]
    with pytest.raises(SurveyDataError) as info:
        validate(df)
    assert [p.row for p in info.value.problems] == [7, 150_000]


# --------------------------------------------------------------- public data


def rocks(public_data):
    return load_survey(
        public_data / "rocks_NPS_R_testdata.csv",
        columns={"REC": "recommend", "date": "responded_at", "Account": "account_id"},
    )


PUBLIC = {
    "rocks_NPS_R_testdata.csv": (
        {"REC": "recommend", "date": "responded_at", "Account": "account_id"},
        None,
        1000,
    ),
    "ezrsurvey_podracing_survey.csv": (
        {"nps_value": "recommend", "nps_com": "comment"},
        "ratings_*",
        1000,
    ),
    "ezrsurvey_shopping_survey.csv": ({"patron_id": "respondent_id"}, "ratings_*", 800),
    "prepbench_case040_sudzilla_survey.csv": (
        {
            "Timestamp": "responded_at",
            "On a scale of 0-10, how would you rate Sudzilla?": "recommend",
            "...why?": "comment",
        },
        None,
        39,
    ),
    "prepbench_case122_airline_nps.csv": (
        {
            "CustomerID": "respondent_id",
            "How likely are you to recommend this airline?": "recommend",
            "Airline": "airline",
        },
        None,
        5907,
    ),
    "mkt4320bgsu_airlinesat_mooi_sarstedt.csv": ({"nps": "recommend"}, "shift", 1065),
}


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_files_load_and_summarize(public_data, name):
    mapping, extra, n_rows = PUBLIC[name]
    recode = {"ratings_*": FIVE} if extra == "ratings_*" else None
    recode = {"recommend": -1} if extra == "shift" else recode
    df = load_survey(public_data / name, columns=mapping, recode=recode)
    plain = pd.read_csv(public_data / name)
    assert len(df) == df.attrs["n_rows"] == len(plain) == n_rows
    assert df.attrs["excluded_blank"] == int(df["recommend"].isna().sum())
    score = df["recommend"].dropna()
    assert score.between(0, 10).all() and (score % 1 == 0).all()
    table = nps.summarize(df)
    assert table.loc[0, "n"] + table.loc[0, "excluded_blank"] == n_rows
    # no cell blanked beyond what the file leaves empty (pandas agrees here)
    assert df.attrs["missing_markers"] == {}
    renamed = plain.rename(columns=mapping)
    assert df.isna().sum().to_dict() == renamed[list(df.columns)].isna().sum().to_dict()
    if recode and "ratings_*" in recode:
        ratings = df.filter(like="ratings_")
        assert ratings.shape[1] >= 5 and ratings.isin([1, 2, 3, 4, 5]).all().all()
        # brute force: the recoded numbers match the labels one by one
        first = plain.filter(like="ratings_").columns[0]
        assert (plain[first].map(FIVE) == df[first]).all()
    if extra == "shift":
        # the 1-11 codes, shifted, are the raw column minus one
        assert (df["recommend"] == plain["nps"] - 1).all()


def test_rocks_nps_matches_brute_force_count(public_data):
    df = rocks(public_data)
    raw = pd.read_csv(public_data / "rocks_NPS_R_testdata.csv")["REC"]
    promoters = sum(1 for v in raw if v >= 9)
    detractors = sum(1 for v in raw if v <= 6)
    brute = 100 * (promoters - detractors) / len(raw)
    assert nps.summarize(df).loc[0, "nps"] == pytest.approx(brute)
    assert df["responded_at"].dt.year.eq(2012).all()
    by = nps.summarize(df, by="Region")
    for region, group in raw.groupby(
        pd.read_csv(public_data / "rocks_NPS_R_testdata.csv")["Region"]
    ):
        expect = 100 * ((group >= 9).sum() - (group <= 6).sum()) / len(group)
        assert by.set_index("Region").loc[region, "nps"] == pytest.approx(expect)


def test_sudzilla_timestamps_with_fractions(public_data):
    df = load_survey(
        public_data / "prepbench_case040_sudzilla_survey.csv",
        columns=PUBLIC["prepbench_case040_sudzilla_survey.csv"][0],
    )
    assert df["responded_at"].notna().all()
    assert df["responded_at"].iloc[0] == pd.Timestamp("2019-11-01 08:51:12.402")


def test_shopping_gender_blanks_are_kept(public_data):
    df = load_survey(public_data / "ezrsurvey_shopping_survey.csv", recode={"ratings_*": FIVE})
    assert df["demo_gender"].isna().sum() == 26  # blanks in a segment: rows stay, counted by pandas
    assert len(df) == 800


# ------------------------------------------------------------- harder corners


def test_stray_quote_falls_back_to_the_exact_line_count(tmp_path):
    # an unquoted 5" breaks the fast quote-parity count; csv.reader still finds line 4
    path = tmp_path / "stray.csv"
    path.write_text('respondent_id,recommend,comment\nB1,10,5" screen\n\nB2,11,ok\n')
    err = load_error(path)
    assert (err.problems[0].row, err.row_label) == (4, "line")


def test_dates_in_mixed_and_day_first_formats():
    df = load_survey(io.StringIO("recommend,responded_at\n9,2024-03-01\n8,2024-03-02 10:00\n"))
    assert df["responded_at"].tolist() == [
        pd.Timestamp("2024-03-01"),
        pd.Timestamp("2024-03-02 10:00"),
    ]
    # 1/3 alone is ambiguous, 13/3 is not: the column is read day-first throughout
    df = load_survey(io.StringIO("recommend,responded_at\n9,1/3/2024\n8,13/3/2024\n"))
    assert df["responded_at"].dt.month.tolist() == [3, 3]


def test_corrupt_binary_files_name_the_file(tmp_path):
    for suffix, words in ((".xlsx", "Excel .xlsx"), (".parquet", "Parquet")):
        path = tmp_path / f"broken{suffix}"
        path.write_bytes(b"not really" * 10)
        err = load_error(path)
        assert str(path) in str(
            err
        ) and f"cannot be read as {'an ' if 'x' in suffix else ''}{words}" in str(err)


def test_sheet_by_position_and_required_as_text():
    df = load_survey(GOOD / "survey.xlsx", columns=MAPPING, sheet=1, required="region")
    assert df.attrs["sheet"] == "Vastaukset" and len(df) == 6
    err = load_error(GOOD / "survey.xlsx", columns=MAPPING, sheet=1, required="account_id")
    assert "column 'account_id': required column is missing" in str(err)


def test_boolean_score_is_not_a_number():
    with pytest.raises(SurveyDataError, match="value True is not a number"):
        validate(pd.DataFrame({"recommend": [True, False]}))


def test_excel_whole_number_ids_are_text():
    clean = validate(pd.DataFrame({"respondent_id": [1.0, 2.0, np.nan], "recommend": [1, 2, 3]}))
    assert clean["respondent_id"].tolist()[:2] == ["1", "2"]
    assert clean["respondent_id"].isna().tolist() == [False, False, True]


def test_text_index_labels_sort_in_frame_order():
    df = pd.DataFrame({"recommend": [11, 5, "x"], "weight": [1, -1, 1]}, index=["z", "a", "m"])
    with pytest.raises(SurveyDataError) as info:
        validate(df)
    assert [(p.row, p.column) for p in info.value.problems] == [
        ("z", "recommend"),
        ("a", "weight"),
        ("m", "recommend"),
    ]


def test_line_numbers_match_a_brute_force_reader(tmp_path, rng):
    """Quoted newlines, doubled quotes, CRLF and blank lines: lines as csv.reader counts them."""
    import csv

    n = 2000
    comments = np.array(['"two\nlines"', '"say ""hi""\nthen\nleave"', "plain", ""], dtype=object)
    scores = rng.integers(0, 11, n).astype(object)
    bad = np.sort(rng.choice(n, 15, replace=False))
    scores[bad] = 12
    lines = ["respondent_id,recommend,comment"]
    for i in range(n):
        lines.append(f"R{i},{scores[i]},{comments[rng.integers(0, 4)]}")
        if rng.random() < 0.05:
            lines.append("")  # a blank line, skipped by the reader
    path = tmp_path / "lines.csv"
    path.write_bytes("\r\n".join(lines).encode() + b"\r\n")
    # brute force: the line where each record starts, from csv.reader's own line counter
    starts, prev = [], 0
    with open(path, newline="") as fh:
        reader = csv.reader(fh)
        for rec in reader:
            if rec:
                starts.append(prev + 1)
            prev = reader.line_num
    expected = [starts[1:][i] for i in bad]
    err = load_error(path)
    assert err.row_label == "line"
    assert [p.row for p in err.problems] == expected
    assert expected != [i + 2 for i in bad]  # the naive index + 2 would be wrong here


def test_problem_count_beyond_the_kept_problems(monkeypatch):
    from nps_toolkit.data import _common

    monkeypatch.setattr(_common, "MAX_KEPT", 3)
    err = load_error(io.StringIO("recommend\n" + "11\n" * 30))
    assert err.n_problems == 30 and len(err.problems) == 3
    assert str(err).splitlines()[0].endswith("30 problems in the survey data")
    assert str(err).splitlines()[-1] == "  ... and 27 more"  # 3 shown + 27 = 30


# ------------------------------------------------- exports as researchers get them


def test_excel_title_row_is_skipped_and_rows_are_sheet_rows():
    df = load_survey(GOOD / "title_row.xlsx")
    # header on sheet row 3 below a title and a blank row
    assert df.attrs["header_row"] == 3
    assert df["respondent_id"].tolist() == ["007", "008", "009"]  # leading zeros kept
    assert df["recommend"].tolist()[:2] == [10.0, 10.0]  # "10 " is 10
    assert df["comment"].tolist()[:2] == ["Hyvä palvelu", "NA"]  # a comment "NA" is text
    err = load_error(BAD / "title_row_text_score.xlsx")
    (p,) = err.problems
    assert (p.row, p.column, p.value) == (6, "recommend", "ten")
    assert "[sheet 'Vastaukset'], row 6, column 'recommend'" in str(err)


def test_csv_title_line_trailing_empty_columns_decimal_comma_and_spaces():
    path = GOOD / "title_row_semicolon.csv"
    df = load_survey(path)
    assert (df.attrs["header_row"], df.attrs["delimiter"], df.attrs["decimal"]) == (3, ";", ",")
    assert df["respondent_id"].tolist() == ["007", "008", "009"]
    # "10 " and "9,0" are scores 10 and 9; the third answer is blank and counted
    assert df["recommend"].tolist()[:2] == [10.0, 9.0] and np.isnan(df["recommend"].iloc[2])
    assert df.attrs["excluded_blank"] == 1
    assert df["weight"].tolist() == [1.5, 0.5, 1.0]
    assert df.attrs["dropped_empty_columns"] == ["Unnamed: 4"]
    assert df["comment"].tolist() == ["Hyvä palvelu", "NA", "None"]


def test_csv_title_line_keeps_physical_line_numbers(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Kysely 2025\n\nrespondent_id,recommend\nA,10\nB,11\n")
    err = load_error(path)
    assert [(p.row, p.column, p.value) for p in err.problems] == [(5, "recommend", 11)]
    assert f"{path}, line 5, column 'recommend'" in str(err)
    # an unmapped export: the title above a wider table is still found
    path.write_text("Survey export\nid,nps\n1,9\n")
    assert list(load_survey(path, columns={"nps": "recommend"}).columns) == ["id", "recommend"]


def test_missing_markers_and_leading_zero_codes():
    df = load_survey(GOOD / "na_markers_leading_zeros.csv")
    # codes with a leading zero stay text in every column, not only the canonical ones
    assert df["asiakasnro"].tolist() == ["00123", "00124", "01000"]
    assert df["postinumero"].tolist() == ["00100", "33100", "90100"]
    assert df.attrs["kept_as_text"] == ["asiakasnro", "postinumero"]
    # a region "NA" (North America) is a segment, not a blank
    assert df["region"].tolist() == ["NA", "EU", "NA"]
    # comments: "NA" and "None" as written, "N/A" is no answer
    assert df["comment"].tolist()[0] == "NA" and df["comment"].isna().tolist() == [
        False,
        True,
        False,
    ]
    # an e-mail "NA" or "#N/A" is no address (follow-up lists must not call it)
    assert df["email"].isna().tolist() == [True, False, True]
    # a numeric column with "NULL" is numeric, the marker blank and counted
    assert df["rating_price"].dtype == float and df["rating_price"].isna().tolist() == [
        True,
        False,
        False,
    ]
    # score "NA" is a blank answer: kept, excluded from NPS, counted
    assert np.isnan(df["recommend"].iloc[2]) and df.attrs["excluded_blank"] == 1
    # markers blanked by the reader, per column ("NA" in the e-mail column is blanked later)
    assert df.attrs["missing_markers"] == {
        "recommend": 1,
        "comment": 1,
        "email": 1,
        "rating_price": 1,
    }


def test_finnish_cp1252_column_names_with_umlauts_in_errors():
    path = BAD / "cp1252_umlaut_columns.csv"
    err = load_error(
        path, columns={"vastaaja": "respondent_id", "suositteluhalukkuus": "recommend"}
    )
    assert [(p.row, p.column, p.value) for p in err.problems] == [
        (3, "suositteluhalukkuus", "kymmenen"),
        (4, "suositteluhalukkuus", "7,5"),  # shown as written in the file
    ]
    assert "line 4, column 'suositteluhalukkuus': value '7,5' is not a whole number" in str(err)
    # without a mapping the Finnish column name is suggested
    err = load_error(path)
    assert "'päivämäärä'" in str(err) and "did you mean 'suositteluhalukkuus'" in str(err)


def test_two_sheets_take_the_one_with_the_score_and_say_so():
    with pytest.warns(UserWarning, match="read sheet 'Vastaukset'.*first sheet is 'Info'"):
        df = load_survey(GOOD / "survey.xlsx", columns=MAPPING)
    assert df.attrs["sheet"] == "Vastaukset" and len(df) == 6
    err = load_error(BAD / "two_answer_sheets.xlsx")
    assert "sheets ['2024', '2025'] have: choose one with sheet=" in str(err)
    assert load_survey(BAD / "two_answer_sheets.xlsx", sheet="2025").attrs["sheet"] == "2025"
    err = load_error(GOOD / "survey.xlsx", sheet="vastaukset")
    assert "did you mean 'Vastaukset'?" in str(err)


def test_duplicate_ids_differing_by_spaces_are_duplicates():
    err = load_error(io.StringIO("respondent_id,recommend\nA1,9\nA1 ,6\n007,9\n7,9\n"))
    assert [(p.row, p.column, p.value) for p in err.problems] == [(3, "respondent_id", "A1")]


def test_score_with_a_leading_zero_is_still_a_number():
    df = load_survey(io.StringIO("respondent_id,recommend,koodi\n1,07,007\n2,10,010\n"))
    assert df["recommend"].tolist() == [7.0, 10.0] and df["koodi"].tolist() == ["007", "010"]


@pytest.mark.parametrize(
    "text, delimiter",
    [
        ("sep=;\nrespondent_id;recommend\n1;9,0\n2;7\n", ";"),  # Excel's delimiter hint line
        ("sep=,\nrespondent_id,recommend\n1,9\n2,7\n", ","),
    ],
)
def test_excel_sep_hint_line_is_not_the_header(text, delimiter):
    df = load_survey(io.StringIO(text))
    assert df["recommend"].tolist() == [9.0, 7.0]
    assert (df.attrs["header_row"], df.attrs["delimiter"]) == (2, delimiter)


def test_title_line_with_quoted_newlines_and_blank_lines_keeps_line_numbers():
    # lines: 1 title, 2 blank, 3 header, 4-5 one record, 6 blank, 7 the bad score
    text = 'Kysely 2025\n\nrespondent_id,recommend,comment\nA,10,"rivi1\nrivi2"\n\nB,11,x\n'
    err = load_error(io.StringIO(text))
    assert [(p.row, p.column, p.value) for p in err.problems] == [(7, "recommend", 11)]
    ragged = 'Kysely 2025\nrespondent_id,recommend,comment\nA,10,"rivi1\nrivi2"\nB,9,x,extra\n'
    (p,) = load_error(io.StringIO(ragged)).problems
    assert p.row == 5 and "has 4 fields but the header has 3" in p.reason


def test_excel_numeric_ids_keep_the_zeros_their_cell_format_shows():
    df = load_survey(GOOD / "numeric_ids_zero_format.xlsx")
    assert df["respondent_id"].tolist() == ["007", "008", "123"]
    assert df["account_id"].tolist() == ["0012", "0012", "1234"]
    assert df["recommend"].tolist() == [9.0, 10.0, 6.0]  # the score is not an id


# ------------------------------------------------------ read right or refused


def test_uncomputed_excel_formulas_name_sheet_and_cells():
    # B3 "=B2-1" and C4 "=C2*2" were saved without values: read as blanks they
    # would lose an answer and a weight without a word
    err = load_error(BAD / "uncomputed_formulas.xlsx")
    (p,) = err.problems
    assert p.file == f"{BAD / 'uncomputed_formulas.xlsx'} [sheet 'Vastaukset']"
    assert "2 cell(s) hold a formula with no computed value: B3, C4" in p.reason


def test_computed_excel_formulas_are_read(tmp_path):
    # a formula with the value Excel saved beside it is an answer like any other
    import zipfile

    src = BAD / "uncomputed_formulas.xlsx"
    path = tmp_path / "computed.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<f>B2-1</f><v></v>", b"<f>B2-1</f><v>9</v>")
                data = data.replace(b"<f>B2-1</f><v />", b"<f>B2-1</f><v>9</v>")
                data = data.replace(b"<f>C2*2</f><v></v>", b"<f>C2*2</f><v>2</v>")
                data = data.replace(b"<f>C2*2</f><v />", b"<f>C2*2</f><v>2</v>")
            zout.writestr(item, data)
    df = load_survey(path)
    assert df["recommend"].tolist() == [10.0, 9.0, 6.0]
    assert df["weight"].tolist() == [1.0, 1.0, 2.0]


def test_bare_cr_in_an_unquoted_field_names_the_line():
    err = load_error(BAD / "bare_cr.csv")
    (p,) = err.problems
    assert (p.row, err.row_label) == (3, "line") and "carriage return (CR)" in p.reason
    assert f"{BAD / 'bare_cr.csv'}, line 3:" in str(err)


def test_cr_inside_quotes_crlf_and_mac_line_ends_are_fine():
    quoted = b'respondent_id,recommend,comment\nr1,10,"good\rservice"\nr2,6,ok\n'
    assert load_survey(io.BytesIO(quoted))["comment"].tolist() == ["good\rservice", "ok"]
    for text in (
        b"respondent_id,recommend\r\nr1,10\r\nr2,6\r\n",
        b"respondent_id,recommend\rr1,10\rr2,6\r",
    ):
        assert load_survey(io.BytesIO(text))["recommend"].tolist() == [10.0, 6.0]


def test_short_records_are_refused_naming_each_line():
    # pandas would pad line 3 and line 5 with blanks: two answers under the wrong columns
    err = load_error(BAD / "ragged_short.csv")
    assert [(p.row, p.reason.split(" (")[0]) for p in err.problems] == [
        (3, "has 2 fields but the header has 3"),
        (5, "has 1 field but the header has 3"),
    ]


def test_a_header_one_field_short_is_refused():
    # pandas would silently take the first column as the index and shift every column
    err = load_error(BAD / "header_one_short.csv")
    assert [p.row for p in err.problems] == [2, 3]
    assert "has 3 fields but the header has 2" in err.problems[0].reason


@pytest.mark.parametrize(
    ("name", "where", "columns"),
    [("duplicate_header.csv", "", "3, 5"), ("duplicate_header.xlsx", " [sheet 'Sheet']", "3, 4")],
)
def test_duplicate_header_names_are_suffixed_and_refused_only_when_used(name, where, columns):
    df = load_survey(BAD / name)
    assert df.attrs["repeated_names"] == {"region": ["region", "region.2"]}
    at = [int(c) - 1 for c in columns.split(", ")]  # where the file repeats the name
    assert [df.columns[i] for i in at] == ["region", "region.2"]
    err = load_error(BAD / name, required=["region"])
    (p,) = err.problems
    assert p.file == f"{BAD / name}{where}"
    assert "column 'region' is the name of 2 columns, read as ['region', 'region.2']" in p.reason
    # the suffixed name is unambiguous
    assert "area" in load_survey(BAD / name, columns={"region.2": "area"}).columns


@pytest.mark.parametrize(
    ("name", "row", "label"), [("two_row_header.xlsx", 2, "row"), ("two_row_header.csv", 2, "line")]
)
def test_two_row_header_suggests_the_header_row(name, row, label):
    err = load_error(BAD / name)
    (p,) = err.problems
    assert p.row == row and "looks like a second header row" in p.reason
    assert f"the header must be one {label} ({label} 1): delete {label} 2" in p.reason


def test_a_first_respondent_with_a_text_score_is_not_a_header():
    err = load_error(io.StringIO("respondent_id,recommend,region\nB1,ten,north\nB2,9,south\n"))
    assert (err.problems[0].row, err.problems[0].value) == (2, "ten")


@pytest.mark.parametrize(
    ("name", "value", "mark"),
    [
        ("weight_thousands.csv", "1,234", "'.'"),
        ("weight_thousands_decimal_comma.csv", "1.234", "','"),
    ],
)
def test_ambiguous_thousands_separator_names_column(name, value, mark):
    err = load_error(BAD / name)
    p = err.problems[0]
    assert (p.row, p.column, p.value) == (2, "weight", value)
    assert "is ambiguous" in p.reason and f"the file's decimal mark is {mark}" in p.reason
    # each value is one problem (12,500.5 is not also "not a number")
    assert len({(q.row, q.column) for q in err.problems}) == len(err.problems)


def test_all_zero_weights_are_an_error():
    err = load_error(BAD / "weights_all_zero.csv")
    (p,) = err.problems
    assert p.column == "weight" and "every weight is 0" in p.reason


def test_csat_and_ces_outside_their_scale_are_errors():
    df = load_survey(BAD / "csat_ces_out_of_scale.csv")
    with pytest.raises(
        ValueError, match=r"CSAT column 'csat': 1 value\(s\) .* 1-5 scale, e\.g\. 6"
    ):
        nps.summarize(df)
    with pytest.raises(ValueError, match=r"CES column 'ces': 1 value\(s\) .* 1-7 scale, e\.g\. 8"):
        nps.summarize(df.assign(csat=[5, 4, 4]))
    # in scale: CSAT top-2-box 2 of 3, CES mean of 2, 3, 7 (by hand)
    ok = nps.summarize(df.assign(csat=[5, 4, 3], ces=[2, 3, 7]), min_n=1)
    assert ok["csat"].iloc[0] == pytest.approx(200 / 3) and ok["ces"].iloc[0] == 4.0
    with pytest.raises(ValueError, match="between 1 and 7"):
        nps.ces([1, 8])


def test_utf16_files_are_read():
    mapping = {"id": "respondent_id", "suositus": "recommend", "kommentti": "comment"}
    df = load_survey(GOOD / "utf16_unicode_text.txt", columns=mapping)
    assert df.attrs["encoding"] == "utf-16" and df.attrs["delimiter"] == "\t"
    assert df["comment"].tolist() == ["Hyvä palvelu", "Äänekoski"]
    text = "respondent_id;recommend\nÄ1;9\n"
    for enc in ("utf-16-le", "utf-16-be", "utf-32"):  # no BOM for the first two
        assert load_survey(io.BytesIO(text.encode(enc)))["respondent_id"].tolist() == ["Ä1"]


@pytest.mark.parametrize(
    ("name", "words"),
    [("not_gzip.csv.gz", "is not a gzip file"), ("corrupt.sav", "cannot be read as an SPSS")],
)
def test_broken_files_are_survey_errors_naming_the_file(name, words):
    if name.endswith(".sav"):
        pytest.importorskip("pyreadstat")
    err = load_error(BAD / name)
    (p,) = err.problems
    assert p.file == str(BAD / name) and words in p.reason


def test_unreadable_file_is_a_survey_error(tmp_path):
    folder = tmp_path / "answers.csv"
    folder.mkdir()
    err = load_error(folder)
    assert err.problems[0].file == str(folder) and "cannot be read" in err.problems[0].reason
    with pytest.raises(FileNotFoundError):
        load_survey(tmp_path / "missing.csv")


def test_csat_and_ces_outside_their_scale_are_errors_in_files_too(tmp_path):
    # the DuckDB path (summarize on a file) refuses what the DataFrame path refuses
    pytest.importorskip("duckdb")
    path = tmp_path / "s.parquet"
    df = pd.DataFrame({"recommend": [10, 6, 9], "csat": [5, 6, 4], "ces": [2, 3, 7]})
    df.to_parquet(path)
    with pytest.raises(ValueError, match=r"CSAT column 'csat': 1 value\(s\) .* 1-5 scale"):
        nps.summarize(str(path))
    df.assign(csat=[5, 4, 3], ces=[2, 3, 8]).to_parquet(path)
    with pytest.raises(ValueError, match=r"CES column 'ces': 1 value\(s\) .* 1-7 scale"):
        nps.summarize(str(path))
    df.assign(csat=[5, 4, 3]).to_parquet(path)
    ok = nps.summarize(str(path), min_n=1)
    assert ok["csat"].iloc[0] == pytest.approx(200 / 3) and ok["ces"].iloc[0] == 4.0


def test_config_file_errors_name_the_file(tmp_path):
    cfg = tmp_path / "survey.yml"
    cfg.write_text("columns: {a: recommend}\nrecodes: {}\n")
    with pytest.raises(
        ValueError,
        match=r"unknown key\(s\) \['recodes'\] in the survey config " + re.escape(repr(str(cfg))),
    ):
        load_survey(io.StringIO("a\n1\n"), columns=str(cfg))
    cfg.write_text("columns: [unclosed\n")
    with pytest.raises(ValueError, match=re.escape(f"{cfg}: not a readable YAML file")):
        load_survey(io.StringIO("a\n1\n"), columns=str(cfg))
    cfg.write_bytes("columns: {ä: recommend}\n".encode("latin-1"))
    with pytest.raises(ValueError, match=re.escape(f"{cfg}: not a readable YAML file")):
        load_survey(io.StringIO("a\n1\n"), columns=str(cfg))


# ------------------------------------------------- issue 21: bounded and honest reading


def test_a_sheet_larger_than_excel_allows_is_refused_before_reading(tmp_path):
    import time
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["recommend"])
    wb.active.append([9])
    small = tmp_path / "small.xlsx"
    wb.save(small)
    # the same workbook whose sheet declares 3 million rows (as a 3-million-row export does)
    big = tmp_path / "big.xlsx"
    with zipfile.ZipFile(small) as zin, zipfile.ZipFile(big, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:A2"/>', b'<dimension ref="A1:A3000000"/>')
                assert b"A3000000" in data
            zout.writestr(item, data)
    start = time.perf_counter()
    err = load_error(big)
    assert time.perf_counter() - start < 5
    assert "the sheet has 3,000,000 rows, more than the 1,048,576" in str(err)
    assert "export the data as CSV or Parquet" in str(err)


def test_a_nested_parquet_column_is_named_not_an_internal_error(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    from nps_toolkit.cli import main

    path = tmp_path / "nested.parquet"
    pq.write_table(pa.table({"recommend": [9, 3], "meta": [{"a": 1}, {"a": 2}]}), path)
    assert main(["summarize", str(path)]) == 2  # bad input, not "internal error" (3)
    err = capsys.readouterr().err
    assert "column 'meta': holds struct (record) values (a nested Parquet column)" in err


def test_a_file_mixing_utf8_and_cp1252_lines_is_refused_naming_the_lines(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        b"alue;suositus\n" + "Etelä;9\n".encode() + b"Pohjoinen;7\n" + "Etelä;3\n".encode("cp1252")
    )
    err = load_error(path, columns={"suositus": "recommend"})
    assert "mixes two text encodings: line 2 is UTF-8 ('Etelä;9') but line 4 is not" in str(err)
    # said explicitly, the file is read in that one encoding
    df = load_survey(path, columns={"suositus": "recommend"}, encoding="cp1252")
    assert df["alue"].tolist() == ["EtelÃ¤", "Pohjoinen", "Etelä"]
    # a file that is cp1252 throughout still reads as before
    path.write_bytes("alue;suositus\nEtelä;9\nEtelä;3\n".encode("cp1252"))
    assert load_survey(path, columns={"suositus": "recommend"})["alue"].tolist() == ["Etelä"] * 2
