"""The notebooks a researcher starts from: ``make lab`` and ``notebooks/explore_survey.ipynb``.

nbval runs every notebook of ``notebooks/`` as it is; these tests run the
explore notebook with papermill on surveys it was not written for, and
check which sections ran and which said why they skipped.  No test starts
JupyterLab.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STAMP = ".venv/.installed"  # `make setup`'s stamp: never rebuilt by these tests (make -o)


def _make(*args: str) -> subprocess.CompletedProcess:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # under `make test` this is a sub-make: without --no-print-directory it adds
    # "make[1]: Entering/Leaving directory" lines, and MAKEFLAGS would pass -j etc.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    return subprocess.run(
        ["make", "--no-print-directory", "-o", STAMP, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_make_lab_registers_the_kernel_and_starts_jupyterlab_in_notebooks():
    proc = _make("-n", "lab")  # -n: print the commands, run none
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[-2] == (
        ".venv/bin/python -m ipykernel install --sys-prefix --name nps-toolkit "
        '--display-name "Python (nps-toolkit)"'
    )
    assert lines[-1] == ".venv/bin/jupyter lab --ServerApp.root_dir=notebooks"
    assert "make lab" in _make("help").stdout


def test_make_kernel_installs_a_kernelspec_running_this_python(tmp_path):
    # the target's own command, into a scratch prefix instead of .venv
    proc = _make("kernel", f"PY={sys.executable}", f"KERNEL_PREFIX=--prefix={tmp_path}")
    assert proc.returncode == 0, proc.stderr
    spec = json.loads(
        (tmp_path / "share" / "jupyter" / "kernels" / "nps-toolkit" / "kernel.json").read_text()
    )
    assert spec["display_name"] == "Python (nps-toolkit)" and spec["language"] == "python"
    assert spec["argv"][0] == sys.executable and "ipykernel_launcher" in spec["argv"]
    # the kernel's Python has the toolkit
    check = subprocess.run(
        [spec["argv"][0], "-c", "import nps_toolkit; print(nps_toolkit.__version__)"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0 and check.stdout.strip()


# --- the explore notebook on surveys it was not written for -------------------

EXPLORE = ROOT / "notebooks" / "explore_survey.ipynb"
PUBLIC = ROOT / "data" / "public"
SECTIONS = ("load", "scores", "intervals", "segments", "drivers", "comments", "trend", "followup")


def _execute(notebook: Path, out: Path, **parameters) -> dict:
    """Run ``notebook`` with papermill.

    Returns {section: (printed text, number of tables and figures shown, their plain text)}.
    """
    import nbformat
    import papermill

    papermill.execute_notebook(
        str(notebook),
        str(out),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(ROOT),
    )
    found = {}
    for cell in nbformat.read(str(out), as_version=4).cells:
        tags = [t for t in cell.metadata.get("tags", []) if t.startswith("section-")]
        if cell.cell_type != "code" or not tags:
            continue
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        shown = [o for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
        plain = "".join(o.data.get("text/plain", "") for o in shown)
        found[tags[0].removeprefix("section-")] = (text, len(shown), plain)
    return found


def _ran(section) -> bool:
    text, shown, _ = section
    return shown > 0 and "skipped" not in text


def test_explore_sections_are_tagged():
    import nbformat

    nb = nbformat.read(str(EXPLORE), as_version=4)
    tags = [t for c in nb.cells for t in c.metadata.get("tags", [])]
    assert tags[0] == "parameters" and nb.cells[1].metadata["tags"] == ["parameters"]
    assert [t.removeprefix("section-") for t in tags[1:]] == [*SECTIONS, "findings"]
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")  # committed clean


def test_explore_runs_every_section_on_the_example(tmp_path):
    import nps_toolkit as nps

    out = _execute(EXPLORE, tmp_path / "example.ipynb", row_filter="wave >= 6", n_resamples=50)
    for name in SECTIONS:
        assert "skipped" not in out[name][0], name
    assert out["segments"][1] == 4  # one table per segment column
    assert _ran(out["drivers"]) and _ran(out["comments"]) and _ran(out["trend"])
    # the findings lead with the latest wave; numbers computed here by hand
    wave7 = nps.example_survey("b2b-annual").query("wave == 7")
    answered = wave7["recommend"].dropna()
    score = 100 * ((answered >= 9).mean() - (answered <= 6).mean())
    assert "latest wave: 7" in out["trend"][0]
    detractors = int((answered <= 6).sum())
    assert f"{detractors} detractor(s) to contact" in out["followup"][0]
    findings = (tmp_path / "example.ipynb").read_text(encoding="utf-8")
    assert f"NPS in wave 7: {score:.0f}" in findings and "Previous round (wave 6)" in findings


def test_explore_on_the_public_airline_file(tmp_path):
    import pandas as pd

    question = "How likely are you to recommend this airline?"
    out = _execute(
        EXPLORE,
        tmp_path / "airline.ipynb",
        data_path=str(PUBLIC / "prepbench_case122_airline_nps.csv"),
        columns={question: "recommend"},
        segments=["Airline", "cabin"],
        n_resamples=50,
    )
    raw = pd.read_csv(PUBLIC / "prepbench_case122_airline_nps.csv")[question]
    score = 100 * ((raw >= 9).mean() - (raw <= 6).mean())  # 9.3 by hand
    assert "5,907 rows" in out["load"][0]
    assert (
        out["scores"][1] == 2 and out["intervals"][1] == 2
    )  # table and figure; table and interval
    assert out["segments"][1] == 1 and "segments: not in the data: 'cabin'" in out["segments"][0]
    # every section whose columns the file lacks says so, and why
    assert "Drivers skipped: none of drivers" in out["drivers"][0]
    assert "Comment themes skipped: no comment column with text" in out["comments"][0]
    assert "Trend skipped: neither a `wave` nor a `date` column" in out["trend"][0]
    assert "Close the loop skipped: no `date` column" in out["followup"][0]
    assert "Response rate skipped" in out["scores"][0]
    assert "The clustered interval skipped" in out["intervals"][0]
    nb = (tmp_path / "airline.ipynb").read_text(encoding="utf-8")
    assert f"NPS {score:.0f} (acceptable)" in nb


def test_explore_command_writes_a_copy_that_runs_on_the_shopping_file(tmp_path):
    import yaml

    from nps_toolkit.cli import main

    options = tmp_path / "shopping.yml"  # the text ratings as numbers, for the drivers
    labels = {"Very bad": 1, "Bad": 2, "Ok": 3, "Good": 4, "Very good": 5}
    options.write_text(yaml.safe_dump({"recode": {"ratings_*": labels}}), encoding="utf-8")
    drivers = ["ratings_goods", "ratings_service", "ratings_credit", "ratings_delivery"]
    copy = tmp_path / "shopping.ipynb"
    argv = ["explore", "--data", str(PUBLIC / "ezrsurvey_shopping_survey.csv")]
    argv += ["--columns", str(options), "--drivers", *drivers, "--out", str(copy)]
    assert main(argv) == 0
    out = _execute(copy, tmp_path / "run.ipynb", n_resamples=50)
    # the example's column defaults the file lacks were cleared, so nothing reports them missing
    assert all("not in the data" not in text for text, _, _ in out.values())
    assert out["segments"][1] == 1  # region: the one default segment the file has
    assert _ran(out["drivers"]) and all(d in out["drivers"][2] for d in drivers)
    assert _ran(out["comments"])
    assert "Trend skipped" in out["trend"][0] and "Close the loop skipped" in out["followup"][0]
