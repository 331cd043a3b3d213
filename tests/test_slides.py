"""report.pptx read back with python-pptx: slides, titles, footers, chart types and data."""

import io

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE_TYPE

import nps_toolkit as nps
from nps_toolkit.reporting.slides import QUADRANT_COLORS, write_slides

NAME = "Acme customer survey"


@pytest.fixture(scope="module")
def tables():
    rng = np.random.default_rng(20261201)
    df = nps.example_survey("b2b-annual", seed=3)
    latest = df[df["wave"] == df["wave"].max()]
    overall = nps.summarize(latest, min_n=1)
    seg = nps.summarize(latest, by="tenure", min_n=5)
    vs = nps.compare_segments(latest, "tenure", min_n=5)
    segments = seg[["tenure", "n", "nps", "suppressed"]].merge(
        vs[["tenure", "difference", "significant"]], on="tenure"
    )
    segments = segments.rename(columns={"tenure": "group"}).assign(segment="tenure")
    # a small group with a formula-like label: hidden, and never in the deck
    segments = pd.concat(
        [
            segments,
            pd.DataFrame(
                [
                    {
                        "segment": "region",
                        "group": "=cmd|' /c calc'!A1",
                        "n": 40,
                        "nps": 12.5,
                        "suppressed": False,
                        "difference": -5.0,
                        "significant": False,
                    },
                    {
                        "segment": "region",
                        "group": "North",
                        "n": 60,
                        "nps": 30.0,
                        "suppressed": False,
                        "difference": 5.0,
                        "significant": False,
                    },
                    {
                        "segment": "region",
                        "group": "Secretland",
                        "n": 3,
                        "nps": np.nan,
                        "suppressed": True,
                        "difference": np.nan,
                        "significant": pd.NA,
                    },
                ]
            ),
        ],
        ignore_index=True,
    )
    trend = nps.nps_trend(df, date="responded_at", wave="wave", n_resamples=99, rng=rng)
    drivers = nps.importance_performance(
        nps.driver_importance(
            latest, "recommend", ["quality", "price", "response_speed", "follow_up"]
        )
    )
    # theme tables as theme_impact / theme_quotes shape them (tagging is tested elsewhere)
    themes = pd.DataFrame(
        {
            "theme": ["quality", "support", "price", "follow_up"],
            "mentions": [20, 10, 3, 14],
            "impact": [4.4, 0.9, 0.5, -2.6],
            "below_min_n": [False, False, True, False],
        }
    )
    quotes = pd.DataFrame(
        {
            "theme": ["quality", "support", "follow_up", "price"],
            "category": ["promoter", "detractor", "detractor", "passive"],
            "quote": [
                "Great quality.",
                "The helpdesk was unhelpful, write to [email].",
                "No follow-up after the meeting.",
                "Fair price.",
            ],
            "score": [10, 3, 5, 8],
        }
    )
    followup = pd.DataFrame(
        {"list": ["detractors to contact", "of them overdue (48 h passed)"], "respondents": [16, 4]}
    )
    return {
        "overall": overall,
        "segments": segments,
        "trend": trend,
        "drivers": drivers,
        "themes": themes,
        "quotes": quotes,
        "followup": followup,
    }


@pytest.fixture(scope="module")
def deck(tables, tmp_path_factory):
    path = tmp_path_factory.mktemp("slides") / "report.pptx"
    write_slides(tables, path, survey_name=NAME, target=50)
    return Presentation(path)


def _charts(slide):
    return [s.chart for s in slide.shapes if s.has_chart]


def _texts(slide):
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame]


def test_slides_in_order_with_titles_and_footers(deck, tables):
    titles = [s.shapes.title.text_frame.text for s in deck.slides]
    row = tables["overall"].iloc[0]
    assert titles[0] == NAME
    assert titles[1] == "Key findings"
    assert titles[2].startswith(f"NPS {row['nps']:+.0f}".replace("-", "\u2212"))
    assert titles[3].startswith("NPS rose") or titles[3].startswith("NPS fell")
    assert titles[4].startswith("Customer relationship: ") and titles[5].startswith("Region: ")
    assert len(titles) == 10  # + drivers, quadrant, themes, follow-up
    # every slide: the base and the survey's name in its footer
    for slide in deck.slides:
        footer = _texts(slide)[-1]
        assert footer.startswith("Base: n = ") and footer.endswith(NAME)
    assert _texts(deck.slides[2])[-1] == f"Base: n = {int(row['n']):,} \u00b7 {NAME}"
    # key findings default to the other slides' titles
    findings = [t for t in _texts(deck.slides[1]) if "\n" in t][0].split("\n")
    assert [f[:1].upper() + f[1:] for f in findings] == titles[2:]


def test_charts_are_native_with_the_table_values(deck, tables):
    assert not any(
        shape.shape_type == MSO_SHAPE_TYPE.PICTURE
        for slide in deck.slides
        for shape in slide.shapes
    )
    row = tables["overall"].iloc[0]
    (shares,) = _charts(deck.slides[2])
    assert shares.chart_type == XL_CHART_TYPE.BAR_STACKED_100
    assert [s.values[0] for s in shares.plots[0].series] == pytest.approx(
        [row["pct_detractors"], row["pct_passives"], row["pct_promoters"]]
    )

    (trend,) = _charts(deck.slides[3])
    t = tables["trend"]
    assert trend.chart_type in (XL_CHART_TYPE.LINE, XL_CHART_TYPE.LINE_MARKERS)
    assert list(trend.plots[0].categories) == [f"wave {p}" for p in t["period"]]
    series = {s.name: s.values for s in trend.plots[0].series}
    assert series["NPS"] == pytest.approx(t["nps"].tolist())
    assert series["Interval low"] == pytest.approx(t["ci_low"].tolist())
    assert series["Target"] == pytest.approx([50.0] * len(t))

    (tenure,) = _charts(deck.slides[4])
    seg = tables["segments"].query("segment == 'tenure' and not suppressed")
    assert tenure.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    assert list(tenure.plots[0].categories) == seg["group"].tolist()
    assert tenure.plots[0].series[0].values == pytest.approx(seg["nps"].tolist())

    d = tables["drivers"].sort_values("share", ascending=False)
    assert deck.slides[6].shapes.title.text_frame.text.startswith(
        d["driver"].iloc[0].replace("_", " ").capitalize() + " matters most"
    )
    (bars,) = _charts(deck.slides[6])
    assert bars.plots[0].series[0].values == pytest.approx(d["share"].tolist())
    quadrant_slide = next(
        s
        for s in deck.slides
        if _charts(s) and _charts(s)[0].chart_type == XL_CHART_TYPE.XY_SCATTER
    )
    (quadrant,) = _charts(quadrant_slide)
    drivers_series = quadrant.plots[0].series[0]
    xs = [float(x.text) for x in drivers_series._element.xpath("./c:xVal//c:v")]
    assert xs == pytest.approx(d["mean"].tolist())
    assert list(drivers_series.values) == pytest.approx(d["share"].tolist())
    # each point coloured by its quadrant
    colours = [
        str(p.format.fill.fore_color.rgb)
        for p in [drivers_series.points[i].marker for i in range(len(d))]
    ]
    assert colours == [QUADRANT_COLORS[str(q)].upper() for q in d["quadrant"]]


def test_themes_with_one_quote_each(deck, tables):
    themes = tables["themes"][~tables["themes"]["below_min_n"]].sort_values(
        "impact", ascending=False
    )
    slide = next(s for s in deck.slides if "the score" in s.shapes.title.text_frame.text)
    (chart,) = _charts(slide)
    assert chart.plots[0].series[0].values == pytest.approx(themes["impact"].tolist())
    quotes = [t for t in _texts(slide) if "\u201c" in t][0].split("\n")
    # one quote for each theme shown, largest impact first; price (too few) left out
    assert quotes == [
        "Quality: \u201cGreat quality.\u201d",
        "Follow up: \u201cNo follow-up after the meeting.\u201d",
        "Support: \u201cThe helpdesk was unhelpful, write to [email].\u201d",
    ]


def test_followup_table(deck):
    slide = deck.slides[-1]
    assert slide.shapes.title.text_frame.text == (
        "16 detractors to contact; 4 of them overdue (48 h passed)"
    )
    (table,) = [s.table for s in slide.shapes if s.has_table]
    assert [[c.text for c in r.cells] for r in table.rows][1:] == [
        ["detractors to contact", "16"],
        ["of them overdue (48 h passed)", "4"],
    ]


def test_small_groups_absent_and_labels_defused(deck, tmp_path, tables):
    everything = " ".join(t for slide in deck.slides for t in _texts(slide))
    assert "Secretland" not in everything
    region = deck.slides[5]
    (chart,) = _charts(region)
    categories = list(chart.plots[0].categories)
    assert "Secretland" not in categories
    assert categories[0] == "'=cmd|' /c calc'!A1"  # defused, shown as text
    assert "Groups with fewer than 5 answers (and any hidden with them) are not shown." in _texts(
        region
    )
    # the chart's embedded workbook holds no formula
    blob = chart.part.chart_workbook.xlsx_part.blob
    ws = load_workbook(io.BytesIO(blob)).active
    assert not any(c.data_type == "f" for r in ws.iter_rows() for c in r)


def test_weighted_footer_findings_and_missing_tables(tables, tmp_path):
    overall = tables["overall"].assign(n_effective=123.4)
    path = write_slides(
        {"overall": overall},
        tmp_path / "r.pptx",
        survey_name=NAME,
        findings=pd.DataFrame({"kind": ["headline"], "text": ["A <b>plain</b> finding"]}),
    )
    deck = Presentation(path)
    assert len(deck.slides) == 3  # title, findings, headline: no table, no slide
    assert _texts(deck.slides[2])[-1].startswith(
        f"Base: n = {int(overall['n'].iloc[0]):,} (effective n = 123)"
    )
    assert "A <b>plain</b> finding" in _texts(deck.slides[1])
    with pytest.raises(ValueError, match="overall"):
        write_slides({}, tmp_path / "x.pptx", survey_name=NAME)


def test_finnish_deck(tables, tmp_path):
    deck = Presentation(write_slides(tables, tmp_path / "fi.pptx", survey_name=NAME, language="fi"))
    titles = [s.shapes.title.text_frame.text for s in deck.slides]
    assert titles[1] == "Keskeiset havainnot"
    assert titles[4].startswith("Asiakkuus: ")
    assert all(_texts(s)[-1].startswith("Pohja: n = ") for s in deck.slides)
    (trend,) = _charts(deck.slides[3])
    assert list(trend.plots[0].categories)[0] == "kierros 1"
    # a Finnish count takes its own case: "16 arvostelijaan", not "16 arvostelijoita"
    assert (
        titles[-1] == "16 arvostelijaan on otettava yhteyttä; heistä 4 on myöhässä (48 h kulunut)"
    )


def test_document_properties_are_ours_not_the_template_authors(deck):
    # python-pptx's default template carries "Steve Canny", 2013, as author and dates
    props = deck.core_properties
    assert props.author == "nps-toolkit" and props.last_modified_by == "nps-toolkit"
    assert props.title == NAME
    assert props.created.year >= 2025 and props.revision == 1
    assert "Canny" not in f"{props.author}{props.last_modified_by}{props.comments}"


def test_control_and_bidi_characters_leave_no_trace_on_slides(tables, tmp_path):
    name = "Evil\x1b[2J\u202e\x00 survey"
    deck = Presentation(write_slides(tables, tmp_path / "x.pptx", survey_name=name))
    texts = " ".join(t for slide in deck.slides for t in _texts(slide))
    assert "Evil[2J survey" in texts and deck.core_properties.title == "Evil[2J survey"
    assert not any(c in texts for c in "\x1b\u202e\x00")


def test_narrow_headline_interval_in_tenths(tables, tmp_path):
    # 2.5 million answers: an interval 0.2 points wide is told in tenths, the
    # estimate with it; the ordinary decks above stay in whole points
    overall = tables["overall"].assign(nps=-17.53, ci_low=-17.63, ci_high=-17.43, pct_promoters=23.3,
                                       pct_detractors=40.8)  # fmt: skip
    deck = Presentation(write_slides({"overall": overall}, tmp_path / "n.pptx", survey_name=NAME))
    headline = deck.slides[2]
    assert headline.shapes.title.text_frame.text.startswith("NPS -17.5 (")
    assert "95 % interval -17.6 to -17.4" in _texts(headline)
