"""Which file, which format, and its bytes."""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

from ._common import FORMATS, Problem, SurveyDataError


def _source_name(path) -> str:
    if isinstance(path, str | os.PathLike):
        return str(path)
    return str(getattr(path, "name", "<data>"))


def _read_bytes(path) -> bytes:
    if isinstance(path, str | os.PathLike):
        return Path(path).read_bytes()
    data = path.read()
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _file_bytes(path, source: str) -> tuple[bytes, bytes]:
    """(the bytes as stored, the bytes to parse): a ``.gz`` file is decompressed.

    A file that cannot be read (no permission, a folder, too large for
    memory) or a ``.gz`` that is not gzip is a ``SurveyDataError`` naming
    the file; a missing file stays a ``FileNotFoundError``.
    """

    def refuse(reason):
        raise SurveyDataError([Problem(source, None, None, None, reason)]) from None

    try:
        stored = _read_bytes(path)
    except FileNotFoundError:
        raise
    except MemoryError:
        refuse("is too large to read into memory (count it where it lives: see group_counts)")
    except OSError as exc:
        refuse(f"cannot be read ({type(exc).__name__}: {exc.strerror or exc})")
    if isinstance(path, str | os.PathLike) and str(path).lower().endswith(".gz"):
        try:
            return stored, gzip.decompress(stored)
        except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
            refuse(f"is not a gzip file, or a damaged one ({type(exc).__name__}: {exc})")
        except MemoryError:
            refuse("is too large to decompress into memory")
    return stored, stored


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
