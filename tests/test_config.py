"""Tests for nps_toolkit.reporting.config: what the config check refuses, through the CLI.

Each case is a ``surveys.yml`` (or an option file it names) that passed the
check before and then failed in a notebook cell or leaked personal data; now
``nps-toolkit render`` refuses it at once, with exit code 2 and one line that
names the entry and the key, before any kernel starts.
"""

import contextlib
import io
from pathlib import Path

import pandas as pd
import pytest

from nps_toolkit import reporting as report
from nps_toolkit.cli import main

BOMB = (  # nine aliases of nine aliases ...: 9**7 = 4.8 million strings from 300 bytes
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{x}: &{x} [{', '.join([f'*{p}'] * 9)}]\n" for p, x in zip("abcde", "bcdef", strict=True)
    )
    + "g: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
)


@pytest.fixture
def folder(tmp_path):
    pd.DataFrame({"recommend": [9, 3, 7, 10, 0, 8], "region": list("NSNSNS")}).to_csv(
        tmp_path / "s.csv", index=False
    )
    return tmp_path


def _render(folder: Path, entry_yaml: str, *files) -> tuple[int, str, str]:
    (folder / "surveys.yml").write_text(
        "surveys:\n  - name: A\n    data: s.csv\n" + entry_yaml, encoding="utf-8"
    )
    for name, text in files:
        (folder / name).write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            [
                "render",
                "--no-progress",
                "--config",
                str(folder / "surveys.yml"),
                "--output",
                str(folder / "out"),
            ]  # fmt: skip
        )
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "entry, message",
    [
        # min_n 0-2 showed single respondents' scores (a segment by e-mail: NPS 100 or -100)
        ("    min_n: 0\n", "key 'min_n' must be a whole number of at least 3"),
        ("    min_n: 1\n", "key 'min_n' must be a whole number of at least 3"),
        ("    min_n: 2\n", "key 'min_n' must be a whole number of at least 3"),
        # nbclient's timeout is an integer: 120.5 failed every survey with a TraitError
        ("    timeout: 120.5\n", "key 'timeout' must be a number of seconds, whole,"),
        # 1e-300 and 1e308 passed and failed inside a cell
        ("    confidence_level: 1.0e-300\n", "key 'confidence_level' must be a number between 0.5"),
        ("    confidence_level: 0.99999999\n", "key 'confidence_level' must be a number between"),
        (
            "    followup_hours: 1.0e+308\n",
            "key 'followup_hours' must be a number of hours above 0",
        ),
        ("    value_labels: {region: {N: matti@firma.fi}}\n", "contact details"),
        ("    value_labels: {region: {N: 'soita 040 123 4567'}}\n", "contact details"),
    ],
)
def test_render_refuses_option_values_that_fail_later(folder, entry, message):
    code, stdout, stderr = _render(folder, entry)
    assert code == 2 and stdout == "", stderr
    assert "survey 'A' (entry 1)" in stderr and message in stderr, stderr
    assert not (folder / "out").exists()  # refused before anything rendered


def test_min_n_three_and_whole_timeouts_pass(folder):
    (folder / "surveys.yml").write_text(
        "surveys:\n  - name: A\n    data: s.csv\n    min_n: 3\n    timeout: 120.0\n"
        "    confidence_level: 0.9\n    followup_hours: 72\n",
        encoding="utf-8",
    )
    (survey,) = report.load_config(folder / "surveys.yml")
    assert survey.parameters["min_n"] == 3
    assert survey.timeout == 120 and isinstance(survey.timeout, int)


@pytest.mark.parametrize(
    "text, message",
    [
        (BOMB, "line 2: alias *a is not allowed"),
        ("Q1: &q recommend\nQ2: *q\n", "line 2: alias *q is not allowed"),
        ("base: &b {Q1: recommend}\n<<: *b\n", "is not allowed"),
        ("Q1: recommend\nQ1: comment\n", "duplicate key 'Q1' (first at line 1)"),
        ("Q1: !!python/object:os.system recommend\n", "YAML tag '!!python/object:os.system'"),
        ("columns: !!set {a, b}\n", "YAML tag '!!set' is not allowed"),
        ("x" * 1000 + ": recommend\n" + "x" * 1000 + ": comment\n", "duplicate key 'xxxx"),
    ],
)
def test_columns_file_is_read_as_strictly_as_the_config(folder, text, message):
    code, stdout, stderr = _render(folder, "    columns: cols.yml\n", ("cols.yml", text))
    assert code == 2 and stdout == "", stderr
    assert "key 'columns'" in stderr and "cols.yml" in stderr and message in stderr, stderr
    assert len(stderr) < 400  # a short excerpt, never the file (or its expansion)


@pytest.mark.parametrize(
    "text, message",
    [
        (BOMB, "alias *a is not allowed"),
        ("price: &p {label: Price, terms: {en: [price]}}\ncost: *p\n", "alias *p is not allowed"),
        ("price: {label: Price, terms: {en: [price]}}\nprice: {label: P}\n", "duplicate key"),
        ("price: !!binary aGVsbG8=\n", "YAML tag '!!binary' is not allowed"),
    ],
)
def test_themes_file_is_read_as_strictly_as_the_config(folder, text, message):
    code, stdout, stderr = _render(folder, "    themes: own.yml\n", ("own.yml", text))
    assert code == 2 and stdout == "", stderr
    assert "key 'themes'" in stderr and message in stderr and len(stderr) < 400, stderr


def test_summarize_columns_file_is_strict_too(folder, capsys):
    (folder / "cols.yml").write_text(BOMB, encoding="utf-8")
    code = main(["summarize", str(folder / "s.csv"), "--columns", str(folder / "cols.yml")])
    err = capsys.readouterr().err
    assert code == 2 and "alias *a is not allowed" in err and len(err) < 300, err


@pytest.mark.parametrize("number", ["9" * 5000, "0x" + "f" * 40, "-9223372036854775809"])
def test_numbers_beyond_64_bits_are_refused_with_their_line(folder, number):
    # 5000 digits failed with Python's digit limit and no file name; a 40-digit hex seed
    # passed the check and failed inside the kernel
    code, stdout, stderr = _render(folder, f"    seed: {number}\n")
    assert code == 2 and stdout == "", stderr
    assert "surveys.yml, line 4: the number" in stderr and "is out of range" in stderr, stderr
    assert len(stderr) < 300


def test_errors_never_echo_a_huge_value(folder):
    # one megabyte in a name and in a value: the error quotes a short excerpt of each
    huge = "x" * 1_000_000
    (folder / "surveys.yml").write_text(
        f"surveys:\n  - name: {huge}\n    data: s.csv\n    min_n: '{huge}'\n", encoding="utf-8"
    )
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["render", "--config", str(folder / "surveys.yml")])
    assert code == 2 and "key 'min_n' must be a whole number, got 'xxx" in err.getvalue()
    assert len(err.getvalue()) < 400, len(err.getvalue())


def test_freq_takes_the_period_names_nps_trend_reads(folder, capsys):
    # nps_trend reads "M", "Q", "Y", "monthly" ...; the config refused all but ME/QE/YE
    (folder / "surveys.yml").write_text(
        "surveys:\n"
        + "".join(
            f"  - {{name: {f}, data: s.csv, freq: {f}, segments: [], wave: null}}\n"
            for f in ("M", "Q", "Y", "QS", "monthly", "YE")
        ),
        encoding="utf-8",
    )
    surveys = report.load_config(folder / "surveys.yml")
    assert [s.parameters["freq"] for s in surveys] == ["M", "Q", "Y", "QS", "monthly", "YE"]
    assert main(["check", "--config", str(folder / "surveys.yml")]) == 0
    assert "6 survey(s) checked, no problems found" in capsys.readouterr().out
    code, stdout, stderr = _render(folder, "    freq: W\n")  # weeks: no trend period
    assert code == 2 and stdout == ""
    assert "key 'freq' must be one of ['QE', 'ME', 'YE', 'M', 'MS'," in stderr
    assert "(months, quarters or years), got 'W'" in stderr


# --- Spark data (make test-spark renders nothing: these check the config alone) ----------


def _spark_entry(folder, data_yaml, monkeypatch, available=True):
    from nps_toolkit.reporting import config

    monkeypatch.setattr(config, "spark_available", lambda: available)
    (folder / "surveys.yml").write_text(
        f"surveys:\n  - name: A\n    data: {data_yaml}\n", encoding="utf-8"
    )
    return config.load_config(folder / "surveys.yml")


def test_spark_data_in_an_entry_is_written_out_for_the_kernel(folder, monkeypatch):
    (survey,) = _spark_entry(folder, "spark:parquet:exports/*.parquet", monkeypatch)
    assert survey.parameters["data_path"] == {
        "spark": {
            "path": str(folder.resolve() / "exports" / "*.parquet"),
            "format": "parquet",
            "master": "local[*]",
        }
    }
    block = '{spark: {table: nps.responses, master: "spark://head:7077"}}'
    (survey,) = _spark_entry(folder, block, monkeypatch)
    assert survey.parameters["data_path"] == {
        "spark": {"table": "nps.responses", "master": "spark://head:7077"}
    }
    # the report records no local folder: the appendix and provenance show the last part
    from nps_toolkit.reporting.presentation import parameter_table
    from nps_toolkit.reporting.rendering import recorded_parameters

    (survey,) = _spark_entry(folder, "spark:csv:/srv/secret/nps/*.csv", monkeypatch)
    table = parameter_table(survey.parameters).set_index("parameter")
    assert table.loc["data_path", "value"] == "Spark csv '*.csv'"
    recorded = recorded_parameters(survey.parameters, str(folder))
    assert recorded["data_path"]["spark"]["path"] == "*.csv"


@pytest.mark.parametrize(
    "data, message",
    [
        ("spark:table:t; DROP TABLE x", r"Spark table .* is not a table name"),
        (
            "{spark: {path: x, conf: 'spark.jars=http://evil'}}",
            r"unknown Spark key\(s\) \['conf'\]",
        ),
        ("{spark: {path: x, master: 'local[*] --jars evil'}}", r"Spark master .* is not one of"),
        ("{spark: {path: x, format: delta}}", r"Spark format 'delta' is not one of"),
        ("{spark: {path: [x]}}", r"Spark key 'path' must be a non-empty string"),
        ("{table: x}", r"must be a file, a glob or folder of parts, or Spark data"),
    ],
)
def test_spark_data_refusals_name_the_entry_and_key(folder, monkeypatch, data, message):
    from nps_toolkit.reporting.config import ConfigError

    with pytest.raises(ConfigError, match=r"survey 'A' \(entry 1\): key 'data'.* " + message):
        _spark_entry(folder, data, monkeypatch)


def test_spark_data_needs_pyspark_and_no_columns_file(folder, monkeypatch):
    from nps_toolkit.reporting.config import ConfigError

    with pytest.raises(ConfigError, match=r"entry 1\): key 'data' names Spark data, but pyspark"):
        _spark_entry(folder, "spark:table:t", monkeypatch, available=False)
    with pytest.raises(ConfigError, match=r"key 'columns' renames the columns of a file"):
        _spark_entry(folder, "spark:table:t\n    columns: {NPS: recommend}", monkeypatch)
    with pytest.raises(ConfigError, match=r"key 'backend': 'duckdb' reads files; Spark data"):
        _spark_entry(folder, "spark:table:t\n    backend: duckdb", monkeypatch)
    (survey,) = _spark_entry(folder, "spark:table:t\n    backend: pandas", monkeypatch)
    assert survey.parameters["backend"] == "pandas"


def test_spark_readme_entries_are_a_valid_config(tmp_path, monkeypatch):
    import re

    from nps_toolkit.reporting import config

    monkeypatch.setattr(config, "spark_available", lambda: True)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(surveys:\n  - name: National \(cluster\).*?)```", readme, re.S)
    (tmp_path / "surveys.yml").write_text(block.group(1), encoding="utf-8")
    national, stores = config.load_config(tmp_path / "surveys.yml")
    assert national.parameters["data_path"]["spark"]["master"] == "yarn"
    assert stores.split == "store"
    assert stores.parameters["data_path"] == {
        "spark": {"table": "cx.nps_responses", "master": "local[*]"}
    }
