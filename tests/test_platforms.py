"""Survey platforms' exports loaded as they come (nps_toolkit/data/_layouts.py).

The files in tests/data/platforms/ are written by make_platforms.py from each
platform's documented export layout; every one holds the same ten answers
(10 10 9 9 8 7 6 3 0 10: 5 promoters, 3 detractors, NPS 20, counted by hand).
"""

import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nps_toolkit as nps
from nps_toolkit.data import SurveyDataError, load_survey

PLATFORMS = Path(__file__).resolve().parent / "data" / "platforms"
QUESTION = "How likely are you to recommend Acme to a friend or colleague?"
NPS = 20.0  # (5 promoters - 3 detractors) / 10 answers


def load(name, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "the score is column ..."
        return load_survey(PLATFORMS / name, **kwargs)


@pytest.mark.parametrize(
    ("name", "layout", "header_rows", "score_column"),
    [
        ("qualtrics.csv", "qualtrics", 3, "Q1"),
        ("qualtrics.tsv", "qualtrics", 3, "Q1"),
        ("qualtrics_choice_text.csv", "qualtrics", 3, "Q1"),
        ("qualtrics_repeated_tags.csv", "qualtrics", 3, "Q1"),
        ("qualtrics_legacy.csv", "qualtrics-legacy", 2, "Q1"),
        ("surveymonkey.csv", "surveymonkey", 2, QUESTION),
        ("surveymonkey.xlsx", "surveymonkey", 2, QUESTION),
        ("google_forms.csv", "google-forms", 1, QUESTION),
        ("microsoft_forms.xlsx", "microsoft-forms", 1, QUESTION),
        ("typeform.csv", "typeform", 1, QUESTION),
        ("formbricks.csv", "formbricks", 1, QUESTION),
        (
            "kobotoolbox.csv",
            "kobotoolbox",
            2,
            "How likely are you to recommend this clinic? (0-10)",
        ),
        ("odk_central.csv", "odk", 1, "nps"),
        ("limesurvey.csv", "limesurvey", 1, f"NPS1. {QUESTION}"),
    ],
)
def test_each_platform_loads_with_no_options(name, layout, header_rows, score_column):
    with pytest.warns(UserWarning, match="the score is column"):
        df = load_survey(PLATFORMS / name)
    assert (df.attrs["layout"], df.attrs["header_rows"]) == (layout, header_rows)
    assert df.attrs["score_found"]["column"] == score_column
    assert len(df) == 10 and df.attrs["n_answered"] == 10
    assert nps.nps(df["recommend"]) == NPS
    # the header rows are not respondents, and rows are named by their line in the file
    if name.endswith(".csv"):
        assert df.attrs["row_label"] == "line"


def test_qualtrics_keeps_question_texts_and_platform_columns():
    df = load("qualtrics.csv")
    labels = df.attrs["column_labels"]
    assert labels["recommend"] == QUESTION and labels["Q1"] == QUESTION
    assert labels["Q2"] == "What is the main reason for your score?"
    assert labels["Q3_2"] == "How satisfied are you with... - Price"
    assert df.attrs["score_found"]["why"].startswith("Qualtrics marks it as an NPS question")
    # ResponseId and RecordedDate copied to the canonical id and answer time
    assert df["respondent_id"].iloc[0] == "R_000000000000001"
    assert df["responded_at"].iloc[0] == pd.Timestamp("2025-03-01 09:03:00")
    # and the one "why" question is the comment
    assert df.attrs["platform_columns"] == {
        "ResponseId": "respondent_id",
        "RecordedDate": "responded_at",
        "Q2": "comment",
    }
    assert df["comment"].iloc[0] == "Great service"
    assert labels["comment"] == "What is the main reason for your score?"


def test_qualtrics_errors_name_the_line_of_the_file():
    text = (PLATFORMS / "qualtrics.csv").read_text(encoding="utf-8").splitlines()
    # line 5 is the second respondent (three header lines): its score becomes "eleven"
    cells = text[4].split(",")
    cells[11] = "eleven"
    text[4] = ",".join(cells)
    with pytest.raises(SurveyDataError) as info:
        load_survey(io.StringIO("\n".join(text) + "\n"), columns={"Q1": "recommend"})
    (p,) = info.value.problems
    assert (p.row, p.column, p.value) == (5, "Q1", "eleven")


def test_choice_text_labels_are_read_as_their_numbers():
    df = load("qualtrics_choice_text.csv")
    assert df["recommend"].tolist() == [10, 10, 9, 9, 8, 7, 6, 3, 0, 10]
    assert df.attrs["score_labels_read"] == 4  # "10 - Extremely likely" x3, "0 - Not at all likely"


@pytest.mark.parametrize(
    "answers",
    [
        ["10 - Extremely likely", "0 = Ei lainkaan todennäköistä", "10 (Erittäin todennäköisesti)"],
        ["10: very likely", "0 – not at all", "10 - Extremely likely"],
    ],
)
def test_labelled_answers_in_any_language_read_as_numbers(answers):
    text = "recommend\n" + "\n".join(f'"{a}"' for a in answers) + "\n"
    assert load_survey(io.StringIO(text))["recommend"].tolist() == [10, 0, 10]


def test_repeated_export_tags_are_suffixed_and_refused_only_when_used():
    df = load("qualtrics_repeated_tags.csv")
    assert df.attrs["repeated_names"] == {"Q3": ["Q3", "Q3.2"]}
    assert df.attrs["column_labels"]["Q3.2"] == "How satisfied are you with the price?"
    with pytest.raises(SurveyDataError, match=r"column 'Q3' is the name of 2 columns"):
        load("qualtrics_repeated_tags.csv", recode={"Q3": 0})
    assert load("qualtrics_repeated_tags.csv", recode={"Q3.2": 0})["Q3.2"].notna().all()


def test_surveymonkey_names_fill_forward_and_dates_are_month_first():
    df = load("surveymonkey.csv")
    assert "Which products do you use? - Product B" in df.columns
    assert "Which products do you use? - Other (please specify)" in df.columns
    assert df.attrs["column_labels"]["Which products do you use? - Product B"] == (
        "Which products do you use?"
    )
    # 02/01/2025 ... 10/02/2025: every day and month <= 12, read as the platform writes them
    assert df["responded_at"].dt.month.tolist() == list(range(1, 11))
    assert (df["responded_at"].dt.day == 2).all()
    assert df["responded_at"].iloc[0] == pd.Timestamp("2025-01-02 09:19:32")


def test_google_forms_ambiguous_dates_are_warned_about_not_guessed():
    # a Google sheet writes dates in its own locale: 1/2/2025 is 1 Feb in the UK, 2 Jan in the US
    with pytest.warns(UserWarning, match="could be day-first or month-first"):
        df = load_survey(PLATFORMS / "google_forms.csv")
    assert any("could be day-first" in w for w in df.attrs["load_warnings"])
    df = load("google_forms.csv", date_format="%m/%d/%Y")
    assert df["responded_at"].dt.month.tolist() == list(range(1, 11))


def test_ambiguous_dates_warning_is_kept_with_the_data():
    text = "recommend,responded_at\n9,01/02/2025\n7,03/04/2025\n"
    with pytest.warns(UserWarning, match="could be day-first or month-first"):
        df = load_survey(io.StringIO(text))
    assert any("could be day-first" in w for w in df.attrs["load_warnings"])


def test_unrecognised_two_row_header_needs_header_rows():
    text = "id,rec,region\nVastaaja,Suosittelisitko meitä? (0-10),Alue\nB1,10,N\nB2,6,S\n"
    with pytest.raises(SurveyDataError, match="header_rows=2"):
        load_survey(io.StringIO(text), columns={"rec": "recommend"})
    df = load_survey(io.StringIO(text), columns={"rec": "recommend"}, header_rows=2)
    assert df["recommend"].tolist() == [10, 6]
    assert df.attrs["layout"] == "header_rows=2"
    assert df.attrs["column_labels"]["recommend"] == "Suosittelisitko meitä? (0-10)"
    with pytest.raises(SurveyDataError) as info:  # lines stay the file's
        load_survey(io.StringIO(text.replace("B2,6", "B2,66")), header_rows=2, score="rec")
    assert info.value.problems[0].row == 4


def test_several_candidates_are_listed_not_guessed(public_data):
    # Sudzilla: three "On a scale of 0-10" questions, none says "recommend"
    with pytest.raises(SurveyDataError) as info:
        load_survey(public_data / "prepbench_case040_sudzilla_survey.csv")
    message = str(info.value)
    assert "3 columns could be the 0-10 likelihood-to-recommend answer" in message
    assert "'On a scale of 0-10, how would you rate Sudzilla?'" in message
    assert "nps-toolkit inspect" in message


def test_na_values_are_blanked_and_counted():
    text = "recommend,region\n10,N\nDon't know,S\n3,N\n"
    df = load_survey(io.StringIO(text), na_values=["Don't know"])
    assert df.attrs["excluded_blank"] == 1 and df.attrs["na_values_blanked"] == {"recommend": 1}


# ----------------------------------------------------------------- the scale


def test_a_1_to_5_column_is_never_read_as_0_to_10_silently():
    with pytest.raises(SurveyDataError) as info:
        load_survey(PLATFORMS / "scale_1_to_5.csv")
    message = str(info.value)
    assert "column 'recommend': its 25 answers only span 1-5" in message
    assert "likely a 1-5 rating" in message and "scale='0-10'" in message
    # said explicitly, it is read as 0-10 (every answer a detractor)
    df = load_survey(PLATFORMS / "scale_1_to_5.csv", scale="0-10")
    assert df.attrs["n_answered"] == 25 and df["recommend"].max() == 5


def test_a_1_to_10_column_is_warned_about_with_the_1_to_11_recode():
    scores = [1] * 6 + [5, 7, 8, 9, 10] * 4
    text = "recommend\n" + "\n".join(map(str, scores)) + "\n"
    with pytest.warns(UserWarning) as rec:
        load_survey(io.StringIO(text))
    message = " ".join(str(w.message) for w in rec)
    assert "likely a 1-10 rating" in message and "recode={'recommend': -1}" in message


def test_statistics_warn_on_a_short_scale():
    rng = np.random.default_rng(20261206)
    five = rng.integers(1, 6, size=40)
    five[0] = 5
    with pytest.warns(UserWarning, match="only span 1-5"):
        nps.nps(five)
    with pytest.warns(UserWarning, match="only span 1-5"):
        nps.nps_interval(five)
    with pytest.warns(UserWarning, match=r"recommend: its 40 answers only span 1-5"):
        nps.summarize(pd.DataFrame({"recommend": five}))
    # a real 0-10 sample: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nps.nps(rng.integers(0, 11, size=200))


@pytest.mark.parametrize(
    ("scores", "scale"),
    [
        ([1, 2, 3, 4, 5] * 4, (1, 5)),
        ([1, 2, 3, 4, 5] * 3, None),  # 15 answers: too few to tell
        ([2, 3, 4, 5, 6, 7] * 4, (1, 7)),
        ([0, 1, 2, 3, 4, 5] * 4, None),  # a 0: the scale starts at 0
        ([1] * 4 + [9, 10] * 10, None),  # four 1s and no 0: could be chance
        ([1] * 5 + [9, 10] * 10, (1, 10)),
    ],
)
def test_likely_scale(scores, scale):
    from nps_toolkit._validation import likely_scale

    assert likely_scale(scores) == scale


# ------------------------------------------------------------ the whole report


def test_render_of_platform_exports_with_only_name_and_data(tmp_path, capsys):
    """A Qualtrics and a SurveyMonkey export rendered from entries with name: and data: only."""
    import html
    import shutil

    from nps_toolkit.cli import main

    for name in ("qualtrics.csv", "surveymonkey.csv", "google_forms.csv"):
        shutil.copy(PLATFORMS / name, tmp_path / name)
    config = tmp_path / "surveys.yml"
    config.write_text(
        "surveys:\n"
        "  - name: Qualtrics export\n    data: qualtrics.csv\n"
        "  - name: SurveyMonkey export\n    data: surveymonkey.csv\n"
        "  - name: Forms\n    data: google_forms.csv\n",  # dates day- or month-first
        encoding="utf-8",
    )
    argv = ["render", "--no-progress", "--config", str(config), "--output", str(tmp_path / "out")]
    assert main(argv) == 0
    # the loader's notes are in the closing lines too
    out, err = capsys.readouterr()
    assert (
        "nps-toolkit render: note: Qualtrics export: qualtrics.csv: the score is column 'Q1'" in err
    )
    assert (
        "nps-toolkit render: note: Forms: google_forms.csv: column 'Timestamp': dates such as "
        "'1/2/2025 9:10:05' could be day-first or month-first; read day-first" in err
    )
    # and in the result table, on the survey's own row (unchanged reports keep theirs)
    for status in ("ok", "unchanged"):
        rows = out.splitlines()
        assert rows[0].split() == ["survey", "status", "seconds", "output", "notes"], out
        (row,) = [r for r in rows if r.lstrip().startswith("Qualtrics export")]
        assert f" {status} " in row and row.endswith(
            " the score is column 'Q1' ('How likely are you to recommend…"
        )
        (row,) = [r for r in rows if r.lstrip().startswith("SurveyMonkey export")]
        assert row.endswith(" the score is column 'How likely are you to recommend Acme t…")
        (row,) = [r for r in rows if r.lstrip().startswith("Forms")]
        assert row.endswith(
            " 2 notes: the score is column 'How likely are you to recommend Acme t…"
        )
        if status == "ok":
            assert main(argv) == 0
            out, err = capsys.readouterr()
    for slug in ("qualtrics-export", "surveymonkey-export"):
        folder = tmp_path / "out" / slug
        overall = pd.read_csv(folder / "summary.csv").query("table == 'overall'").iloc[0]
        assert (overall["n"], overall["nps"]) == (10, NPS)
        page = html.unescape((folder / "report.html").read_text(encoding="utf-8"))
        assert f'answered "{QUESTION}"' in page.replace("<em>", "").replace("</em>", "")
        assert "recommend us to a friend or colleague" not in page  # not the generic question
        assert "What is the main reason for your score?" in page
        # the loader's notes are in the appendix, without the analyst's folders
        assert "notes from the loader" in page or "note(s) from the loader" in page
        assert "the score is column" in page and str(tmp_path) not in page


# ------------------------------------------------------------ inspect and config


def test_inspect_shows_layout_questions_score_and_an_entry(capsys):
    import yaml

    from nps_toolkit.cli import main

    assert main(["inspect", str(PLATFORMS / "qualtrics.csv")]) == 0
    out = capsys.readouterr().out
    assert "layout: Qualtrics export" in out and "rows: 10 (lines 4-13)" in out
    assert f"Q1  \u2014 {QUESTION}  [whole numbers 0-10, 10 answers]" in out
    assert "score: column 'Q1', because Qualtrics marks it as an NPS question" in out
    assert "NPS of all answers: 20.0" in out
    assert "dates: column 'RecordedDate', 2025-03-01 09:03:00 to 2025-03-10 09:03:00" in out
    entry = yaml.safe_load(out.split("surveys.yml entry to paste:\n")[1])
    assert entry == [
        {
            "name": "qualtrics",
            "data": str(PLATFORMS / "qualtrics.csv"),
            "segments": ["Q4"],
            "drivers": ["Q3_1", "Q3_2"],
        }
    ]


def test_inspect_lists_score_candidates(public_data, capsys):
    from nps_toolkit.cli import main

    assert main(["inspect", str(public_data / "prepbench_case040_sudzilla_survey.csv")]) == 0
    out = capsys.readouterr().out
    assert "score: 3 candidates (its question names the 0-10 scale)" in out
    assert "      On a scale of 0-10, how would you rate Sudzilla?: recommend" in out


def test_inspect_tries_the_fix_its_error_names_and_marks_it_a_guess(public_data, tmp_path, capsys):
    """A score column under another name (REC) and a 0-10 scale coded 1-11: inspect
    reads the file with the fix the load error names, and the entry carries it,
    marked as a guess; the entry then loads as a config."""
    import yaml

    from nps_toolkit.cli import main

    entries = []
    rocks = {"columns": {"REC": "recommend", "date": "responded_at"}}
    for name, said, guess, notes in [
        ("rocks_NPS_R_testdata.csv", "columns={'REC': 'recommend'}", rocks,
         ["'REC' read as the 0-10 recommend question", "'date' read as the answer time"]),
        ("mkt4320bgsu_airlinesat_mooi_sarstedt.csv", "recode={'nps': -1}",
         {"recode": {"nps": -1}}, ["'nps' runs 1-11 and is shifted to 0-10"]),
    ]:  # fmt: skip
        assert main(["inspect", str(public_data / name)]) == 0
        out = capsys.readouterr().out
        assert f"load_survey with {said} (a guess: check it):" in out
        text = out.split("surveys.yml entry to paste:\n")[1]
        assert text.splitlines()[: len(notes)] == [f"  # a guess to check: {n}" for n in notes]
        (entry,) = yaml.safe_load(text)
        assert {k: entry[k] for k in guess} == guess
        entries.append(entry)
    # the one column of dates in a file with no answer time named: trends need it
    assert (
        "dates: column 'date' holds dates: the entry reads it as the answer time"
        in (
            main(["inspect", str(public_data / "rocks_NPS_R_testdata.csv")]),
            capsys.readouterr().out,
        )[1]
    )
    (tmp_path / "surveys.yml").write_text(yaml.safe_dump({"surveys": entries}))
    assert main(["check", "--config", str(tmp_path / "surveys.yml")]) == 0
    assert "2 survey(s) checked, no problems found" in capsys.readouterr().out


def test_inspect_offers_worded_ratings_as_drivers_with_their_recode(public_data, tmp_path, capsys):
    """The shopping survey rates goods, service ... as "Very bad" to "Very good": the entry
    had no drivers, so the report had no driver analysis."""
    import yaml

    from nps_toolkit.cli import main

    path = public_data / "ezrsurvey_shopping_survey.csv"
    assert main(["inspect", str(path)]) == 0
    text = capsys.readouterr().out.split("surveys.yml entry to paste:\n")[1]
    assert text.startswith("  # a guess to check: 'ratings_goods', 'ratings_service',")
    (entry,) = yaml.safe_load(text)
    rated = ["ratings_goods", "ratings_service", "ratings_credit", "ratings_delivery",
             "ratings_value"]  # fmt: skip
    assert entry["drivers"] == rated
    words = {"Very bad": 1, "Bad": 2, "Ok": 3, "Good": 4, "Very good": 5}
    assert entry["recode"] == {c: words for c in rated}
    assert "visit_frequency" not in entry["recode"]  # "Never" ... "Always" rates nothing
    (tmp_path / "surveys.yml").write_text(yaml.safe_dump({"surveys": [entry]}))
    assert main(["check", "--config", str(tmp_path / "surveys.yml")]) == 0


def test_inspect_names_the_comment_written_beside_the_score(public_data, tmp_path, capsys):
    """podracing asks "nps_com" after "nps_value" and "show_com" after another question:
    the entry takes the comment named like the score, as a guess; with no such name, none."""
    import yaml

    from nps_toolkit.cli import main

    assert main(["inspect", str(public_data / "ezrsurvey_podracing_survey.csv")]) == 0
    text = capsys.readouterr().out.split("surveys.yml entry to paste:\n")[1]
    assert "  # a guess to check: 'nps_com' read as the comment (named like the score)" in text
    assert yaml.safe_load(text)[0]["comment"] == "nps_com"
    words = ["too slow", "friendly", "cheap", "far away"] * 5
    pd.DataFrame(
        {"recommend": [i % 11 for i in range(20)], "q1_com": words, "q2_com": words[::-1]}
    ).to_csv(tmp_path / "s.csv", index=False)
    assert main(["inspect", str(tmp_path / "s.csv")]) == 0
    text = capsys.readouterr().out.split("surveys.yml entry to paste:\n")[1]
    assert "comment" not in yaml.safe_load(text)[0] and "read as the comment" not in text


def test_inspect_reads_dont_know_beside_worded_ratings_as_no_answer(tmp_path, capsys):
    import yaml

    from nps_toolkit.cli import main

    words = ["Very bad", "Bad", "Ok", "Good", "Very good", "Don't know"]
    pd.DataFrame(
        {"recommend": [i % 11 for i in range(60)], "rate_a": [words[i % 6] for i in range(60)]}
    ).to_csv(tmp_path / "s.csv", index=False)
    assert main(["inspect", str(tmp_path / "s.csv")]) == 0
    text = capsys.readouterr().out.split("surveys.yml entry to paste:\n")[1]
    assert """  # a guess to check: "Don't know" read as no answer (in every column)""" in text
    (entry,) = yaml.safe_load(text)
    assert entry["na_values"] == ["Don't know"] and entry["drivers"] == ["rate_a"]
    (tmp_path / "surveys.yml").write_text(yaml.safe_dump({"surveys": [entry]}))
    assert main(["check", "--config", str(tmp_path / "surveys.yml")]) == 0


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["Good", "bad", "Very good", None, " Ok "], {"bad": 2, "Ok": 3, "Good": 4, "Very good": 5}),
        (["Tyytyväinen", "Erittäin tyytymätön", "Tyytymätön"],
         {"Erittäin tyytymätön": 1, "Tyytymätön": 2, "Tyytyväinen": 4}),
        (["Never", "Often", "Always"], None),  # a frequency, not a rating
        (["Good", "Bad"], None),  # two words: a yes/no, not a scale
        (["Good", "Bad", "Ok", "Great"], None),  # a word of no scale
        (["Good", "Bad", "Ok", "Don't know"], {"Bad": 2, "Ok": 3, "Good": 4}),  # rates nothing
        (["Hyvä", "Huono", "En osaa sanoa"], None),  # two words of a scale
    ],
)  # fmt: skip
def test_verbal_scales(words, expected):
    from nps_toolkit.data._inspect import _verbal_scale

    assert _verbal_scale(pd.Series(words)) == expected


def test_inspect_of_an_unknown_two_row_header_suggests_header_rows(tmp_path, capsys):
    from nps_toolkit.cli import main

    path = tmp_path / "two.csv"
    path.write_text("id,rec\nVastaaja,Suosittelisitko meitä? (0-10)\nB1,10\nB2,6\n")
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "header_rows=2" in out and "load_survey with header_rows=2 (a guess: check it):" in out
    entry = out.split("surveys.yml entry to paste:\n")[1]
    assert entry.splitlines()[0].startswith("  # a guess to check: the row under the column names")
    assert "    header_rows: 2" in entry.splitlines()
    assert main(["inspect", str(path), "--header-rows", "2"]) == 0
    assert "rec  \u2014 Suosittelisitko meitä? (0-10)" in capsys.readouterr().out


def test_load_errors_point_to_inspect(capsys):
    from nps_toolkit.cli import main

    path = PLATFORMS / "scale_1_to_5.csv"
    assert main(["summarize", str(path)]) == 2
    err = capsys.readouterr().err
    assert "only span 1-5" in err and f"hint: nps-toolkit inspect {path} shows how" in err


def test_load_options_given_in_a_surveys_yml_entry(tmp_path):
    from nps_toolkit.reporting import load_config, load_data

    (tmp_path / "two.csv").write_text(
        "id,rec,region\nVastaaja,Suosittelisitko meitä? (0-10),Alue\n"
        "B1,Erittäin,N\nB2,Ei lainkaan,S\nB3,EOS,N\nB4,Erittäin,S\n",
        encoding="utf-8",
    )
    (tmp_path / "surveys.yml").write_text(
        "surveys:\n  - name: Two rows\n    data: two.csv\n    header_rows: 2\n"
        "    recode: {rec: {Ei lainkaan: 0, Erittäin: 10}}\n    na_values: [EOS]\n"
        "    columns: {rec: recommend}\n",
        encoding="utf-8",
    )
    (survey,) = load_config(tmp_path / "surveys.yml")
    p = survey.parameters
    df = load_data(
        p["data_path"],
        columns=p["columns"],
        load_options={k: p[k] for k in ("recode", "header_rows", "na_values", "scale")},
    )
    assert df["recommend"].tolist()[:2] == [10, 0] and df.attrs["excluded_blank"] == 1
    assert df.attrs["column_labels"]["recommend"] == "Suosittelisitko meitä? (0-10)"
    bad = tmp_path / "bad.yml"
    bad.write_text("surveys:\n  - name: x\n    data: two.csv\n    scale: 1-5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="key 'scale' must be '0-10'"):
        load_config(bad)


@pytest.mark.parametrize(
    ("name", "column", "answered"),
    [
        (
            "prepbench_case122_airline_nps.csv",
            "How likely are you to recommend this airline?",
            5907,
        ),
        ("ezrsurvey_podracing_survey.csv", "nps_value", 1000),
    ],
)
def test_public_files_score_found(public_data, name, column, answered):
    df = load_survey_quiet(public_data / name)
    assert df.attrs["score_found"]["column"] == column
    assert df.attrs["n_answered"] == answered


def load_survey_quiet(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return load_survey(path, **kwargs)


def test_sudzilla_timestamps_and_its_why_column(public_data):
    path = public_data / "prepbench_case040_sudzilla_survey.csv"
    df = load_survey_quiet(
        path, columns={"On a scale of 0-10, how would you rate Sudzilla?": "recommend"}
    )
    # ISO timestamps with milliseconds under a Google-Forms-like "Timestamp" header
    assert df.attrs["layout"] == "google-forms"
    assert df["responded_at"].iloc[0] == pd.Timestamp("2019-11-01 08:51:12.402")
    assert df["responded_at"].notna().all()
    assert df.attrs["platform_columns"]["...why?"] == "comment"


def test_qualtrics_previews_and_unfinished_answers_are_counted_and_said():
    from nps_toolkit.reporting.inputs import apply_filter

    lines = (PLATFORMS / "qualtrics_choice_text.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",IP Address,", ",Survey Preview,")  # the first respondent
    lines[4] = lines[4].replace(",True,", ",False,")  # the second did not finish
    with pytest.warns(UserWarning, match=r"1 preview or test response\(s\).*1 unfinished"):
        df = load_survey(io.StringIO("\n".join(lines) + "\n"))
    assert (df.attrs["preview_responses"], df.attrs["unfinished_responses"]) == (1, 1)
    assert len(df) == 10  # kept: nothing is dropped unasked
    kept = apply_filter(df, "Status != 'Survey Preview' and Finished == True")
    assert len(kept) == 8


def test_report_names_columns_by_their_questions():
    from nps_toolkit._i18n import Texts
    from nps_toolkit.reporting import sections, show

    df = load("qualtrics.csv")
    s = sections.Settings(drivers=("Q3_1", "Q3_2"), segments=("Q4",), comment="comment")
    s = show.with_questions(s, df)
    t = Texts("en")
    assert show.question(s, "recommend") == QUESTION
    assert show.question(s, "comment") == "What is the main reason for your score?"
    assert show.column_name(s, t, "Q4") == "Where are you located?"
    assert show.labels(s)["Q3_2"] == "How satisfied are you with... - Price"
    # without question texts: the catalogue's words, and the generic question
    plain = sections.Settings()
    assert show.question(plain, "recommend") is None
    assert show.column_name(plain, t, "race_attended") == "race attended"


def test_summarize_command_reads_a_platform_export_as_it_comes(capsys):
    from nps_toolkit.cli import main

    with pytest.warns(UserWarning, match="the score is column 'Q1'"):
        assert main(["summarize", str(PLATFORMS / "qualtrics.csv")]) == 0
    out = capsys.readouterr().out
    header, row = out.splitlines()[:2]
    assert row.split()[header.split().index("nps")] == "20.0"


def test_header_rows_beyond_the_file_is_an_error_naming_it(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("a,rec\n1,2\n")
    with pytest.raises(SurveyDataError, match=r"short.csv: header_rows=5 leaves no data rows"):
        load_survey(path, header_rows=5)
    path.write_text("a,rec\n" + "x,y\n" * 4 + "1,9\n2,3\n")  # five header rows
    assert load_survey(path, header_rows=5, score="rec")["rec"].tolist() == [9, 3]


def test_kobo_and_odk_answer_time_is_the_devices_end_not_the_servers(tmp_path):
    """An interview on an offline device ends at 23:30 on 31 July (UTC+3) and reaches the
    server three days later: its month is July.  Where a form records no ``end``, the
    server's time is the answer time."""
    head = "start;end;Recommend us? (0-10);_id;_uuid;_submission_time\n"
    rows = [
        "2025-07-31T23:10:00.000+03:00;2025-07-31T23:30:00.000+03:00;9;1;u1;2025-08-03T08:00:00",
        "2025-07-02T10:00:00.000+03:00;2025-07-02T10:05:00.000+03:00;3;2;u2;2025-07-02T07:06:00",
    ]
    (tmp_path / "kobo.csv").write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    df = load_survey(tmp_path / "kobo.csv", columns={"Recommend us? (0-10)": "recommend"})
    assert df.attrs["layout"] == "kobotoolbox"
    assert df["responded_at"].dt.tz_localize(None).tolist() == [  # the wall time, UTC+3
        pd.Timestamp("2025-07-31 23:30"),
        pd.Timestamp("2025-07-02 10:05"),
    ]
    assert nps.nps_trend(df, freq="ME")["n"].tolist() == [2]  # both in July
    # no "end" answered: the server's time; "end" blank in one row: the server's there
    blank = "\n".join(";".join(["", "", *r.split(";")[2:]]) for r in rows)
    (tmp_path / "kobo_no_end.csv").write_text(head + blank + "\n", encoding="utf-8")
    df = load_survey(tmp_path / "kobo_no_end.csv", columns={"Recommend us? (0-10)": "recommend"})
    assert df["responded_at"].iloc[0] == pd.Timestamp("2025-08-03 08:00")
    one = rows[0] + "\n" + ";".join(["", "", *rows[1].split(";")[2:]]) + "\n"
    (tmp_path / "kobo_one.csv").write_text(head + one, encoding="utf-8")
    df = load_survey(tmp_path / "kobo_one.csv", columns={"Recommend us? (0-10)": "recommend"})
    assert df["responded_at"].tolist() == [
        pd.Timestamp("2025-07-31 23:30"),  # the device's wall time
        pd.Timestamp("2025-07-02 07:06"),  # the server's (UTC): this row has no end
    ]
    assert df.attrs["platform_fallbacks"] == {"responded_at": ["_submission_time"]}
    # a bad time names both columns: it may come from either
    (tmp_path / "kobo_bad.csv").write_text(head + one.replace("2025-07-02T07:06:00", "garbage"))
    with pytest.raises(
        ValueError, match="line 3, column 'end / _submission_time': value 'garbage'"
    ):
        load_survey(tmp_path / "kobo_bad.csv", columns={"Recommend us? (0-10)": "recommend"})
    # ODK Central: its example has blank start/end, so SubmissionDate is the time
    odk = load("odk_central.csv")
    assert odk.attrs["platform_columns"]["SubmissionDate"] == "responded_at"


def test_a_first_row_of_hash_values_is_data_not_a_kobo_tag_row():
    df = load_survey(io.StringIO("recommend,tag\n9,#1\n3,#2\n"))
    assert df.attrs["layout"] is None and df["tag"].tolist() == ["#1", "#2"]
