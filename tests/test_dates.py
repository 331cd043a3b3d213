"""The one date reader (nps_toolkit._dates) and the modules that use it."""

import io
import warnings

import numpy as np
import pandas as pd
import pytest

import nps_toolkit as nps
from nps_toolkit._dates import as_dates, parse_dates, to_period
from nps_toolkit.data import SurveyDataError, load_survey

# dotted Finnish dates: by hand, 1 Mar, 15 Mar, 13 Jan are Q1; 2 Apr, 28 Jun Q2; 1 Jul Q3
DOTTED = ["01.03.2025", "15.03.2025", "02.04.2025", "28.06.2025", "01.07.2025", "13.01.2025"]


def ymd(series):
    return series.dt.strftime("%Y-%m-%d").tolist()


def test_trend_reads_dotted_text_dates_day_first():
    df = pd.DataFrame({"responded_at": DOTTED, "recommend": [10, 9, 8, 7, 0, 10]})
    t = nps_trend_quiet(df)
    assert t["period"].astype(str).tolist() == ["2025Q1", "2025Q2", "2025Q3"]
    assert t["n"].tolist() == [3, 2, 1]


def nps_trend_quiet(df, **kw):
    return nps.nps_trend(df, min_n=1, **kw)


def test_loader_trend_and_followup_agree_on_one_string():
    text = "respondent_id;recommend;responded_at\n" + "".join(
        f"r{i};{s};{d}\n" for i, (s, d) in enumerate(zip([10, 9, 8, 7, 0, 10], DOTTED, strict=True))
    )
    loaded = load_survey(io.StringIO(text))
    raw = pd.DataFrame({"recommend": [10, 9, 8, 7, 0, 10], "responded_at": DOTTED})
    assert ymd(loaded["responded_at"]) == ymd(parse_dates(raw["responded_at"]))
    assert ymd(loaded["responded_at"])[:2] == ["2025-03-01", "2025-03-15"]
    # period counts from the loaded frame and from the text are the same
    a = nps_trend_quiet(loaded)[["period", "n"]]
    b = nps_trend_quiet(raw)[["period", "n"]]
    pd.testing.assert_frame_equal(a, b)
    # follow-up: the detractor answered on 1 July (day-first), due 48 h later
    fl = nps.followup_list(
        raw.assign(respondent_id=list("abcdef"), email="x@example.com"), now="2025-07-10"
    )
    assert ymd(fl["responded_at"]) == ["2025-07-01"]
    # summarize-like counts per period (group_counts) use the same rule
    counts = nps.scoring.group_counts(raw, period=("responded_at", "QE"))
    assert counts["n"].tolist() == [3, 2, 1]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("2025-03-01", "2025-03-01"),  # ISO
        ("2025-03-01T10:00:00", "2025-03-01"),
        ("2025/03/04", "2025-03-04"),  # year first: y/m/d, never y/d/m
        ("2025-3-4", "2025-03-04"),
        ("4.3.2025", "2025-03-04"),  # d.m.y
        ("04.03.25", "2025-03-04"),  # two-digit year
        ("13/03/2025", "2025-03-13"),
        ("13-03-2025", "2025-03-13"),
        ("1 March 2025", "2025-03-01"),
    ],
)
def test_formats(text, want):
    assert ymd(parse_dates(pd.Series([text]))) == [want]


def test_times_are_kept():
    got = parse_dates(pd.Series(["01.03.2025 14:05", "2.3.2025 9:07:30.25", "2025-03-03 08:00"]))
    assert got.tolist() == [
        pd.Timestamp("2025-03-01 14:05"),
        pd.Timestamp("2025-03-02 09:07:30.250"),
        pd.Timestamp("2025-03-03 08:00"),
    ]


def test_not_dates():
    got = parse_dates(pd.Series(["31.02.2025", "10", "20250301", "soon", "1.3.2025 25:00", ""]))
    assert got.isna().all()
    assert parse_dates(pd.Series([1, 2])).isna().all()  # numbers are not dates


def test_slash_dates_day_first_and_the_ambiguity_warning():
    with pytest.warns(UserWarning, match=r"column 'when': dates such as '03/04/2025' could be"):
        got = parse_dates(pd.Series(["03/04/2025", "01/02/2025"]), column="when")
    assert ymd(got) == ["2025-04-03", "2025-02-01"]  # day-first
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # a day above 12 settles it: no warning
        assert ymd(parse_dates(pd.Series(["03/04/2025", "13/04/2025"]))) == [
            "2025-04-03",
            "2025-04-13",
        ]
        # all days equal to months: nothing to decide
        assert ymd(parse_dates(pd.Series(["01/01/2025", "02/02/2025"]))) == [
            "2025-01-01",
            "2025-02-02",
        ]
        # a column that proves m/d/y (25 in the middle, no first number above 12)
        assert ymd(parse_dates(pd.Series(["03/25/2025", "03/04/2025"]))) == [
            "2025-03-25",
            "2025-03-04",
        ]
    # a column mixing both orders: the values that are not day-first are not dates
    mixed = parse_dates(pd.Series(["13/04/2025", "04/25/2025"]))
    assert ymd(mixed)[0] == "2025-04-13" and pd.isna(mixed.iloc[1])


def test_dotted_dates_are_never_month_first():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ambiguity warning for d.m.y
        got = parse_dates(pd.Series(["03.04.2025", "01.02.2025", "04.25.2025"]))
    assert ymd(got)[:2] == ["2025-04-03", "2025-02-01"] and pd.isna(got.iloc[2])


def test_date_format_overrides():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = parse_dates(pd.Series(["03/04/2025", "03/05/2025 10:30"]), date_format="%m/%d/%Y")
    assert got.tolist() == [pd.Timestamp("2025-03-04"), pd.Timestamp("2025-03-05 10:30")]


def test_time_zones():
    got = parse_dates(pd.Series(["2025-03-31T23:30:00+03:00", "2025-04-01T00:30:00+03:00"]))
    assert str(got.dt.tz) == "UTC+03:00"
    # periods are the respondent's wall time: 23:30 on 31 March is Q1
    assert to_period(got, "QE").astype(str).tolist() == ["2025Q1", "2025Q2"]
    # several offsets: each value's own wall time (pandas would only mix them as UTC)
    mixed = parse_dates(
        pd.Series(["2025-03-01T10:00+02:00", "2025-04-01 00:30:15.5+03:00", "2025-03-05"])
    )
    assert mixed.tolist() == [
        pd.Timestamp("2025-03-01 10:00"),
        pd.Timestamp("2025-04-01 00:30:15.5"),
        pd.Timestamp("2025-03-05"),  # a date's "-05" is no offset
    ]


def test_as_dates_names_rows_and_keeps_blanks():
    got = as_dates(pd.Series(["01.03.2025", None, " "]), column="when")
    assert ymd(got)[0] == "2025-03-01" and got.iloc[1:].isna().all()
    with pytest.raises(ValueError, match=r"column 'when': 1 value\(s\) are not dates.*\[2\]"):
        as_dates(pd.Series(["01.03.2025", None, "31.13.2025"]), column="when")


def test_to_period_checks_freq():
    with pytest.raises(ValueError, match="unknown freq 'X'"):
        to_period(pd.Series(["2025-01-01"]), "X")
    assert to_period(pd.Series(["28.02.2025"]), "ME").astype(str).tolist() == ["2025-02"]


def test_loader_warns_naming_file_and_column(tmp_path):
    path = tmp_path / "us.csv"
    path.write_text("recommend,Vastattu\n9,03/04/2025\n7,05/06/2025\n")
    with pytest.warns(UserWarning, match=r"us\.csv: column 'Vastattu': dates such as '03/04/2025'"):
        df = load_survey(path, columns={"Vastattu": "responded_at"})
    assert ymd(df["responded_at"]) == ["2025-04-03", "2025-06-05"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = load_survey(path, columns={"Vastattu": "responded_at"}, date_format="%m/%d/%Y")
    assert ymd(df["responded_at"]) == ["2025-03-04", "2025-05-06"]


def test_loader_date_format_from_config_and_errors(tmp_path):
    cfg = tmp_path / "survey.yml"
    cfg.write_text('columns: {}\ndate_format: "%m/%d/%Y"\n')
    path = tmp_path / "s.csv"
    path.write_text("recommend,responded_at\n9,03/04/2025\n7,13/04/2025\n8,NA\n")
    with pytest.raises(SurveyDataError) as info:
        load_survey(path, columns=str(cfg))
    assert "line 3, column 'responded_at': value '13/04/2025' is not a date in the format" in str(
        info.value
    )
    assert info.value.n_problems == 1  # "NA" is a blank date, not an error


def test_excel_dates_stay_dates():
    import datetime

    mixed = pd.Series([datetime.datetime(2025, 3, 1, 12), "2.3.2025", None], dtype=object)
    got = parse_dates(mixed)
    assert got.tolist()[:2] == [pd.Timestamp("2025-03-01 12:00"), pd.Timestamp("2025-03-02")]
    assert pd.isna(got.iloc[2])
    already = pd.Series(pd.to_datetime(["2025-01-01"]))
    assert parse_dates(already) is already


def test_many_rows_are_read_by_the_vectorised_path():
    rng = np.random.default_rng(20261201)
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, 50_000), "D")
    text = pd.Series(days.strftime("%d.%m.%Y"))
    got = parse_dates(text)
    assert (got == days).all()


def test_survey_config_date_format_reaches_the_loader(tmp_path):
    from nps_toolkit import reporting

    data = tmp_path / "us.csv"
    data.write_text("recommend,responded_at\n9,03/04/2025\n7,05/06/2025\n")
    config = tmp_path / "surveys.yml"
    config.write_text(
        "surveys:\n"
        "  - name: US export\n"
        "    data: us.csv\n"
        "    segments: []\n"
        "    drivers: []\n"
        "    wave: null\n"
        "    comment: null\n"
        "    account: null\n"
        "    invited: null\n"
        '    date_format: "%m/%d/%Y"\n'
    )
    (survey,) = reporting.load_config(config)
    assert survey.parameters["date_format"] == "%m/%d/%Y"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = reporting.load_data(
            survey.parameters["data_path"], date_format=survey.parameters["date_format"]
        )
    assert ymd(df["responded_at"]) == ["2025-03-04", "2025-05-06"]
    config.write_text(config.read_text().replace('"%m/%d/%Y"', "5"))
    with pytest.raises(reporting.ConfigError, match="date_format"):
        reporting.load_config(config)


def test_report_latest_period_reads_text_dates_like_the_trend():
    from nps_toolkit.reporting import sections

    # Q1: 1 Mar, 15 Mar, 13 Jan; Q2: 2 Apr, 28 Jun, 3 May (day-first); pandas alone
    # would put 02.04 in February and 03.05 in March
    dates = ["01.03.2025", "15.03.2025", "13.01.2025", "02.04.2025", "28.06.2025", "03.05.2025"]
    df = pd.DataFrame({"responded_at": dates, "recommend": [10, 9, 0, 10, 7, 3]})
    s = sections.Settings(min_n=3, wave=None, invited=None)
    tr = sections.trend(df, s)
    assert tr.table["n"].tolist() == [3, 3]
    rows = sections.latest_rows(df, tr, s)
    assert rows["responded_at"].tolist() == ["02.04.2025", "28.06.2025", "03.05.2025"]


def test_platform_order_reads_ambiguous_dates_month_first_without_a_warning():
    text = pd.Series(["1/2/2025 9:10:05", "3/4/2025 10:00:00"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = parse_dates(text, order="month-first")
    assert ymd(got) == ["2025-01-02", "2025-03-04"]
    # proof of day-first beats the platform's order: 13/02 cannot be month-first
    got = parse_dates(pd.Series(["13/02/2025", "1/2/2025"]), order="month-first")
    assert ymd(got) == ["2025-02-13", "2025-02-01"]
    with pytest.warns(UserWarning, match="could be day-first or month-first"):
        assert ymd(parse_dates(text)) == ["2025-02-01", "2025-04-03"]


def test_twelve_hour_clock_times_are_read():
    got = parse_dates(pd.Series(["01/15/2025 09:15:32 PM", "01/16/2025 12:01:00 AM"]))
    assert got.dt.strftime("%Y-%m-%d %H:%M:%S").tolist() == [
        "2025-01-15 21:15:32",
        "2025-01-16 00:01:00",
    ]


def test_google_forms_csv_timestamps_with_a_zone_keep_the_wall_time():
    got = parse_dates(pd.Series(["2021/03/15 10:12:33 AM GMT+2", "2021/03/16 1:02:03 PM GMT+2"]))
    assert got.dt.strftime("%Y-%m-%d %H:%M:%S").tolist() == [
        "2021-03-15 10:12:33",
        "2021-03-16 13:02:03",
    ]
