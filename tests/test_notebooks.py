"""The notebooks a researcher starts from: ``make lab`` and ``notebooks/explore_survey.ipynb``.

nbval runs every notebook of ``notebooks/`` as it is; these tests run the
explore notebook with papermill on surveys it was not written for, and
check which sections ran and which said why they skipped.  No test starts
JupyterLab.
"""

from __future__ import annotations

import json
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
    return subprocess.run(
        ["make", "-o", STAMP, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
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
