"""``split: <column>``: one report per value of a column, an index page, skipped small groups.

Rendered through the command line, as a researcher runs it.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nps_toolkit as nps
from nps_toolkit._filters import parse_filter
from nps_toolkit.cli import main
from nps_toolkit.reporting import rendering
from nps_toolkit.reporting.config import ConfigError, load_config

HOSTILE_STORE = '<script>alert(1)</script> & "Co"'
STORES = {"Helsinki": 60, "Tampere": 45, HOSTILE_STORE: 40, "Oulu": 3}  # Oulu < min_n 5


def _survey(folder: Path) -> Path:
    df = nps.example_survey("b2b-annual")
    df = df[df["wave"] == 7].reset_index(drop=True)
    names = [store for store, n in STORES.items() for _ in range(n)]
    df = df.iloc[: len(names) + 4].copy()
    df["store"] = names + [None] * 4  # four rows with no store: in no report
    path = folder / "stores.csv"
    df.to_csv(path, index=False)
    parts = folder / "parts"  # the same rows as a glob of Parquet parts
    parts.mkdir(exist_ok=True)
    for i, chunk in enumerate(np.array_split(np.arange(len(df)), 3)):
        df.iloc[chunk].to_parquet(parts / f"part-{i}.parquet", index=False)
    return path


def _config(base: Path, **entry) -> Path:
    import yaml

    doc = {
        "defaults": {"n_resamples": 30, "segments": ["tenure"], "wave": None, "outputs": ["html"]},
        "surveys": [{"name": "Stores", "data": "parts/part-*.parquet", "split": "store", **entry}],
    }
    path = base / "surveys.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _render(*args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["render", "--no-progress", *args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def split_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("split")
    data = _survey(base)
    config = _config(base)
    out = base / "reports"
    code, stdout, stderr = _render("--config", str(config), "--output", str(out), "--jobs", "2")
    return {"base": base, "data": data, "config": config, "out": out, "code": code,
            "stdout": stdout, "stderr": stderr}  # fmt: skip


def test_one_report_per_value_and_small_values_skipped(split_run):
    assert split_run["code"] == 0, split_run["stderr"]  # a skipped store is not a failure
    folder = split_run["out"] / "stores"
    reports = sorted(p.parent.name for p in folder.glob("*/report.html"))
    assert len(reports) == 3 and "helsinki" in reports and "tampere" in reports
    assert not (folder / "oulu").exists()
    assert "skipped" in split_run["stdout"] and "Stores / Oulu" in split_run["stdout"]


def test_each_report_holds_only_its_values_rows(split_run):
    folder = split_run["out"] / "stores"
    for store in ("Helsinki", "Tampere"):
        summary = pd.read_csv(folder / store.lower() / "summary.csv")
        overall = summary[summary["table"] == "overall"].iloc[0]
        df = pd.read_csv(split_run["data"])
        rows = df[df["store"] == store]
        assert int(overall["n"]) == rows["recommend"].notna().sum()
        assert float(overall["nps"]) == pytest.approx(nps.nps(rows["recommend"].dropna()))
        prov = json.loads((folder / store.lower() / "provenance.json").read_text())
        assert f'`store` == "{store}"' in prov["parameters"]["row_filter"]


def test_index_links_every_report_with_its_headline_nps_escaped(split_run):
    page = (split_run["out"] / "stores" / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    df = pd.read_csv(split_run["data"])
    for store in ("Helsinki", "Tampere"):
        headline = nps.nps(df.loc[df["store"] == store, "recommend"].dropna())
        assert f'<a href="{store.lower()}/report.html">{store}</a>' in page
        assert f"{headline:+.0f}" in page
    oulu = int(df.loc[df["store"] == "Oulu", "recommend"].notna().sum())
    assert (
        "skipped" in page and f"{oulu} answers in &#x27;recommend&#x27;, fewer than min_n 5" in page
    )
    assert f"<td>Oulu</td><td>skipped</td><td class='n'>{oulu}</td>" in page
    assert "4 row(s) have no value in &#x27;store&#x27;" in page


def test_second_run_is_unchanged_per_value(split_run):
    code, stdout, _ = _render(
        "--config", str(split_run["config"]), "--output", str(split_run["out"]), "--jobs", "1"
    )
    assert code == 0
    lines = [line for line in stdout.splitlines() if "Stores /" in line]
    assert len(lines) == 4
    assert sum("unchanged" in line for line in lines) == 3
    assert sum("skipped" in line for line in lines) == 1


def test_split_filter_keeps_the_rows_of_the_entry_filter_and_the_value():
    df = pd.DataFrame({"store": ['a"b\\c', "x", 'a"b\\c', None], "wave": [7, 7, 6, 7]})
    for base in (None, "wave == 7", {"wave": [7]}):
        text = rendering.split_filter(base, "store", 'a"b\\c')
        keep = parse_filter(text).mask(df).tolist()
        assert keep == ([True, False, True, False] if base is None else [True, False, False, False])
    assert parse_filter(rendering.split_filter(None, "wave", 7)).mask(df).tolist() == [
        True, True, False, True,
    ]  # fmt: skip


def test_split_value_slugs_are_distinct():
    slugs = rendering._value_slugs(["A/B", "a-b", "???", 3])
    assert len(set(slugs)) == 4 and slugs[0] == "a-b" and slugs[1].startswith("a-b-")
    assert all(s.replace("-", "").isalnum() for s in slugs)


def test_split_must_name_a_column(tmp_path):
    _survey(tmp_path)
    with pytest.raises(ConfigError, match="key 'split' must be"):
        load_config(_config(tmp_path, split=""))
    (survey,) = load_config(_config(tmp_path))
    assert survey.split == "store" and survey.parameters["required_columns"]["split"] == ["store"]


def test_split_column_missing_from_the_data_fails_the_entry(tmp_path):
    _survey(tmp_path)
    config = _config(tmp_path, split="shop")
    code, stdout, stderr = _render("--config", str(config), "--output", str(tmp_path / "r"))
    assert code == 1 and "shop" in stderr and "failed" in stdout


def test_kernel_reads_a_file_once_for_all_its_reports(tmp_path, monkeypatch):
    from nps_toolkit.reporting import inputs

    path = _survey(tmp_path)
    calls = []
    import nps_toolkit.data as data_module

    real = data_module.load_survey
    monkeypatch.setattr(
        data_module, "load_survey", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    inputs._LAST_READ.clear()
    a = inputs.load_data(str(path), row_filter={"store": "Helsinki"})
    b = inputs.load_data(str(path), row_filter={"store": "Tampere"})
    assert len(calls) == 1 and len(a) == 60 and len(b) == 45
    assert a.attrs["sha256"] == b.attrs["sha256"] == inputs.file_sha256(path)
    a["recommend"] = np.nan  # a report's change never reaches the next report
    assert inputs.load_data(str(path))["recommend"].notna().any()


def test_a_glob_or_folder_of_parts_is_the_same_data_as_the_file(tmp_path):
    from nps_toolkit.reporting import inputs

    path = _survey(tmp_path)
    one = inputs.load_data(str(path), row_filter="store == 'Tampere'")
    for source in (tmp_path / "parts" / "part-*.parquet", tmp_path / "parts"):
        got = inputs.load_data(str(source), row_filter="store == 'Tampere'")
        assert sorted(got["respondent_id"]) == sorted(one["respondent_id"])
        assert got["recommend"].sum() == one["recommend"].sum()
        assert got.attrs["sha256"] == inputs.data_sha256(source) != one.attrs["sha256"]
    with pytest.raises(ConfigError, match="no files match"):
        load_config(_config(tmp_path, data="parts/none-*.parquet"))


def test_a_section_out_of_time_says_so_and_the_others_appear(tmp_path):
    # section_timeout far below what any section needs: segments, drivers and
    # comments stop and say so; the headline, trend and appendix still appear
    _survey(tmp_path)
    import yaml

    doc = {"surveys": [{"name": "Slow", "data": "stores.csv", "wave": None, "n_resamples": 30,
                        "segments": ["tenure"], "outputs": ["html"], "section_timeout": 0.001}]}  # fmt: skip
    config = tmp_path / "surveys.yml"
    config.write_text(yaml.safe_dump(doc), encoding="utf-8")
    code, stdout, stderr = _render("--config", str(config), "--output", str(tmp_path / "r"))
    assert code == 0, stderr
    page = (tmp_path / "r" / "slow" / "report.html").read_text(encoding="utf-8")
    assert page.count("took longer than its limit of") == 3
    summary = pd.read_csv(tmp_path / "r" / "slow" / "summary.csv")
    assert {"overall", "headline", "findings"} <= set(summary["table"])
    assert not {"drivers", "segments", "themes"} & set(summary["table"])


def test_readme_split_entry_is_a_valid_config(tmp_path):
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(surveys:\n  - name: Stores 2026.*?)```", readme, flags=re.S)
    (tmp_path / "exports").mkdir()
    frame = pd.DataFrame({"recommend": [9, 3], "store": ["a", "b"], "channel": ["web", "test"]})
    frame.to_parquet(tmp_path / "exports" / "2026-01.parquet")
    (tmp_path / "surveys.yml").write_text(block.group(1), encoding="utf-8")
    (survey,) = load_config(tmp_path / "surveys.yml")
    assert survey.split == "store" and survey.parameters["section_timeout"] == 300
    assert survey.parameters["data_path"].endswith("2026-*.parquet")


@pytest.mark.filterwarnings("ignore::FutureWarning")  # pyspark about pandas 3
@pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")
def test_spark_split_plans_the_same_reports_as_the_parts(spark, tmp_path, monkeypatch):
    # the answers per store counted by Spark: the same reports, skips and blanks
    monkeypatch.setattr("nps_toolkit.reporting.config.spark_available", lambda: True)
    _survey(tmp_path)
    (parts,) = load_config(_config(tmp_path, filter="tenure != 'x'"))
    (on_spark,) = load_config(
        _config(tmp_path, data="spark:parquet:parts/part-*.parquet", filter="tenure != 'x'")
    )
    assert on_spark.parameters["data_path"]["spark"]["path"] == str(
        tmp_path.resolve() / "parts" / "part-*.parquet"
    )
    want = rendering.plan_split(parts, tmp_path / "a")
    got = rendering.plan_split(on_spark, tmp_path / "b")
    assert got.error is None and want.error is None
    assert [(s.slug, v, n) for s, v, n in got.reports] == [
        (s.slug, v, n) for s, v, n in want.reports
    ]
    assert [r.slug for r in got.skipped] == [r.slug for r in want.skipped] != []
    assert got.blank_rows == want.blank_rows == 4
    assert got.reports[0][0].parameters["row_filter"] == want.reports[0][0].parameters["row_filter"]


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_spark_entry_renders_the_same_report_as_its_file(spark, tmp_path):
    # the kernel starts its own Spark session (local[2]) from the entry's spark: block;
    # counted on Spark it equals the report counted in DuckDB, and with backend: pandas
    # (the used columns collected) the report read by pandas
    path = _survey(tmp_path)
    pd.read_csv(path).to_parquet(tmp_path / "stores.parquet", index=False)
    spark_data = '{spark: {path: stores.parquet, master: "local[2]"}}'
    doc = (
        "defaults: {n_resamples: 30, outputs: [html], segments: [tenure], wave: null,\n"
        "           filter: \"store in ['Helsinki', 'Tampere']\"}\n"
        "surveys:\n"
        f"  - {{name: On Spark, data: {spark_data}, account: null, invited: null}}\n"
        "  - {name: In DuckDB, data: stores.parquet, account: null, invited: null,\n"
        "     backend: duckdb}\n"
        f"  - {{name: Spark collected, data: {spark_data}, backend: pandas}}\n"
        "  - {name: From the file, data: stores.parquet}\n"
    )
    (tmp_path / "surveys.yml").write_text(doc, encoding="utf-8")
    out = tmp_path / "r"
    code, stdout, stderr = _render("--config", str(tmp_path / "surveys.yml"), "--output", str(out))
    assert code == 0, stdout + stderr

    def summary(name):
        return pd.read_csv(out / name / "summary.csv")

    pd.testing.assert_frame_equal(summary("on-spark"), summary("in-duckdb"))
    pd.testing.assert_frame_equal(summary("spark-collected"), summary("from-the-file"))
    assert "drivers" in set(summary("on-spark")["table"])
    html = (out / "on-spark" / "report.html").read_text(encoding="utf-8")
    assert "on 105 responses" in html and "Spark parquet &#39;stores&#46;parquet&#39;" in html
    for name in ("on-spark", "spark-collected"):
        notebook = (out / name / "report.ipynb").read_text(encoding="utf-8")
        assert str(tmp_path) not in notebook and "WARN" not in notebook  # no JVM log, folders
    provenance = json.loads((out / "on-spark" / "provenance.json").read_text(encoding="utf-8"))
    assert provenance["parameters"]["data_path"]["spark"]["path"] == "stores.parquet"
    # the data's digest taken by the kernel (spark_fingerprint), the same rows both times
    digests = [
        json.loads((out / name / "provenance.json").read_text(encoding="utf-8"))["data_sha256"]
        for name in ("on-spark", "spark-collected")
    ]
    assert digests[0] and digests[0] == digests[1]
    assert not (out / "on-spark" / "data_sha256.txt").exists()
    # no fingerprint of Spark data before the kernel reads it: rendered again, never unchanged
    again = ("--config", str(tmp_path / "surveys.yml"), "--output", str(out))
    code, stdout, _ = _render(*again, "On Spark", "From the file")
    assert code == 0 and "unchanged" in stdout
    assert [line.split()[-4] for line in stdout.splitlines() if "On Spark" in line] == ["ok"]


def test_split_plans_a_file_whose_score_the_entry_names(tmp_path):
    """A platform export's question as the score column, named by the entry: the plan reads
    it as the reports do (the loader's own search renamed it 'recommend' and the entry failed)."""
    import yaml

    question = "How likely are you to recommend this airline?"
    scores = [9, 10, 3, 7, 8, 9, 1, 2, 9, 10, 6, 7, 8]
    pd.DataFrame({"Airline": ["A"] * 6 + ["B"] * 7, question: scores}).to_csv(
        tmp_path / "a.csv", index=False
    )
    entry = {"name": "Air", "data": "a.csv", "split": "Airline", "score": question}
    path = tmp_path / "surveys.yml"
    path.write_text(yaml.safe_dump({"surveys": [entry]}), encoding="utf-8")
    split = rendering.plan_split(load_config(path)[0], tmp_path / "r")
    assert split.error is None
    assert [(value, n) for _, value, n in split.reports] == [("A", 6), ("B", 7)]


def test_split_plan_reads_with_the_template_load_options():
    """``LOAD_OPTIONS`` (what plan_split passes) are the options the template passes."""
    import ast

    import nbformat

    from nps_toolkit.reporting.config import TEMPLATE
    from nps_toolkit.reporting.inputs import LOAD_OPTIONS

    nb = nbformat.read(TEMPLATE, as_version=4)
    calls = [
        node
        for cell in nb.cells
        if cell.cell_type == "code" and "load_options=" in cell.source
        for node in ast.walk(ast.parse(cell.source.replace("%matplotlib inline", "")))
        if isinstance(node, ast.keyword) and node.arg == "load_options"
    ]
    (call,) = calls
    assert tuple(k.arg for k in call.value.keywords) == LOAD_OPTIONS
