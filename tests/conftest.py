"""Shared fixtures.  Named seeds; every test closes the figures it opened."""

from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_DATA = ROOT / "data" / "public"  # public survey files, licences in its README


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _java_ok() -> bool:
    import shutil
    import subprocess

    if shutil.which("java") is None:
        return False
    try:
        return subprocess.run(["java", "-version"], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="session")
def spark():
    """One local[2] Spark session for every test named *spark* (``make test-spark``);
    skipped without pyspark or Java, so ``make test`` passes without them."""
    pytest.importorskip("pyspark", reason="pyspark not installed (pip install nps-toolkit[spark])")
    if not _java_ok():
        pytest.skip("no Java runtime for Spark (pyspark 4 needs Java 17+)")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("nps-toolkit-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture
def rng():
    return np.random.default_rng(20261123)


@pytest.fixture
def public_data():
    """The public survey files shipped in ``data/public`` (origin and licence in its README)."""
    assert PUBLIC_DATA.is_dir(), f"public data missing at {PUBLIC_DATA}"
    return PUBLIC_DATA


@pytest.fixture(scope="session")
def load_benchmark():
    """``load_benchmark("render_speed")``: a script of ``benchmarks/`` as a module."""
    import importlib.util

    def load(name: str):
        spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


def _write_template(path: Path, parameters: str, *cells: str) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="session")
def write_template():
    """``write_template(path, parameters, *cells)``: a report template to render in a test.

    ``parameters`` is the source of the cell tagged ``parameters``, each
    further argument the source of one code cell; the kernel is python3.
    """
    return _write_template


@pytest.fixture
def slow_template(tmp_path) -> Path:
    """A report template whose one cell sleeps 120 s: for timeout and cancel tests.

    Its parameters are those a config entry with ``example:`` gives, plus
    ``pid_file``: when set, the kernel writes its process id there before it
    sleeps, so a test can wait until the survey is running and check that
    the kernel went away.
    """
    return _write_template(
        tmp_path / "slow.ipynb",
        'survey_name = "x"  # name\n'
        "data_path = None  # unused\n"
        'example = "b2b-annual"  # unused\n'
        'pid_file = ""  # where the kernel writes its process id ("" for nowhere)\n'
        "tables_dir = None  # out",
        "import os, time\n"
        "if pid_file:\n"
        "    with open(pid_file, 'w') as f:\n"
        "        f.write(str(os.getpid()))\n"
        "time.sleep(120)",
    )


def _rerun(lines, namespace) -> list:
    """Run the recorded code line by line; the value of each bare expression, in order."""
    import ast

    values = []
    for stmt in ast.parse("\n".join(lines)).body:
        code = ast.unparse(stmt)
        if isinstance(stmt, ast.Expr):
            values.append(eval(code, namespace))  # the toolkit's own recorded calls
        else:
            exec(code, namespace)
    return values


@pytest.fixture
def rerun():
    """``rerun(calls, namespace)``: a section's recorded calls run again, as the
    notebook runs them; the value of each bare expression, in order."""
    return _rerun
