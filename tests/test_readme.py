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
