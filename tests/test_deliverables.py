"""Raking, target, banner workbook and slides in the report: config, template and render."""

import html
import json

import pytest
import yaml
from openpyxl import load_workbook
from pptx import Presentation

import nps_toolkit as nps
from nps_toolkit import reporting as report
from nps_toolkit._i18n import Texts
from nps_toolkit.reporting import deliverables
from nps_toolkit.reporting.sections import Settings

REGION_SHARES = {"North": 0.25, "South": 0.25, "East": 0.25, "West": 0.25}


def _config(tmp_path, entry, data="data.csv"):
    nps.example_survey("b2b-annual").query("wave == 7").to_csv(tmp_path / data, index=False)
    path = tmp_path / "surveys.yml"
    path.write_text(
        yaml.safe_dump({"surveys": [{"name": "S", "data": data, **entry}]}), encoding="utf-8"
    )
    return path


def test_template_has_the_new_parameters_with_types():
    params = report.template_parameters()
    assert params["banners"] == [] and params["rake"] is None and params["target"] is None
    assert params["outputs"] == ["html", "pdf", "pptx", "xlsx"]
    kinds = report.parameter_types()
    assert report.config.conforms({"region": {"North": 0.5, "South": 0.5}}, kinds["rake"])
    assert report.config.conforms(50, kinds["target"])
    assert not report.config.conforms(["x", 1], kinds["banners"])


def test_config_accepts_and_requires_the_columns(tmp_path):
    (survey,) = report.load_config(
        _config(
            tmp_path,
            {
                "banners": ["tenure", "region"],
                "rake": {"region": REGION_SHARES},
                "target": 50,
                "outputs": ["pptx"],
            },
        )
    )
    p = survey.parameters
    assert p["banners"] == ["tenure", "region"] and p["target"] == 50.0
    assert p["required_columns"]["banners"] == ["tenure", "region"]
    assert p["required_columns"]["rake"] == ["region"]


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        ({"outputs": ["html", "docx"]}, "outputs"),
        ({"outputs": ["pptx", "pptx"]}, "distinct"),
        ({"target": 150}, "between -100 and 100"),
        ({"rake": {"region": {"North": 0.5, "South": 0.4}}}, "sums to 0.9"),
        ({"rake": {"region": {"North": 50, "South": 50}}}, "not percentages"),
        ({"rake": {"region": "North"}}, "rake"),
        ({"banners": ["tenure", ""]}, "banners"),
    ],
)
def test_config_refuses_bad_options(tmp_path, entry, match):
    with pytest.raises(report.ConfigError, match=match):
        report.load_config(_config(tmp_path, entry))


def test_output_files_follow_outputs():
    base = ("report.ipynb", "summary.csv", "summary.xlsx", "provenance.json")
    every = report.template_parameters()["outputs"]
    assert report.output_files({"outputs": every}) == (*base, "report.html", "report.pptx")
    assert report.output_files({"outputs": every, "banners": ["tenure"]})[-1] == "banner.xlsx"
    assert report.output_files({}) == (*base, "report.html")  # a template without outputs
    assert report.output_files({"outputs": [], "banners": ["tenure"]}) == base
    assert report.output_files({"outputs": ["html"]}) == (*base, "report.html")


def test_rake_and_weighting_sentence():
    df = nps.example_survey("b2b-annual").query("wave == 7").reset_index(drop=True)
    df.loc[:2, "region"] = None
    out, weighting = deliverables.rake(df, {"region": REGION_SHARES})
    w = out[deliverables.RAKE_WEIGHT]
    shares = w[df["region"].notna()].groupby(df["region"]).sum() / w[df["region"].notna()].sum()
    assert shares.to_dict() == pytest.approx(REGION_SHARES)
    row = weighting.summary.iloc[0]
    assert row["n_effective"] == pytest.approx(w.sum() ** 2 / (w**2).sum())
    lines = deliverables.weighting_text(weighting, Texts("en"))
    assert f"effective sample size {row['n_effective']:,.0f} of {len(df):,} answers" in lines[0]
    assert lines[1] == "3 answers with no target category for region keep their weight for it."
    with pytest.raises(ValueError, match="rake_weight"):
        deliverables.rake(out, {"region": REGION_SHARES})


def test_target_test_and_sentence():
    df = nps.example_survey("b2b-annual").query("wave == 7")
    s = Settings(account="account_id", method="adjusted-wald")
    res = deliverables.target_test(df, 50, s)
    ref = nps.compare_to_target(df["recommend"], 50, clusters=df["account_id"])
    assert res.p_value == pytest.approx(ref.p_value)
    text = deliverables.target_text(res, Texts("en"))
    expected = "not clearly different" if res.p_value >= 0.05 else "above it"
    assert text.startswith("Target +50: the latest NPS") and expected in text
    low = deliverables.target_text(deliverables.target_test(df, -20, s), Texts("fi"))
    assert low.startswith("Tavoite -20: viimeisin NPS") and "ylittää" in low
    assert deliverables.target_test(df, None, s) is None


def test_render_writes_banner_workbook_and_slides(tmp_path):
    config = _config(
        tmp_path,
        {
            "banners": ["tenure", "region", "product_line"],
            "rake": {"region": REGION_SHARES},
            "target": 50,
            "outputs": ["pptx", "xlsx"],
            "segments": ["tenure"],
            "n_resamples": 50,
            "wave": None,
        },
    )
    out = tmp_path / "reports"
    table = report.render_reports(config, output_dir=out, progress=False)
    assert table["status"].tolist() == ["ok"], table["error"].tolist()
    folder = out / "s"
    files = {p.name for p in folder.iterdir()}
    assert {"banner.xlsx", "report.pptx", "report.ipynb"} <= files
    assert "report.html" not in files  # not asked for
    # the workbook: the three banners side by side
    ws = load_workbook(folder / "banner.xlsx")["Banner"]
    banners = [c.value for c in ws[2] if c.value]
    assert banners == ["tenure", "region", "product_line"]
    assert ws["A6"].value == "Effective base"  # raked, so weighted
    # the slides: weighted base in every footer
    deck = Presentation(folder / "report.pptx")
    footers = [[s.text_frame.text for s in sl.shapes if s.has_text_frame][-1] for sl in deck.slides]
    assert all(f.startswith("Base: n = ") and f.endswith("\u00b7 S") for f in footers)
    assert "(effective n = " in footers[2]  # the headline slide
    series = [s.name for s in deck.slides[3].shapes[1].chart.plots[0].series]
    assert "Target" in series
    # the notebook: the weighting sentence and the target sentence
    nb = json.loads((folder / "report.ipynb").read_text(encoding="utf-8"))
    text = html.unescape(
        " ".join(
            "".join(o.get("data", {}).get("text/markdown", ""))
            for c in nb["cells"]
            for o in c.get("outputs", [])
        )
    )
    assert "weighted to the population's shares of region (raking)" in text
    assert "Target +50: the latest NPS +56 is not clearly different from it" in text
