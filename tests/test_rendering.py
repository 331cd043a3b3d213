"""Tests for nps_toolkit.reporting.rendering: the swap of report folders, local paths."""

import contextlib
import io
import json
import subprocess
import sys

import yaml

from nps_toolkit.cli import main


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _render(config, out) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["render", "--no-progress", "--config", str(config), "--output", str(out)])
    return code, err.getvalue()


def _report(folder, text):
    folder.mkdir(parents=True)
    (folder / "provenance.json").write_text(json.dumps({"toolkit": "nps-toolkit"}))
    (folder / "report.html").write_text(text)


def test_next_run_restores_a_report_left_aside_by_a_killed_swap(tmp_path):
    # the state a kill between _replace_dir's two renames leaves: the previous
    # report renamed aside, its final folder missing, the renaming process dead
    out = tmp_path / "out"
    pid = _dead_pid()
    _report(out / f".wave-7.old-{pid}-0123abcd", "the last good report")
    _report(out / f".wave-7.old-{pid}-00000000", "an older report")  # older: removed
    (out / f".wave-7.old-{pid}-00000000").touch()
    import os

    os.utime(out / f".wave-7.old-{pid}-00000000", (1, 1))
    # and another survey whose report and aside copy both exist: the copy goes
    _report(out / "b2c", "current b2c")
    _report(out / f".b2c.old-{pid}-89abcdef", "stale b2c")
    (out / "other").mkdir()  # not a report: the survey below fails without a kernel
    config = tmp_path / "surveys.yml"
    config.write_text(yaml.safe_dump({"surveys": [{"name": "Other", "example": "b2b-annual"}]}))
    code, err = _render(config, out)
    assert code == 1 and "Other failed" in err, err
    assert (out / "wave-7" / "report.html").read_text() == "the last good report"
    assert (out / "b2c" / "report.html").read_text() == "current b2c"
    assert sorted(p.name for p in out.iterdir()) == ["b2c", "other", "wave-7"]


def test_no_local_path_in_any_deliverable(tmp_path):
    import nps_toolkit as nps

    (tmp_path / "data").mkdir()
    df = nps.example_survey("b2b-annual").query("wave == 7")
    df.to_csv(tmp_path / "data" / "wave7.csv", index=False)
    (tmp_path / "cols.yml").write_text("recommend: recommend\n")
    (tmp_path / "own.yml").write_text("price:\n  label: Price\n  terms:\n    en: [price]\n")
    config = tmp_path / "surveys.yml"
    entry = {"name": "Paths", "data": "data/wave7.csv", "columns": "cols.yml", "themes": "own.yml",
             "outputs": ["html", "pptx"], "n_resamples": 0}  # fmt: skip
    config.write_text(yaml.safe_dump({"surveys": [entry]}))
    out = tmp_path / "reports"
    code, err = _render(config, out)
    assert code == 0, err
    folder = out / "paths"
    for name in ("provenance.json", "report.ipynb", "report.html"):
        text = (folder / name).read_text(encoding="utf-8")
        assert str(tmp_path) not in text and "/tmp/" not in text and "/home/" not in text, name
    prov = json.loads((folder / "provenance.json").read_text())
    assert prov["parameters"]["data_path"] == "data/wave7.csv"
    assert prov["parameters"]["columns"] == "cols.yml"
    assert prov.get("parameters_in_effect", {}).get("themes", "own.yml") == "own.yml"
    nb = json.loads((folder / "report.ipynb").read_text())
    meta = nb["metadata"]["papermill"]
    assert meta["parameters"]["data_path"] == "data/wave7.csv"
    assert meta["parameters"]["tables_dir"] == "."
    assert (meta["input_path"], meta["output_path"]) == ("survey_report.ipynb", "report.ipynb")
    injected = next(
        c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])
    )
    assert "data_path = 'data/wave7.csv'" in "".join(injected["source"])
    # the relative record still tells an unchanged report
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()) as stdout, contextlib.redirect_stderr(err):
        assert main(["render", "--no-progress", "--config", str(config), "--output", str(out)]) == 0
    assert "unchanged" in stdout.getvalue()
