"""Reading Parquet and SPSS .sav files."""

from __future__ import annotations

import io
import os

import numpy as np
import pandas as pd

from ._common import Problem, SurveyDataError, _Raw


def _read_parquet(data: bytes, source: str) -> _Raw:
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow errors: name the file
        reason = f"cannot be read as Parquet ({type(exc).__name__}: {exc})"
        raise SurveyDataError([Problem(source, None, None, None, reason)]) from None
    frame = frame.reset_index(drop=True)
    nested = _nested_columns(frame)
    if nested:
        problems = [
            Problem(
                source,
                None,
                name,
                None,
                f"holds {kind} values (a nested Parquet column), not answers; flatten it "
                "into one column per field, or leave it out of the file",
            )
            for name, kind in nested.items()
        ]
        raise SurveyDataError(problems)
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    return _Raw(frame, rows, "data row", source, dict(format="parquet", skipped_blank_lines=0))


def _nested_columns(frame: pd.DataFrame) -> dict:
    """{column: "struct" or "list"} for columns of nested values (dicts, lists, arrays)."""
    out = {}
    for c in frame.columns:
        s = frame[c]
        if not pd.api.types.is_object_dtype(s):
            continue
        first = s.dropna().head(1000)
        kinds = {type(v) for v in first}
        if dict in kinds:
            out[str(c)] = "struct (record)"
        elif kinds & {list, tuple, np.ndarray}:
            out[str(c)] = "list"
    return out


def _read_spss(path, source: str, score_names) -> _Raw:
    try:
        import pyreadstat
    except ImportError:
        raise ImportError(
            "reading SPSS .sav files needs pyreadstat, an optional extra: "
            "pip install 'nps-toolkit[spss]' (or export the file as CSV)"
        ) from None
    if not isinstance(path, str | os.PathLike):
        raise TypeError("SPSS files must be given as a path, not a buffer")
    # user-defined missing values (e.g. 99 = "don't know") are read as blanks
    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False, user_missing=False)
    except Exception as exc:  # pyreadstat.ReadstatError and friends: name the file
        reason = f"cannot be read as an SPSS .sav file ({type(exc).__name__}: {exc})"
        raise SurveyDataError([Problem(source, None, None, None, reason)]) from None
    labels = {k: dict(v) for k, v in meta.variable_value_labels.items()}
    for col, mapping in labels.items():
        # label a column only when every answer has a label (segments such as
        # region); the score and partly labelled rating scales keep their codes
        if col in score_names or col not in frame:
            continue
        values = frame[col].dropna()
        if len(values) and values.isin(list(mapping)).all():
            frame[col] = frame[col].map(mapping).astype("str").where(frame[col].notna())
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    info = dict(format="spss", skipped_blank_lines=0, value_labels=labels)
    info["column_labels"] = dict(zip(meta.column_names, meta.column_labels, strict=False))
    return _Raw(frame, rows, "data row", source, info)
