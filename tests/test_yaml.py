"""Tests for nps_toolkit._yaml: every YAML file the toolkit reads goes through one strict reader."""

import pytest

import nps_toolkit as nps
from nps_toolkit._yaml import load_strict
from nps_toolkit.sentiment import load_sentiment_lexicon

HOSTILE = {
    "alias": ("a: &x [1, 2]\nb: *x\n", "alias *x is not allowed"),
    "merge": ("a: {x: 1}\nb:\n  <<: {y: 2}\n", "merge keys (<<) are not allowed"),
    "tag": ("a: !!python/object/apply:os.system [ls]\n", "YAML tag '!!python/object/apply"),
    "duplicate": ("a: 1\na: 2\n", "duplicate key 'a' (first at line 1)"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_sentiment_and_theme_lexicons_are_read_strictly(tmp_path, case):
    text, message = HOSTILE[case]
    path = tmp_path / "lexicon.yml"
    path.write_text(text, encoding="utf-8")
    for read in (load_sentiment_lexicon, nps.load_themes):
        with pytest.raises(ValueError) as info:
            read(str(path))
        assert message in str(info.value) and "lexicon.yml" in str(info.value)


def test_errors_quote_a_short_excerpt():
    key = "k" * 900
    with pytest.raises(ValueError) as info:
        load_strict(f"{key}: 1\n{key}: 2\n", "x.yml")
    assert len(str(info.value)) < 120 and "..." in str(info.value)


def test_dates_stay_text_and_plain_values_load():
    assert load_strict("d: 2025-01-31\nn: [1, 2.5, true, null]", "x") == {
        "d": "2025-01-31",
        "n": [1, 2.5, True, None],
    }
