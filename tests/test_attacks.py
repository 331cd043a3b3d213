"""An attacker's pass over the merged toolkit: hostile configs, exports and model files.

Each test reproduces one way a hostile file got past the checks of issue 21
(an internal error, a value echoed whole, text that is not shown as written).
"""

import json

import pytest

from nps_toolkit.cli import main

MODEL = {
    "format": "nps-toolkit-model",
    "version": 1,
    "kind": "themes",
    "labels": ["price", "staff"],
    "n": 10,
    "vocabulary": {"price": 0, "staff": 1},
    "idf": [1.0, 1.0],
    "coef": [[1.0, 0.0], [0.0, 1.0]],
    "intercept": [-0.5, -0.5],
    "scores": None,
}
SENTIMENT = {**MODEL, "kind": "sentiment", "labels": ["negative", "positive"],
             "coef": [[-1.0, 1.0]], "intercept": [0.0]}  # fmt: skip


def _check(tmp_path, capsys, entry: str) -> tuple[int, str]:
    (tmp_path / "s.csv").write_text("recommend,comment\n9,good price\n3,rude staff\n")
    (tmp_path / "surveys.yml").write_text(
        "surveys:\n  - name: S\n    data: s.csv\n    comment: comment\n    drivers: []\n"
        f"    wave: null\n{entry}",
        encoding="utf-8",
    )
    code = main(["check", "--config", str(tmp_path / "surveys.yml")])
    out = capsys.readouterr()
    return code, out.out + out.err


def _render(tmp_path, config: str, *names: str) -> int:
    """Write ``config`` as surveys.yml and render it (``names`` only) into ``out``."""
    (tmp_path / "surveys.yml").write_text(config, encoding="utf-8")
    return main(["render", "--no-progress", "--config", str(tmp_path / "surveys.yml"),
                 "--output", str(tmp_path / "out"), *names])  # fmt: skip


@pytest.mark.parametrize(
    "key, text, why",
    [
        # nested a hundred thousand deep: json.loads raised RecursionError (internal error)
        (
            "themes_model",
            '{"format": "nps-toolkit-model", "a": ' + "[" * 100_000 + "]" * 100_000 + "}",
            "nested too deeply",
        ),  # fmt: skip
        # n = 1e400 is read as infinity: int() raised OverflowError (internal error)
        ("themes_model", json.dumps(MODEL).replace('"n": 10', '"n": 1e400'), "'n'"),
        # NaN weights predicted nothing at all, silently
        (
            "themes_model",
            json.dumps({**MODEL, "coef": [[float("nan"), 0.0], [0.0, 1.0]]}),
            "not a finite number",
        ),  # fmt: skip
        ("themes_model", json.dumps({**MODEL, "idf": [float("inf"), 1.0]}), "not a finite number"),
        # a theme named twice lost one; a theme "language" replaced the language column
        ("themes_model", json.dumps({**MODEL, "labels": ["price", "price"]}), "repeated"),
        ("themes_model", json.dumps({**MODEL, "labels": ["language", "staff"]}), "'language'"),
        ("themes_model", json.dumps({**MODEL, "labels": ["", "staff"]}), "empty"),
        ("themes_model", json.dumps({**MODEL, "labels": [{"a": 1}, "staff"]}), "text"),
        ("themes_model", json.dumps({**MODEL, "scores": 5}), "'scores'"),
        # one class: predict raised IndexError; unknown labels came out as blanks
        (
            "sentiment_model",
            json.dumps(
                {**SENTIMENT, "labels": ["positive"], "coef": [[1.0, 0]], "intercept": [0.0]}
            ),
            "two or three of",
        ),  # fmt: skip
        (
            "sentiment_model",
            json.dumps({**SENTIMENT, "labels": ["bogus", "<b>x</b>"]}),
            "two or three of",
        ),  # fmt: skip
        (
            "sentiment_model",
            json.dumps({**SENTIMENT, "labels": ["positive", "positive"]}),
            "repeated",
        ),  # fmt: skip
    ],
)
def test_hostile_model_files_are_refused_by_check(tmp_path, capsys, key, text, why):
    (tmp_path / "m.json").write_text(text, encoding="utf-8")
    code, printed = _check(tmp_path, capsys, f"    {key}: m.json\n")
    assert code == 2, printed  # a config error, not an internal error (3)
    line = next(x for x in printed.splitlines() if f"key {key!r}" in x)
    assert "model file is damaged" in line and why in line, line
    assert len(printed) < 2000, printed[:300]


def test_sound_model_files_still_load(tmp_path):
    from nps_toolkit.learning import load_model

    (tmp_path / "t.json").write_text(json.dumps(MODEL), encoding="utf-8")
    (tmp_path / "s.json").write_text(json.dumps(SENTIMENT), encoding="utf-8")
    tags = load_model(tmp_path / "t.json", kind="themes").predict(["the price", "staff"])
    assert tags[["price", "staff"]].values.tolist() == [[True, False], [False, True]]
    feel = load_model(tmp_path / "s.json", kind="sentiment").predict(["staff"])
    assert feel["sentiment"].tolist() == ["positive"]


def test_data_errors_quote_a_short_excerpt_and_no_contact_details(tmp_path, capsys):
    """A bad value was echoed whole: 5 MB of one cell on the terminal, and a respondent's
    e-mail or phone printed by inspect, check, summarize and render."""
    (tmp_path / "s.csv").write_text(
        "recommend,comment\n9,ok\nmatti.meikalainen@firma.fi,x\n040 123 4567,y\n"
        + "x" * 1_000_000
        + ",z\n",
        encoding="utf-8",
    )
    (tmp_path / "surveys.yml").write_text(
        "surveys:\n  - name: S\n    data: s.csv\n    drivers: []\n    wave: null\n"
        "    comment: comment\n",
        encoding="utf-8",
    )
    for args in (
        ["summarize", str(tmp_path / "s.csv")],
        ["inspect", str(tmp_path / "s.csv")],
        ["check", "--config", str(tmp_path / "surveys.yml")],
    ):
        assert main(args) != 0 or args[0] == "inspect"
        out = capsys.readouterr()
        printed = out.out + out.err
        assert len(printed) < 5000, (args[0], len(printed))
        assert "meikalainen" not in printed and "123 4567" not in printed, printed
        assert "line 3, column 'recommend': value '[email]' is not a number" in printed, printed
        assert "line 5, column 'recommend': value 'xxxxxxx" in printed, printed


def test_themes_suggest_reads_no_contact_details_and_writes_a_file_that_loads(tmp_path, capsys):
    """E-mail addresses in the comments became theme terms and labels ("Matti, firma"), and
    an ESC or NUL in a quoted comment made the written lexicon unreadable YAML."""
    import pandas as pd

    import nps_toolkit as nps

    topics = ["delivery was slow", "price is high", "staff were rude", "the app crashes"]
    comments = [
        topics[i % 4]
        + [" mail matti.virtanen@firma.fi", " soita 040 123 4567", " \x1b[31m\x00\u202e", ""][
            i // 4 % 4
        ]
        for i in range(120)
    ]
    pd.DataFrame({"recommend": [i % 11 for i in range(120)], "comment": comments}).to_csv(
        tmp_path / "s.csv", index=False
    )
    out = tmp_path / "themes.yml"
    assert main(["themes", "suggest", str(tmp_path / "s.csv"), "--out", str(out)]) == 0
    # the output names the file written: its folder ("pytest-123") is the test's, not data
    printed = capsys.readouterr().out.replace(str(tmp_path), "<tmp>")
    written = out.read_text(encoding="utf-8")
    for secret in ("matti", "virtanen", "firma", "123", "4567"):
        assert secret not in written.lower() and secret not in printed.lower(), secret
    assert "\x1b" not in written and "\x00" not in written and "\u202e" not in written
    lexicon = nps.load_themes(out, mode="replace")
    assert {"delivery", "price", "staff"} <= set(lexicon), sorted(lexicon)


def _qualtrics(folder, texts: dict, n=120):
    """A Qualtrics export (tags, question texts, import ids) with the question ``texts``."""
    import csv

    import numpy as np

    rng = np.random.default_rng(7)
    head = ["StartDate", "ResponseId", "Q1", "Q2_1", "Q2_2", "Q3", "Q4"]
    with open(folder / "q.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(head)
        w.writerow(["Start Date", "Response ID"] + [texts[h] for h in head[2:]])
        w.writerow([json.dumps({"ImportId": h}) for h in head])
        for i in range(n):
            w.writerow(
                ["2025-01-01 10:00:00", f"R_{i:04d}", *rng.integers(0, 11, 3).tolist(),
                 ["North", "South", "East"][i % 3], ["slow delivery", "high price"][i % 2]]
            )  # fmt: skip


def test_question_texts_reach_no_report_with_bidi_or_zero_width_characters(tmp_path, capsys):
    """A driver's question text from the export carried U+202E (text shown reversed) and
    U+200B into the figures' alt text and the notebook's figure captions."""
    texts = {
        "Q1": "How likely are you to recommend us?",
        "Q2_1": "Speed \u202eevil\u202c of service",
        "Q2_2": "Pri\u200bce \x1b[31mred",
        "Q3": "Region",
        "Q4": "Why?",
    }
    _qualtrics(tmp_path, texts)
    (tmp_path / "lex.yml").write_text(  # and a theme label of the survey's own lexicon
        'price:\n  label: "Pri\\u202ece\\u200b level"\n  terms:\n    en: [price]\n'
        "delivery:\n  label: Delivery\n  terms:\n    en: [delivery]\n",
        encoding="utf-8",
    )
    code = _render(
        tmp_path,
        "surveys:\n  - name: Q\n    data: q.csv\n    segments: [Q3]\n    drivers: [Q2_1, Q2_2]\n"
        "    wave: null\n    comment: Q4\n    outputs: [html]\n    themes: lex.yml\n"
        "    themes_mode: replace\n",
    )
    assert code == 0, capsys.readouterr().err
    for name in ("report.html", "report.ipynb"):
        text = (tmp_path / "out" / "q" / name).read_text(encoding="utf-8")
        text = json.dumps(text, ensure_ascii=False)  # the notebook's \\u escapes as written
        assert "evil" in text and "red" in text and "level" in text, name
        for bad in ("\u202e", "\u202c", "\u200b", "\x1b", "\\u202e", "\\u200b", "\\u001b"):
            assert bad not in text, (name, repr(bad), text[text.find(bad) - 80 :][:120])


def test_distinctive_terms_of_a_report_are_used_by_at_least_min_n_respondents(tmp_path):
    """The report's word table kept terms used by 5 respondents whatever ``min_n`` was, each
    with how many of its users were detractors, passives and promoters: with min_n 8, a
    term used by 5 showed the categories of a group below min_n."""
    import pandas as pd

    code = _render(
        tmp_path,
        "surveys:\n  - name: T\n    example: b2b-annual\n    filter: {wave: 7}\n"
        "    segments: []\n    drivers: []\n    wave: null\n    comment: comment\n"
        "    min_n: 8\n    outputs: [html]\n",
    )
    assert code == 0
    table = pd.read_csv(tmp_path / "out" / "t" / "summary.csv")
    terms = table[table["table"] == "terms"]
    assert len(terms) > 0
    users = terms[["detractors", "passives", "promoters"]].sum(axis=1)
    assert (users >= 8).all(), terms.loc[users < 8, ["term", "detractors", "passives", "promoters"]]


def test_a_filter_leaving_out_fewer_than_min_n_answers_is_refused(tmp_path, capsys):
    """Two reports of one file, one of all rows and one filtered to all but two respondents,
    gave those two respondents' scores by subtraction (n, promoters and detractors of both)."""
    import pandas as pd

    pd.DataFrame(
        {"recommend": [9, 10, 3, 7, 8, 9, 2, 10, 6, 9, 0, 0],
         "region": ["North", "South"] * 5 + ["Tiny", "Tiny"]}
    ).to_csv(tmp_path / "s.csv", index=False)  # fmt: skip
    entry = "    data: s.csv\n    drivers: []\n    wave: null\n    comment: null\n    min_n: 3\n"
    config = (
        f"surveys:\n  - name: All\n{entry}"
        f"  - name: All but Tiny\n{entry}    filter: \"region != 'Tiny'\"\n"
        f"  - name: North\n{entry}    filter: {{region: North}}\n"
    )
    (tmp_path / "surveys.yml").write_text(config, encoding="utf-8")
    code = main(["check", "--config", str(tmp_path / "surveys.yml")])
    printed = capsys.readouterr()
    assert code == 1, printed.out + printed.err
    line = next(x for x in printed.err.splitlines() if "All but Tiny" in x)
    assert "leave out 2 answers" in line and "fewer than min_n 3" in line, line
    assert "'North'" not in printed.err  # 7 left out: a report of them would be allowed
    code = _render(tmp_path, config, "All but Tiny")
    assert code == 1 and "leave out 2 answers" in capsys.readouterr().err
    assert not (tmp_path / "out" / "all-but-tiny").exists()


def test_split_skips_one_more_value_when_the_skipped_ones_hold_fewer_than_min_n(tmp_path):
    """Stores of 30, 20 and 2 answers: the two split reports rendered, beside any report of
    the whole file, gave the small store's two answers by subtraction."""
    import nps_toolkit as nps

    df = nps.example_survey("b2b-annual")
    df = df[df["wave"] == 7].iloc[:52].copy()
    df["store"] = ["Helsinki"] * 30 + ["Tampere"] * 20 + ["Oulu"] * 2
    df.to_csv(tmp_path / "s.csv", index=False)
    code = _render(
        tmp_path,
        "surveys:\n  - name: Stores\n    data: s.csv\n    split: store\n    segments: []\n"
        "    drivers: []\n    wave: null\n    comment: null\n    n_resamples: 30\n"
        "    outputs: [html]\n",
    )
    assert code == 0
    rendered = sorted(p.parent.name for p in (tmp_path / "out" / "stores").glob("*/report.html"))
    assert rendered == ["helsinki"], rendered  # Tampere hidden with Oulu: 22 answers together
    index = (tmp_path / "out" / "stores" / "index.html").read_text(encoding="utf-8")
    assert "hidden with the values under min_n 5" in index


def test_a_parquet_date_column_is_read_as_dates(tmp_path):
    """A Parquet DATE column (Python dates, no text) raised IndexError in parse_dates."""
    import datetime as dt

    import pandas as pd

    from nps_toolkit._dates import parse_dates

    days = pd.Series([dt.date(2025, 3, 1), None, dt.date(2025, 4, 2)])
    read = parse_dates(days)
    assert read.isna().tolist() == [False, True, False]
    assert read.dropna().dt.strftime("%Y-%m-%d").tolist() == ["2025-03-01", "2025-04-02"]


def test_spark_data_records_no_local_folder_or_cluster_host(tmp_path):
    """A ``file://`` URI is a local path: it was recorded whole in report.ipynb and
    provenance.json; a standalone master's host name was recorded too."""
    from nps_toolkit.reporting.rendering import recorded_parameters

    base = str(tmp_path / "cfg")
    for path in (f"file://{tmp_path}/secret/exports/*.parquet",
                 f"file:{tmp_path}/secret/exports/*.parquet"):  # fmt: skip
        data = {"spark": {"path": path, "format": "parquet", "master": "spark://db7.corp:7077"}}
        block = recorded_parameters({"data_path": data}, base)["data_path"]["spark"]
        assert str(tmp_path) not in block["path"] and block["path"].endswith("*.parquet")
        assert "db7.corp" not in block["master"] and block["master"].startswith("spark://")
    kept = {"spark": {"path": "s/x.parquet", "format": "parquet", "master": "local[2]"}}
    assert recorded_parameters({"data_path": kept}, base)["data_path"] == kept


def test_inspect_entry_keeps_a_hostile_column_name_inside_its_comment(tmp_path, capsys):
    """A worded-rating column whose name holds a line separator (a line break to YAML)
    and YAML of its own: the entry to paste is still one survey, with no new key."""
    import pandas as pd
    import yaml

    hostile = "ratings_x\u2028  - name: evil\n    data: /etc/passwd"
    words = ["Very bad", "Bad", "Ok", "Good", "Very good"]
    pd.DataFrame(
        {"recommend": [i % 11 for i in range(40)], hostile: [words[i % 5] for i in range(40)]}
    ).to_csv(tmp_path / "s.csv", index=False)
    assert main(["inspect", str(tmp_path / "s.csv")]) == 0
    out = capsys.readouterr().out
    assert "\u2028" not in out and "/etc/passwd" in out  # spelled out, not raw
    text = out.split("surveys.yml entry to paste:\n")[1]
    (entry,) = yaml.safe_load(text)
    assert entry["name"] == "s" and entry["drivers"] == [hostile]
    assert all(not line.lstrip().startswith("- name: evil") for line in text.splitlines())


def test_themes_learn_prints_a_hostile_code_column_name_spelled_out(tmp_path, capsys):
    """A coded sheet's theme column named with a terminal escape (colours, a new window
    title) was printed raw in the table of cross-validated scores."""
    import pandas as pd

    sheet = pd.DataFrame({"comment": ["slow service", "great food", "rude staff"] * 6})
    sheet["\x1b]0;owned\x07speed"] = [1, 0, 0] * 6
    sheet["staff"] = [0, 0, 1] * 6
    sheet.to_csv(tmp_path / "coded.csv", index=False)
    args = ["themes", "learn", str(tmp_path / "coded.csv"), "--out", str(tmp_path / "m.json")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\\x1b]0;owned\\x07speed" in out
