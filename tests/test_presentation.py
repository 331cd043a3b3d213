"""Tests for nps_toolkit.reporting.presentation: text from data stays text.

Hostile labels (Markdown images and links, ``javascript:`` links, tags,
mathtext) are escaped for HTML and Markdown in sentences and tables and drawn
literally in charts; one small render of a hostile survey checks the whole
path down to ``report.html``.
"""

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from nps_toolkit import reporting as report

IMAGE = "6 ![w](http://evil.example/w.png)"
LINK = "[x](javascript:alert(1))"
SCRIPT = "<script>alert(1)</script>"
MATH = "$x$"
HOSTILE = [
    IMAGE,
    LINK,
    SCRIPT,
    MATH,
    "$\\foo$",  # an unknown mathtext command: a parse error if read as maths
    "<https://evil.example>",
    "www.evil.example",
    "http://evil.example",
    "a@evil.example",
    "# heading",
    "- item\n\n1. list",
    "| a | b |\n|---|---|",
    "x\r\n===",
    "`code`",
    "**bold** _it_",
    '<img src="http://evil.example/x.png">',
    "&lt;script&gt;",
    "{n}",
    "\\",
]


def _links(rendered: str) -> list:
    """Every tag a renderer produced but <p> (links and images are tags)."""
    return re.findall(r"<(?!/?p>)[^>]*>", rendered)


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_renders_as_itself_in_markdown(text):
    # nbconvert's own Markdown renderer (the one report.html is made with)
    out = markdown2html_mistune(report.fill("Label: {v}.", v=text)).strip()
    assert _links(out) == [], out
    shown = html.unescape(re.sub(r"</?p>", "", out))
    assert not re.search(r"https?://|javascript:|www\.", shown, re.I), out  # defanged
    expected = re.sub(r"[\r\n\t]+", " ", text)
    assert shown.replace("\u2060", "") == f"Label: {expected}.", out


def test_escape_leaves_ordinary_words_readable():
    assert report.escape("Helsinki, Espoo; 30 % / 2024") == "Helsinki, Espoo; 30 % / 2024"
    assert report.escape(None) == "" and report.escape(pd.NA) == ""
    assert report.fill("{a} {b:.1f} {c}", a="<b>", b=2.25, c=True) == "&#60;b&#62; 2.2 True"


def test_table_escapes_cells_and_column_names_and_dashes_missing():
    df = pd.DataFrame(
        {
            "group": [LINK, IMAGE, None],
            LINK: [1.0, 2.0, 3.0],  # a column name from a config
            "nps": [12.345, np.nan, 1.0],
            "p_value": [0.0004, np.nan, 0.5],
        }
    )
    out = report.table(df).to_html()
    body = out.split("<table", 1)[1]
    assert "javascript:" not in body and "](" not in body and "<script" not in body
    cells = [
        html.unescape(c).replace("\u2060", "")  # the word joiner that defangs URLs
        for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", body)
    ]
    assert LINK in cells and IMAGE in cells  # shown as the text it is
    assert cells.count("\u2013") == 3  # missing label, NPS and p as an en dash
    assert "<0.001" in cells and "12.3" in cells


def test_write_tables_read_back_whole(tmp_path):
    import csv

    import openpyxl

    tables = {
        "segments": pd.DataFrame(
            {
                "group": ['=HYPERLINK("http://evil.example","x")', "two\rlines", "a\nb", "-5"],
                "n": [10, 20, 30, 40],
                "nps": [12.5, -3.0, np.nan, 0.0],
            }
        ),
        "overall": pd.DataFrame({"n": [100], "nps": [7.5]}),
    }
    report.write_tables(tables, tmp_path)
    with open(tmp_path / "summary.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["table", "group", "n", "nps"]
    assert len(rows) == 1 + 4 + 1  # a CR or LF inside a value splits no row
    groups = [r[1] for r in rows[1:5]]
    assert groups == ['\'=HYPERLINK("http://evil.example","x")', "two\rlines", "a\nb", "-5"]
    assert [float(r[2]) for r in rows[1:]] == [10, 20, 30, 40, 100]  # numbers stay numbers
    wb = openpyxl.load_workbook(tmp_path / "summary.xlsx")
    sheet = wb["segments"]
    assert sheet["A2"].value.startswith("'=") and sheet["A2"].data_type == "s"
    # XML keeps a line break but writes CR as LF; either way it stays in its cell
    assert sheet["A3"].value in ("two\rlines", "two\nlines") and sheet["A4"].value == "a\nb"
    assert [sheet.cell(row=i, column=2).value for i in range(2, 6)] == [10, 20, 30, 40]
    assert isinstance(sheet["C2"].value, float)
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_followup_csv_read_back_whole(tmp_path):
    import csv

    from nps_toolkit.followup import write_followup

    lst = pd.DataFrame(
        {
            "respondent_id": ["r1", "r2", "r3"],
            "score": [0, 3, 6],
            "comment": ['\r=HYPERLINK("http://evil")', "bad\r\nservice", "  @SUM(A1)"],
            "contact": ["+358 40 123 4567", "a@x.fi", None],
        }
    )
    path = write_followup(lst, tmp_path / "l.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert len(rows) == 4
    assert [r[2] for r in rows[1:]] == [
        '\'\r=HYPERLINK("http://evil")',
        "bad\r\nservice",
        "'  @SUM(A1)",
    ]
    assert [r[3] for r in rows[1:]] == ["'+358 40 123 4567", "a@x.fi", ""]
    assert [int(r[1]) for r in rows[1:]] == [0, 3, 6]


@pytest.mark.parametrize("label", [MATH, "$\\foo$", "cost $5", IMAGE])
def test_charts_draw_data_labels_literally(label):
    import matplotlib.pyplot as plt

    import nps_toolkit as nps
    from nps_toolkit import plots

    df = pd.DataFrame({"wave": [label] * 10 + ["7"] * 10, "recommend": [10, 9, 8, 3, 10] * 4})
    trend = nps.nps_trend(df, wave="wave", min_n=5)
    ax = plots.trend_plot(trend)
    ax.figure.canvas.draw()  # a mathtext error would be raised here
    shown = [t.get_text() for t in ax.get_xticklabels()]
    assert any(label.replace("$", "\\$") in t for t in shown)
    seg = nps.compare_segments(df.rename(columns={"wave": "seg"}), "seg", min_n=5)
    plots.segment_forest_plot(seg).figure.canvas.draw()
    plt.close("all")


# --- a hostile survey rendered -----------------------------------------------

SURVEY_NAME = f"Survey {LINK} {MATH} {SCRIPT}"


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    import yaml

    base = tmp_path_factory.mktemp("hostile")
    rng = np.random.default_rng(11)
    waves = [IMAGE, MATH, "7 <script>"]
    regions = [LINK, SCRIPT, "North"]
    rows = []
    for w in waves:
        for r in regions:
            for score in rng.integers(0, 11, size=8):
                rows.append({"wave": w, "region": r, "recommend": int(score)})
    df = pd.DataFrame(rows)
    df["comment"] = [f"Price {IMAGE} {LINK} {SCRIPT}" if i % 3 == 0 else "" for i in range(len(df))]
    data = base / f"{LINK}.csv"
    df.to_csv(data, index=False)
    config = base / "surveys.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "surveys": [
                    {
                        "name": SURVEY_NAME,
                        "data": data.name,
                        "segments": ["region"],
                        "drivers": [],
                        "wave": "wave",
                        "account": None,
                        "invited": None,
                        "n_resamples": 50,
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    table = report.render_reports(config, output_dir=base / "reports", progress=False)
    assert table["status"].tolist() == ["ok"], table.to_dict("records")
    folder = next(p for p in (base / "reports").iterdir() if p.is_dir())
    return folder


def test_hostile_report_has_no_link_image_or_script(hostile_report):
    text = (hostile_report / "report.html").read_text(encoding="utf-8")
    tags = re.findall(r"<[a-zA-Z][^>]*>", text)
    # "javascript:" and the URL may be shown as text, never as a link or a source:
    # the only links are the headings' own anchors (#...), the only sources data:
    attribute = re.compile(r"""\s(?:src|href|action|formaction)\s*=\s*["']?([^"'\s>]*)""", re.I)
    targets = [t for tag in tags for t in attribute.findall(tag)]
    assert targets and all(t.startswith(("#", "data:image/png;base64")) for t in targets), targets
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|javascript)""", text, re.I)
    assert not [t for t in tags if t.lower().startswith("<script")]
    images = [t for t in tags if t.lower().startswith("<img")]
    assert images and all('src="data:image/png;base64' in t for t in images)
    # no URL and no javascript: stands anywhere in the file, not even as text
    assert not re.search(r"https?://|javascript:|www\.evil", html.unescape(text), re.I)
    shown = html.unescape(re.sub(r"<[^>]+>", " ", text)).replace("\u2060", "")
    for label in (IMAGE, LINK, SCRIPT, MATH):
        assert label in shown, label  # the labels are there, as text
    title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
    assert html.unescape(title).replace("\u2060", "") == SURVEY_NAME


def test_hostile_report_summary_reads_back(hostile_report):
    import csv

    with open(Path(hostile_report) / "summary.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    width = {len(r) for r in rows}
    assert len(width) == 1  # no row split


# --- what a client reads: headings, alignment, numbers, charts ----------------


@pytest.fixture
def displayed(monkeypatch):
    """Everything the report functions display, in order (instead of a notebook)."""
    import IPython.display

    out = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: out.extend(objs))
    return out


def _html_of(obj) -> str:
    return obj.to_html() if hasattr(obj, "to_html") else getattr(obj, "data", str(obj))


def _headings(displayed) -> list:
    """The <h3> headings among displayed outputs (MIME bundles)."""
    pages = [o.get("text/html", "") for o in displayed if isinstance(o, dict)]
    return [p for p in pages if p.startswith("<h3>")]


def test_segment_heading_names_the_column_once_escaped(displayed):
    from nps_toolkit._i18n import Texts
    from nps_toolkit.reporting import sections, show

    df = pd.DataFrame({"race_attended": ["a", "b"] * 10, "recommend": [10, 3, 9, 8, 6] * 4})
    s = sections.Settings(segments=("race_attended",), min_n=2)
    show.segments(sections.segments(df, s), s, Texts("en"), scope=None)
    heads = _headings(displayed)
    # the browser shows the text of the heading: the column's name, in words
    assert [html.unescape(h) for h in heads] == ["<h3>By race attended</h3>"]
    assert "&#38;" not in heads[0]  # no escaped escape ("&#95;" on the page)
    views = [
        o["text/plain"] for o in displayed if isinstance(o, dict) and o.get("text/html") in heads
    ]
    assert views == ["By race attended"]  # the text view of the heading
    # a name from the data stays text
    assert show.column_label(SCRIPT, Texts("en")) == SCRIPT
    displayed.clear()
    hostile = sections.Settings(segments=(SCRIPT,), min_n=2)
    show.segments(sections.segments(df.rename(columns={"race_attended": SCRIPT}), hostile),
                  hostile, Texts("en"))  # fmt: skip
    heads = _headings(displayed)
    assert "<script" not in heads[0] and html.unescape(heads[0]) == f"<h3>By {SCRIPT}</h3>"


def test_words_are_left_aligned_and_numbers_right(displayed):
    from nps_toolkit._i18n import Texts
    from nps_toolkit.reporting import show
    from nps_toolkit.reporting.tables import numeric_columns, reader_table, styled

    t = Texts("en")
    quotes = pd.DataFrame({"theme": ["price"], "category": ["detractor"], "score": [6.0],
                           "quote": ["Too expensive for what we get, frankly."]})  # fmt: skip
    table = reader_table(quotes, show.QUOTE_SPEC, t)
    assert numeric_columns(table, show.QUOTE_SPEC) == [t("headers.score")]
    page = styled(table, numeric=numeric_columns(table, show.QUOTE_SPEC)).to_html()
    css = {}  # (th or td, column) -> its CSS
    for part, col, props in re.findall(r"(th\.col_heading|td)\.col(\d) \{([^}]*)\}", page):
        css[part[:2], int(col)] = " ".join(props.split())
    for col in (0, 1, 3):  # theme, category and quote: words
        assert "text-align: left" in css["th", col] and "text-align: left" in css["td", col]
    assert "text-align: right" in css["th", 2] and "text-align: right" in css["td", 2]
    assert "nowrap" in css["td", 2] and "nowrap" not in css["th", 2]  # headers may wrap
    assert table.iloc[0].tolist()[2] == "6"


def test_tables_have_a_readable_stable_text_view():
    from nps_toolkit._i18n import Texts
    from nps_toolkit.reporting import show
    from nps_toolkit.reporting.tables import reader_table, styled

    quotes = pd.DataFrame({"theme": ["price"], "category": ["detractor"], "score": [6],
                           "quote": [f"Too dear {SCRIPT}"]})  # fmt: skip
    one = styled(reader_table(quotes, show.QUOTE_SPEC, Texts("en")))
    two = styled(reader_table(quotes, show.QUOTE_SPEC, Texts("en")))
    text = repr(one)
    assert "Styler" not in text and "0x" not in text
    assert text.splitlines()[0].split() == ["theme", "category", "score", "quote"]
    assert f"Too dear {SCRIPT}" in text  # the text as written (it is not HTML)
    assert text == repr(two) and one.to_html() == two.to_html()  # no run-specific ids
    appendix = report.table(pd.DataFrame({"parameter": ["min_n"], "value": ["5"]}))
    assert repr(appendix).split() == ["parameter", "value", "min_n", "5"]


def test_drivers_chart_draws_the_shares_the_table_gives():
    import matplotlib.pyplot as plt

    import nps_toolkit as nps
    from nps_toolkit._i18n import Texts
    from nps_toolkit.reporting import figures

    df = nps.example_survey("b2b-annual")
    imp = nps.importance_performance(
        nps.driver_importance(df, "recommend", ["quality", "price", "communication"],
                              n_resamples=30, rng=1)
    )  # fmt: skip
    ax, alt = figures.driver_importance(imp, Texts("en"), {})
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    assert widths == sorted(round(v, 6) for v in imp["share"])  # 25 % is drawn as 25
    assert sum(widths) == pytest.approx(100)
    # the whiskers are the importance interval in the same unit (percent of R²)
    lows = ax.collections[0].get_segments()
    scale = 100 / imp["importance"].sum()
    assert sorted(round(seg[0][0], 6) for seg in lows) == sorted(
        round(v * scale, 6) for v in imp["ci_low"]
    )
    ax.figure.canvas.draw()
    assert "share of explained variance" in ax.get_xlabel()
    assert all(x.get_text().endswith("%") for x in ax.get_xticklabels() if x.get_text())
    plt.close("all")


def test_theme_chart_leaves_out_themes_nobody_mentions_and_names_only_real_movers():
    """A survey the bundled lexicon hardly reads: seven themes nobody mentions (impact 0
    by definition) were charted at 0, and the title said the first of them "pulls it
    down most"."""
    import matplotlib.pyplot as plt

    from nps_toolkit._i18n import Texts
    from nps_toolkit.reporting import figures

    zero = {"mentions": 0, "impact": 0.0, "ci_low": 0.0, "ci_high": 0.0, "below_min_n": True}
    rows = [{"theme": f"t{i}", **zero} for i in range(7)]
    few = {"mentions": 3, "impact": np.nan, "ci_low": np.nan, "ci_high": np.nan}
    rows.append({"theme": "few", **few, "below_min_n": True})
    # no mentioned theme has an impact to show: no chart (the table says why)
    assert figures.theme_impact(pd.DataFrame(rows), Texts("en"), {}) == (None, None)
    flat = {"theme": "wait", "mentions": 9, "impact": 0.0, "ci_low": -3.0, "ci_high": 3.0,
            "below_min_n": False}  # fmt: skip
    for lang, title in (("en", "No theme moves the score"),
                        ("fi", "Mikään teema ei nosta eikä laske tulosta")):  # fmt: skip
        ax, alt = figures.theme_impact(pd.DataFrame([*rows, flat]), Texts(lang), {})
        assert ax.get_title(loc="left") == title and alt.startswith(title)
        assert [x.get_text() for x in ax.get_yticklabels()] == ["few (n=3)", "wait (n=9)"]
    lift = {**flat, "theme": "price", "impact": 4.0, "ci_low": 1.0, "ci_high": 7.0}
    ax, _ = figures.theme_impact(pd.DataFrame([*rows, lift]), Texts("en"), {"price": "Price"})
    assert ax.get_title(loc="left") == "Price lifts the score most; no theme pulls it down"
    plt.close("all")


def test_themes_nobody_mentions_are_one_line_not_rows_of_zeros(displayed, public_data):
    """The sudzilla conference survey: the bundled themes hardly fit, and seven rows of
    "0 mentions, impact 0.0, 0.0 to 0.0" filled the table."""
    from nps_toolkit._i18n import Texts
    from nps_toolkit.reporting import sections, show

    df = pd.read_csv(public_data / "prepbench_case040_sudzilla_survey.csv")
    df = df.rename(columns={df.columns[1]: "recommend", df.columns[2]: "comment"})
    s = sections.Settings(comment="comment", n_resamples=0)
    found = sections.comments(df, s)
    nobody = found.impact.loc[found.impact["mentions"].eq(0), "theme"]
    assert len(nobody) >= 5
    show.comments(found, s, Texts("en"))
    pages = [_html_of(o) for o in displayed]
    line = next(p for p in pages if "No comment mentions" in p)
    names = show.labels(s)
    assert all(names.get(th, th) in line for th in nobody)
    table = next(p for p in pages if "interval of the" in p)
    assert not any(f">{names.get(th, th)}<" in table for th in nobody)
