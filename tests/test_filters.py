"""Tests for nps_toolkit._filters: the filter language is parsed, checked and never run as code.

Expected masks are written out by hand for a five-row frame.
"""

import numpy as np
import pandas as pd
import pytest

from nps_toolkit._filters import FilterError, parse_filter
from nps_toolkit.reporting import apply_filter


@pytest.fixture
def df():
    return pd.DataFrame(
        {
            "wave": [6, 7, 7, np.nan, 5],
            "region": ["North", "South", "North", None, "East"],
            "support channel": ["phone", "mail", "chat", "phone", "mail"],
            "responded_at": pd.to_datetime(
                ["2025-01-05", "2025-02-01", "2025-03-01", None, "2024-12-31"]
            ),
            "new": [True, False, True, False, False],
            "recommend": [10, 3, 8, 9, 6],
        }
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("wave == 7", [0, 1, 1, 0, 0]),
        ("wave != 7", [1, 0, 0, 1, 1]),  # a blank wave is not 7
        ("7 == wave", [0, 1, 1, 0, 0]),
        ("wave >= 6", [1, 1, 1, 0, 0]),  # a blank is neither above nor below
        ("5 < wave < 7", [1, 0, 0, 0, 0]),
        ("6 > wave", [0, 0, 0, 0, 1]),
        ("region in ['North', 'East']", [1, 0, 1, 0, 1]),
        ('region not in ["North", null]', [0, 1, 0, 0, 1]),
        ("region == null", [0, 0, 0, 1, 0]),
        ("region != None", [1, 1, 1, 0, 1]),
        ("`support channel` == 'mail'", [0, 1, 0, 0, 1]),
        ("new", [1, 0, 1, 0, 0]),
        ("not new and recommend <= 6", [0, 1, 0, 0, 1]),
        ("wave == 7 or recommend >= 9 and region == 'North'", [1, 1, 1, 0, 0]),
        ("(wave == 7 or recommend >= 9) and region == 'North'", [1, 0, 1, 0, 0]),
        ("not (wave == 7)", [1, 0, 0, 1, 1]),
        ("responded_at >= '2025-02-01'", [0, 1, 1, 0, 0]),
        ("recommend in [9, 10] or recommend == 8.0", [1, 0, 1, 1, 0]),
        ("true", [1, 1, 1, 1, 1]),
        ("region == 'North' and True", [1, 0, 1, 0, 0]),
        ('region == "it\'s"', [0, 0, 0, 0, 0]),
    ],
)
def test_expressions_select_the_rows_worked_out_by_hand(df, text, expected):
    assert parse_filter(text).mask(df).astype(int).tolist() == expected


def test_mapping_form_and_nulls(df):
    f = parse_filter({"region": ["North", "East"], "wave": 6})
    assert f.mask(df).tolist() == [True, False, False, False, False]
    assert parse_filter({"region": None}).mask(df).tolist() == [False, False, False, True, False]
    assert f.columns == ["region", "wave"]
    assert parse_filter(None) is None and parse_filter("  ") is None and parse_filter({}) is None


@pytest.mark.parametrize(
    "text, part",
    [
        ("wave > 0 and @os.system('id > PWNED') == 0", "'@' at position 14"),
        ("__import__('os').system('id') == 0", "'.' at position 17 (attributes"),
        ("__import__('os') == 0", "calls are not allowed at position 11"),
        ("region.str.len() > 0", "'.' at position 7 (attributes"),
        ("region[0] == 'N'", "subscripts are not allowed at position 7"),
        ("wave + 1 > 7", "'+' at position 6 (arithmetic"),
        ("wave * 2 > 7", "'*' at position 6 (arithmetic"),
        ("(lambda: 1)() == 1", "':' at position 8"),
        ("f'{wave}' == '7'", "unexpected text at position 2"),
        ("wave == 7 & region == 'N'", "'&' at position 11 (write 'and')"),
        ("wave = 7", "'=' at position 6 (compare with '==')"),
        ("wave ==", "ends too early"),
        ("wave == (7", "expected ')'"),
        ("wave in 7", "'in' needs a column on the left and a list"),
        ("wave == [7]", "a list goes with 'in'"),
        ("region in [wave]", "a list holds only numbers"),
        ("1 == 1", "compares two constants"),
        ("7", "7 is not a condition"),
        ("(wave == 7) == True", "a condition cannot be compared"),
        ("wave == {7}", "'{' at position 9"),
        ("region == 'North", "at position 11 (a string that is not closed)"),
        ("(" * 60 + "wave == 7" + ")" * 60, "more than 50 nested parentheses"),
        ("not " * 60 + "new", "more than 50 nested parentheses or 'not's"),
    ],
)
def test_anything_else_is_refused_naming_where_and_the_part(text, part):
    with pytest.raises(FilterError) as err:
        parse_filter(text, where="surveys.yml: survey 'A' (entry 1): key 'filter'")
    message = str(err.value)
    assert message.startswith("surveys.yml: survey 'A' (entry 1): key 'filter': ")
    assert part in message and repr(text) in message


def test_very_long_filters_are_refused():
    with pytest.raises(FilterError, match="a filter of 20,009 characters is too long"):
        parse_filter("wave == 7" + " " * 20_000)


def test_at_name_never_runs_code(df, tmp_path, monkeypatch):
    # with DataFrame.query this filter ran the shell command (pandas resolves @os)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FilterError, match="variables"):
        apply_filter(df, "wave > 0 and @os.system('touch PWNED') == 0")
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize(
    "row_filter, message",
    [
        ("regoin == 'North'", "column 'regoin' is not in the data; did you mean 'region'?"),
        ({"wav": 7}, "column 'wav' is not in the data; did you mean 'wave'?"),
        ("zzz == 1", "column 'zzz' is not in the data; columns are ['wave', 'region'"),
        ("wave == '7'", "column 'wave' holds numbers, but the filter compares it with '7'"),
        ("region == 7", "column 'region' holds text, but the filter compares it with 7; quote it"),
        ("responded_at > 'soon'", "'soon' is not a date (column 'responded_at')"),
        ("region", "column 'region' is not a condition"),
        ("region < null", "null can only be compared with == or !="),
        ({"region": [["North"]]}, "values must be numbers, strings, booleans or null"),
    ],
)
def test_data_errors_name_the_column(df, row_filter, message):
    with pytest.raises(FilterError) as err:
        parse_filter(row_filter).mask(df)
    assert message in str(err.value)


def test_categorical_and_unordered_comparison(df):
    cat = df.assign(region=df["region"].astype("category"))
    assert parse_filter("region == 'South'").mask(cat).tolist() == [0, 1, 0, 0, 0]
    with pytest.raises(FilterError, match="cannot compare column 'region'"):
        parse_filter("region < 'South'").mask(cat)


def test_apply_filter_records_the_filter(df):
    out = apply_filter(df, "wave == 7")
    assert out.attrs["rows_before_filter"] == 5 and out.attrs["filter"] == "wave == 7"
    assert out.index.tolist() == [1, 2]


def test_no_query_or_eval_on_user_text():
    # every filter goes through parse_filter: no code in the package calls pandas' evaluator
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "nps_toolkit"
    hits = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("query", "eval")
                # DuckDB relations: rel.query(name, sql) runs the toolkit's own SQL
                and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "rel")
            ):
                hits.append(f"{path.name}:{node.lineno}")
    assert hits == []
