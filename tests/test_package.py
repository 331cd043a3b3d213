"""The package installs from its wheel and renders a report outside the repository.

Templates, catalogues and lexicons are package data: a wheel that forgot one
would work in the editable checkout and fail for every user who ran
``pip install nps-toolkit``.  The wheel is built without the network
(``--no-build-isolation``: setuptools, a dev dependency, builds wheels itself)
and installed with ``--no-deps`` into a new virtualenv that borrows the test
environment's dependencies through a ``.pth`` line, so nothing is downloaded.
"""

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(cmd, *, cwd, env=None):
    # outside the checkout and without PYTHONPATH: neither may lend its nps_toolkit
    env = {k: v for k, v in (env or os.environ).items() if k != "PYTHONPATH"}
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env)
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp / "dist"),
            str(ROOT),
        ],
        cwd=tmp,
    )
    (wheel,) = (tmp / "dist").glob("nps_toolkit-*.whl")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp)
    py = venv / "bin" / "python"
    _run(
        [str(py), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)], cwd=tmp
    )
    # the dependencies come from the test environment; nps_toolkit from the wheel
    site = Path(
        _run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=tmp
        ).stdout.strip()
    )
    (site / "zz_test_env.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return {"python": py, "bin": venv / "bin", "tmp": tmp}


def test_wheel_holds_the_package_data(installed):
    out = _run(
        [
            str(installed["python"]),
            "-c",
            "import nps_toolkit, json; from nps_toolkit.reporting import config; "
            "print(json.dumps([nps_toolkit.__file__, str(config.TEMPLATE), config.TEMPLATE.is_file()]))",
        ],
        cwd=installed["tmp"],
    )
    module, template, exists = json.loads(out.stdout)
    assert str(ROOT) not in module and "site-packages" in module  # the wheel, not the checkout
    assert exists and "site-packages" in template


def test_installed_package_renders_an_example_from_an_empty_folder(installed):
    work = installed["tmp"] / "empty"
    work.mkdir()
    (work / "surveys.yml").write_text(
        "surveys:\n"
        "  - name: Installed example\n"
        "    example: b2c-monthly\n"
        "    weights: weight\n"
        "    segments: [channel]\n"
        "    drivers: []\n"
        "    n_resamples: 200\n"
        "    outputs: [html]\n",
        encoding="utf-8",
    )
    # nbconvert's base templates are data files of the borrowed environment
    env = {**os.environ, "MPLBACKEND": "Agg", "JUPYTER_PATH": f"{sys.prefix}/share/jupyter"}
    _run(
        [
            str(installed["bin"] / "nps-toolkit"),
            "render",
            "--config",
            "surveys.yml",
            "--output",
            "out",
            "--jobs",
            "1",
        ],
        cwd=work,
        env=env,
    )
    folder = work / "out" / "installed-example"
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "Installed example" in html
    prov = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    assert prov["toolkit"] == "nps-toolkit"
