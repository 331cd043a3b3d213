"""The example reports checked in a real browser (headless Chromium) and as printed PDFs.

Each example report is opened by the system Chromium through Playwright
(pointed at ``/usr/bin/chromium``; Playwright never downloads a browser
here) with every network request refused: no console error, no request
other than the file itself and its inline ``data:`` images, every image
decoded, every contents link landing on a heading.  A full-page screenshot
of each report is written beside it for review.  The PDF the renderer
printed has at least three pages and its text holds the survey's name.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from nps_toolkit import reporting as report
from nps_toolkit.reporting import pdf

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(), reason="no /usr/bin/chromium (apt-get install chromium); CI installs it"
)

SURVEYS = [
    {"name": "B2B customer survey, all waves", "example": "b2b-annual"},
    {"name": "B2B-asiakaskysely 2025 (kierros 7)", "example": "b2b-annual",
     "filter": {"wave": 7}, "report_language": "fi",
     "value_labels": {"region": {"North": "Pohjoinen", "South": "Etelä", "East": "Itä",
                                 "West": "Länsi"}, "tenure": {"at-risk": "vaarassa"}}},
    {"name": "B2C monthly survey (weighted)", "example": "b2c-monthly", "weights": "weight",
     "segments": ["channel", "region", "customer_type", "age_group"], "drivers": [],
     "wave": None, "account": None, "invited": None},
]  # fmt: skip


def _shipped(name_part: str) -> dict:
    """An entry of the project's surveys.yml, its files named from the project folder."""
    import yaml

    from nps_toolkit.reporting.config import FILE_KEYS

    doc = yaml.safe_load((ROOT / "surveys.yml").read_text(encoding="utf-8"))
    entry = next(e for e in doc["surveys"] if name_part in e["name"])
    return {k: str(ROOT / v) if k in FILE_KEYS and isinstance(v, str) else v
            for k, v in entry.items()}  # fmt: skip


# the shipped podracing report (data/public/ezrsurvey_podracing_survey.csv): a segment
# column with an underscore, drivers, English comments with a survey lexicon
PODRACING = _shipped("Podracing")
SURVEYS.append(PODRACING)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    import yaml

    base = tmp_path_factory.mktemp("browser")
    config = base / "surveys.yml"
    doc = {"defaults": {"n_resamples": 50}, "surveys": SURVEYS}
    config.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = base / "reports"
    table = report.render_reports(config, output_dir=out, jobs=2, progress=False)
    assert table["status"].tolist() == ["ok"] * len(SURVEYS), table.to_dict("records")
    return {s["name"]: out / report.slugify(s["name"]) for s in SURVEYS}


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND"],
        )
        yield b
        b.close()


@pytest.mark.parametrize("name", [s["name"] for s in SURVEYS])
def test_report_in_browser_offline(rendered, browser, name):
    folder = rendered[name]
    html = folder / "report.html"
    context = browser.new_context(viewport={"width": 1200, "height": 900}, offline=True)
    page = context.new_page()
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    # anything that is not the report itself or an inline image is refused and recorded
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort()
        ),
    )
    page.goto(html.as_uri(), wait_until="load")
    images = page.evaluate(
        "Array.from(document.images).map(i => ({ok: i.complete && i.naturalWidth > 0, alt: i.alt}))"
    )
    links = page.evaluate(
        "Array.from(document.querySelectorAll('nav.nps-contents a')).map(a => "
        "({href: a.getAttribute('href'), target: !!document.getElementById(a.getAttribute('href').slice(1))}))"
    )
    shot = folder / "screenshot.png"
    page.screenshot(path=str(shot), full_page=True)
    context.close()

    assert errors == []
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert len(images) >= 3
    assert all(i["ok"] for i in images), images
    assert all(len(i["alt"]) > 20 for i in images), images  # a sentence, not "Figure"
    assert len(links) >= 8 and all(link["target"] for link in links), links
    assert shot.stat().st_size > 10_000
    print(f"screenshot for review: {shot}")


@pytest.mark.parametrize("name", [s["name"] for s in SURVEYS])
def test_pdf_pages_and_text(rendered, name):
    if not (shutil.which("pdftotext") and shutil.which("pdfinfo")):
        pytest.skip("poppler-utils (pdftotext, pdfinfo) not installed; CI installs them")
    path = rendered[name] / "report.pdf"
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:")).split()[1])
    assert pages >= 3
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    assert name in " ".join(text.stdout.split())


def test_finnish_report_reads_finnish(rendered):
    html = (rendered["B2B-asiakaskysely 2025 (kierros 7)"] / "report.html").read_text("utf-8")
    for words in ("Keskeiset havainnot", "suosittelijat", "arvostelijat", "Sisällys", "95\u00a0%"):
        assert words in html, words
    for words in ("Key findings", "Promoters", "detractors", "within the margin"):
        assert words not in html, words
    # the groups carry their Finnish names from value_labels, in tables and findings alike
    import html as html_lib

    text = " ".join(html_lib.unescape(html).split())
    for words in (">Pohjoinen</td>", ">Länsi</td>", "vaarassa (asiakkuus)"):
        assert words in text, words
    assert ">North</td>" not in text and "at-risk (" not in text


def test_without_chromium_the_pdf_is_skipped_with_one_line(tmp_path, monkeypatch, capsys):
    html = tmp_path / "r.html"
    html.write_text("<p>x</p>", encoding="utf-8")
    monkeypatch.setenv("NPS_TOOLKIT_CHROMIUM", str(tmp_path / "no-such-browser"))
    monkeypatch.setattr(pdf, "_warned", type(pdf._warned)())
    assert pdf.print_pdf(html, tmp_path / "r.pdf") is None
    assert pdf.print_pdf(html, tmp_path / "r.pdf") is None
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "report.pdf is skipped" in err
    assert not (tmp_path / "r.pdf").exists()


def _pdf_text(path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) not installed; CI installs them")
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def test_podracing_report_reads_as_a_client_sees_it(rendered, browser):
    import html

    folder = rendered[PODRACING["name"]]
    context = browser.new_context(viewport={"width": 1200, "height": 900}, offline=True)
    page = context.new_page()
    page.goto((folder / "report.html").as_uri(), wait_until="load")
    headings = page.evaluate("Array.from(document.querySelectorAll('h3')).map(h => h.innerText)")
    # the quotes table: how each column's cells are aligned on the page
    align = page.evaluate(
        """() => {
          const table = Array.from(document.querySelectorAll('table.nps-table'))
            .find(t => t.innerText.includes('quote'));
          const row = table.querySelector('tbody tr');
          return Array.from(row.cells).map(c => getComputedStyle(c).textAlign);
        }"""
    )
    axis_alt = page.evaluate(
        "Array.from(document.images).map(i => i.alt).find(a => a.includes('explained'))"
    )
    context.close()
    assert "By race attended" in headings, headings  # not "By race&#95;attended"
    page = (folder / "report.html").read_text(encoding="utf-8")
    findings = page.split('<section class="nps-findings"', 1)[1].split("</section>")[0]
    findings = html.unescape(findings)
    assert "(race attended)" in findings and "race_attended" not in findings  # in words
    assert not [h for h in headings if "&#" in h or "_" in h], headings
    # theme, category, score, quote: words left, the score right
    assert align == ["left", "left", "right", "left"], align
    text = _pdf_text(folder / "report.pdf")
    assert "By race attended" in text and "&#95;" not in text and "&#38;" not in text
    # the drivers chart names the share the table gives (percent of the explained variance)
    drivers = rendered_table(folder, "share of explained variance")
    top = drivers.iloc[0]
    assert (
        f"{top['attribute']}: {round(float(top['share of explained variance'][:-2]))} %" in axis_alt
    )


def rendered_table(folder: Path, header: str):
    """The report's table with a column ``header``, as text cells."""
    import io

    import pandas as pd

    html = (folder / "report.html").read_text(encoding="utf-8")
    tables = pd.read_html(io.StringIO(html), attrs={"class": "nps-table"})
    return next(t for t in tables if header in t.columns).astype(str)
