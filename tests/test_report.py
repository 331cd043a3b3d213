"""Tests for nps_toolkit.reporting: config validation, rendering, HTML safety, atomicity.

One real render (two surveys in parallel, one of them corrupt) is shared by the
module through a fixture; a second short render checks that a failing
re-render keeps the previous good report.
"""

import ast
import contextlib
import io
import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from nps_toolkit import reporting as report
from nps_toolkit.cli import main
from nps_toolkit.reporting import rendering

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = "<script>alert(1)</script>"
PLANTED_EMAIL = "jane.doe@example.com"
GOOD_NAME = "Wave 7 <b>bold</b>"
GOOD_SLUG = "wave-7-b-bold-b"


def _write_config(path: Path, surveys: list, defaults=None) -> Path:
    import yaml

    doc = {"surveys": surveys}
    if defaults:
        doc["defaults"] = defaults
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _small_survey(folder: Path) -> Path:
    """Wave 7 of the example (180 rows) with a handful of comments, one hostile."""
    import nps_toolkit as nps

    df = nps.example_survey("b2b-annual")
    df = df[df["wave"] == 7].reset_index(drop=True)
    df["comment"] = pd.NA
    df["language"] = pd.NA
    comments = {
        0: (10, f"Quality is excellent {SCRIPT}"),
        1: (3, f"The price is far too high, mail me at {PLANTED_EMAIL}"),
        2: (9, "Great support and fast response"),
        3: (5, "Communication could be better"),
        4: (8, "Good quality, fair price"),
        # five more mention quality (quotes are drawn only for a theme min_n mention),
        # none a promoter: the promoter quote of quality is the hostile comment
        5: (2, "Quality was poor"),
        6: (6, "Quality is average"),
        7: (7, "The quality is fine"),
        8: (4, "Quality dropped this year"),
    }
    for i, (score, text) in comments.items():
        df.loc[i, "recommend"] = score
        df.loc[i, "comment"] = text
    path = folder / "wave7.csv"
    df.to_csv(path, index=False)
    return path


def _corrupt(good: Path, folder: Path) -> Path:
    lines = good.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    col = header.index("recommend")
    cells = lines[10].split(",")
    cells[col] = "eleven"
    lines[10] = ",".join(cells)
    path = folder / "corrupt.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _render_cli(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["render", "--no-progress", *args])
    return code, out.getvalue(), err.getvalue()


COMMON = {"n_resamples": 50, "segments": ["tenure", "region"], "wave": None}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    base = tmp_path_factory.mktemp("render")
    data = base / "data"
    data.mkdir()
    good = _small_survey(data)
    bad = _corrupt(good, data)
    config = _write_config(
        base / "surveys.yml",
        [
            {"name": GOOD_NAME, "data": "data/wave7.csv"},
            {"name": "../../corrupt", "data": "data/corrupt.csv"},
            {"name": "Misspelled", "data": "data/wave7.csv", "segments": ["tenure", "regoin"]},
        ],
        defaults=COMMON,
    )
    out = base / "nested" / "reports"
    code, stdout, stderr = _render_cli("--config", str(config), "--output", str(out), "--jobs", "2")
    return {
        "base": base,
        "config": config,
        "good_csv": good,
        "bad_csv": bad,
        "out": out,
        "code": code,
        "stdout": stdout,
        "stderr": stderr,
        "folder": out / GOOD_SLUG,
    }


# --- the template ------------------------------------------------------------


def test_parameters_cell_holds_only_commented_literal_assignments():
    source = report.parameters_cell()
    tree = ast.parse(source)
    assert tree.body, "empty parameters cell"
    for node in tree.body:
        assert isinstance(node, ast.Assign), ast.dump(node)
        assert len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
        ast.literal_eval(node.value)  # raises for anything but a literal
    lines = [line for line in source.splitlines() if line.strip()]
    assert all("#" in line for line in lines), "every parameter needs a comment"
    params = report.template_parameters()
    assert params["data_path"] is None and params["example"] in report.EXAMPLES
    assert params["tables_dir"] is None


def test_template_parameters_rejects_code(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = 1  # ok\ny = len([1])  # not a literal")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    path = tmp_path / "t.ipynb"
    nbformat.write(nb, str(path))
    with pytest.raises(ValueError, match="'y'"):
        report.template_parameters(path)


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "nps_toolkit" / "templates").glob("*.ipynb"))
    + sorted((ROOT / "notebooks").glob("*.ipynb")),
)
def test_committed_notebooks_have_no_outputs(path):
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


# --- slugs and configuration -------------------------------------------------


@pytest.mark.parametrize(
    "name, slug",
    [
        ("../../x", "x"),
        ("B2B / wave 7", "b2b-wave-7"),
        ("..\\..\\evil", "evil"),
        ("Å ö 2025", "2025"),
    ],
)
def test_slugify_stays_inside(name, slug):
    assert report.slugify(name) == slug


def test_slugify_rejects_empty():
    with pytest.raises(ValueError, match="empty folder name"):
        report.slugify("../..")


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "s.csv"
    pd.DataFrame({"recommend": [10, 9, 3, 7, 8]}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "entry, message",
    [
        (
            {"name": "A", "data": "s.csv", "segmnets": ["x"]},
            r"survey 'A' \(entry 1\): unknown key 'segmnets'",
        ),
        ({"name": "A", "data": "nope.csv"}, r"survey 'A' \(entry 1\): key 'data': file .*nope.csv"),
        (
            {"name": "A", "data": "s.csv", "confidence_level": 95},
            r"survey 'A'.*key 'confidence_level'",
        ),
        (
            {"name": "A", "data": "s.csv", "method": "magic"},
            r"survey 'A'.*key 'method'.*adjusted-wald",
        ),
        ({"name": "A", "data": "s.csv", "min_n": -1}, r"survey 'A'.*key 'min_n'"),
        ({"name": "A", "data": "s.csv", "segments": "tenure"}, r"survey 'A'.*key 'segments'"),
        ({"name": "A", "data": "s.csv", "filter": 7}, r"survey 'A'.*key 'filter'"),
        ({"name": "A", "example": "b2z"}, r"survey 'A'.*key 'example'"),
        ({"name": "A", "data": "s.csv", "columns": "c.yml"}, r"'A'.*key 'columns': file .*c.yml"),
        ({"name": "A", "data": "s.csv", "columns": {"Q1": 1}}, r"'A'.*key 'columns' must be"),
        ({"data": "s.csv"}, r"entry 1: missing key 'name'"),
        ({"name": "A"}, r"survey 'A'.*missing key 'data'"),
        ({"name": "../..", "data": "s.csv"}, r"key 'name'.*empty folder name"),
        (
            {"name": "A", "data": "s.csv", "promoter_growth": "ten"},
            r"survey 'A'.*key 'promoter_growth' must be a number, got 'ten'",
        ),
        (
            {"name": "A", "data": "s.csv", "segments": ["tenure", 7]},
            r"key 'segments' must be a list of text",
        ),
        ({"name": "A", "data": "s.csv", "weights": 5}, r"key 'weights' must be text or null"),
        ({"name": "A", "data": "s.csv", "min_n": True}, r"key 'min_n' must be a whole number"),
        ({"name": "A", "data": "s.csv", "seed": 1.5}, r"key 'seed' must be a whole number"),
        ({"name": 7, "data": "s.csv"}, r"key 'name' must be text"),
        (
            {"name": "A", "data": "s.csv", "promoter_growth": float("nan")},
            r"key 'promoter_growth' must be a number, got nan",
        ),
        (
            {"name": "A", "data": "s.csv", "n_resamples": 1_000_000},
            r"key 'n_resamples' must be at most 100,000",
        ),
        ({"name": "A", "data": "s.csv", "timeout": 0}, r"key 'timeout' must be a number of sec"),
        ({"name": "A", "data": "s.csv", "timeout": "1h"}, r"key 'timeout' must be a number"),
        (
            {"name": "A", "data": "s.csv", "filter": "wave > 0 and @os.system('id') == 0"},
            r"survey 'A' \(entry 1\): key 'filter': '@' at position 14",
        ),
        (
            {"name": "A", "data": "s.csv", "filter": {"wave": [[7]]}},
            r"key 'filter': filter column 'wave': values must be",
        ),
    ],
)
def test_config_errors_name_entry_and_key(tmp_path, data_file, entry, message):
    config = _write_config(tmp_path / "surveys.yml", [entry])
    with pytest.raises(report.ConfigError, match=message):
        report.load_config(config)


def test_config_duplicate_folders_and_top_level(tmp_path, data_file):
    config = _write_config(
        tmp_path / "surveys.yml",
        [{"name": "A b", "data": "s.csv"}, {"name": "a-B", "data": "s.csv"}],
    )
    with pytest.raises(report.ConfigError, match=r"entry 2\).*'a-b', already used by entry 1"):
        report.load_config(config)
    (tmp_path / "bad.yml").write_text("surveys: []\n")
    with pytest.raises(report.ConfigError, match="'surveys:' list"):
        report.load_config(tmp_path / "bad.yml")
    (tmp_path / "bad2.yml").write_text("survey:\n  - name: A\n")
    with pytest.raises(report.ConfigError, match="unknown top-level key"):
        report.load_config(tmp_path / "bad2.yml")
    with pytest.raises(FileNotFoundError):
        report.load_config(tmp_path / "missing.yml")
    config = _write_config(tmp_path / "d.yml", [{"name": "A", "data": "s.csv"}], {"name": "x"})
    with pytest.raises(report.ConfigError, match="defaults: key 'name' belongs in each survey"):
        report.load_config(config)


def test_config_defaults_paths_and_selection(tmp_path, data_file):
    config = _write_config(
        tmp_path / "surveys.yml",
        [
            {"name": "A", "data": "s.csv", "filter": {"recommend": [9, 10]}},
            {"name": "B", "example": "b2c-monthly", "min_n": 10},
        ],
        defaults={"min_n": 30, "confidence_level": 0.9},
    )
    a, b = report.load_config(config)
    assert a.parameters["data_path"] == str(data_file.resolve())
    assert a.parameters["row_filter"] == {"recommend": [9, 10]}
    assert (a.parameters["min_n"], b.parameters["min_n"]) == (30, 10)
    assert b.parameters["confidence_level"] == 0.9 and b.parameters["data_path"] is None
    assert "tables_dir" not in a.parameters
    assert [s.name for s in report.select_surveys([a, b], ["b", "A"])] == ["B", "A"]
    with pytest.raises(KeyError, match=r"unknown survey\(s\) \['C'\]; configured: \['A', 'B'\]"):
        report.select_surveys([a, b], ["C"])


def test_config_timeout_and_required_columns(tmp_path, data_file):
    config = _write_config(
        tmp_path / "surveys.yml",
        [
            {"name": "A", "data": "s.csv", "timeout": 30, "segments": ["region"], "wave": None},
            {"name": "B", "data": "s.csv", "language": "fi"},
            {"name": "C", "data": "s.csv", "language": "lang"},
        ],
        defaults={"comment": "why"},
    )
    a, b, c = report.load_config(config)
    assert (a.timeout, b.timeout) == (30.0, 600)
    assert c.parameters["required_columns"] == {"comment": ["why"], "language": ["lang"]}
    assert "timeout" not in a.parameters  # a render option, not a notebook parameter
    # only the columns the config names are required; the template's defaults stay optional
    assert a.parameters["required_columns"] == {"segments": ["region"], "comment": ["why"]}
    assert b.parameters["required_columns"] == {"comment": ["why"]}


HOSTILE = {
    "at-name filter": (
        "surveys:\n  - name: A\n    data: s.csv\n"
        "    filter: \"recommend > 0 and @os.system('touch PWNED') == 0\"\n",
        "survey 'A' (entry 1): key 'filter': '@' at position 19",
    ),
    "set parameter": (
        "surveys:\n  - name: A\n    data: s.csv\n"
        '    promoter_growth: !!set {\'"; __import__("os").system("touch PWNED"); "\': null}\n',
        "surveys.yml, line 4: YAML tag '!!set' is not allowed",
    ),
    "binary in filter": (
        "surveys:\n  - name: A\n    data: s.csv\n    filter: {recommend: !!binary MTA=}\n",
        "surveys.yml, line 4: YAML tag '!!binary' is not allowed",
    ),
    "python object": (
        "surveys:\n  - name: !!python/object/apply:os.system ['touch PWNED']\n    data: s.csv\n",
        "line 2: YAML tag '!!python/object/apply:os.system' is not allowed",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_config_renders_nothing_and_creates_no_file(tmp_path, data_file, case, monkeypatch):
    text, message = HOSTILE[case]
    (tmp_path / "surveys.yml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, stdout, stderr = _render_cli("--config", "surveys.yml", "--output", "out")
    assert code == 2 and stdout == ""
    assert message in stderr and stderr.count("\n") == 1, stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no PWNED, no out/


def test_yaml_refuses_duplicates_aliases_and_other_encodings(tmp_path, data_file):
    cases = {
        "dup.yml": (
            "surveys:\n  - name: A\n    data: s.csv\n    min_n: 5\n    min_n: 50\n",
            r"dup.yml, line 5: duplicate key 'min_n' \(first at line 4\)",
        ),
        "alias.yml": (
            "defaults: &d\n  min_n: 5\nsurveys:\n  - name: A\n    data: s.csv\n    x: *d\n",
            r"alias.yml, line 6: alias \*d is not allowed",
        ),
        "tag.yml": ("surveys:\n  - name: !secret A\n", r"tag.yml, line 2: YAML tag '!secret'"),
        "deep.yml": (
            "surveys: " + "[" * 5000 + "]" * 5000 + "\n",
            r"deep.yml: .*nested too deeply",
        ),
        "date.yml": (
            "surveys:\n  - name: A\n    data: s.csv\n    seed: 2025-01-01\n",
            r"key 'seed' must be a whole number, got '2025-01-01'",  # dates stay text
        ),
    }
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        with pytest.raises(report.ConfigError, match=message):
            report.load_config(tmp_path / name)
    (tmp_path / "latin1.yml").write_bytes("surveys:\n  - name: Käyttäjät\n".encode("latin-1"))
    with pytest.raises(report.ConfigError, match=r"latin1.yml: not UTF-8 text \(line 2"):
        report.load_config(tmp_path / "latin1.yml")


def test_every_parameter_has_a_type_its_default_meets():
    types = report.parameter_types()
    params = report.template_parameters()
    assert set(types) == set(params)
    for name, default in params.items():
        assert report.config.conforms(default, types[name]), name
        if default is None:
            assert name in report.PARAMETER_TYPES, f"declare the type of {name!r}"
    assert types["segments"] == list[str] and types["min_n"] is int


def test_option_rules_name_real_keys_and_the_defaults_meet_them():
    config = report.config
    params = report.template_parameters()
    defaults = {**params, **{k: d for k, (_, d) in config.RENDER_OPTIONS.items()}}
    # a rule under a misspelt key would never run
    assert set(config.OPTION_RULES) <= set(defaults)
    for name, default in defaults.items():
        config._check_option("defaults", name, default, name)  # raises on a bad default
    with pytest.raises(report.ConfigError, match=r"^W: key 'method' must be one of \['wald'"):
        config._check_option("W", "method", "wilson", "method")


def test_parameters_are_written_as_plain_literals():
    from nps_toolkit.reporting import _engine

    hostile = '"; __import__("os").system("id"); "\\'
    code = _engine.LiteralTranslator.codify({"survey_name": hostile, "segments": ["a", 'b"']})
    tree = ast.parse(code)
    values = {n.targets[0].id: ast.literal_eval(n.value) for n in tree.body}
    assert values == {"survey_name": hostile, "segments": ["a", 'b"']}
    for bad in ({"x"}, b"x", float("nan"), {1: 2}):
        with pytest.raises(TypeError, match="not a plain value"):
            _engine.LiteralTranslator.translate(bad)


def test_shipped_config_is_valid(tmp_path):
    # surveys.yml reads data/examples/*.csv (written by `make report`): write them beside a copy
    from nps_toolkit.datasets import write_example

    # and the files it names beside it: lexicons, load_survey options, data/public
    repo = tmp_path / "repo"
    for name in ("b2b-annual", "b2c-monthly"):
        write_example(name, repo / "data" / "examples" / f"{name}.csv")
    shutil.copy(ROOT / "surveys.yml", repo / "surveys.yml")
    for folder in ("lexicons", "surveys", "data/public"):
        shutil.copytree(ROOT / folder, repo / folder)
    surveys = report.load_config(repo / "surveys.yml")
    assert len(surveys) >= 3
    assert any(s.parameters["weights"] for s in surveys)  # the weighted b2c survey
    assert any(s.parameters["row_filter"] for s in surveys)  # a wave or segment of b2b
    assert len({s.slug for s in surveys}) == len(surveys)


# --- helpers the template calls ----------------------------------------------


def test_apply_filter_errors():
    df = pd.DataFrame({"wave": [1, 2], "recommend": [9, 3]})
    with pytest.raises(ValueError, match="column 'wav' is not in the data; did you mean 'wave'"):
        report.apply_filter(df, {"wav": 1})
    with pytest.raises(ValueError, match="selects no rows out of 2"):
        report.apply_filter(df, "wave > 5")
    with pytest.raises(ValueError, match="filter: the filter ends too early at position 7"):
        report.apply_filter(df, "wave >")
    out = report.apply_filter(df, {"wave": [2]})
    assert out["recommend"].tolist() == [3] and out.attrs["rows_before_filter"] == 2


def test_load_data_requires_the_configured_columns(data_file):
    with pytest.raises(report.ConfigError) as err:
        report.load_data(data_file, required={"score": ["recommend"], "segments": ["recomend"]})
    assert str(err.value) == (
        "key 'segments': column 'recomend' is not in the data; did you mean 'recommend'?"
    )
    assert len(report.load_data(data_file, required={"score": ["recommend"]})) == 5


def test_load_data_refuses_a_filter_leaving_fewer_than_min_n(data_file):
    # 5 answers in the file: a filter keeping 4 of them would report on 4 people
    df = report.load_data(data_file)
    keep = df["recommend"].sort_values().iloc[1:].tolist()  # 4 answers
    row_filter = f"recommend in {sorted(set(keep))}"
    n_kept = int(df["recommend"].isin(keep).sum())
    assert n_kept < 5
    with pytest.raises(
        ValueError, match=f"leave {n_kept} answers in 'recommend', fewer than min_n 5"
    ):
        report.load_data(data_file, row_filter=row_filter, score="recommend", min_n=5)
    assert len(report.load_data(data_file, score="recommend", min_n=5)) == 5
    with pytest.raises(ValueError, match="the data leaves 5 answers"):
        report.load_data(data_file, score="recommend", min_n=6)


def test_invited_total_checks_waves():
    df = pd.DataFrame({"wave": [1, 1, 2], "invited": [10, 11, 20]})
    with pytest.raises(ValueError, match=r"differs within wave\(s\) \[1\]"):
        report.invited_total(df, "invited", wave="wave")
    with pytest.raises(ValueError, match="3 different invited counts"):
        report.invited_total(df, "invited")
    assert report.invited_total(df, None) is None
    assert report.invited_total(df, "not_there") is None


def test_fill_escapes_text_not_numbers():
    import html

    out = report.fill("{a} {b:.1f} {c}", a=SCRIPT, b=2.25, c=True)
    assert "<" not in out and html.unescape(out) == f"{SCRIPT} 2.2 True"


def test_table_escapes_and_formats_p_values():
    df = pd.DataFrame({"group": [SCRIPT], "nps": [12.345], "p_adjusted": [0.0004]})
    html = report.table(df).to_html()
    assert SCRIPT not in html and "&#60;script&#62;" in html
    assert "12.3" in html and "&#60;0&#46;001" in html and "answers" not in html


def test_write_tables_stacks_and_keeps_text(tmp_path):
    import openpyxl

    tables = {
        "overall": pd.DataFrame({"n": [5], "nps": [20.0]}),
        "segments": pd.DataFrame({"group": ["=1+1", "b"], "nps": [1.0, 2.0]}),
    }
    report.write_tables(tables, tmp_path)
    csv = pd.read_csv(tmp_path / "summary.csv")
    assert csv["table"].tolist() == ["overall", "segments", "segments"]
    assert csv.columns[0] == "table"
    wb = openpyxl.load_workbook(tmp_path / "summary.xlsx")
    assert wb.sheetnames == ["overall", "segments"]
    cell = wb["segments"]["A2"]
    assert cell.value == "'=1+1" and cell.data_type == "s"  # defused text, never a formula
    assert csv.loc[1, "group"] == "'=1+1"


def test_provenance_fields():
    prov = report.provenance({"a": 1}, "abc")
    assert prov["data_sha256"] == "abc" and prov["parameters"] == {"a": 1}
    assert prov["toolkit_version"] and prov["python"].count(".") == 2
    assert prov["packages"]["pandas"] == pd.__version__
    assert prov["rendered_at"].endswith("+00:00")


# --- the shared render -------------------------------------------------------


def test_render_writes_all_five_files(rendered):
    folder = rendered["folder"]
    for name in report.OUTPUT_FILES:
        assert (folder / name).stat().st_size > 0, name
    nb = nbformat.read(str(folder / "report.ipynb"), as_version=4)
    params = nb.metadata["papermill"]["parameters"]
    assert params["survey_name"] == GOOD_NAME and params["n_resamples"] == 50
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")
    prov = json.loads((folder / "provenance.json").read_text())
    assert prov["data_sha256"] == report.file_sha256(rendered["good_csv"])
    assert prov["parameters"]["survey_name"] == GOOD_NAME
    assert prov["packages"]["papermill"]
    summary = pd.read_csv(folder / "summary.csv")
    overall = summary[summary["table"] == "overall"].iloc[0]
    # independent check: NPS of the file's answers by hand
    scores = pd.read_csv(rendered["good_csv"])["recommend"].dropna()
    expected = 100 * ((scores >= 9).mean() - (scores <= 6).mean())
    assert overall["nps"] == pytest.approx(expected)
    assert overall["n"] == len(scores)
    assert {"overall", "shares", "segments"} <= set(summary["table"])


def test_html_has_no_code_cells(rendered):
    html = (rendered["folder"] / "report.html").read_text(encoding="utf-8")
    template = nbformat.read(str(report.TEMPLATE), as_version=4)
    for cell in template.cells:
        if cell.cell_type == "code":
            first = cell.source.strip().splitlines()[0]
            assert first not in html, first
    assert 'class="jp-InputArea-editor' not in html
    assert "jp-InputPrompt" not in html.split("</style>")[-1]


def _page_text(html: str) -> str:
    """The text a browser shows (character references decoded), tags left out."""
    from html.parser import HTMLParser

    parts = []
    parser = HTMLParser(convert_charrefs=True)
    parser.handle_data = parts.append
    parser.feed(html)
    parser.close()
    return "".join(parts)


def test_comment_script_is_escaped(rendered):
    html = (rendered["folder"] / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html  # neither the comment's nor any script at all
    assert "<b>bold</b>" not in html
    text = _page_text(html)  # the comments are there, shown as the text they are
    assert "<script>alert(1)</script>" in text
    assert "<b>bold</b>" in text


def test_html_is_self_contained(rendered):
    import re

    html = (rendered["folder"] / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing fetched
    assert html.count("data:image/png;base64") >= 3  # figures embedded


def test_no_contact_details_in_report(rendered):
    emails = pd.read_csv(rendered["good_csv"])["email"].dropna().tolist()
    assert emails
    for name in ("report.html", "report.ipynb", "summary.csv"):
        text = (rendered["folder"] / name).read_text(encoding="utf-8", errors="ignore")
        assert PLANTED_EMAIL not in text, name
        assert not [e for e in emails if e in text], name


def test_corrupt_survey_fails_alone(rendered):
    out = rendered["out"]
    assert rendered["code"] == 1
    assert "corrupt failed: cell " in rendered["stderr"]
    assert "line 11, column 'recommend': value 'eleven'" in rendered["stderr"]
    assert "2 of 3 survey(s) failed" in rendered["stderr"]
    table = rendered["stdout"]
    assert "failed" in table and "ok" in table
    # slug safety: '../../corrupt' stayed inside the output folder
    assert sorted(p.name for p in out.iterdir()) == [
        "corrupt.failed.ipynb",
        "misspelled.failed.ipynb",
        GOOD_SLUG,
    ]
    assert not (rendered["base"] / "corrupt").exists()
    assert not (rendered["base"] / "nested" / "corrupt").exists()


def test_misspelled_config_column_fails_naming_key_and_closest(rendered):
    # it used to drop the segment section silently, with status ok
    assert (
        "Misspelled failed: cell 3 ConfigError: key 'segments': column 'regoin' is not in "
        "the data; did you mean 'region'?"
    ) in rendered["stderr"]


def test_unchanged_report_is_skipped_unless_forced(rendered, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(rendered["folder"], out / GOOD_SLUG)
    before = {f: (out / GOOD_SLUG / f).read_bytes() for f in report.OUTPUT_FILES}
    kw = {"only": [GOOD_NAME], "output_dir": out, "progress": False}
    # a kernel that cannot start: any survey that is rendered fails, one that is skipped does not
    kw["kernel_name"] = "no-such-kernel"
    table = report.render_reports(rendered["config"], **kw)
    assert table["status"].tolist() == ["unchanged"] and table["output"][0] == str(out / GOOD_SLUG)
    assert table["error"].tolist() == [None]
    assert report.render_reports(rendered["config"], force=True, **kw)["status"][0] == "failed"
    code, stdout, _ = _render_cli(
        "--config", str(rendered["config"]), "--output", str(out), GOOD_NAME
    )
    assert code == 0 and "unchanged" in stdout
    prov_path = out / GOOD_SLUG / "provenance.json"
    prov = json.loads(prov_path.read_text())
    for key, value in [
        ("data_sha256", "0" * 64),
        ("template_sha256", "0" * 64),
        ("toolkit_version", "0.0.0"),
        ("files_sha256", {"themes": "0" * 64}),  # e.g. the theme lexicon was edited
        ("parameters", {**prov["parameters"], "min_n": 6}),
    ]:
        prov_path.write_text(json.dumps({**prov, key: value}))
        status = report.render_reports(rendered["config"], **kw)["status"][0]
        assert status == "failed", key  # something differs: it rendered again
    prov_path.write_text(json.dumps(prov))
    (out / GOOD_SLUG / "summary.csv").unlink()  # an incomplete report is rendered again
    assert report.render_reports(rendered["config"], **kw)["status"][0] == "failed"
    assert {f: (out / GOOD_SLUG / f).read_bytes() for f in ("report.html", "report.ipynb")} == {
        f: before[f] for f in ("report.html", "report.ipynb")
    }


def test_failed_rerender_keeps_the_good_report(rendered, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(rendered["folder"], out / GOOD_SLUG)
    before = {f: (out / GOOD_SLUG / f).read_bytes() for f in report.OUTPUT_FILES}
    config = _write_config(
        rendered["base"] / "rerender.yml",
        [{"name": GOOD_NAME, "data": "data/corrupt.csv"}],
        defaults=COMMON,
    )
    table = report.render_reports(config, output_dir=out, progress=False)
    assert table["status"].tolist() == ["failed"]
    assert "SurveyDataError" in table["error"].iloc[0]
    after = {f: (out / GOOD_SLUG / f).read_bytes() for f in report.OUTPUT_FILES}
    assert after == before
    assert not [p for p in out.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_render_never_replaces_a_folder_it_did_not_write(tmp_path, monkeypatch):
    # `render --output .` with a survey named "Data" used to delete ./data
    data = tmp_path / "data"
    data.mkdir()
    pd.DataFrame({"recommend": [10, 9, 3, 7, 8]}).to_csv(data / "s.csv", index=False)
    (data / "notes.txt").write_text("mine")
    (tmp_path / "forged").mkdir()
    (tmp_path / "forged" / "provenance.json").write_text('{"toolkit": "other"}')
    _write_config(
        tmp_path / "surveys.yml",
        [{"name": "Data", "data": "data/s.csv"}, {"name": "Forged", "data": "data/s.csv"}],
    )
    monkeypatch.chdir(tmp_path)
    code, stdout, stderr = _render_cli("--config", "surveys.yml", "--output", ".")
    assert code == 1
    assert f"Data failed: FolderInUse: folder {str(data)!r} exists and is not a report" in stderr
    assert "Forged failed: FolderInUse" in stderr and "Traceback" not in stderr
    assert sorted(p.name for p in data.iterdir()) == ["notes.txt", "s.csv"]
    assert (data / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "forged", "surveys.yml"]


def test_a_folder_error_fails_one_survey_not_the_batch(tmp_path, data_file, monkeypatch):
    import errno

    real_mkdir = Path.mkdir

    def mkdir(self, *args, **kw):
        if self.name.startswith(".b.tmp-"):
            raise OSError(errno.ENAMETOOLONG, "File name too long", str(self))
        return real_mkdir(self, *args, **kw)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    config = _write_config(
        tmp_path / "surveys.yml", [{"name": "A", "data": "s.csv"}, {"name": "B", "data": "s.csv"}]
    )
    table = report.render_reports(
        config, output_dir=tmp_path / "r", progress=False, kernel_name="no-such-kernel", jobs=1
    )
    assert table["status"].tolist() == ["failed", "failed"]
    assert "no-such-kernel" in table["error"][0]  # A got as far as starting its kernel
    assert table["error"][1].startswith("OSError: [Errno 36] File name too long")


def test_stale_work_folders_are_cleaned(tmp_path, data_file):
    import os
    import time

    out = tmp_path / "r"
    out.mkdir()
    dead = out / ".a.tmp-999999999-0123abcd"  # no such process
    legacy = out / ".a.old-89abcdef"  # an older release's name: by age
    alive = out / f".a.tmp-{os.getppid()}-0123abcd"  # a run still going
    user = out / ".notes.tmp-mine"
    for folder in (dead, legacy, alive, user):
        folder.mkdir()
        (folder / "x").write_text("x")
    old = time.time() - 3600
    os.utime(legacy, (old, old))
    config = _write_config(tmp_path / "surveys.yml", [{"name": "A", "data": "s.csv"}])
    report.render_reports(config, output_dir=out, progress=False, kernel_name="no-such-kernel")
    assert sorted(p.name for p in out.iterdir()) == sorted([alive.name, user.name])


def test_long_names_are_cut_with_a_hash():
    a, b = report.slugify("x" * 300 + " one"), report.slugify("x" * 300 + " two")
    assert len(a) == len(b) == report.config.SLUG_MAX and a != b
    assert a.startswith("x" * 40) and a[-9] == "-"
    assert report.slugify("short name") == "short-name"


def test_replace_dir_swaps_atomically(tmp_path):
    final, new = tmp_path / "r", tmp_path / ".r.tmp"
    final.mkdir()
    (final / "a").write_text("old")
    new.mkdir()
    (new / "a").write_text("new")
    rendering._replace_dir(new, final)
    assert (final / "a").read_text() == "new" and not new.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["r"]


def test_reused_kernel_is_cleared_between_surveys(tmp_path, write_template):
    template = write_template(
        tmp_path / "tiny.ipynb",
        'survey_name = "x"  # name\nfail = False  # raise in a cell\ntables_dir = None  # out',
        'assert "previous" not in globals(), "state leaked from the previous survey"\n'
        "previous = survey_name\n"
        "import os\n"
        "pid = os.getpid()",
        'if fail:\n    raise ValueError("boom")',
        "import pandas as pd\nfrom nps_toolkit import reporting as report\n"
        'report.write_tables({"t": pd.DataFrame({"pid": [pid]})}, tables_dir)',
    )
    out = tmp_path / "out"
    out.mkdir()
    kernel = rendering._ReusedKernel("python3", out)
    surveys = [
        report.Survey("a", "a", {"survey_name": "a", "fail": False}),
        report.Survey("b", "b", {"survey_name": "b", "fail": True}),
        report.Survey("c", "c", {"survey_name": "c", "fail": False}),
    ]
    try:
        results = [report.render_survey(s, out, template=template, kernel=kernel) for s in surveys]
    finally:
        kernel.close()
    assert [r.status for r in results] == ["ok", "failed", "ok"], [r.error for r in results]
    assert results[1].error == "cell 4 ValueError: boom"  # after the injected parameters cell
    pids = [pd.read_csv(out / s / "summary.csv")["pid"].iloc[0] for s in ("a", "c")]
    assert pids[0] == pids[1]  # one kernel served both surveys, and no variable survived
    assert (out / "b.failed.ipynb").is_file() and not (out / "b").exists()


def test_reused_kernel_numbers_every_report_from_1(tmp_path, write_template):
    # one kernel renders the surveys in turn; each executed notebook counts its
    # cells 1, 2, 3 ... as a reviewer expects, not on from the previous survey
    template = write_template(
        tmp_path / "count.ipynb",
        'survey_name = "x"  # name\ntables_dir = None  # out',
        "x = 1",
        "x + 1",  # an execute_result: its output carries the count too
        "import pandas as pd\nfrom nps_toolkit import reporting as report\n"
        'report.write_tables({"t": pd.DataFrame({"x": [x]})}, tables_dir)',
    )
    out = tmp_path / "out"
    out.mkdir()
    kernel = rendering._ReusedKernel("python3", out)
    try:
        results = [
            report.render_survey(report.Survey(n, n, {"survey_name": n}), out, template=template,
                                 kernel=kernel)
            for n in ("a", "b")
        ]  # fmt: skip
    finally:
        kernel.close()
    assert [r.status for r in results] == ["ok", "ok"], [r.error for r in results]
    for name in ("a", "b"):
        nb = nbformat.read(str(out / name / "report.ipynb"), as_version=4)
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
        # the parameters cell, papermill's injected parameters and the three cells
        assert counts == [1, 2, 3, 4, 5], (name, counts)
        results_out = [o for c in nb.cells for o in c.get("outputs", [])
                       if o.output_type == "execute_result"]  # fmt: skip
        assert [o.execution_count for o in results_out] == [4], name
        # nothing from the kernel's own machinery in a deliverable: IPython's
        # history database refused the repeated numbers into the first cell
        streams = [o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
                   if o.output_type == "stream"]  # fmt: skip
        assert not any("History" in t or "ERROR" in t for t in streams), (name, streams)


def test_reused_kernel_refuses_input_instead_of_waiting(tmp_path, write_template):
    # the kept client, like nbclient's own, allows no stdin: input() fails the survey
    template = write_template(
        tmp_path / "ask.ipynb",
        'survey_name = "x"  # name\ntables_dir = None  # out',
        'answer = input("name? ")',
    )
    out = tmp_path / "out"
    out.mkdir()
    kernel = rendering._ReusedKernel("python3", out)
    try:
        result = report.render_survey(
            report.Survey("a", "a", {"survey_name": "a"}), out, template=template, kernel=kernel,
            execution_timeout=60,
        )  # fmt: skip
    finally:
        kernel.close()
    assert result.status == "failed" and "StdinNotImplementedError" in result.error


def test_missing_kernel_fails_each_survey_cleanly(tmp_path, data_file):
    config = _write_config(
        tmp_path / "surveys.yml", [{"name": "A", "data": "s.csv"}, {"name": "B", "data": "s.csv"}]
    )
    table = report.render_reports(
        config, output_dir=tmp_path / "r", progress=False, kernel_name="no-such-kernel"
    )
    assert table["status"].tolist() == ["failed", "failed"]
    assert table["error"].str.contains("no-such-kernel").all()
    assert list((tmp_path / "r").iterdir()) == []


def test_config_value_labels(tmp_path, data_file):
    labels = {"region": {"North": "Pohjoinen", "3": "kolme"}}
    entry = {"name": "A", "data": "s.csv", "value_labels": labels}
    (survey,) = report.load_config(_write_config(tmp_path / "surveys.yml", [entry]))
    assert survey.parameters["value_labels"] == labels
    assert survey.parameters["required_columns"]["value_labels"] == ["region"]  # must exist
    for bad, message in [
        ({"region": {"North": " "}}, r"key 'value_labels' must be a mapping of column names"),
        ({"region": ["North"]}, r"key 'value_labels' must be"),
        ({"region": {3: "kolme"}}, r"key 'value_labels' must be"),  # data values as text: "3"
        ({"recommend": {"10": "kymmenen"}}, r"'recommend' is the 'score' column"),
        ({"wave": {"7": "seitsemäs"}}, r"'wave' is the 'wave' column"),
    ]:
        entry = {"name": "A", "data": "s.csv", "value_labels": bad}
        with pytest.raises(report.ConfigError, match=message):
            report.load_config(_write_config(tmp_path / "bad.yml", [entry]))


def test_label_values_relabels_groups_only():
    df = pd.DataFrame(
        {
            "region": pd.Categorical(["North", "South", "North", None]),
            "size": [1.0, 2.0, 1.0, None],
            "recommend": [10, 9, 3, 7],
        }
    )
    df.attrs["source"] = "s.csv"
    out = report.label_values(
        df, {"region": {"North": "Pohjoinen", "South": "Pohjoinen"}, "size": {"1": "pieni"}}
    )
    assert out["region"].tolist()[:3] == ["Pohjoinen"] * 3  # two values, one label: one group
    assert out["region"].isna().tolist() == [False, False, False, True]
    assert out["size"].tolist()[:3] == ["pieni", 2.0, "pieni"] and pd.isna(out["size"].iloc[3])
    assert out["recommend"].tolist() == [10, 9, 3, 7] and out.attrs == {"source": "s.csv"}
    assert df["region"].tolist()[:2] == ["North", "South"]  # the data itself is not changed
    with pytest.raises(
        report.ConfigError, match="'regoin' is not in the data; did you mean 'region'"
    ):
        report.label_values(df, {"regoin": {"North": "Pohjoinen"}})


def test_config_themes_file_is_resolved_and_validated(tmp_path, data_file):
    (tmp_path / "lex").mkdir()
    (tmp_path / "lex" / "own.yml").write_text(
        "parking:\n  label: Parking\n  terms: {en: [parking]}\n", encoding="utf-8"
    )
    (tmp_path / "lex" / "bad.yml").write_text("parking:\n  terms: {en: [x]}\n", encoding="utf-8")
    entry = {"name": "A", "data": "s.csv", "themes": "lex/own.yml"}
    (survey,) = report.load_config(_write_config(tmp_path / "surveys.yml", [entry]))
    assert survey.parameters["themes"] == str((tmp_path / "lex" / "own.yml").resolve())
    assert survey.parameters["themes_mode"] == "extend"
    for extra, message in [
        ({"themes": "lex/none.yml"}, r"survey 'A'.*key 'themes': file .*none.yml.* not found"),
        (
            {"themes": "lex/bad.yml"},
            r"survey 'A'.*key 'themes':.*bad.yml: theme 'parking': missing",
        ),
        ({"themes_mode": "merge"}, r"survey 'A'.*key 'themes_mode' must be 'extend'"),
        ({"themes": 3}, r"key 'themes' must be"),
    ]:
        config = _write_config(tmp_path / "surveys.yml", [{**entry, **extra}])
        with pytest.raises(report.ConfigError, match=message):
            report.load_config(config)


def test_engine_and_translator_are_registered_module_level_classes():
    from papermill.engines import papermill_engines
    from papermill.translators import papermill_translators

    from nps_toolkit.reporting import _engine

    assert papermill_engines.get_engine(_engine.ENGINE) is _engine.Engine
    assert papermill_translators.find_translator("python3", _engine.LANGUAGE) is (
        _engine.LiteralTranslator
    )
    # papermill's own translator stays the one other notebooks get
    assert papermill_translators.find_translator("python3", "python").__name__ == (
        "PythonTranslator"
    )
    for cls in (_engine.Engine, _engine.ClosingClient, _engine.LiteralTranslator):
        assert "<locals>" not in cls.__qualname__


def test_timeout_stops_a_slow_cell(tmp_path, slow_template):
    config = _write_config(
        tmp_path / "surveys.yml", [{"name": "A", "example": "b2b-annual", "timeout": 2}]
    )
    table = report.render_reports(
        config, output_dir=tmp_path / "r", template=slow_template, progress=False
    )
    assert table["status"].tolist() == ["failed"]
    assert table["seconds"][0] < 45
    assert "CellTimeoutError" in table["error"][0] and "2 seconds" in table["error"][0]


def test_fingerprint_follows_the_option_files(tmp_path, data_file):
    (tmp_path / "cols.yml").write_text("columns: {REC: recommend}\n", encoding="utf-8")
    config = _write_config(
        tmp_path / "surveys.yml", [{"name": "A", "data": "s.csv", "columns": "cols.yml"}]
    )
    (survey,) = report.load_config(config)
    before = rendering._fingerprint(survey, report.TEMPLATE)
    assert before["data_sha256"] == report.file_sha256(data_file)
    assert before["files_sha256"] == {"columns": report.file_sha256(tmp_path / "cols.yml")}
    (tmp_path / "cols.yml").write_text("columns: {REC2: recommend}\n", encoding="utf-8")
    after = rendering._fingerprint(survey, report.TEMPLATE)
    assert after["files_sha256"] != before["files_sha256"]
    assert {k: v for k, v in after.items() if k != "files_sha256"} == {
        k: v for k, v in before.items() if k != "files_sha256"
    }


def test_export_html_declares_the_report_language(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Hei")])
    report.export_html(nb, tmp_path / "fi.html", title="Kysely", language="fi")
    report.export_html(nb, tmp_path / "en.html", title="Survey")
    assert '<html lang="fi">' in (tmp_path / "fi.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in (tmp_path / "en.html").read_text(encoding="utf-8")


# --- the executed notebook as a reviewer reads it -----------------------------


def _outputs(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def test_executed_report_numbers_its_cells_and_reads_as_text(rendered):
    import html
    import re

    nb = nbformat.read(str(rendered["folder"] / "report.ipynb"), as_version=4)
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))
    texts = [o.get("data", {}).get("text/plain", "") for o in _outputs(nb)]
    texts = [t for t in texts if t]
    # no "<pandas.io.formats.style.Styler at 0x7f...>", no "<IPython.core.display.HTML object>"
    assert not [t for t in texts if re.search(r" at 0x[0-9a-f]+|object>$", t)]
    tables = [o for o in _outputs(nb) if "<table" in o.get("data", {}).get("text/html", "")]
    assert len(tables) >= 5
    for o in tables:
        plain = o.data["text/plain"]
        html_cells = re.findall(r"<th [^>]*>(.*?)</th>", o.data["text/html"])
        assert plain.splitlines()[0].split()[0] == html.unescape(html_cells[0]).split()[0]
        assert "&#" not in plain  # characters, not references


def test_executed_report_shows_the_calls_behind_each_section(rendered):
    nb = nbformat.read(str(rendered["folder"] / "report.ipynb"), as_version=4)
    notes = [o.data["text/plain"] for o in _outputs(nb)
             if "remove-output" in o.get("metadata", {}).get("tags", [])]  # fmt: skip
    code = "\n".join(notes)
    for call in (
        "nps.nps_interval(",
        "nps.summarize(df, score='recommend', weights=None, confidence_level=0.95, min_n=1)",
        "by='tenure'",
        "nps.compare_segments(",
        "importance = nps.driver_importance(",
        "impact = nps.theme_impact(",
        "rng=sections.section_rng(",
        "n_resamples=50",
        "nps.response_rate(invited, len(df))",
    ):
        assert call in code, call
    import ast

    for note in notes:
        ast.parse(note)  # each note is Python a reviewer can paste into a cell
    html = (rendered["folder"] / "report.html").read_text(encoding="utf-8")
    assert "nps.summarize" not in html and "section_rng" not in html  # not for the client


def test_appendix_and_provenance_list_the_parameters_in_effect(rendered):
    folder = rendered["folder"]
    prov = json.loads((folder / "provenance.json").read_text())
    used = prov["parameters_in_effect"]
    assert prov["parameters"]["example"] == "b2b-annual" and prov["parameters"]["wave"] is None
    for gone in ("example", "wave", "tables_dir", "required_columns", "theme_columns", "banners"):
        assert gone not in used, gone
    assert used["segments"] == ["tenure", "region"] and used["n_resamples"] == 50
    assert not (folder / "parameters_in_effect.json").exists()
    page = _page_text((folder / "report.html").read_text(encoding="utf-8"))
    appendix = page.split("parameter", 1)[1]
    assert "survey_name" in appendix and "n_resamples" in appendix
    assert "example" not in appendix and "b2b-annual" not in appendix


def test_export_html_keeps_stream_outputs_and_drops_reviewer_notes(tmp_path):
    # a stream output (printed text) has no metadata; a reviewer's note is tagged remove-output
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print('x')", execution_count=1)
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="printed words\n"),
        nbformat.v4.new_output("display_data", data={"text/plain": "nps.summarize(df)"},
                               metadata={"tags": ["remove-output"]}),
        nbformat.v4.new_output("display_data", data={"text/markdown": "client words"}),
    ]  # fmt: skip
    nb.cells = [cell]
    rendering.export_html(nb, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "printed words" in page and "client words" in page
    assert "nps.summarize" not in page
