"""The ``nps-toolkit`` command.

Bad input ends with a one-line error and exit code 2, never a traceback:
a researcher should read what was wrong, not Python internals.  Ctrl-C
(SIGINT) exits with 130 and SIGTERM with 143, as shells report them.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import signal
import sys

import pandas as pd

EXIT_BAD_INPUT = 2
EXIT_RENDER_FAILED = 1  # some surveys failed to render (the others are done)
EXIT_INTERNAL = 3  # a bug: set NPS_TOOLKIT_DEBUG=1 to see the traceback
EXIT_CHECK_FAILED = 1  # `check`: some surveys' data lack their columns, or fail to load


class CommandError(Exception):
    """An error to print as one line, exiting with code 2."""


def _cmd_example(args) -> int:
    from .datasets import write_example

    write_example(args.name, args.out, seed=args.seed)
    print(f"wrote example survey {args.name!r} to {args.out}")
    return 0


def _cmd_summarize(args) -> int:
    from ._identifiers import check_group_columns
    from .data import SurveyDataError, load_survey
    from .reporting.config import OPTION_RULES
    from .scoring import summarize

    test, expected = OPTION_RULES["min_n"]  # the config's rule: no groups of one or two people
    if not test(args.min_n):
        raise CommandError(f"--min-n must be {expected}, got {args.min_n}")
    # the default name lets the loader find the score column of a platform export
    named = None if args.score == "recommend" else args.score
    try:
        df = load_survey(args.path, columns=args.columns, score=named)
    except SurveyDataError as exc:
        raise _with_score_hint(exc) from None
    check_group_columns(df, args.by, key="--by")  # no e-mails or ids as groups
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
        print(_terminal(table.round(1).to_string(index=False)))
    blank = table.attrs.get("excluded_blank", 0)
    if blank:
        print(f"\n{blank} blank answer(s) excluded from NPS.")
    return 0


def _with_score_hint(exc):
    """A missing score column's error, with the option that names it on the command line
    (the loader's own advice, ``columns={'REC': 'recommend'}``, is Python)."""
    from .data import SurveyDataError

    for p in exc.problems:
        close = re.search(r"did you mean '([^']+)'", p.reason or "")
        if "required column is missing" in (p.reason or "") and close:
            hint = f"on the command line: --score {shlex.quote(close.group(1))}"
            return SurveyDataError(
                exc.problems, n_problems=exc.n_problems, row_label=exc.row_label,
                hints=[hint, *exc.hints],
            )  # fmt: skip
    return exc


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
    shown = table[["survey", "status", "seconds", "output", "notes"]].copy()
    # the loader's warnings where the eye goes first; in full in the closing lines
    shown["notes"] = shown["notes"].map(_short_notes)
    for column in ("survey", "output"):  # names come from the config: no terminal escapes
        shown[column] = shown[column].map(lambda v: v if v is None else _terminal(v))
    with pd.option_context("display.width", 250, "display.max_colwidth", 80):
        print(shown.to_string(index=False), flush=True)
    _print_load_notes(table)
    failed = table[table["status"] == "failed"]
    for r in failed.itertuples():
        print(
            f"nps-toolkit render: {_terminal(r.survey)} failed: {_one_line(r.error)}",
            file=sys.stderr,
        )
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


def _short_notes(notes, width: int = 60) -> str:
    """The loader's notes of one survey in a table cell: the first, cut at ``width``.

    >>> _short_notes(["s.csv: dates in 'responded_at' are read day-first (03.04.2025 is "
    ...               "3 April); say date_format if they are month-first", "s.csv: more"])
    "2 notes: dates in 'responded_at' are read day-first (03.04.2025 is 3…"
    >>> _short_notes([])
    '-'
    """
    if not len(notes):
        return "-"
    # the data file's name leads each note: the row names the survey already
    first = re.sub(r"^[^\s:]+\.\w+: ", "", _one_line(notes[0]))
    first = first if len(first) <= width else first[: width - 1].rstrip() + "\u2026"
    return f"{len(notes)} notes: {first}" if len(notes) > 1 else first


def _print_load_notes(table) -> None:
    """What the loader warned about in each report (also in its appendix), in full."""
    for r in table.itertuples():
        for note in r.notes:
            line = f"note: {_terminal(r.survey)}: {_terminal(_one_line(note))}"
            print(f"nps-toolkit render: {line}", file=sys.stderr)


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
            date_format=p.get("date_format"),
            score=p["score"],
            load_options={k: p.get(k) for k in ("recode", "header_rows", "na_values", "scale")},
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
            print(_terminal(table.to_string(index=False)))
    return 0


def _cmd_inspect(args) -> int:
    """The file as the loader reads it: layout, columns, score column, a config entry."""
    from .data import inspect_survey

    options = {"header_rows": args.header_rows, "sheet": args.sheet}
    print(
        _terminal(inspect_survey(args.path, **{k: v for k, v in options.items() if v is not None}))
    )
    return 0


def _comments_file(args) -> pd.DataFrame:
    """The file ``themes`` / ``sentiment`` commands read, with its comment column checked.

    Read as a table (``read_table``: a sheet of coded comments has no score);
    a survey export whose comment the loader finds itself (a platform's "why"
    question) is read as a survey.
    """
    from .data import SurveyDataError, load_survey, read_table

    df = read_table(args.path, columns=args.columns)
    if args.comment not in df.columns:
        try:
            df = load_survey(args.path, columns=args.columns)
        except SurveyDataError:
            pass
    if args.comment not in df.columns:
        raise CommandError(
            f"{args.path}: no comment column {args.comment!r} (use --comment); "
            f"columns are {list(df.columns)}"
        )
    return df


def _where(df: pd.DataFrame, bad) -> str:
    """'lines [3, 9]' (the file's own numbers when known, else data rows after the header)."""
    at = bad.nonzero()[0][:5]
    rows = df.attrs.get("rows")
    if rows is not None and len(rows) == len(df):
        return f"{df.attrs.get('row_label', 'row')}s {[int(rows[i]) for i in at]}"
    return f"data rows {[int(i) + 1 for i in at]}, counted after the header"


def _require_filled(df: pd.DataFrame, column: str, path, what: str, hint: str = "") -> None:
    """A coded file's blank comment or label is an error naming the rows, never skipped."""
    from ._text import _is_blank

    blank = df[column].map(_is_blank).to_numpy(bool)
    if blank.any():
        raise CommandError(
            f"{path}: {int(blank.sum())} row(s) have no {what} in column {column!r} "
            f"({_where(df, blank)}): fill or remove them{hint}"
        )


def _learned(model, path, key: str) -> None:
    print(f"learned from {model.n} coded comment(s); cross-validated scores:")
    with pd.option_context("display.width", 200):
        # theme names are the sheet's column names: no terminal escapes
        print(_terminal(model.scores.round(3).to_string(index=False)))
    out = model.save(path)
    print(f"wrote {out}: name it in a survey entry as {key}: {out}")


def _cmd_themes_learn(args) -> int:
    """``themes learn FILE --out models/themes.json``: a model from hand-coded 0/1 columns."""
    from .learning import learn_themes

    df = _comments_file(args)
    _require_filled(df, args.comment, args.path, "comment")
    names = args.codes.split(",") if args.codes else None
    if names is None:  # every column holding only 0/1 (or true/false) codes
        names = [c for c in df.columns if c != args.comment and _codes_only(df[c])]
    missing = [c for c in names if c not in df.columns]
    if missing or not names:
        raise CommandError(
            f"{args.path}: "
            + (f"no code column(s) {missing}" if missing else "no column of 0/1 codes")
            + f" (name them with --codes a,b,c); columns are {list(df.columns)}"
        )
    codes = pd.DataFrame({name: _codes(df, name, args) for name in names})
    model = learn_themes(df[args.comment], codes, language=args.language, rng=args.seed)
    _learned(model, args.out, "themes_model")
    return 0


# a code as a sheet or a coder writes it ("x" marks the themes a comment mentions)
_CODE = {"0": 0, "1": 1, "0.0": 0, "1.0": 1, "false": 0, "true": 1, "no": 0, "yes": 1, "x": 1,
         "ei": 0, "kyllä": 1}  # fmt: skip


def _codes_only(column: pd.Series) -> bool:
    values = column.dropna().astype("str").str.strip().str.lower()
    return bool(len(values)) and values.isin(list(_CODE)).all()


def _codes(df: pd.DataFrame, name: str, args) -> pd.Series:
    """A theme's 0/1 codes; a blank (unless ``--blank-codes 0``) or other value is an
    error naming the rows."""
    path = args.path
    column = df[name]
    if args.blank_codes == "0":  # the coder marked only the themes a comment mentions
        from ._text import _is_blank

        column = column.where(~column.map(_is_blank).astype(bool), "0")
    hint = " (or pass --blank-codes 0 if a blank means the theme is not mentioned)"
    _require_filled(df.assign(**{name: column}), name, path, "code", hint)
    codes = column.astype("str").str.strip().str.lower().map(_CODE)
    bad = codes.isna().to_numpy(bool)
    if bad.any():
        shown = sorted(set(df[name][bad].astype("str")))[:3]
        raise CommandError(
            f"{path}: column {name!r} holds {shown}, not 0/1 codes ({_where(df, bad)})"
        )
    return codes.astype(int)


# a label as a coder may write it, in English or Finnish
_LABEL = {"pos": "positive", "neg": "negative", "neu": "neutral", "positiivinen": "positive",
          "negatiivinen": "negative", "neutraali": "neutral", "myönteinen": "positive",
          "kielteinen": "negative"}  # fmt: skip


def _cmd_sentiment_learn(args) -> int:
    """``sentiment learn FILE --out models/sentiment.json``: a model from labelled comments."""
    from .learning import learn_sentiment

    df = _comments_file(args)
    _require_filled(df, args.comment, args.path, "comment")
    if args.label not in df.columns:
        raise CommandError(
            f"{args.path}: no label column {args.label!r} (use --label); "
            f"columns are {list(df.columns)}"
        )
    _require_filled(df, args.label, args.path, "label")
    labels = df[args.label].astype("str").str.strip().str.lower()
    labels = labels.map(lambda v: _LABEL.get(v, v))
    model = learn_sentiment(df[args.comment], labels, language=args.language, rng=args.seed)
    _learned(model, args.out, "sentiment_model")
    return 0


def _cmd_themes_suggest(args) -> int:
    """``themes suggest FILE --out lexicons/x.yml``: draft a themes lexicon from the comments."""
    from .suggest import suggest_themes, write_themes

    df = _comments_file(args)
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
        table = found.summary[["theme", "comments", "share", "terms"]].round(1)
        print(_terminal(table.to_string(index=False)))
    return 0


# --- check: a config and its surveys' columns, without a kernel -------------


def survey_problems(survey, cache=None) -> list[str]:
    """What is wrong with one configured survey's data, one sentence each; [] when nothing is.

    The data is loaded as a report loads it (``load_data``: the file with its
    column mapping and recodes, or the example); then every column the entry
    names is looked up (``check_columns``, one column at a time so that all
    are listed, each with the closest name), the filter is applied, the
    group columns (named or the template's defaults) are checked for contact
    details and identifiers (``check_groups``) and the answers left are
    counted against ``min_n``.  Nothing is rendered.
    ``cache`` (a dict) keeps each data file loaded once for several entries.
    """
    from .reporting.inputs import apply_filter, check_columns, check_groups, check_min_n, load_data

    p = survey.parameters
    source = {
        "data_path": p["data_path"],
        "example": p.get("example", "b2b-annual"),
        "columns": p.get("columns"),
        "seed": p.get("seed", 0),
        "date_format": p.get("date_format"),
        "score": p.get("score"),
        "load_options": {k: p.get(k) for k in ("recode", "header_rows", "na_values", "scale")},
    }
    key = repr(sorted(source.items()))
    cache = {} if cache is None else cache
    if key not in cache:
        try:
            cache[key] = load_data(**source)
        except ValueError as exc:  # SurveyDataError: the file's own problems
            cache[key] = exc
    df = cache[key]
    if isinstance(df, Exception):
        return [_one_line(df)]
    problems = []
    for option, names in (p.get("required_columns") or {}).items():
        for name in names:
            try:
                check_columns(df, {option: [name]})
            except ValueError as exc:
                problems.append(str(exc))
    if problems:  # the filter and min_n would only repeat a missing column
        return problems
    try:
        rows = apply_filter(df, p.get("row_filter"))
        rows = check_groups(rows, p.get("required_columns"), report_groups(p))
        if p.get("min_n") and p.get("score") in rows.columns:
            check_min_n(rows, p["score"], p["min_n"], p.get("row_filter"))
            if p.get("row_filter"):
                check_min_n(df, p["score"], p["min_n"], p["row_filter"], shown=rows)
    except ValueError as exc:
        problems.append(_one_line(exc))
    return problems


def report_groups(parameters: dict) -> dict:
    """The columns a report of these parameters shows as groups (as its notebook passes them)."""
    return {key: parameters.get(key) for key in ("segments", "banners", "wave")}


def _cmd_check(args) -> int:
    from .reporting import load_config, select_surveys

    kw = {"template": args.template} if args.template else {}
    errors = []  # the config's bad entries, each with its entry and key
    surveys = load_config(args.config, errors=errors, **kw)
    if errors and args.names:  # a named survey may be a bad entry: check those found
        surveys = [s for s in surveys if {s.name, s.slug} & set(args.names)]
    else:
        surveys = select_surveys(surveys, args.names or None)
    for error in errors:
        print(f"nps-toolkit check: {_one_line(error)}", file=sys.stderr)
    bad, cache = len(errors), {}
    for survey in surveys:
        problems = survey_problems(survey, cache)
        print(f"{'ok' if not problems else 'FAILED':<7}{_terminal(survey.name)}", flush=True)
        for problem in problems:
            print(
                f"nps-toolkit check: survey {survey.name!r}: {_one_line(problem)}", file=sys.stderr
            )
        bad += bool(problems)
    if bad:
        print(
            f"nps-toolkit check: {bad} of {len(surveys) + len(errors)} survey(s) in "
            f"{args.config} have problems",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT if errors else EXIT_CHECK_FAILED
    print(f"{args.config}: {len(surveys)} survey(s) checked, no problems found")
    return 0


# --- explore: a ready copy of the explore notebook ----------------------------

EXPLORE_NOTEBOOK = "explore_survey.ipynb"  # in notebooks/, installed as nps_toolkit.notebooks
# explore parameters naming columns of the data: {parameter: its value when the data lacks it}
EXPLORE_COLUMN_PARAMETERS = {
    "weights": None,
    "segments": [],
    "drivers": [],
    "date": None,
    "wave": None,
    "account": None,
    "invited": None,
    "comment": None,
    "theme_columns": [],
}


def explore_notebook_path():
    """The explore notebook shipped with the toolkit (``notebooks/explore_survey.ipynb``)."""
    from importlib import resources

    return resources.files("nps_toolkit.notebooks") / EXPLORE_NOTEBOOK


def explore_parameters(args) -> tuple[dict, str]:
    """The parameters a copy of the explore notebook gets, and a name for the copy.

    ``NAME``: the ``surveys.yml`` entry's parameters (after its defaults and
    the template's), those the notebook has.  ``--data FILE``: the file (with
    ``--columns``/``--score``), the column options given, and of the notebook's
    own column defaults only the columns the file has.
    """
    from pathlib import Path

    from .reporting.config import slugify, template_parameters
    from .reporting.inputs import check_groups

    own = template_parameters(explore_notebook_path())
    # the notebook shows groups of these columns: never of e-mails or ids (an error, not a warning)
    groups = ("segments", "wave")
    if args.name:
        from .reporting import load_config, select_surveys

        (survey,) = select_surveys(load_config(args.config), [args.name])
        cache = {}
        problems = survey_problems(survey, cache)
        params = {k: v for k, v in survey.parameters.items() if k in own}
        for df in cache.values():
            if isinstance(df, pd.DataFrame):
                named = survey.parameters.get("required_columns")
                check_groups(df, named, {k: params.get(k) for k in groups})
        for problem in problems:
            print(f"nps-toolkit explore: warning: {problem}", file=sys.stderr)
        return params, survey.slug
    from .data import load_survey
    from .reporting.inputs import check_columns

    path = Path(args.data).resolve()
    df = load_survey(path, columns=args.columns, score=args.score)
    params = {"data_path": str(path), "score": args.score}
    if args.columns:
        params["columns"] = str(Path(args.columns).resolve())
    given = {"segments": args.segments, "drivers": args.drivers}
    check_columns(df, {k: v for k, v in given.items() if v})
    for key, empty in EXPLORE_COLUMN_PARAMETERS.items():
        if given.get(key):
            params[key] = given[key]
            continue
        default = own.get(key, empty)
        if isinstance(default, list) and not set(default) <= set(df.columns):
            params[key] = [c for c in default if c in df.columns]
        elif isinstance(default, str) and default not in df.columns:
            params[key] = empty  # the example's column: this file has none of that name
    check_groups(df, given, {k: {**own, **params}.get(k) for k in groups})
    return params, slugify(path.stem)


def _kernel_display_name(kernel: str) -> str:
    """How JupyterLab names an installed kernel; the name itself when it is not installed."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        return KernelSpecManager().get_kernel_spec(kernel).display_name
    except NoSuchKernel:
        return kernel


def _cmd_explore(args) -> int:
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from .reporting import _engine  # registers the translator that writes only literals

    if bool(args.name) == bool(args.data):
        raise CommandError("give a survey NAME of the config or --data FILE (one of them)")
    params, slug = explore_parameters(args)
    out = args.out or f"explore-{slug}.ipynb"
    if os.path.exists(out) and not args.force:
        raise CommandError(f"{out} exists; choose another --out or add --force to replace it")
    nb = load_notebook_node(str(explore_notebook_path()))  # papermill's reading: tags default []
    nb = parameterize_notebook(nb, params, language=_engine.LANGUAGE)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)  # papermill's per-cell run records: none yet
        tags = cell.metadata.get("tags", [])
        # the survey's values become the parameters cell: `papermill copy.ipynb -p ...`
        # replaces an "injected-parameters" cell, which would lose them
        if "parameters" in tags:
            cell.metadata.tags = [t for t in tags if t != "parameters"] + ["defaults"]
        elif "injected-parameters" in tags:
            cell.metadata.tags = [t for t in tags if t != "injected-parameters"] + ["parameters"]
    nb.metadata.kernelspec = {
        "name": args.kernel,
        "display_name": _kernel_display_name(args.kernel),
        "language": "python",
    }
    nb.metadata.language_info = {"name": "python"}  # not the translator's name
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    nbformat.write(nb, out)
    print(f"wrote {out} (open it in JupyterLab and run all cells)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="nps-toolkit", description="Net Promoter Score analysis and reports."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
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

    p = sub.add_parser(
        "inspect", help="show how a survey file is read, and a surveys.yml entry for it"
    )
    p.add_argument("path", help="CSV, Excel, Parquet or SPSS file (any platform's export)")
    p.add_argument("--header-rows", type=int, help="rows the header takes (default: detected)")
    p.add_argument("--sheet", help="Excel sheet name (default: the first)")
    p.set_defaults(func=_cmd_inspect)

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
        "check", help="validate a config and every survey's columns, without rendering"
    )
    p.add_argument("names", nargs="*", metavar="NAME", help="check only these surveys")
    p.add_argument("--config", default="surveys.yml", help="survey config (default surveys.yml)")
    p.add_argument("--template", help="report notebook template (default: the toolkit's own)")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser(
        "explore",
        help="write a copy of the explore notebook set to a configured survey or a file",
        description="Write a copy of notebooks/explore_survey.ipynb with a survey's parameters "
        "filled in (not run, nothing opened): a surveys.yml entry's options, or a file's.",
    )
    p.add_argument("name", nargs="?", metavar="NAME", help="survey name or slug in the config")
    p.add_argument("--config", default="surveys.yml", help="survey config (default surveys.yml)")
    p.add_argument("--data", metavar="FILE", help="a survey file instead of a configured survey")
    p.add_argument("--columns", help="with --data: YAML file of load_survey options (renames ...)")
    p.add_argument("--score", default="recommend", help="with --data: 0-10 column (after mapping)")
    p.add_argument("--segments", nargs="+", default=[], metavar="COL", help="with --data")
    p.add_argument("--drivers", nargs="+", default=[], metavar="COL", help="with --data")
    p.add_argument("--out", help="notebook to write (default explore-<survey>.ipynb)")
    p.add_argument("--force", action="store_true", help="replace --out when it exists")
    p.add_argument(
        "--kernel", default="python3", help="kernel to open it with, e.g. nps-toolkit (make kernel)"
    )
    p.set_defaults(func=_cmd_explore)

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
    q = themes.add_parser(
        "learn", help="learn a themes model from comments coded by hand (one 0/1 column a theme)"
    )
    _learn_arguments(q, "models/themes.json")
    q.add_argument("--codes", help="the 0/1 theme columns, a,b,c (default: every 0/1 column)")
    q.add_argument(
        "--blank-codes",
        choices=["error", "0"],
        default="error",
        help="a blank code: an error (default), or 0 when coders marked only what a comment "
        "mentions",
    )
    q.set_defaults(func=_cmd_themes_learn)

    p = sub.add_parser("sentiment", help="comment sentiment: learn a model from labelled comments")
    sentiment = p.add_subparsers(dest="sentiment_command", required=True)
    q = sentiment.add_parser(
        "learn", help="learn a sentiment model from comments labelled negative/neutral/positive"
    )
    _learn_arguments(q, "models/sentiment.json")
    q.add_argument("--label", default="sentiment", help="label column (default: sentiment)")
    q.set_defaults(func=_cmd_sentiment_learn)
    return parser


def _learn_arguments(q, example: str) -> None:
    q.add_argument("path", help="CSV, Excel, Parquet or SPSS file of coded comments")
    q.add_argument("--out", required=True, help=f"model file to write (e.g. {example})")
    q.add_argument("--comment", default="comment", help="comment column (after mapping)")
    q.add_argument("--columns", help="YAML file mapping the file's column names to canonical ones")
    q.add_argument("--language", default="auto", help="auto (default), fi or en")
    q.add_argument("--seed", type=int, default=0, help="seed of the cross-validation folds")


def _one_line(message) -> str:
    # a SurveyDataError lists one problem per line: "; " joins them
    lines = (line.strip() for line in str(message).splitlines() if line.strip())
    return _terminal("; ".join(lines))


# Characters a terminal acts on or that reorder or hide text: C0 and C1 controls
# (ESC starts ANSI escape sequences: colours, cursor moves, window titles), line and
# paragraph separators (a new line to YAML and to some terminals), bidi controls and
# zero-width characters.  Text from configs and data is printed
# with them spelled out (\x1b, \u202e), never raw.
_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)


def _terminal(text) -> str:
    r"""``text`` safe to print: control, bidi and zero-width characters spelled out.

    >>> _terminal("B2B\x1b[2J\u202e")
    'B2B\\x1b[2J\\u202e'
    """
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), str(text))


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
