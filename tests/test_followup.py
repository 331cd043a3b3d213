"""Closing the loop: follow-up and thank-you lists on hand-made frames."""

import numpy as np
import pandas as pd
import pytest

import nps_toolkit as nps
from nps_toolkit.followup import FOLLOWUP_COLUMNS, write_followup

NOW = pd.Timestamp("2025-06-10 12:00")


@pytest.fixture
def responses():
    """Ten hand-made answers: 4 detractors, 2 passives, 3 promoters, 1 blank."""
    return pd.DataFrame(
        {
            "respondent_id": [f"r{i}" for i in range(10)],
            "recommend": [6, 3, 3, 0, 7, 8, 9, 10, 10, np.nan],
            "responded_at": pd.to_datetime(
                [
                    "2025-06-09 08:00",  # r0 detractor 6
                    "2025-06-01 09:00",  # r1 detractor 3, older
                    "2025-06-08 09:00",  # r2 detractor 3, newer
                    "2025-06-05 10:00",  # r3 detractor 0
                    "2025-06-09 11:00",  # r4 passive 7
                    "2025-06-10 07:00",  # r5 passive 8
                    "2025-06-02 12:00",  # r6 promoter 9
                    "2025-06-03 12:00",  # r7 promoter 10
                    "2025-06-04 12:00",  # r8 promoter 10, newer
                    "2025-06-04 12:00",  # r9 blank score
                ]
            ),
            "email": [
                "r0@x.fi",
                None,
                "r2@x.fi",
                "   ",
                "r4@x.fi",
                "r5@x.fi",
                "r6@x.fi",
                "",
                "r8@x.fi",
                "r9@x.fi",
            ],
            "comment": ["slow", None, "price", "bad", "ok", "fine", "good", "great", "", "?"],
            "account_id": list("AABBCCDDEE"),
        }
    )


def test_detractors_lowest_score_first_then_most_recent(responses):
    out = nps.followup_list(responses, now=NOW)
    # scores 0, 3, 3, 6; the two 3s: r2 (June 8) is more recent than r1 (June 1)
    assert out["respondent_id"].tolist() == ["r3", "r2", "r1", "r0"]
    assert out["score"].tolist() == [0, 3, 3, 6]
    assert (out["category"] == "detractor").all()
    assert list(out.columns) == FOLLOWUP_COLUMNS


def test_passives_only_when_asked(responses):
    without = nps.followup_list(responses, now=NOW)
    assert "passive" not in set(without["category"])
    with_passives = nps.followup_list(responses, include_passives=True, now=NOW)
    assert with_passives["respondent_id"].tolist() == ["r3", "r2", "r1", "r0", "r4", "r5"]
    assert with_passives["category"].tolist()[-2:] == ["passive", "passive"]


def test_due_by_and_overdue_arithmetic(responses):
    out = nps.followup_list(responses, within_hours=48, now=NOW).set_index("respondent_id")
    # r0 answered June 9 08:00 -> due June 11 08:00, not overdue at June 10 12:00
    assert out.loc["r0", "due_by"] == pd.Timestamp("2025-06-11 08:00")
    assert not out.loc["r0", "overdue"]
    # r2 answered June 8 09:00 -> due June 10 09:00, three hours overdue
    assert out.loc["r2", "due_by"] == pd.Timestamp("2025-06-10 09:00")
    assert out.loc["r2", "overdue"]
    short = nps.followup_list(responses, within_hours=1.5, now=NOW).set_index("respondent_id")
    assert short.loc["r0", "due_by"] == pd.Timestamp("2025-06-09 09:30")
    # due exactly now is not yet overdue
    edge = nps.followup_list(responses, within_hours=28, now=NOW).set_index("respondent_id")
    assert edge.loc["r0", "due_by"] == NOW and not edge.loc["r0", "overdue"]


def test_no_contact_rows_are_kept_flagged_and_counted(responses):
    out = nps.followup_list(responses, now=NOW).set_index("respondent_id")
    # r1 has no e-mail, r3 only blanks: both stay on the list, flagged
    assert set(out.index) == {"r0", "r1", "r2", "r3"}
    assert out["no_contact"].to_dict() == {"r3": True, "r2": False, "r1": True, "r0": False}
    assert out.attrs["no_contact"] == 2
    assert out.attrs["n_listed"] == 4
    assert out.attrs["excluded_blank"] == 1  # r9's blank score is nobody's category


def test_thank_list_has_only_promoters(responses):
    out = nps.thank_list(responses, now=NOW)
    assert set(out["category"]) == {"promoter"}
    # highest score first, then most recent: r8 (10, June 4), r7 (10, June 3), r6 (9)
    assert out["respondent_id"].tolist() == ["r8", "r7", "r6"]
    assert out.attrs["no_contact"] == 1  # r7 has an empty e-mail


def test_extra_columns_and_blank_times(responses):
    df = responses.copy()
    df.loc[0, "responded_at"] = pd.NaT
    out = nps.followup_list(df, extra_columns=["account_id"], now=NOW)
    assert out["account_id"].tolist() == ["B", "B", "A", "A"]
    # r0 has no time: listed last among equal scores, due_by and overdue unknown
    last = out.iloc[-1]
    assert last["respondent_id"] == "r0" and pd.isna(last["due_by"]) and pd.isna(last["overdue"])


def test_time_zones(responses):
    df = responses.assign(responded_at=responses["responded_at"].dt.tz_localize("Europe/Helsinki"))
    out = nps.followup_list(df, now=pd.Timestamp("2025-06-10 09:00", tz="UTC"))
    r2 = out.set_index("respondent_id").loc["r2"]
    assert str(r2["due_by"].tz) == "Europe/Helsinki"
    # due 09:00 Helsinki = 06:00 UTC, so overdue at 09:00 UTC
    assert r2["overdue"]


def test_bad_input_is_named(responses):
    with pytest.raises(KeyError, match="phone"):
        nps.followup_list(responses, contact="phone")
    bad = responses.assign(recommend=responses["recommend"].replace(10, 11))
    with pytest.raises(ValueError, match="0 to 10"):
        nps.followup_list(bad)
    bad_time = responses.astype({"responded_at": object})
    bad_time.loc[4, "responded_at"] = "yesterday-ish"
    with pytest.raises(ValueError, match=r"'yesterday-ish' at row\(s\) \[4\]"):
        nps.followup_list(bad_time)
    with pytest.raises(ValueError, match="within_hours"):
        nps.followup_list(responses, within_hours=-1)


def test_without_comment_column(responses):
    out = nps.followup_list(responses.drop(columns="comment"), now=NOW)
    assert out["comment"].isna().all() and out["themes"].isna().all()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_write_followup_round_trip(responses, tmp_path, suffix):
    df = responses.copy()
    df.loc[2, "comment"] = '=HYPERLINK("http://evil")'  # must stay text in Excel
    out = nps.followup_list(df, include_passives=True, extra_columns=["account_id"], now=NOW)
    path = write_followup(out, tmp_path / f"sub/list{suffix}")
    assert path.exists()
    if suffix == ".csv":
        back = pd.read_csv(path, parse_dates=["responded_at", "due_by"])
    else:
        back = pd.read_excel(path)
    assert list(back.columns) == list(out.columns)
    assert back["respondent_id"].tolist() == out["respondent_id"].tolist()
    assert back["score"].tolist() == out["score"].tolist()
    assert back["no_contact"].tolist() == out["no_contact"].tolist()
    assert back["overdue"].tolist() == out["overdue"].tolist()
    assert (back["due_by"] == out["due_by"]).all()
    # one rule for both (the toolkit's export helper): the apostrophe keeps a
    # spreadsheet from running it, also after the workbook is saved as CSV
    assert back["comment"].tolist()[1] == '\'=HYPERLINK("http://evil")'
    if suffix == ".xlsx":  # and it is stored as a text cell, never a formula
        import openpyxl

        sheet = openpyxl.load_workbook(path)["followup"]
        cells = [c for row in sheet.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        assert sheet.freeze_panes == "A2"
    assert back["contact"].fillna("").tolist() == out["contact"].fillna("").tolist()


def test_csv_export_defuses_every_formula_start(tmp_path):
    lst = pd.DataFrame(
        {
            "comment": ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "ok", None, "-5"],
            "contact": ["+358 40 123 4567", "a@x.fi", "", None, "b@x.fi", "c@x.fi", "d@x.fi"],
            "score": [1, 2, 3, 4, 5, 6, 6],
        }
    )
    path = write_followup(lst, tmp_path / "l.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert back["comment"].tolist() == [
        "'=1+1",
        "'+cmd|' /C calc'!A0",
        "'-2+3",
        "'@SUM(A1)",
        "ok",
        "",
        "-5",  # a plain number is not a formula
    ]
    assert back["contact"].tolist()[:2] == ["'+358 40 123 4567", "a@x.fi"]
    assert back["score"].tolist() == ["1", "2", "3", "4", "5", "6", "6"]
    assert lst["comment"].iloc[0] == "=1+1"  # the list itself is not changed


def test_write_followup_rejects_unknown_extension(tmp_path):
    with pytest.raises(ValueError, match=r"\.csv or \.xlsx"):
        write_followup(pd.DataFrame({"a": [1]}), tmp_path / "list.json")


def test_survey_without_contact_column_flags_everyone(responses):
    out = nps.followup_list(responses.drop(columns="email"), contact=None, now=NOW)
    assert out["respondent_id"].tolist() == ["r3", "r2", "r1", "r0"]
    assert out["no_contact"].all() and out.attrs["no_contact"] == 4


def test_public_sudzilla_survey(public_data):
    df = pd.read_csv(public_data / "prepbench_case040_sudzilla_survey.csv")
    question = "On a scale of 0-10, how would you rate Sudzilla?"
    out = nps.followup_list(
        df,
        score=question,
        responded_at="Timestamp",
        contact=None,
        comment="...why?",
        id_column=None,
        now=pd.Timestamp("2019-11-02 12:00"),
    )
    scores = pd.to_numeric(df[question])
    assert len(out) == (scores <= 6).sum()
    assert out["score"].is_monotonic_increasing
    # within each score, the most recent answer first
    for _, g in out.groupby("score"):
        assert g["responded_at"].is_monotonic_decreasing
    # the index is the respondent id: each listed row points back to its answer
    np.testing.assert_array_equal(scores.loc[out["respondent_id"]], out["score"])
    assert out.attrs["no_contact"] == len(out)


def test_themes_name_what_each_comment_mentions(responses):
    df = responses.copy()
    df.loc[3, "comment"] = "Viestinnässä on parannettavaa."  # Finnish, inflected
    df.loc[2, "comment"] = "Great support, fair price"
    df.loc[0, "comment"] = "   "
    out = nps.followup_list(df, now=NOW).set_index("respondent_id")
    assert out.attrs["themes"] is True
    assert out.loc["r3", "themes"] == "communication"
    assert out.loc["r2", "themes"] == "price, support"
    assert pd.isna(out.loc["r1", "themes"]) and pd.isna(out.loc["r0", "themes"])


def test_dotted_finnish_times_are_day_first():
    # 01.03.2025 is the 1st of March (pandas alone would read January 3rd)
    df = pd.DataFrame(
        {
            "respondent_id": ["a", "b"],
            "recommend": [3, 3],
            "email": ["a@x.fi", "b@x.fi"],
            "responded_at": ["01.03.2025 10:00", "13.03.2025 09:00"],
        }
    )
    out = nps.followup_list(df, now=pd.Timestamp("2025-03-14 12:00"))
    assert out["respondent_id"].tolist() == ["b", "a"]  # most recent first
    assert out["due_by"].tolist() == [
        pd.Timestamp("2025-03-15 09:00"),
        pd.Timestamp("2025-03-03 10:00"),
    ]
    assert out["overdue"].tolist() == [False, True]


def test_contact_details_only_in_the_contact_lists():
    from nps_toolkit.datasets import example_survey
    from nps_toolkit.themes import tag_themes, theme_impact, theme_quotes

    df = example_survey("b2b-annual", seed=0)
    emails = set(df["email"].dropna())
    calls = nps.followup_list(df, now=pd.Timestamp("2026-01-01"))
    thanks = nps.thank_list(df, now=pd.Timestamp("2026-01-01"))
    # the lists carry the contact of every listed respondent who left one
    for lst in (calls, thanks):
        listed = df.set_index("respondent_id").loc[lst["respondent_id"], "email"]
        assert lst["contact"].tolist() == listed.tolist()
        assert lst.attrs["personal_data"] is True
    assert len(calls) + len(thanks) > 100
    # the analysis outputs a report shows carry none: no address, no "@"
    tags = tag_themes(df["comment"])
    outputs = [
        tags,
        theme_impact(df, tags, n_resamples=50, rng=1),
        theme_quotes(df, tags, per_group=20, rng=1),
        nps.summarize(df, by="region"),
    ]
    for out in outputs:
        text = [str(cell) for cell in out.to_numpy().ravel()]
        assert not any("@" in cell for cell in text)
        assert not emails & set(text)


def test_misspelled_column_suggests_the_closest(responses):
    with pytest.raises(ValueError, match=r"'respondedat' not in the data; did you mean "
                       r"'responded_at'\?"):  # fmt: skip
        nps.followup_list(responses, responded_at="respondedat", contact=None)


# --- through the command line ---------------------------------------------------------


@pytest.fixture
def contact_config(tmp_path):
    import yaml

    pd.DataFrame(
        {
            "respondent_id": ["00123", "00456", "789"],
            "recommend": [2, 5, 10],
            "responded_at": ["2025-01-02", "2025-01-03", "2025-01-03"],
            "phone": ["+358401234567", "040 123 4567", "+358409999999"],
            "comment": ["Call me 040\u00a0123\u00a04567 or matti(at)firma.fi", "too slow", "ok"],
        }
    ).to_csv(tmp_path / "s.csv", index=False)
    (tmp_path / "surveys.yml").write_text(
        yaml.safe_dump({"surveys": [{"name": "S", "data": "s.csv"}]}), encoding="utf-8"
    )
    return tmp_path


def test_followup_without_contact_redacts_the_comments(contact_config, capsys):
    from nps_toolkit.cli import main

    out = contact_config / "list.csv"
    argv = ["followup", "S", "--config", str(contact_config / "surveys.yml"), "--contact", ""]
    assert main([*argv, "--out", str(out)]) == 0, capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    assert "Call me [phone] or [email]" in text
    assert "123" not in text.replace("00123", "") and "matti" not in text
    # with the contact column asked for, the list is the one place contact details go
    assert main([*argv[:-1], "phone", "--out", str(out)]) == 0
    assert "matti(at)firma.fi" in out.read_text(encoding="utf-8")


def test_followup_csv_keeps_ids_and_phone_numbers_as_excel_text(contact_config, capsys):
    from nps_toolkit.cli import main

    out = contact_config / "list.csv"
    argv = ["followup", "S", "--config", str(contact_config / "surveys.yml"), "--contact", "phone"]
    assert main([*argv, "--out", str(out)]) == 0, capsys.readouterr().err
    lines = out.read_text(encoding="utf-8").splitlines()
    # Excel's text constant: shown as 00123 and +358401234567, never 123 or 3.58E+11
    assert lines[1].startswith('"=""00123""",2,detractor,"=""+358401234567""",'), lines[1]
    assert lines[2].startswith('"=""00456""",5,detractor,040 123 4567,'), lines[2]
    # an .xlsx list holds them as text cells
    import openpyxl

    assert main([*argv, "--out", str(contact_config / "l.xlsx")]) == 0
    sheet = openpyxl.load_workbook(contact_config / "l.xlsx")["followup"]
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("00123", "s")
