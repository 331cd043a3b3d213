"""The ``nps-toolkit`` command.

Bad input ends with a one-line error and exit code 2, never a traceback:
a researcher should read what was wrong, not Python internals.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

EXIT_BAD_INPUT = 2


class CommandError(Exception):
    """An error to print as one line, exiting with code 2."""


def _cmd_example(args) -> int:
    from .datasets import write_example

    write_example(args.name, args.out, seed=args.seed)
    print(f"wrote example survey {args.name!r} to {args.out}")
    return 0


def _cmd_summarize(args) -> int:
    from .data import load_survey
    from .scoring import summarize

    df = load_survey(args.path, columns=args.columns)
    table = summarize(
        df,
        score=args.score,
        by=args.by or None,
        weights=args.weights,
        method=args.method,
        confidence_level=args.confidence_level,
        min_n=args.min_n,
    )
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(table.round(1).to_string(index=False))
    blank = table.attrs.get("excluded_blank", 0)
    if blank:
        print(f"\n{blank} blank answer(s) excluded from NPS.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nps-toolkit", description="Net Promoter Score analysis and reports."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("example", help="write an example survey as CSV")
    p.add_argument("name", help="b2b-annual or b2c-monthly")
    p.add_argument("--out", required=True, help="CSV file to write")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd_example)

    p = sub.add_parser("summarize", help="print the NPS summary table of a survey file")
    p.add_argument("path", help="CSV, Excel, Parquet or SPSS file")
    p.add_argument("--by", nargs="+", default=[], metavar="COL", help="segment column(s)")
    p.add_argument("--columns", help="YAML file mapping the file's column names to canonical ones")
    p.add_argument("--score", default="recommend", help="0-10 column (after mapping)")
    p.add_argument("--weights", help="weight column (after mapping)")
    p.add_argument("--method", default="adjusted-wald", help="interval method")
    p.add_argument("--confidence-level", type=float, default=0.95)
    p.add_argument("--min-n", type=int, default=5, help="suppress groups smaller than this")
    p.set_defaults(func=_cmd_summarize)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CommandError, ValueError, KeyError, FileNotFoundError, OSError) as exc:
        # SurveyDataError is a ValueError; KeyError's str() adds quotes, so unwrap it
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"nps-toolkit {args.command}: error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
