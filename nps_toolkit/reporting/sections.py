"""The report's sections: what each computes and decides, out of the template.

The template (``templates/survey_report.ipynb``) holds prose and calls; the
decisions live here, where they are tested: which answers the headline is
about (the latest wave or period of a tracker), when the finite-population
correction applies, how a segment's own NPS and its comparison with the rest
become one table, when there is a trend and a goal to show, which
respondents the follow-up counts are about.

Every section that draws random numbers gets its own generator,
``section_rng(seed, name)``: a child of ``numpy.random.SeedSequence(seed)``
keyed by the section's name, so that changing one section (its resamples,
its data, whether it runs at all) leaves every other section's numbers as
they were.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from .._dates import parse_dates, wall_time
from .._i18n import Texts
from .._redact import ANALYSIS_LENGTH, clip
from .._suppression import shown_rows

# The report's sections in reading order: (anchor id, catalogue key of its title).
SECTIONS = (
    "findings",
    "headline",
    "responses",
    "answers",
    "segments",
    "trend",
    "drivers",
    "comments",
    "followup",
    "appendix",
)


def section_rng(seed: int, name: str) -> np.random.Generator:
    """The random generator of one report section.

    A child of ``SeedSequence(seed)`` whose spawn key is derived from the
    section's name (CRC-32, stable across runs and Python versions), so no
    section's stream depends on which other sections exist or run first.

    >>> a = section_rng(1, "drivers").random()
    >>> a == section_rng(1, "drivers").random(), a == section_rng(1, "themes").random()
    (True, False)
    """
    key = zlib.crc32(name.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key,)))


# --- the calls a section made, as a reviewer re-runs them --------------------


@dataclass(frozen=True)
class Code:
    """An argument written as code in the notebook (``df``, ``rows['recommend']``) and its value."""

    text: str
    value: object = field(default=None, repr=False, compare=False)


def _literal(value) -> str:
    if isinstance(value, Code):
        return value.text
    if isinstance(value, np.generic):  # numpy 2 writes np.int64(7): the plain value reads
        value = value.item()
    if isinstance(value, tuple):
        value = list(value)
    return repr(value)


def call_text(name: str, *args, **kwargs) -> str:
    """A call as Python code: ``Code`` arguments as their text, the others as literals.

    Long calls put one argument on a line.

    >>> call_text("nps.summarize", Code("df"), score="recommend", by=("region",), min_n=np.int64(5))
    "nps.summarize(df, score='recommend', by=['region'], min_n=5)"
    """
    parts = [_literal(a) for a in args] + [f"{k}={_literal(v)}" for k, v in kwargs.items()]
    one_line = f"{name}({', '.join(parts)})"
    if len(one_line) <= 100:
        return one_line
    return f"{name}(\n" + "".join(f"    {p},\n" for p in parts) + ")"


def _value(x):
    return x.value if isinstance(x, Code) else x


def run(calls: list, name: str, func, *args, **kwargs):
    """``func(*args, **kwargs)`` with each ``Code`` argument's value; the call is added to ``calls``.

    The text recorded and the call made come from the same arguments, so what
    the notebook shows is what computed the numbers.
    """
    calls.append(call_text(name, *args, **kwargs))
    return func(*map(_value, args), **{k: _value(v) for k, v in kwargs.items()})


def rng_code(seed: int, name: str) -> Code:
    """A section's generator (``section_rng``) with the code that makes it again."""
    return Code(f"sections.section_rng({int(seed)!r}, {name!r})", section_rng(seed, name))


def is_counted(df) -> bool:
    """``df`` is a ``counted.Counted`` (data counted where it lives), not a DataFrame."""
    from .counted import Counted

    return isinstance(df, Counted)


def data_code(df, name: str = "df") -> Code:
    """The report's data as the backend-generic functions get it: the frame ``df``, or a
    counted report's ``df.source`` (a path or a filtered relation, see ``counted``)."""
    if is_counted(df):
        return Code(f"{name}.source", df.source)
    return Code(name, df)


def column_code(frame_text: str, frame: pd.DataFrame, column) -> Code:
    """``frame[column]`` with its code (``df['recommend']``)."""
    return Code(f"{frame_text}[{_literal(column)}]", frame[column])


@dataclass(frozen=True)
class Settings:
    """The template parameters the sections read (see the template's parameters cell)."""

    score: str = "recommend"
    weights: str | None = None
    segments: tuple = ()
    drivers: tuple = ()
    date: str = "responded_at"
    wave: str | None = None
    freq: str = "QE"
    comment: str | None = None
    themes: str | None = None
    themes_mode: str = "extend"
    themes_model: str | None = None  # a learn_themes model file: its themes instead of a lexicon
    sentiment_model: str | None = None  # a learn_sentiment model file (the config checks it)
    theme_columns: tuple = ()
    language: str = "auto"
    account: str | None = None
    invited: int | str | None = None
    confidence_level: float = 0.95
    method: str = "adjusted-wald"
    min_n: int = 5
    promoter_growth: float = 0.10
    n_resamples: int = 500
    seed: int = 0
    report_language: str = "en"
    correction: str = "holm"
    followup_hours: float = 48
    extra: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_parameters(cls, parameters: dict) -> Settings:
        """Settings from the notebook's variables (``globals()``): known names only."""
        names = {f.name for f in fields(cls)} - {"extra"}
        values = {k: parameters[k] for k in names if k in parameters}
        for k in ("segments", "drivers", "theme_columns"):
            if k in values:
                values[k] = tuple(values[k] or ())
        return cls(**values)

    @property
    def texts(self) -> Texts:
        return Texts(self.report_language)

    def has(self, df: pd.DataFrame, column) -> bool:
        """``column`` is set and the data has it."""
        return bool(column) and isinstance(column, str) and column in df.columns

    def weight_values(self, df):
        return df[self.weights] if self.weights else None


# --- trend and goal ----------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """The trend section: the table (None when there is none) and why not."""

    table: pd.DataFrame | None
    by_wave: bool
    reason: str | None = None  # catalogue key explaining a missing trend
    calls: tuple = ()  # the code that computed the table (``call_text``)

    @property
    def shown(self) -> bool:
        """At least two periods show numbers (suppressed periods do not count)."""
        return self.table is not None and len(shown_rows(self.table)) >= 2

    @property
    def latest(self) -> int:
        """Row of the latest period that shows numbers (suppressed periods are skipped)."""
        return int(shown_rows(self.table)[-1])

    @property
    def previous(self) -> int:
        """Row of the shown period before ``latest``: the one its change is measured from."""
        return int(shown_rows(self.table)[-2])


def trend(df: pd.DataFrame, s: Settings) -> Trend:
    """NPS wave by wave (a wave column) or by calendar period of the date column.

    No trend without a wave or date column, and none to show when every
    answer falls in one period.
    """
    from ..trends import nps_trend

    by_wave = s.has(df, s.wave)
    if not by_wave and not s.has(df, s.date):
        return Trend(None, False, "trend.none_no_column")
    calls = []
    table = run(
        calls, "nps.nps_trend", nps_trend, data_code(df),
        date=s.date, freq=s.freq, wave=s.wave if by_wave else None, score=s.score,
        weights=s.weights, confidence_level=s.confidence_level, method=s.method, min_n=s.min_n,
        n_resamples=s.n_resamples, rng=rng_code(s.seed, "trend"),
    )  # fmt: skip
    calls = tuple(calls)
    if len(table) < 2:
        return Trend(table, by_wave, "trend.none_one_period", calls)
    if len(shown_rows(table)) < 2:  # the others are suppressed (too few answers)
        return Trend(table, by_wave, "trend.none_too_few", calls)
    return Trend(table, by_wave, calls=calls)


def goal(tr: Trend, s: Settings) -> pd.DataFrame | None:
    """Progress towards the promoter goal, when there is a trend to measure it on."""
    from ..trends import goal_progress

    if not tr.shown:
        return None
    calls = []
    progress = run(
        calls, "nps.goal_progress", goal_progress, Code("trend.table", tr.table),
        promoter_growth=s.promoter_growth, confidence_level=s.confidence_level,
    )  # fmt: skip
    progress.attrs["calls"] = tuple(calls)
    return progress


# --- headline ----------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """The headline: the latest wave or period of a tracker, else all the answers.

    ``summary`` is the ``summarize`` row of those answers, ``interval`` their
    NPS interval (cluster-robust by account, finite-population corrected when
    that applies), ``rows`` the answers themselves; ``pooled`` the summary
    of every answer in the report; ``period`` names the latest period (None
    when the headline is all the answers).
    """

    summary: pd.DataFrame
    interval: object
    rows: pd.DataFrame = field(repr=False)
    pooled: pd.DataFrame = field(repr=False)
    period: object = None
    population: int | None = None
    calls: tuple = ()  # the code that computed the numbers (``call_text``)


def latest_rows(df: pd.DataFrame, tr: Trend, s: Settings) -> pd.DataFrame:
    """The answers of the trend's last period (all answers when there is no trend)."""
    if not tr.shown:
        return df
    last = tr.table["period"].iloc[tr.latest]
    if tr.by_wave:
        return df[df[s.wave] == last]
    # the toolkit's one date reader, in wall time like nps_trend's periods
    dates = wall_time(parse_dates(df[s.date], column=s.date))
    return df[dates.dt.to_period(last.freq) == last]


def population_size(rows: pd.DataFrame, s: Settings, *, latest_period: bool) -> int | None:
    """The population for the finite-population correction, or None when it does not apply.

    The correction needs one population of known size: answers from one
    survey round (one wave), an invited count that belongs to exactly those
    answers, and no weights (weights describe a different population).  A
    fixed invited number is the whole survey's, so it does not apply to the
    latest of several calendar periods or waves.
    """
    from .inputs import invited_total

    if s.weights or s.invited is None:
        return None
    one_wave = not s.has(rows, s.wave) or rows[s.wave].nunique() <= 1
    if not one_wave:
        return None
    if latest_period and not isinstance(s.invited, str):
        return None
    if latest_period and not s.has(rows, s.wave):
        return None  # a calendar period: the invited count is not the period's
    n = invited_total(rows, s.invited, s.wave if s.has(rows, s.wave) else None)
    return n if n and n >= len(rows) else None


def latest_filter(tr: Trend, s: Settings) -> str:
    """The filter choosing the trend's last shown period (a counted report's ``latest_rows``).

    >>> t = Trend(pd.DataFrame({"period": [6, 7], "nps": [1.0, 2.0], "suppressed": False}), True)
    >>> latest_filter(t, Settings(wave="wave"))
    '`wave` == 7'
    >>> t = Trend(pd.DataFrame({"period": pd.period_range("2025Q3", periods=2, freq="Q"),
    ...                         "nps": [1.0, 2.0], "suppressed": False}), False)
    >>> latest_filter(t, Settings(date="at"))
    "`at` >= '2025-10-01 00:00:00' and `at` < '2026-01-01 00:00:00'"
    """
    from .counted import filter_name

    last = tr.table["period"].iloc[tr.latest]
    if tr.by_wave:
        return f"`{filter_name(s.wave)}` == {filter_literal(last)}"
    start, end = last.start_time, (last + 1).start_time
    return f"`{filter_name(s.date)}` >= '{start}' and `{filter_name(s.date)}` < '{end}'"


def filter_literal(value) -> str:
    """``value`` as a filter constant that the filter language reads back as ``value``.

    Python's ``repr`` is not that: ``'w3\\xa0'`` (a wave ending in a non-breaking
    space) reads back as the text backslash-x-a-0, another wave's name.  Text is
    quoted with only the escapes the filter language knows; any other value is
    written as ``repr`` and read back to check (a ``ConfigError`` otherwise).

    >>> print(filter_literal("it's\xa0"))
    'it\\'s\xa0'
    """
    from .._filters import parse_filter
    from .config import ConfigError

    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        body = value.replace("\\", "\\\\").replace("'", "\\'")
        text = "'" + body.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "'"
    else:
        text = repr(value)
    try:
        back = parse_filter(f"`x` == {text}").tree.right.value
    except Exception:  # a value the filter language has no constant for (a date ...)
        back = object()
    if type(back) is not type(value) or back != value:
        raise ConfigError(f"the value {value!r} cannot be written in a filter")
    return text


def summary_interval(summary: pd.DataFrame, method: str, confidence_level: float):
    """The ``NPSInterval`` of a one-row ``summarize`` table (its ``nps``, ``ci_low``,
    ``ci_high``): a counted report's weighted headline, whose answers stay in DuckDB."""
    from ..intervals import NPSInterval

    row = summary.iloc[0]
    n_eff = float(row["n_effective"]) if "n_effective" in summary else float(row["n"])
    return NPSInterval(
        estimate=float(row["nps"]), low=float(row["ci_low"]), high=float(row["ci_high"]),
        standard_error=float(row["standard_error"]), method=method,
        confidence_level=confidence_level, n=int(row["n"]), n_effective=n_eff,
        design_effect=float(row["n"]) / n_eff if "n_effective" in summary else None,
    )  # fmt: skip


def _counted_headline(df, s: Settings, tr: Trend) -> Headline:
    """``headline`` of a counted report: the same calls on ``df.source`` and the latest
    period's rows as a filtered source; the interval from the counts."""
    from ..intervals import nps_interval
    from ..scoring import summarize

    latest = tr.shown
    if latest:
        where = latest_filter(tr, s)
        rows = df.where(where)
        calls = [f"rows = df.where({where!r})  # the latest {'wave' if tr.by_wave else 'period'}"]
    else:
        rows, calls = df, ["rows = df  # all the answers"]
    population = None
    if not s.weights and isinstance(s.invited, int | float) and not latest:
        one_wave = not s.has(df, s.wave) or (tr.table is not None and len(tr.table) <= 1)
        population = int(s.invited) if one_wave and s.invited >= len(df) else None
    kw = dict(score=s.score, weights=s.weights, confidence_level=s.confidence_level, min_n=1)
    summary = run(calls, "nps.summarize", summarize, Code("rows.source", rows.source), **kw)
    if s.weights:  # weighted counts: the interval summarize gives with the method
        interval = run(
            calls, "interval = sections.summary_interval", summary_interval,
            Code(call_text("nps.summarize", Code("rows.source"), **kw, method=s.method),
                 summarize(rows.source, **kw, method=s.method)),
            s.method, s.confidence_level,
        )  # fmt: skip
    else:
        counts = tuple(int(summary[c].iloc[0]) for c in ("detractors", "passives", "promoters"))
        interval = run(
            calls, "nps.nps_interval", nps_interval, counts=counts,
            method=s.method, confidence_level=s.confidence_level,
            population_size=population, n_resamples=s.n_resamples,
            rng=rng_code(s.seed, "headline"),
        )  # fmt: skip
    pooled = run(calls, "nps.summarize", summarize, Code("df.source", df.source), **kw)
    return _headline(summary, interval, rows, pooled, tr, latest, population, calls)


def _headline(summary, interval, rows, pooled, tr: Trend, latest, population, calls) -> Headline:
    """The ``Headline`` both paths return (the latest period named when one is shown)."""
    return Headline(
        summary=summary,
        interval=interval,
        rows=rows,
        pooled=pooled,
        period=tr.table["period"].iloc[tr.latest] if latest else None,
        population=population,
        calls=tuple(calls),
    )


def headline(df: pd.DataFrame, s: Settings, tr: Trend) -> Headline:
    """NPS of the latest wave or period (or of all answers), with its interval."""
    from ..intervals import nps_interval
    from ..scoring import summarize

    if is_counted(df):
        return _counted_headline(df, s, tr)
    rows = latest_rows(df, tr, s)
    latest = rows is not df
    calls = [f"rows = {rows_code(tr, s)}"]
    population = population_size(rows, s, latest_period=latest)
    kw = dict(score=s.score, weights=s.weights, confidence_level=s.confidence_level, min_n=1)
    interval = run(
        calls, "nps.nps_interval", nps_interval, column_code("rows", rows, s.score),
        method=s.method, confidence_level=s.confidence_level,
        weights=column_code("rows", rows, s.weights) if s.weights else None,
        clusters=column_code("rows", rows, s.account) if s.has(rows, s.account) else None,
        population_size=population, n_resamples=s.n_resamples, rng=rng_code(s.seed, "headline"),
    )  # fmt: skip
    summary = run(calls, "nps.summarize", summarize, Code("rows", rows), **kw)
    pooled = run(calls, "nps.summarize", summarize, Code("df", df), **kw)
    return _headline(summary, interval, rows, pooled, tr, latest, population, calls)


def rows_code(tr: Trend, s: Settings) -> str:
    """The code choosing the headline's answers (``latest_rows``) in the notebook.

    >>> t = Trend(pd.DataFrame({"period": [6, 7], "nps": [1.0, 2.0], "suppressed": False}), True)
    >>> rows_code(t, Settings(wave="wave"))
    "df[df['wave'] == 7]  # the latest wave"
    """
    if not tr.shown:
        return "df  # all the answers"
    if tr.by_wave:
        last = tr.table["period"].iloc[tr.latest]
        return f"df[df[{_literal(s.wave)}] == {_literal(last)}]  # the latest wave"
    return "sections.latest_rows(df, trend, s)  # the answers of the latest period"


# --- segments ----------------------------------------------------------------


@dataclass(frozen=True)
class Segments:
    """Per segment column: the reader's table and the raw ``compare_segments`` result."""

    tables: dict  # column -> merged table
    comparisons: dict  # column -> compare_segments result
    calls: tuple = ()  # the code that computed the numbers (``call_text``)

    @property
    def table(self) -> pd.DataFrame | None:
        """All segment tables stacked, a first column ``segment`` naming the column."""
        if not self.tables:
            return None
        return pd.concat(
            [t.assign(segment=c)[["segment", *t.columns]] for c, t in self.tables.items()],
            ignore_index=True,
        )


SEGMENT_COLUMNS = ["group", "n", "nps", "ci_low", "ci_high", "band", "suppressed", "difference",
                   "difference_low", "difference_high", "p_adjusted", "significant"]  # fmt: skip


def segment_table(
    df: pd.DataFrame, column: str, s: Settings, calls: list | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One segment column: each group's NPS beside its difference from the rest.

    Returns the merged table (``SEGMENT_COLUMNS``; a blank group is named
    "(no answer)") and the ``compare_segments`` result it came from; the
    calls made are added to ``calls``.
    """
    from ..compare import compare_segments
    from ..scoring import summarize

    calls = [] if calls is None else calls
    own = run(calls, "nps.summarize", summarize, data_code(df), score=s.score, by=column,
              weights=s.weights, confidence_level=s.confidence_level, min_n=s.min_n)  # fmt: skip
    vs_rest = run(
        calls, "nps.compare_segments", compare_segments, data_code(df), column, score=s.score,
        weights=s.weights, correction=s.correction, confidence_level=s.confidence_level,
        min_n=s.min_n,
    )  # fmt: skip
    right = vs_rest[
        [column, "difference", "ci_low", "ci_high", "p_adjusted", "significant"]
    ].rename(columns={"ci_low": "difference_low", "ci_high": "difference_high"})
    left = own[[column, "n", "nps", "ci_low", "ci_high", "band", "suppressed"]]
    table = left.merge(right, on=column, how="left").rename(columns={column: "group"})
    table["group"] = table["group"].astype("string").fillna("(no answer)")
    return table[SEGMENT_COLUMNS], vs_rest


def segments(df: pd.DataFrame, s: Settings) -> Segments:
    """Every segment column the data has (columns it lacks are skipped)."""
    tables, comparisons, calls = {}, {}, []
    for column in [c for c in s.segments if c in df.columns]:
        tables[column], comparisons[column] = segment_table(df, column, s, calls)
    return Segments(tables, comparisons, tuple(calls))


# --- drivers, comments, follow-up ---------------------------------------------


def drivers(df: pd.DataFrame, s: Settings) -> pd.DataFrame | None:
    """Driver importance and its importance-performance quadrants (None: fewer than 2 drivers)."""
    from ..drivers import driver_importance, importance_performance

    columns = [c for c in s.drivers if c in df.columns]
    if len(columns) < 2:
        return None
    calls = []
    used = [s.score, *columns, s.weights, s.account if s.has(df, s.account) else None]
    if is_counted(df):  # the data where it lives: sums in DuckDB (or Spark)
        data = data_code(df)
    else:
        source = engine_frame(df, used)
        data = Code("df", df)
        if source is not df:  # a large survey: sums in DuckDB (see engine_frame)
            data = Code(f"duckdb.from_df(df[{[c for c in dict.fromkeys(used) if c]!r}])", source)
    importance = run(
        calls, "importance = nps.driver_importance", driver_importance, data, s.score,
        columns, method="shapley", weights=s.weights,
        clusters=s.account if s.has(df, s.account) else None,
        n_resamples=s.n_resamples, confidence_level=s.confidence_level,
        rng=rng_code(s.seed, "drivers"),
    )  # fmt: skip
    out = run(
        calls, "nps.importance_performance", importance_performance, Code("importance", importance)
    )
    out.attrs["calls"] = tuple(calls)
    return out


# Above this many rows, drivers are computed in DuckDB from sums (cost grows with
# the rows in DuckDB only; interval by the random-groups bootstrap, see drivers.py).
ENGINE_ROWS = 50_000


def engine_frame(df: pd.DataFrame, columns):
    """``df`` itself, or above ``ENGINE_ROWS`` rows a DuckDB relation over its ``columns``."""
    if len(df) <= ENGINE_ROWS:
        return df
    import duckdb

    return duckdb.from_df(df[list(dict.fromkeys(c for c in columns if c))])


@dataclass(frozen=True)
class Comments:
    """Comment themes: respondents' tags, each theme's impact, example quotes."""

    tags: pd.DataFrame = field(repr=False)
    impact: pd.DataFrame
    quotes: pd.DataFrame = field(repr=False)
    commenters: int = 0
    terms: pd.DataFrame | None = None  # top_terms: the words of detractors and promoters
    calls: tuple = ()  # the code that computed the numbers (``call_text``)
    suggested: pd.DataFrame | None = None  # suggest_themes summary (no lexicon of the survey's)
    # a counted report's comments read from a sample: comments_total, rows_total,
    # sample_fraction, sample_rows (see counted.comment_sample); None when every row was read
    sample: dict | None = None


# the bundled lexicon leaving this share of the comments untagged, a survey with no
# lexicon of its own is shown suggested themes drafted from its comments
SUGGEST_WHEN_UNCOVERED = 50.0
TERM_MIN_COUNT = 5  # distinctive_terms' own default: a term used by fewer is noise


def lexicon(s: Settings):
    """The survey's own theme lexicon (``themes``, ``themes_mode``), or None for the bundled one."""
    from ..themes import load_themes

    return load_themes(s.themes, mode=s.themes_mode) if s.themes else None


def comments(df: pd.DataFrame, s: Settings, *, name: str = "df") -> Comments | None:
    """Themes of the open answers (None: no comment column or no comment).

    Themes come from tagging with the lexicon, or from the hand-coded 0/1
    ``theme_columns``; each theme's impact carries the share of its mentions
    made in complaint and in praise (``theme_sentiment``), and ``terms`` holds
    the words that separate detractors from promoters.
    """
    from ..sentiment import theme_sentiment
    from ..terms import distinctive_terms, top_terms

    if is_counted(df):  # a narrow frame of the commenters' columns, sampled above a cap
        return _counted_comments(df, s)
    from ..themes import coded_themes, theme_impact, theme_quotes

    has_text = s.has(df, s.comment) and df[s.comment].notna().any()
    if not has_text and not s.theme_columns:
        return None
    comment = s.comment if has_text else None
    by_row = isinstance(s.language, str) and s.has(df, s.language)
    lang = column_code(name, df, s.language) if by_row else s.language
    calls = []
    if has_text:  # contact details out before any analysis sees a word; huge comments cut
        df = df.assign(**{s.comment: analysed_comments(df[s.comment])})
        calls.append(
            f"{name} = {name}.assign(**{{{s.comment!r}: "
            f"sections.analysed_comments({name}[{s.comment!r}])}})"
        )
    lex = Code("lex", lexicon(s))
    if s.themes:
        calls.append(f"lex = {call_text('nps.load_themes', s.themes, mode=s.themes_mode)}")
    if s.theme_columns:
        tags = run(calls, "tags = nps.coded_themes", coded_themes, Code(name, df),
                   s.theme_columns, comment=comment)  # fmt: skip
    elif s.themes_model and has_text:
        from ..learning import load_model

        calls.append(f"model = {call_text('nps.load_model', s.themes_model, kind='themes')}")
        model = load_model(s.themes_model, kind="themes")
        tags = run(calls, "tags = model.predict", model.predict,
                   column_code(name, df, s.comment), language=lang)  # fmt: skip
    else:
        # only the non-blank comments are read (see commenter_tags): the same frame
        tags = run(calls, "tags = sections.commenter_tags", commenter_tags,
                   column_code(name, df, s.comment), lex if s.themes else None, lang)  # fmt: skip
    impact = run(
        calls, "impact = nps.theme_impact", theme_impact, Code(name, df), Code("tags", tags),
        score=s.score, comment=comment, n_resamples=s.n_resamples,
        confidence_level=s.confidence_level, min_n=s.min_n, rng=rng_code(s.seed, "themes"),
    )  # fmt: skip
    if not has_text:
        commenters = int(tags["language"].notna().sum())
        quotes = pd.DataFrame(columns=["theme", "category", "quote", "score"])
        return Comments(tags, impact, quotes, commenters, calls=tuple(calls))
    reader = {}
    if s.sentiment_model:  # a learned model reads the sentiment instead of the lexicon
        from ..learning import load_model

        calls.append(
            f"sentiment_model = {call_text('nps.load_model', s.sentiment_model, kind='sentiment')}"
        )
        reader["model"] = Code("sentiment_model", load_model(s.sentiment_model, kind="sentiment"))
    # sentiment of the commenters only: a blank comment mentions no theme
    said_text = f"said = {name}[{s.comment!r}].fillna('').astype(str).str.strip().ne('').to_numpy()"
    said = df[s.comment].fillna("").astype(str).str.strip().ne("").to_numpy()
    calls.append(said_text)
    said_lang = Code(f"{lang.text}[said]", lang.value[said]) if by_row else lang
    feel = run(
        calls, "feel = nps.theme_sentiment", theme_sentiment,
        Code(f"{name}[{s.comment!r}][said]", df[s.comment][said]), Code("tags[said]", tags[said]),
        themes=lex if s.themes else None, language=said_lang, min_n=s.min_n,
        **reader,
    )  # fmt: skip
    attrs = dict(impact.attrs)
    shares = ["theme", "share_negative", "share_positive"]
    impact = impact.merge(feel[shares], on="theme", how="left")
    calls.append(f"impact = impact.merge(feel[{shares!r}], on='theme', how='left')")
    # how many theme mentions the sentiment reading could not read (the report says so)
    impact.attrs.update(attrs, sentiment_mentions=feel.attrs["mentions"])
    impact.attrs.update(sentiment_unread=feel.attrs["unread"])
    quotes = run(
        calls, "nps.theme_quotes", theme_quotes, Code(name, df), Code("tags", tags),
        comment=s.comment, score=s.score, per_group=1, rng=rng_code(s.seed, "quotes"),
        min_n=s.min_n,
    )  # fmt: skip
    quotes = quotes.assign(score=whole_numbers(quotes["score"]))  # a quote's score reads 6, not 6.0
    quotes["quote"] = clip(quotes["quote"])  # a quote is at most CLIP_LENGTH characters
    # a term's users are a group: fewer than min_n of them would show their categories
    words = run(calls, "words = nps.distinctive_terms", distinctive_terms, Code(name, df),
                comment=s.comment, score=s.score, language=lang,
                min_count=max(TERM_MIN_COUNT, s.min_n))  # fmt: skip
    terms = run(calls, "nps.top_terms", top_terms, Code("words", words),
                themes=lex if s.themes else None)  # fmt: skip
    commenters = int((~df[s.comment].map(_blank)).sum())
    suggested = _suggested(df, s, impact, _value(lang))
    return Comments(tags, impact, quotes, commenters, terms, tuple(calls), suggested)


def comment_sample(df, s: Settings) -> pd.DataFrame:
    """A counted report's rows the comments section reads (``counted.comment_sample``)."""
    from .counted import comment_sample as sample

    return sample(df, s)


def _counted_comments(df, s: Settings) -> Comments | None:
    """``comments`` of a counted report: the same analyses on ``comment_sample``."""
    import dataclasses

    if not s.has(df, s.comment) and not s.theme_columns:
        return None
    calls = []
    frame = run(calls, "sample = sections.comment_sample", comment_sample, Code("df", df),
                Code("s", s))  # fmt: skip
    out = comments(frame, s, name="sample")
    if out is None:
        return None
    fraction = frame.attrs["sample_fraction"]
    sample = None
    if fraction < 1:
        sample = dict(frame.attrs, sample_rows=len(frame), sample_comments=out.commenters)
    return dataclasses.replace(out, calls=(*calls, *out.calls), sample=sample)


def _suggested(df, s: Settings, impact, lang) -> pd.DataFrame | None:
    """Suggested themes when the survey names no lexicon and the bundled one misses most."""
    from ..suggest import suggest_themes

    own = s.themes or s.theme_columns or s.themes_model
    if own or not impact.attrs.get("uncovered_share", 0) >= SUGGEST_WHEN_UNCOVERED:
        return None
    try:
        found = suggest_themes(df[s.comment], language=lang, rng=section_rng(s.seed, "suggest"))
    except ValueError:  # too few comments, or no word shared by two of them
        return None
    out = found.summary.drop(columns="examples")
    out.attrs.update(uncovered=found.uncovered, n_comments=found.n_comments)
    return out


def whole_numbers(values: pd.Series) -> pd.Series:
    """``values`` as integers (nullable ``Int64``) when every one is whole, else unchanged.

    >>> whole_numbers(pd.Series([6.0, 10.0, None])).tolist()
    [6, 10, <NA>]
    >>> whole_numbers(pd.Series([6.5])).tolist()
    [6.5]
    """
    numbers = pd.to_numeric(values, errors="coerce")
    known = numbers.dropna()
    if numbers.isna().sum() != values.isna().sum() or (known != known.round()).any():
        return values
    return numbers.round().astype("Int64")


def commenter_tags(comments: pd.Series, lex, language) -> pd.DataFrame:
    """``tag_themes`` of ``comments``, tagging only the non-blank ones.

    Most respondents of a large survey leave the comment blank (80 % in a
    retail survey); a blank comment mentions no theme and has no language,
    so those rows get ``False`` and a missing language without being read:
    the same frame as tagging every row.
    """
    from ..themes import tag_themes

    said = ~comments.map(_blank).to_numpy(dtype=bool)
    tags = tag_themes(comments[said], themes=lex, language=_rows(language, said))
    if said.all():
        return tags
    out = tags.reindex(comments.index)
    themes = [c for c in out.columns if c != "language"]
    out[themes] = out[themes].fillna(False).astype(bool)
    return out


def _rows(language, keep):
    """The language argument for the rows ``keep``: a per-row Series is cut, a code kept."""
    return language[keep] if isinstance(language, pd.Series) else language


def analysed_comments(comments: pd.Series) -> pd.Series:
    """Comments as the report's analyses read them: redacted, at most ``ANALYSIS_LENGTH``
    characters each (the data keeps the full text)."""
    return comments.map(
        lambda v: v if _blank(v) else clip(str(v), ANALYSIS_LENGTH), na_action="ignore"
    )


def _blank(value) -> bool:
    return pd.isna(value) or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class Followup:
    """Counts of the close-the-loop lists (never the contact details themselves)."""

    to_contact: pd.DataFrame = field(repr=False)  # followup_list of the headline's answers
    counts: pd.DataFrame
    calls: tuple = ()  # the code that computed the counts (``call_text``)


def followup(rows: pd.DataFrame, s: Settings, *, contact: str = "email") -> Followup | None:
    """Detractors to contact and promoters to thank among ``rows`` (the headline's answers).

    Only the latest wave or period is followed up: a detractor from an
    earlier round has been (or can no longer be) called.  None when the data
    has no contact or date column.
    """
    from ..followup import followup_list, thank_list

    if contact not in rows.columns or not s.has(rows, s.date):
        return None
    if is_counted(rows):  # only the detractors and promoters, only the lists' columns
        return _counted_followup(rows, s, contact)
    kw = dict(score=s.score, responded_at=s.date, comment=None, within_hours=s.followup_hours)
    calls = []
    to_call = run(calls, "nps.followup_list", followup_list, Code("head.rows", rows), **kw)
    to_thank = run(calls, "nps.thank_list", thank_list, Code("head.rows", rows), **kw)
    return _followup_counts(to_call, to_thank, calls)


def _followup_counts(to_call: pd.DataFrame, to_thank: pd.DataFrame, calls: list) -> Followup:
    counts = pd.DataFrame(
        {
            "list": ["to_contact", "overdue", "no_contact", "to_thank"],
            "respondents": [
                len(to_call),
                int(to_call["overdue"].fillna(False).astype(bool).sum()),
                int(to_call["no_contact"].sum()),
                len(to_thank),
            ],
        }
    )
    return Followup(to_call, counts, tuple(calls))


def _counted_followup(rows, s: Settings, contact: str) -> Followup:
    from ..backends import read_columns
    from ..followup import followup_list, thank_list
    from .counted import filter_name

    columns = [s.score, s.date, contact] + (["respondent_id"] if "respondent_id" in rows.columns
                                            else [])  # fmt: skip
    keep = f"`{filter_name(s.score)}` <= 6 or `{filter_name(s.score)}` >= 9"
    calls = []
    listed = run(calls, "listed = nps.backends.read_columns", read_columns, Code("head.rows.source",
                 rows.source), columns, row_filter=keep)  # fmt: skip
    kw = dict(score=s.score, responded_at=s.date, comment=None, within_hours=s.followup_hours)
    to_call = run(calls, "nps.followup_list", followup_list, Code("listed", listed), **kw)
    to_thank = run(calls, "nps.thank_list", thank_list, Code("listed", listed), **kw)
    return _followup_counts(to_call, to_thank, calls)


# --- the parameters that took effect -----------------------------------------

# interval methods that draw random numbers (n_resamples and seed matter)
RESAMPLING_METHODS = ("bootstrap", "bca", "bayes")


def in_effect(
    parameters: dict,
    df: pd.DataFrame,
    s: Settings,
    *,
    trend: Trend | None = None,
    goal: pd.DataFrame | None = None,
    segments: Segments | None = None,
    drivers: pd.DataFrame | None = None,
    comments: Comments | None = None,
    followup: Followup | None = None,
) -> dict:
    """The report's parameters that took effect, for its appendix and provenance.

    A parameter is listed when the report used it: columns only when the
    data has them (segments, drivers and value labels keep only those found),
    the options of a section only when that section has numbers (no driver
    names for a survey without drivers, no comment options without comments,
    no calendar period when the trend is by wave), the example only when no
    data file was given, and no option left empty or off.  Always listed:
    the name, the score column, the interval method, confidence level,
    smallest group and the report's language and files.

    >>> df = pd.DataFrame({"recommend": [9, 3], "region": ["N", "S"]})
    >>> s = Settings(segments=("region", "tenure"), drivers=("price", "quality"))
    >>> in_effect({"survey_name": "x", "score": "recommend", "data_path": "x.csv",
    ...            "example": "b2b-annual", "segments": ["region", "tenure"],
    ...            "drivers": ["price", "quality"], "comment": "comment", "themes_mode": "extend",
    ...            "weights": None, "min_n": 5}, df, s)
    {'survey_name': 'x', 'score': 'recommend', 'data_path': 'x.csv', 'segments': ['region'], 'min_n': 5}
    """
    from ..backends import is_spark_dataframe
    from .counted import is_counted

    has = lambda column: s.has(df, column)  # noqa: E731
    counted = is_counted(df)
    by_date = trend is not None and trend.table is not None and not trend.by_wave
    with_text = comments is not None and comments.terms is not None
    resampled = (
        s.method in RESAMPLING_METHODS or drivers is not None or comments is not None
    ) and s.n_resamples > 0
    shown_segments = (
        [c for c in s.segments if has(c)] if segments is None else list(segments.tables)
    )
    used = {
        "example": not parameters.get("data_path"),
        "date_format": bool(parameters.get("data_path")),
        "segments": bool(shown_segments),
        "correction": bool(shown_segments),
        "drivers": drivers is not None,
        "date": has(s.date) and (by_date or followup is not None),
        "wave": has(s.wave),
        "freq": by_date,
        "comment": with_text,
        "language": with_text,
        "themes": comments is not None,
        "themes_mode": comments is not None and bool(s.themes),
        "theme_columns": comments is not None,
        "account": has(s.account),
        "invited": isinstance(s.invited, int | float) or has(s.invited),
        "promoter_growth": goal is not None,
        "n_resamples": resampled,
        "seed": resampled or comments is not None,  # quotes are drawn at random too
        "followup_hours": followup is not None,
        "banners": "xlsx" in (parameters.get("outputs") or ()),
        "backend": counted,  # listed as what counted the report, not "auto"
    }
    kept = {
        "backend": "spark" if counted and is_spark_dataframe(df.source) else "duckdb",
        "segments": shown_segments,
        "drivers": [c for c in s.drivers if drivers is not None and c in set(drivers["driver"])],
        "value_labels": {k: v for k, v in (parameters.get("value_labels") or {}).items() if has(k)},
    }
    from .config import INTERNAL_PARAMETERS

    out = {}
    for key, value in parameters.items():
        value = kept.get(key, value)
        if key in INTERNAL_PARAMETERS or not used.get(key, True):
            continue
        if value is None or (isinstance(value, list | tuple | dict | str) and not len(value)):
            continue  # an option left empty or off
        out[key] = value
    return out


# --- time limits per section ------------------------------------------------------


class SectionTimeout(BaseException):
    """A section ran past its time limit (BaseException: no ``except Exception`` swallows it)."""


class Budget:
    """Runs report sections, each with its own time limit (``section_timeout`` seconds).

    ``run(name, func, *args)`` returns ``func(*args)``, or None when the
    section ran out of time; ``ran_out(name)`` tells the section's cell to
    say so instead of showing it.  The other sections run with their own full
    limit, so one slow section costs the report that section only.

    The limit is a timer signal (``SIGALRM``), so it works in the kernel's
    main thread on Unix; elsewhere sections run without a limit.  It
    interrupts Python code between two steps: a single long call into
    compiled code (one DuckDB query) ends first.

    >>> b = Budget(0.05)
    >>> b.run("quick", sum, [1, 2]), b.ran_out("quick")
    (3, False)
    >>> import time
    >>> b.run("slow", lambda: [time.sleep(0.01) for _ in range(100)]), b.ran_out("slow")
    (None, True)
    """

    def __init__(self, seconds):
        self.seconds = None if not seconds else float(seconds)
        self.out_of_time: list[str] = []

    def ran_out(self, name: str) -> bool:
        return name in self.out_of_time

    def run(self, name: str, func, *args, **kwargs):
        import signal
        import threading

        usable = (
            self.seconds is not None
            and hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread()
        )
        if not usable:
            return func(*args, **kwargs)

        def expire(signum, frame):
            raise SectionTimeout(name)

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        try:
            return func(*args, **kwargs)
        except SectionTimeout:
            self.out_of_time.append(name)
            return None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
