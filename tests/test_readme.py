"""The README's API tour must run as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    tour = [b for b in blocks if "example_survey" in b]
    assert tour, "README lost its API tour"
    namespace: dict = {}
    for block in tour:
        exec(compile(block, str(README), "exec"), namespace)
    # the tour's numbers are the toolkit's numbers
    nps = namespace["nps"]
    last = namespace["last"]
    assert -100 <= nps.nps(last["recommend"]) <= 100
    assert len(namespace["themes"]) == len(last)


def test_readme_names_the_two_commands():
    text = README.read_text()
    assert "make report" in text and "make test" in text


def test_readme_survey_entry_is_a_valid_config(tmp_path):
    import pandas as pd
    import yaml

    from nps_toolkit import reporting as report

    block = re.search(r"```yaml\n(surveys:.*?)```", README.read_text(), flags=re.S).group(1)
    config = yaml.safe_load(block)
    entry = config["surveys"][0]
    data = tmp_path / entry["data"]
    data.parent.mkdir(parents=True)
    answers = pd.DataFrame(
        {
            "How likely are you to recommend us?": [10, 9, 3, 8],
            "Customer ID": ["c1", "c2", "c3", "c4"],
            "Why?": ["Hyvä palvelu", "fast support", None, "ok"],
            "region": ["north", "south", "north", "test"],
            "tenure": ["new", "new", "long-term", "new"],
        }
    )
    answers.to_excel(data, index=False)
    (tmp_path / "surveys.yml").write_text(block, encoding="utf-8")
    (survey,) = report.load_config(tmp_path / "surveys.yml")
    assert survey.name == "Customer survey 2026"
    assert survey.parameters["invited"] == 1055
    df = report.load_data(
        survey.parameters["data_path"],
        columns=survey.parameters["columns"],
        row_filter=survey.parameters["row_filter"],
    )
    assert {"recommend", "respondent_id", "comment"} <= set(df.columns)
    assert len(df) == 3  # the filter dropped the 'test' row
