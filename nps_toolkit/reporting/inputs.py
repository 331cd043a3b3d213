"""The data a report is about: loading, filtering, invited counts, fingerprints."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd


def load_data(
    data_path=None, *, example="b2b-annual", columns=None, row_filter=None, seed=0
) -> pd.DataFrame:
    """The survey a report is about: a file (``load_survey``) or an example, filtered.

    ``row_filter`` is a pandas query string (``"wave == 7"``) or a mapping
    ``{column: value or [values]}``.  ``attrs["sha256"]`` identifies the data
    (the file's bytes, or the example's CSV text) for the provenance record.
    """
    if data_path is None:
        from ..datasets import example_survey

        df = example_survey(example, seed=seed)
        df.attrs["sha256"] = hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()
        df.attrs["source"] = f"example_survey({example!r}, seed={seed})"
    else:
        from ..data import load_survey

        df = load_survey(data_path, columns=columns or None)
        if "sha256" not in df.attrs:
            df.attrs["sha256"] = file_sha256(data_path)
        df.attrs["source"] = Path(data_path).name  # the name only: no local paths in reports
    return apply_filter(df, row_filter)


def apply_filter(df: pd.DataFrame, row_filter) -> pd.DataFrame:
    """Rows selected by a pandas query string or a ``{column: value or [values]}`` mapping.

    >>> df = pd.DataFrame({"wave": [1, 2, 2], "region": ["N", "S", "N"]})
    >>> len(apply_filter(df, {"wave": 2})), len(apply_filter(df, "wave == 2 and region == 'N'"))
    (2, 1)
    """
    if row_filter is None or (isinstance(row_filter, dict | str) and not row_filter):
        return df
    attrs = dict(df.attrs)
    if isinstance(row_filter, dict):
        keep = pd.Series(True, index=df.index)
        for column, value in row_filter.items():
            if column not in df.columns:
                raise KeyError(
                    f"filter column {column!r} not in the data; columns are {list(df.columns)}"
                )
            values = value if isinstance(value, list | tuple | set) else [value]
            keep &= df[column].isin(values)
        out = df[keep]
    elif isinstance(row_filter, str):
        try:
            out = df.query(row_filter)
        except Exception as exc:  # pandas raises many types for a bad expression
            raise ValueError(f"filter {row_filter!r} failed: {type(exc).__name__}: {exc}") from None
    else:
        raise TypeError(f"filter must be a query string or a mapping, got {row_filter!r}")
    if out.empty:
        raise ValueError(f"filter {row_filter!r} selects no rows out of {len(df)}")
    out = out.copy()
    out.attrs.update(attrs, filter=row_filter, rows_before_filter=len(df))
    return out


def describe_filter(row_filter) -> str:
    """A filter in words for the report's reader.

    >>> describe_filter({"wave": 7, "region": ["North", "South"]})
    'rows where wave is 7 and region is North or South'
    >>> describe_filter("tenure == 'at-risk'")
    "rows where tenure == 'at-risk'"
    """
    if isinstance(row_filter, dict):
        parts = []
        for column, value in row_filter.items():
            values = value if isinstance(value, list | tuple | set) else [value]
            parts.append(f"{column} is " + " or ".join(str(v) for v in values))
        return "rows where " + " and ".join(parts)
    return f"rows where {row_filter}"


def invited_total(df: pd.DataFrame, invited, wave=None) -> int | None:
    """How many people were invited: a number, or a column holding it per wave.

    A column must hold one value per wave (every row of a wave the same);
    the waves' values are added up.

    >>> df = pd.DataFrame({"wave": [1, 1, 2], "invited": [10, 10, 20]})
    >>> invited_total(df, "invited", wave="wave"), invited_total(df, 500)
    (30, 500)
    """
    if invited is None:
        return None
    if not isinstance(invited, str):
        return int(invited)
    if invited not in df.columns:
        return None  # the column is optional: no response rate without it
    if wave is None or wave not in df.columns:
        values = df[invited].dropna().unique()
        if len(values) != 1:
            raise ValueError(
                f"column {invited!r} holds {len(values)} different invited counts; "
                "give the wave column or a number"
            )
        return int(values[0])
    per_wave = df.groupby(wave, observed=True)[invited].agg(["min", "max"])
    uneven = per_wave.index[per_wave["min"] != per_wave["max"]].tolist()
    if uneven:
        raise ValueError(f"column {invited!r} differs within wave(s) {uneven[:5]}")
    return int(per_wave["min"].sum())


def file_sha256(path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
