"""Tests for the ``nps-toolkit`` command: one-line errors with exit code 2, example, followup."""

import subprocess
import sys

import pandas as pd
import pytest
import yaml

from nps_toolkit.cli import main


@pytest.fixture
def bad_csv(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("respondent_id,recommend\nr1,10\nr2,eleven\nr3,3\n", encoding="utf-8")
    return path


def test_summarize_bad_file_is_one_line_exit_2(bad_csv, capsys):
    assert main(["summarize", str(bad_csv)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nps-toolkit summarize: error: ")
    assert "line 3" in err and "eleven" in err
    assert "Traceback" not in err


def test_summarize_bad_file_in_a_real_process(bad_csv):
    proc = subprocess.run(
        [sys.executable, "-m", "nps_toolkit.cli", "summarize", str(bad_csv)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("nps-toolkit summarize: error:")


def test_summarize_missing_file(tmp_path, capsys):
    assert main(["summarize", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv" in capsys.readouterr().err


def test_summarize_prints_the_table(tmp_path, capsys):
    path = tmp_path / "s.csv"
    # 6 promoters, 2 passives, 2 detractors: NPS 40 by hand
    pd.DataFrame({"recommend": [10] * 6 + [8] * 2 + [0] * 2}).to_csv(path, index=False)
    assert main(["summarize", str(path)]) == 0
    out = capsys.readouterr().out
    assert "40.0" in out and "good" in out


def test_example_writes_csv(tmp_path, capsys):
    out = tmp_path / "sub" / "b2b.csv"
    assert main(["example", "b2b-annual", "--out", str(out)]) == 0
    df = pd.read_csv(out)
    assert len(df) > 1000 and {"recommend", "wave", "account_id"} <= set(df.columns)
    assert "wrote example survey 'b2b-annual'" in capsys.readouterr().out


def test_example_unknown_name(tmp_path, capsys):
    assert main(["example", "b2z", "--out", str(tmp_path / "x.csv")]) == 2
    assert "b2b-annual" in capsys.readouterr().err


@pytest.fixture
def followup_config(tmp_path):
    df = pd.DataFrame(
        {
            "respondent_id": ["a", "b", "c", "d", "e"],
            "recommend": [2, 9, 6, 8, 0],
            "responded_at": pd.to_datetime(
                ["2025-01-02", "2025-01-02", "2025-01-03", "2025-01-01", "2025-01-01"]
            ),
            "email": ["a@example.com", "b@example.com", "c@example.com", "d@example.com", None],
            "comment": ["slow", "great", "price", "ok", None],
        }
    )
    df.to_csv(tmp_path / "s.csv", index=False)
    config = tmp_path / "surveys.yml"
    config.write_text(
        yaml.safe_dump({"surveys": [{"name": "Small survey", "data": "s.csv"}]}),
        encoding="utf-8",
    )
    return config


def test_followup_exports_detractors_most_urgent_first(followup_config, tmp_path, capsys):
    out = tmp_path / "calls.csv"
    assert (
        main(["followup", "small-survey", "--config", str(followup_config), "--out", str(out)]) == 0
    )
    calls = pd.read_csv(out)
    # detractors only (0-6), lowest score first: e (0), a (2), c (6)
    assert calls["respondent_id"].tolist() == ["e", "a", "c"]
    assert calls["contact"].tolist()[1:] == ["a@example.com", "c@example.com"]
    assert "wrote 3 respondent(s)" in capsys.readouterr().out


def test_followup_passives_and_print(followup_config, capsys):
    argv = ["followup", "Small survey", "--config", str(followup_config), "--include-passives"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "d@example.com" in out and "b@example.com" not in out


def test_followup_unknown_survey(followup_config, capsys):
    assert main(["followup", "nope", "--config", str(followup_config)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "unknown survey(s) ['nope']" in err and "Small survey" in err


def test_render_config_error_is_one_line_exit_2(tmp_path, capsys):
    config = tmp_path / "surveys.yml"
    config.write_text(
        yaml.safe_dump({"surveys": [{"name": "A", "data": "missing.csv"}]}), encoding="utf-8"
    )
    assert main(["render", "--config", str(config), "--output", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "survey 'A' (entry 1): key 'data'" in err and "missing.csv" in err
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())


def test_render_unknown_name_exit_2(followup_config, tmp_path, capsys):
    argv = ["render", "other", "--config", str(followup_config), "--output", str(tmp_path / "r")]
    assert main(argv) == 2
    assert "unknown survey(s) ['other']" in capsys.readouterr().err


def test_summarize_many_problems_stay_on_one_line(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("respondent_id,recommend\nr1,11\nr2,eleven\nr3,-1\n", encoding="utf-8")
    assert main(["summarize", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1  # the message and its newline only
    assert "line 2" in err and "line 3" in err and "line 4" in err


def test_summarize_score_option_reaches_the_loader(tmp_path, capsys):
    path = tmp_path / "s.csv"
    path.write_text("id,ltr\n1,10\n2,10\n3,9\n4,0\n5,8\n", encoding="utf-8")
    assert main(["summarize", str(path), "--score", "ltr"]) == 0
    out = capsys.readouterr().out
    assert "40.0" in out  # 3 promoters - 1 detractor of 5 = 40


def test_followup_print_warns_about_contact_details(followup_config, capsys):
    assert main(["followup", "Small survey", "--config", str(followup_config)]) == 0
    captured = capsys.readouterr()
    assert "a@example.com" in captured.out
    assert "warning: printing contact details" in captured.err


def test_followup_other_contact_and_id_columns(followup_config, tmp_path, capsys):
    config = followup_config
    data = pd.read_csv(config.parent / "s.csv").rename(columns={"email": "phone"})
    data = data.drop(columns="respondent_id")
    data.to_csv(config.parent / "s.csv", index=False)
    out = tmp_path / "calls.csv"
    argv = ["followup", "Small survey", "--config", str(config), "--out", str(out)]
    assert main([*argv, "--contact", "phone", "--id-column", ""]) == 0
    calls = pd.read_csv(out)
    assert calls["contact"].tolist()[1:] == ["a@example.com", "c@example.com"]
    # a contact column the survey lacks is a one-line error naming it
    assert main([*argv, "--contact", "email"]) == 2
    err = capsys.readouterr().err
    assert "--contact 'email' is not a column" in err and err.count("\n") == 1


@pytest.mark.parametrize("signum, code", [(2, 130), (15, 143)])
def test_render_cancelled_by_a_signal(tmp_path, slow_template, signum, code):
    import os
    import time

    pid_file = tmp_path / "kernel.pid"
    surveys = [{"name": n, "example": "b2b-annual", "pid_file": str(pid_file)} for n in "abc"]
    (tmp_path / "surveys.yml").write_text(yaml.safe_dump({"surveys": surveys}), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a").mkdir()  # an earlier report of survey a, which must survive
    (out / "a" / "provenance.json").write_text('{"toolkit": "nps-toolkit"}')
    argv = [
        "render",
        "--config",
        "surveys.yml",
        "--output",
        "out",
        "--template",
        str(slow_template),
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "nps_toolkit.cli", *argv, "--jobs", "1", "--no-progress"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not (pid_file.is_file() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pid_file.is_file(), "the slow survey never started"
        assert any(p.name.startswith(".a.tmp-") for p in out.iterdir())
        kernel = int(pid_file.read_text())
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr
    signame = {2: "SIGINT", 15: "SIGTERM"}[signum]
    assert f"cancelled by {signame}; 3 of 3 survey(s) not rendered" in stderr
    lines = [line.split() for line in stdout.strip().splitlines()]
    assert lines[0][:2] == ["survey", "status"]
    assert [row[:2] for row in lines[1:]] == [
        ["a", "cancelled"],
        ["b", "cancelled"],
        ["c", "cancelled"],
    ]
    assert sorted(p.name for p in out.iterdir()) == ["a"]  # no work folders left
    assert (out / "a" / "provenance.json").is_file()
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):  # the kernel was shut down
        os.kill(kernel, 0)


def test_followup_filter_is_parsed_not_run(followup_config, tmp_path, capsys, monkeypatch):
    # the follow-up list used DataFrame.query in the CLI process: @os.system ran there
    monkeypatch.chdir(tmp_path)
    doc = yaml.safe_load(followup_config.read_text())
    doc["surveys"][0]["filter"] = "recommend >= 0 and @os.system('touch PWNED') == 0"
    followup_config.write_text(yaml.safe_dump(doc), encoding="utf-8")
    out = tmp_path / "calls.csv"
    argv = ["followup", "Small survey", "--config", str(followup_config), "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "survey 'Small survey' (entry 1): key 'filter': '@' at position 20" in err
    assert not (tmp_path / "PWNED").exists() and not out.exists()
    doc["surveys"][0]["filter"] = "reccomend <= 6"
    followup_config.write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "survey 'Small survey': filter: column 'reccomend' is not in the data" in err
    assert "did you mean 'recommend'?" in err and err.count("\n") == 1


def test_internal_errors_are_one_line_too(capsys, monkeypatch):
    import nps_toolkit.cli as cli

    def boom(args):
        raise RuntimeError("unexpected\nstate")

    monkeypatch.setattr(cli, "_cmd_example", boom)
    monkeypatch.delenv("NPS_TOOLKIT_DEBUG", raising=False)
    assert main(["example", "b2b-annual", "--out", "x.csv"]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err == (
        "nps-toolkit example: internal error: RuntimeError: unexpected; state "
        "(set NPS_TOOLKIT_DEBUG=1 for the traceback)\n"
    )


# --- --version and check ------------------------------------------------------


def test_version_prints_the_package_version():
    from nps_toolkit import __version__

    proc = subprocess.run(
        [sys.executable, "-m", "nps_toolkit.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"nps-toolkit {__version__}"


@pytest.fixture
def check_config(tmp_path):
    """Two surveys of one file: one right, one naming columns the file lacks."""
    pd.DataFrame(
        {
            "recommend": [10, 9, 8, 6, 0, 10, 7],
            "region": ["N", "S", "N", "S", "N", "S", "N"],
            "quality": [5, 4, 3, 2, 1, 5, 4],
            "why": ["a", "b", "", "c", "d", "e", "f"],
        }
    ).to_csv(tmp_path / "s.csv", index=False)
    entries = [
        {"name": "Good", "data": "s.csv", "segments": ["region"], "drivers": ["quality"]},
        {
            "name": "Typos",
            "data": "s.csv",
            "segments": ["regoin", "region"],
            "drivers": ["qualty"],
            "comment": "wyh",
        },
    ]
    config = tmp_path / "surveys.yml"
    config.write_text(yaml.safe_dump({"surveys": entries}, sort_keys=False), encoding="utf-8")
    return config


def test_check_names_every_bad_column_with_the_closest(check_config, capsys):
    assert main(["check", "--config", str(check_config)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[:2] == ["ok     Good", "FAILED Typos"]
    lines = err.strip().splitlines()
    assert lines[:3] == [
        "nps-toolkit check: survey 'Typos': key 'segments': column 'regoin' is not in the data; "
        "did you mean 'region'?",
        "nps-toolkit check: survey 'Typos': key 'drivers': column 'qualty' is not in the data; "
        "did you mean 'quality'?",
        "nps-toolkit check: survey 'Typos': key 'comment': column 'wyh' is not in the data; "
        "did you mean 'why'?",
    ]
    assert lines[3] == f"nps-toolkit check: 1 of 2 survey(s) in {check_config} have problems"


def test_check_only_the_named_surveys(check_config, capsys):
    assert main(["check", "--config", str(check_config), "good"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "ok     Good",
        f"{check_config}: 1 survey(s) checked, no problems found",
    ]


def test_check_names_every_bad_entry_and_checks_the_others(check_config, capsys):
    doc = yaml.safe_load(check_config.read_text())
    doc["surveys"][0]["segmnts"] = ["region"]
    doc["surveys"].append({"name": "No file", "data": "missing.csv"})
    doc["surveys"].append({"name": "Fine", "data": "s.csv", "confidence_level": 0.9})
    doc["surveys"].append({"name": "Bad level", "data": "s.csv", "confidence_level": 95})
    check_config.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    assert main(["check", "--config", str(check_config)]) == 2  # the config itself is wrong
    out, err = capsys.readouterr()
    assert out.splitlines() == ["FAILED Typos", "ok     Fine"]  # the good entries still checked
    lines = err.strip().splitlines()
    assert "survey 'Good' (entry 1): unknown key 'segmnts'" in lines[0]
    assert "survey 'No file' (entry 3): key 'data'" in lines[1] and "missing.csv" in lines[1]
    assert "survey 'Bad level' (entry 5): key 'confidence_level' must be" in lines[2]
    assert lines[-1] == f"nps-toolkit check: 4 of 5 survey(s) in {check_config} have problems"
    # only a named survey: a bad entry named is reported, the others' errors too
    assert main(["check", "--config", str(check_config), "fine"]) == 2
    out, err = capsys.readouterr()
    assert out.splitlines() == ["ok     Fine"] and "entry 1" in err


def test_check_filter_min_n_and_bad_values(check_config, capsys):
    doc = yaml.safe_load(check_config.read_text())
    doc["surveys"] = [
        {"name": "Few", "data": "s.csv", "filter": "region == 'S'"},  # 3 answers < min_n 5
        {"name": "Filter typo", "data": "s.csv", "filter": "regin == 'S'"},
        {"name": "Bad file", "data": "bad.csv"},
    ]
    (check_config.parent / "bad.csv").write_text("recommend\n9\n11\n", encoding="utf-8")
    check_config.write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert main(["check", "--config", str(check_config)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[:3] == ["FAILED Few", "FAILED Filter typo", "FAILED Bad file"]
    assert "survey 'Few': rows where region == 'S' leave 3 answers in 'recommend'" in err
    assert "survey 'Filter typo': filter: column 'regin' is not in the data" in err
    assert "did you mean 'region'?" in err
    assert "survey 'Bad file':" in err and "line 3" in err and "11" in err


def test_check_the_shipped_config_starts_no_kernel(tmp_path, monkeypatch, capsys):
    # surveys.yml reads data/examples/*.csv (written by `make report`): write them beside a copy
    import shutil
    from pathlib import Path

    import papermill

    import nps_toolkit.reporting.rendering as rendering
    from nps_toolkit.datasets import write_example

    def no_kernel(*args, **kwargs):
        raise AssertionError("check started a report")

    root = Path(__file__).resolve().parents[1]
    repo = tmp_path / "repo"
    for name in ("b2b-annual", "b2c-monthly"):
        write_example(name, repo / "data" / "examples" / f"{name}.csv")
    shutil.copy(root / "surveys.yml", repo / "surveys.yml")
    for folder in ("lexicons", "surveys", "data/public"):
        shutil.copytree(root / folder, repo / folder)
    monkeypatch.setattr(rendering, "render_survey", no_kernel)
    monkeypatch.setattr(papermill, "execute_notebook", no_kernel)
    assert main(["check", "--config", str(repo / "surveys.yml")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) >= 4 and all(line.startswith("ok     ") for line in out[:-1])
    assert out[-1] == f"{repo / 'surveys.yml'}: {len(out) - 1} survey(s) checked, no problems found"


# --- the option list at the top of surveys.yml ----------------------------------


def _documented_options(text: str) -> list[str]:
    """The option names the leading comment block of a config describes, in order.

    An option line is ``#   name[, name ...]  description`` (three spaces in,
    two or more before the description); continuation lines are indented further.
    """
    import re

    names = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break  # the block ends at the first line that is not a comment
        m = re.match(r"#   ([a-z_]+(?:, [a-z_]+)*)  +\S", line)
        if m:
            names += m.group(1).split(", ")
    return names


def test_documented_options_parser():
    text = "# intro\n#   a, b_c  two\n#                     more of b_c\n#   d      one\nx: 1\n#   e  no\n"
    assert _documented_options(text) == ["a", "b_c", "d"]


def test_surveys_yml_lists_every_option_the_config_accepts():
    from pathlib import Path

    from nps_toolkit.reporting.config import config_keys

    text = (Path(__file__).resolve().parents[1] / "surveys.yml").read_text(encoding="utf-8")
    documented = _documented_options(text)
    accepted = set(config_keys())
    assert len(documented) == len(set(documented)), "an option is described twice"
    assert sorted(accepted - set(documented)) == [], "options missing from surveys.yml's comments"
    assert sorted(set(documented) - accepted) == [], "surveys.yml describes options it refuses"


# --- explore ---------------------------------------------------------------------


def _parameters_cell(path) -> dict:
    """The values of the copy's cell tagged ``parameters``, read as literals only."""
    import ast

    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    tree = ast.parse(cell.source)
    return {n.targets[0].id: ast.literal_eval(n.value) for n in tree.body}


def test_explore_writes_the_entry_parameters_without_running(check_config, tmp_path, capsys):
    import nbformat

    hostile = "region\"; import os; os.system('touch PWNED') #"
    doc = yaml.safe_load(check_config.read_text())
    doc["surveys"][0].update(filter="region == 'N'", min_n=3, invited=20)
    doc["surveys"][0]["value_labels"] = {"region": {"N": hostile}}  # not an explore parameter
    doc["surveys"][1] = {"name": hostile, "data": "s.csv"}
    check_config.write_text(yaml.safe_dump(doc), encoding="utf-8")
    out = tmp_path / "nb" / "good.ipynb"
    assert main(["explore", "Good", "--config", str(check_config), "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    params = _parameters_cell(out)
    assert params["data_path"] == str(tmp_path / "s.csv")
    assert params["segments"] == ["region"] and params["drivers"] == ["quality"]
    assert params["row_filter"] == "region == 'N'" and params["min_n"] == 3
    assert params["invited"] == 20 and "value_labels" not in params and "survey_name" not in params
    nb = nbformat.read(str(out), as_version=4)
    assert nb.metadata.kernelspec.name == "python3"
    assert nb.metadata.papermill.parameters["segments"] == ["region"]
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")  # not run
    tags = [c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "code"]
    assert tags[:2] == [["defaults"], ["parameters"]]  # papermill -p on the copy keeps them
    # an existing notebook is kept unless --force
    assert main(["explore", "good", "--config", str(check_config), "--out", str(out)]) == 2
    assert "exists; choose another --out or add --force" in capsys.readouterr().err
    argv = ["explore", hostile, "--config", str(check_config), "--out", str(out), "--force"]
    assert main(argv) == 0
    assert _parameters_cell(out)["data_path"] == str(tmp_path / "s.csv")  # literals: nothing ran
    assert not (tmp_path / "PWNED").exists()


def test_explore_warns_about_the_entry_columns(check_config, tmp_path, capsys):
    out = tmp_path / "typos.ipynb"
    assert main(["explore", "Typos", "--config", str(check_config), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert (
        "nps-toolkit explore: warning: key 'segments': column 'regoin' is not in the data; "
        "did you mean 'region'?"
    ) in err
    assert out.is_file()


def test_explore_data_keeps_the_defaults_the_file_has(tmp_path, capsys):
    path = tmp_path / "mine.csv"
    pd.DataFrame(
        {"ltr": [9, 3, 10], "region": ["N", "S", "N"], "wave": [1, 1, 2], "why": ["a", "", "b"]}
    ).to_csv(path, index=False)
    out = tmp_path / "mine.ipynb"
    argv = ["explore", "--data", str(path), "--score", "ltr", "--out", str(out)]
    assert main(argv) == 0
    params = _parameters_cell(out)
    assert params["data_path"] == str(path) and params["score"] == "ltr"
    assert params["segments"] == ["region"]  # of the default segments, the one it has
    assert "wave" not in params  # the notebook's default wave column: the file has it
    assert params["drivers"] == [] and params["comment"] is None and params["account"] is None
    assert main([*argv[:-2], "--out", str(tmp_path / "x.ipynb"), "--segments", "regoin"]) == 2
    err = capsys.readouterr().err
    assert "key 'segments': column 'regoin' is not in the data; did you mean 'region'?" in err
    assert main(["explore"]) == 2 and main(["explore", "a", "--data", str(path)]) == 2
    assert capsys.readouterr().err.count("give a survey NAME of the config or --data FILE") == 2


def test_readme_command_list_names_every_command():
    # the README's "Command line" section lists each subcommand and --version
    import argparse
    import re
    from pathlib import Path

    from nps_toolkit.cli import build_parser

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = re.search(r"\n## Command line\n(.*?)\n## ", readme, flags=re.S).group(1)
    (sub,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    listed = set(re.findall(r"^nps-toolkit ([a-z-]+(?: [a-z]+)?)", section, flags=re.M))
    for command in [*sub.choices, "--version"]:
        assert any(entry.split()[0] == command for entry in listed), command


# --- no e-mails, phones or ids as groups on any command (issue 21) -----------------


@pytest.fixture
def contact_survey(tmp_path):
    """60 answers with an e-mail column, a phone column in 3 groups, and a default
    segment column of the report template ('region') holding e-mail addresses."""
    n = 60
    pd.DataFrame(
        {
            "respondent_id": [f"R{i:03d}" for i in range(n)],
            "recommend": [i % 11 for i in range(n)],
            "email": [f"user{i}@firma.fi" for i in range(n)],
            "sales": [f"040 555 12{i % 3}" for i in range(n)],
            "region": [f"owner{i % 4}@firma.fi" for i in range(n)],
            "tenure": ["new", "long-term"] * (n // 2),
        }
    ).to_csv(tmp_path / "c.csv", index=False)
    return tmp_path / "c.csv"


def test_summarize_refuses_min_n_below_3_and_contact_columns(contact_survey, capsys):
    path = str(contact_survey)
    assert main(["summarize", path, "--by", "email", "--min-n", "1"]) == 2
    out, err = capsys.readouterr()
    assert "@firma.fi" not in out + err
    assert err.strip() == (
        "nps-toolkit summarize: error: --min-n must be a whole number of at least 3 (smaller "
        "groups would show single respondents' answers; see README 'Security and privacy'), got 1"
    )
    for by, why in [
        ("email", "is an id or contact column"),
        ("respondent_id", "is an id or contact column"),
        ("sales", "holds e-mail addresses, phone numbers or identity codes (e.g. row 1)"),
    ]:
        assert main(["summarize", path, "--by", "tenure", by, "--min-n", "3"]) == 2
        out, err = capsys.readouterr()
        assert out == "" and f"error: key '--by': column {by!r} {why}" in err
        assert "@firma.fi" not in err and "040 555" not in err
    assert main(["summarize", path, "--by", "tenure", "--min-n", "3"]) == 0
    assert "long-term" in capsys.readouterr().out


def test_check_and_explore_refuse_contact_columns_as_groups(contact_survey, tmp_path, capsys):
    entries = [
        {"name": "By email", "data": "c.csv", "segments": ["email"], "wave": None},
        {"name": "Wave by phone", "data": "c.csv", "segments": ["tenure"], "wave": "sales"},
        {"name": "Defaults", "data": "c.csv", "wave": None},  # the template's region
        {"name": "Own segments", "data": "c.csv", "segments": ["tenure"], "wave": None},
    ]
    config = tmp_path / "surveys.yml"
    config.write_text(yaml.safe_dump({"surveys": entries}), encoding="utf-8")
    assert main(["check", "--config", str(config)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[:4] == [
        "FAILED By email",
        "FAILED Wave by phone",
        "FAILED Defaults",
        "ok     Own segments",
    ]
    assert "survey 'By email': key 'segments': column 'email' is an id or contact column" in err
    assert "survey 'Wave by phone': key 'wave': column 'sales' holds e-mail addresses" in err
    assert (
        "survey 'Defaults': key 'segments': column 'region' holds e-mail addresses" in err
        and "the entry names no segments, so the report template's default is used" in err
    )
    # explore writes no notebook that would show them
    for name in ("By email", "Defaults"):
        out_nb = tmp_path / f"{name}.ipynb"
        assert main(["explore", name, "--config", str(config), "--out", str(out_nb)]) == 2
        assert "error: key 'segments'" in capsys.readouterr().err and not out_nb.exists()
    out_nb = tmp_path / "own.ipynb"
    assert main(["explore", "Own segments", "--config", str(config), "--out", str(out_nb)]) == 0
    argv = ["explore", "--data", str(contact_survey), "--out", str(tmp_path / "d.ipynb")]
    assert main([*argv, "--segments", "tenure", "email"]) == 2
    assert "key 'segments': column 'email' is an id or contact column" in capsys.readouterr().err
    assert main(argv) == 2  # the notebook's default segments: region is in the file
    assert "column 'region' holds e-mail addresses" in capsys.readouterr().err
    assert not (tmp_path / "d.ipynb").exists()


def test_inspect_never_suggests_contact_columns_as_segments(contact_survey, capsys):
    assert main(["inspect", str(contact_survey)]) == 0
    out = capsys.readouterr().out
    entry = yaml.safe_load(out.split("surveys.yml entry to paste:\n", 1)[1])
    assert entry[0]["segments"] == ["tenure"]  # not region (e-mails) nor sales (phones)
    assert "@firma.fi" not in out and "040 555" not in out


def test_summarize_names_the_option_for_a_score_under_another_name(public_data, capsys):
    """The loader's advice is Python (columns={'REC': 'recommend'}); on the command line
    the way is --score REC, and it works."""
    path = str(public_data / "rocks_NPS_R_testdata.csv")
    assert main(["summarize", path]) == 2
    assert "hint: on the command line: --score REC" in capsys.readouterr().err
    assert main(["summarize", path, "--score", "REC", "--by", "Region"]) == 0
    assert "NAM" in capsys.readouterr().out
