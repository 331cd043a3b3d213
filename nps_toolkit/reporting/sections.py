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
    table = nps_trend(
        df,
        date=s.date,
        freq=s.freq,
        wave=s.wave if by_wave else None,
        score=s.score,
        weights=s.weights,
        confidence_level=s.confidence_level,
        method=s.method,
        min_n=s.min_n,
        n_resamples=s.n_resamples,
        rng=section_rng(s.seed, "trend"),
    )
    if len(table) < 2:
        return Trend(table, by_wave, "trend.none_one_period")
    if len(shown_rows(table)) < 2:  # the others are suppressed (too few answers)
        return Trend(table, by_wave, "trend.none_too_few")
    return Trend(table, by_wave)


def goal(tr: Trend, s: Settings) -> pd.DataFrame | None:
    """Progress towards the promoter goal, when there is a trend to measure it on."""
    from ..trends import goal_progress

    if not tr.shown:
        return None
    return goal_progress(
        tr.table, promoter_growth=s.promoter_growth, confidence_level=s.confidence_level
    )


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


def headline(df: pd.DataFrame, s: Settings, tr: Trend) -> Headline:
    """NPS of the latest wave or period (or of all answers), with its interval."""
    from ..intervals import nps_interval
    from ..scoring import summarize

    rows = latest_rows(df, tr, s)
    latest = rows is not df
    population = population_size(rows, s, latest_period=latest)
    kw = dict(score=s.score, weights=s.weights, confidence_level=s.confidence_level, min_n=1)
    interval = nps_interval(
        rows[s.score],
        method=s.method,
        confidence_level=s.confidence_level,
        weights=s.weight_values(rows),
        clusters=rows[s.account] if s.has(rows, s.account) else None,
        population_size=population,
        n_resamples=s.n_resamples,
        rng=section_rng(s.seed, "headline"),
    )
    return Headline(
        summary=summarize(rows, **kw),
        interval=interval,
        rows=rows,
        pooled=summarize(df, **kw),
        period=tr.table["period"].iloc[tr.latest] if latest else None,
        population=population,
    )


# --- segments ----------------------------------------------------------------


@dataclass(frozen=True)
class Segments:
    """Per segment column: the reader's table and the raw ``compare_segments`` result."""

    tables: dict  # column -> merged table
    comparisons: dict  # column -> compare_segments result

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


def segment_table(df: pd.DataFrame, column: str, s: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One segment column: each group's NPS beside its difference from the rest.

    Returns the merged table (``SEGMENT_COLUMNS``; a blank group is named
    "(no answer)") and the ``compare_segments`` result it came from.
    """
    from ..compare import compare_segments
    from ..scoring import summarize

    own = summarize(df, score=s.score, by=column, weights=s.weights,
                    confidence_level=s.confidence_level, min_n=s.min_n)  # fmt: skip
    vs_rest = compare_segments(
        df, column, score=s.score, weights=s.weights, correction=s.correction,
        confidence_level=s.confidence_level, min_n=s.min_n,
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
    tables, comparisons = {}, {}
    for column in [c for c in s.segments if c in df.columns]:
        tables[column], comparisons[column] = segment_table(df, column, s)
    return Segments(tables, comparisons)


# --- drivers, comments, follow-up ---------------------------------------------


def drivers(df: pd.DataFrame, s: Settings) -> pd.DataFrame | None:
    """Driver importance and its importance-performance quadrants (None: fewer than 2 drivers)."""
    from ..drivers import driver_importance, importance_performance

    columns = [c for c in s.drivers if c in df.columns]
    if len(columns) < 2:
        return None
    importance = driver_importance(
        df, s.score, columns, method="shapley", weights=s.weights,
        clusters=s.account if s.has(df, s.account) else None,
        n_resamples=s.n_resamples, confidence_level=s.confidence_level,
        rng=section_rng(s.seed, "drivers"),
    )  # fmt: skip
    return importance_performance(importance)


@dataclass(frozen=True)
class Comments:
    """Comment themes: respondents' tags, each theme's impact, example quotes."""

    tags: pd.DataFrame = field(repr=False)
    impact: pd.DataFrame
    quotes: pd.DataFrame = field(repr=False)
    commenters: int = 0
    terms: pd.DataFrame | None = None  # top_terms: the words of detractors and promoters
    suggested: pd.DataFrame | None = None  # suggest_themes summary (no lexicon of the survey's)


# the bundled lexicon leaving this share of the comments untagged, a survey with no
# lexicon of its own is shown suggested themes drafted from its comments
SUGGEST_WHEN_UNCOVERED = 50.0


def lexicon(s: Settings):
    """The survey's own theme lexicon (``themes``, ``themes_mode``), or None for the bundled one."""
    from ..themes import load_themes

    return load_themes(s.themes, mode=s.themes_mode) if s.themes else None


def comments(df: pd.DataFrame, s: Settings) -> Comments | None:
    """Themes of the open answers (None: no comment column or no comment).

    Themes come from tagging with the lexicon, or from the hand-coded 0/1
    ``theme_columns``; each theme's impact carries the share of its mentions
    made in complaint and in praise (``theme_sentiment``), and ``terms`` holds
    the words that separate detractors from promoters.
    """
    from ..sentiment import theme_sentiment
    from ..terms import distinctive_terms, top_terms
    from ..themes import coded_themes, tag_themes, theme_impact, theme_quotes

    has_text = s.has(df, s.comment) and df[s.comment].notna().any()
    if not has_text and not s.theme_columns:
        return None
    comment = s.comment if has_text else None
    lang = df[s.language] if isinstance(s.language, str) and s.has(df, s.language) else s.language
    lex = lexicon(s)
    if s.theme_columns:
        tags = coded_themes(df, s.theme_columns, comment=comment)
    elif s.themes_model:
        from ..learning import load_model

        tags = load_model(s.themes_model, kind="themes").predict(df[s.comment], language=lang)
    else:
        tags = tag_themes(df[s.comment], themes=lex, language=lang)
    impact = theme_impact(
        df, tags, score=s.score, comment=comment, n_resamples=s.n_resamples,
        confidence_level=s.confidence_level, min_n=s.min_n, rng=section_rng(s.seed, "themes"),
    )  # fmt: skip
    if not has_text:
        commenters = int(tags["language"].notna().sum())
        quotes = pd.DataFrame(columns=["theme", "category", "quote", "score"])
        return Comments(tags, impact, quotes, commenters)
    model = None
    if s.sentiment_model:
        from ..learning import load_model

        model = load_model(s.sentiment_model, kind="sentiment")
    feel = theme_sentiment(
        df[s.comment], tags, themes=lex, language=lang, min_n=s.min_n, model=model
    )
    attrs = dict(impact.attrs)
    impact = impact.merge(
        feel[["theme", "share_negative", "share_positive"]], on="theme", how="left"
    )
    impact.attrs.update(attrs, sentiment_mentions=feel.attrs["mentions"])
    impact.attrs.update(sentiment_unread=feel.attrs["unread"])
    quotes = theme_quotes(
        df, tags, comment=s.comment, score=s.score, per_group=1, rng=section_rng(s.seed, "quotes")
    )
    terms = top_terms(
        distinctive_terms(df, comment=s.comment, score=s.score, language=lang), themes=lex
    )
    commenters = int((~df[s.comment].map(_blank)).sum())
    return Comments(tags, impact, quotes, commenters, terms, _suggested(df, s, impact, lang))


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


def _blank(value) -> bool:
    return pd.isna(value) or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class Followup:
    """Counts of the close-the-loop lists (never the contact details themselves)."""

    to_contact: pd.DataFrame = field(repr=False)  # followup_list of the headline's answers
    counts: pd.DataFrame


def followup(rows: pd.DataFrame, s: Settings, *, contact: str = "email") -> Followup | None:
    """Detractors to contact and promoters to thank among ``rows`` (the headline's answers).

    Only the latest wave or period is followed up: a detractor from an
    earlier round has been (or can no longer be) called.  None when the data
    has no contact or date column.
    """
    from ..followup import followup_list, thank_list

    if contact not in rows.columns or not s.has(rows, s.date):
        return None
    kw = dict(score=s.score, responded_at=s.date, comment=None, within_hours=s.followup_hours)
    to_call = followup_list(rows, **kw)
    to_thank = thank_list(rows, **kw)
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
    return Followup(to_call, counts)
