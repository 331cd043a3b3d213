"""The checks at the edge (``_validation``): "did you mean" for column names."""

import pandas as pd
import pytest

from nps_toolkit._validation import ColumnError, check_columns, close_names


def test_close_names_finds_case_typos_and_contained_names():
    names = ["Recommend_NPS", "flight_class", "Region", "comment"]
    assert close_names("flight_clas", names)[0] == "flight_class"
    assert close_names("region", names) == ["Region"]  # same letters, another case
    assert close_names("recommend", names)[0] == "Recommend_NPS"  # contained in a column name
    assert close_names("zzz", names) == []


def test_missing_column_is_a_value_error_naming_the_closest_column():
    df = pd.DataFrame({"recommend": [9], "flight_class": ["Eco"]})
    with pytest.raises(ValueError) as err:
        check_columns(df, ["recommend", "flight_clas"])
    assert isinstance(err.value, KeyError) and isinstance(err.value, ColumnError)
    assert str(err.value) == "column 'flight_clas' not in the data; did you mean 'flight_class'?"
    assert err.value.missing == ["flight_clas"]
    assert err.value.suggestions == {"flight_clas": ["flight_class"]}


def test_several_missing_columns_each_get_their_suggestion_or_the_column_list():
    df = pd.DataFrame({"recommend": [9], "region": ["N"]})
    with pytest.raises(ColumnError) as err:
        check_columns(df, ["regoin", "xyz"], what="segment column")
    message = str(err.value)
    assert message.startswith("segment columns ['regoin', 'xyz'] not in the data")
    assert "did you mean 'region' for 'regoin'?" in message
    assert "Columns are ['recommend', 'region']" in message  # xyz has no close name


def test_without_a_close_name_the_columns_are_listed_at_most_thirty():
    df = pd.DataFrame({f"q{i}": [1] for i in range(40)})
    with pytest.raises(ColumnError, match=r"; columns are \['q0', .*'q29'\] \.\.\. \(10 more\)"):
        check_columns(df, ["recommend"])


def test_column_error_is_exported_for_except_clauses():
    import nps_toolkit as nps

    with pytest.raises(nps.ColumnError, match="did you mean 'region'"):
        nps.summarize(pd.DataFrame({"recommend": [9], "region": ["N"]}), by="regin")


def test_scale_warning_is_public():
    # `warnings.simplefilter("error", nps.ScaleWarning)` needs the class by a public name
    import warnings

    import nps_toolkit as nps
    from nps_toolkit._validation import ScaleWarning

    assert nps.ScaleWarning is ScaleWarning and "ScaleWarning" in nps.__all__
    assert issubclass(nps.ScaleWarning, UserWarning) and "ScaleWarning" in dir(nps)
    with warnings.catch_warnings():
        warnings.simplefilter("error", nps.ScaleWarning)
        with pytest.raises(nps.ScaleWarning, match="only span 1-5"):
            nps.nps([1, 2, 3, 4, 5] * 10)  # 50 answers of a 1-5 scale
        assert nps.nps([0, 10] * 10) == 0  # 0-10 answers: no warning
