"""Which file, which format, and its bytes."""

from __future__ import annotations

import os
from pathlib import Path

from ._common import FORMATS


def _source_name(path) -> str:
    if isinstance(path, str | os.PathLike):
        return str(path)
    return str(getattr(path, "name", "<data>"))


def _read_bytes(path) -> bytes:
    if isinstance(path, str | os.PathLike):
        return Path(path).read_bytes()
    data = path.read()
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _format_of(path, fmt) -> str:
    if fmt is not None:
        if fmt not in set(FORMATS.values()):
            raise ValueError(f"unknown format {fmt!r}; valid: {sorted(set(FORMATS.values()))}")
        return fmt
    if not isinstance(path, str | os.PathLike):
        return "csv"  # a buffer
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    suffix = suffixes[-1] if suffixes else ""
    if suffix in (".xls", ".sas7bdat", ".dta"):
        hint = "save it as .xlsx" if suffix == ".xls" else "export it as CSV or Parquet"
        raise ValueError(f"{path}: {suffix} files are not supported; {hint}")
    if suffix not in FORMATS:
        raise ValueError(
            f"{path}: cannot tell the file format from {suffix or 'a missing suffix'!r}; "
            f"supported: {sorted(FORMATS)} (or pass format='csv')"
        )
    return FORMATS[suffix]
