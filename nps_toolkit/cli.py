"""The ``nps-toolkit`` command.

Bad input ends with a one-line error and exit code 2, never a traceback:
a researcher should read what was wrong, not Python internals.  Ctrl-C
(SIGINT) exits with 130 and SIGTERM with 143, as shells report them.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

import pandas as pd

EXIT_BAD_INPUT = 2
EXIT_RENDER_FAILED = 1  # some surveys failed to render (the others are done)
EXIT_INTERNAL = 3  # a bug: set NPS_TOOLKIT_DEBUG=1 to see the traceback


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

    df = load_survey(args.path, columns=args.columns, score=args.score)
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


def _cmd_render(args) -> int:
    from .reporting import render_reports

    kw = {"template": args.template} if args.template else {}
    table = render_reports(
        config=args.config,
        only=args.names or None,
        jobs=args.jobs,
        output_dir=args.output,
        progress=not args.no_progress,
        force=args.force,
        **kw,
    )
    with pd.option_context("display.width", 200, "display.max_colwidth", 80):
        print(table[["survey", "status", "seconds", "output"]].to_string(index=False), flush=True)
    failed = table[table["status"] == "failed"]
    for r in failed.itertuples():
        print(f"nps-toolkit render: {r.survey} failed: {_one_line(r.error)}", file=sys.stderr)
    signum = table.attrs.get("signal")
    if signum is not None:
        cancelled = int((table["status"] == "cancelled").sum())
        name = signal.Signals(signum).name
        print(
            f"nps-toolkit render: cancelled by {name}; {cancelled} of {len(table)} survey(s) "
            "not rendered (their previous reports, if any, were kept)",
            file=sys.stderr,
        )
        return 128 + signum
    if len(failed):
        print(
            f"nps-toolkit render: {len(failed)} of {len(table)} survey(s) failed; "
            "their previous reports (if any) were kept",
            file=sys.stderr,
        )
        return EXIT_RENDER_FAILED
    return 0


def _cmd_followup(args) -> int:
    from .followup import followup_list, write_followup
    from .reporting import load_config, load_data, select_surveys

    (survey,) = select_surveys(load_config(args.config), [args.survey])
    p = survey.parameters
    try:
        df = load_data(
            p["data_path"],
            example=p["example"],
            columns=p["columns"],
            row_filter=p["row_filter"],
            required=p.get("required_columns"),
        )
    except ValueError as exc:  # ConfigError and FilterError: say which survey
        raise CommandError(f"survey {survey.name!r}: {exc}") from None
    comment = p["comment"] if p["comment"] in df.columns else None
    for option, column in (("--contact", args.contact), ("--id-column", args.id_column)):
        if column and column not in df.columns:
            raise CommandError(
                f"{option} {column!r} is not a column of survey {survey.name!r}; "
                f"columns are {list(df.columns)}"
            )
    table = followup_list(
        df,
        score=p["score"],
        include_passives=args.include_passives,
        within_hours=args.within_hours,
        responded_at=p["date"],
        comment=comment,
        contact=args.contact or None,
        id_column=args.id_column or None,
    )
    if args.out:
        path = write_followup(table, args.out)
        print(f"wrote {len(table)} respondent(s) to contact for {survey.name!r} to {path}")
    else:
        # contact details on a terminal end up in scroll-back and logs: say so
        print(
            "nps-toolkit followup: warning: printing contact details; "
            "use --out FILE.xlsx to keep them out of terminal logs",
            file=sys.stderr,
        )
        with pd.option_context("display.width", 200, "display.max_colwidth", 60):
            print(table.to_string(index=False))
    return 0


def _cmd_themes_suggest(args) -> int:
    """``themes suggest FILE --out lexicons/x.yml``: draft a themes lexicon from the comments."""
    from .data import load_survey
    from .suggest import suggest_themes, write_themes

    df = load_survey(args.path, columns=args.columns, score=None)
    if args.comment not in df.columns:
        raise CommandError(
            f"{args.path}: no comment column {args.comment!r} (use --comment); "
            f"columns are {list(df.columns)}"
        )
    found = suggest_themes(
        df[args.comment], language=args.language, n_themes=args.n_themes, rng=args.seed
    )
    path = write_themes(found, args.out)
    print(
        f"wrote {len(found)} suggested theme(s) from {found.n_comments} comment(s) to {path}; "
        f"{found.uncovered:.1f} % of the comments are tagged by none. "
        "Edit the file, then name it as a survey's themes:"
    )
    with pd.option_context("display.width", 200, "display.max_colwidth", 70):
        print(
            found.summary[["theme", "comments", "share", "terms"]].round(1).to_string(index=False)
        )
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

    p = sub.add_parser("render", help="render the notebook report of every survey in a config")
    p.add_argument("names", nargs="*", metavar="NAME", help="render only these surveys")
    p.add_argument("--config", default="surveys.yml", help="survey config (default surveys.yml)")
    p.add_argument("--jobs", type=int, default=None, help="surveys at a time (default: CPUs)")
    p.add_argument("--output", default="reports", help="output folder (default reports)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--force", action="store_true", help="render surveys whose report is up to date too"
    )
    p.add_argument("--template", help="report notebook template (default: the toolkit's own)")
    p.set_defaults(func=_cmd_render)

    p = sub.add_parser(
        "followup", help="export the detractors to contact for one configured survey"
    )
    p.add_argument("survey", help="survey name or slug in the config")
    p.add_argument("--config", default="surveys.yml", help="survey config (default surveys.yml)")
    p.add_argument("--out", help="CSV or Excel file to write (default: print)")
    p.add_argument("--include-passives", action="store_true", help="contact passives too")
    p.add_argument("--within-hours", type=float, default=48, help="contact deadline (hours)")
    p.add_argument("--contact", default="email", help="contact column ('' for none)")
    p.add_argument(
        "--id-column", default="respondent_id", help="respondent id column ('' for the row number)"
    )
    p.set_defaults(func=_cmd_followup)

    p = sub.add_parser("themes", help="theme lexicons: suggest one from a survey's comments")
    themes = p.add_subparsers(dest="themes_command", required=True)
    q = themes.add_parser("suggest", help="draft a themes YAML from the comments of a survey file")
    q.add_argument("path", help="CSV, Excel, Parquet or SPSS file with a comment column")
    q.add_argument(
        "--out", required=True, help="themes YAML to write (e.g. lexicons/my-survey.yml)"
    )
    q.add_argument("--comment", default="comment", help="comment column (after mapping)")
    q.add_argument("--columns", help="YAML file mapping the file's column names to canonical ones")
    q.add_argument("--language", default="auto", help="auto (default), fi or en")
    q.add_argument("--n-themes", type=int, default=None, help="themes to look for (default: auto)")
    q.add_argument("--seed", type=int, default=0)
    q.set_defaults(func=_cmd_themes_suggest)
    return parser


def _one_line(message) -> str:
    # a SurveyDataError lists one problem per line: "; " joins them
    return "; ".join(line.strip() for line in str(message).splitlines() if line.strip())


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CommandError, ValueError, KeyError, FileNotFoundError, OSError) as exc:
        # SurveyDataError is a ValueError; KeyError's str() adds quotes, so unwrap it
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"nps-toolkit {args.command}: error: {_one_line(message)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"nps-toolkit {args.command}: cancelled", file=sys.stderr)
        return 128 + signal.SIGINT
    except Exception as exc:  # a bug, still one line; the traceback on request
        if os.environ.get("NPS_TOOLKIT_DEBUG"):
            raise
        print(
            f"nps-toolkit {args.command}: internal error: {type(exc).__name__}: "
            f"{_one_line(exc)} (set NPS_TOOLKIT_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
