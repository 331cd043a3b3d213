"""What the report shows of each section: headings, sentences, tables and figures.

The functions display into the running notebook (IPython) and take their
words from the report language's catalogue and their numbers from the
section results (``sections``) and the parameters (``Settings``): no level,
correction or deadline is written into a sentence by hand.  Text from the
data or the config is HTML-escaped wherever it is shown.
"""

from __future__ import annotations

import re

import pandas as pd

from .._decimals import point_digits
from .._i18n import Texts
from . import figures
from .presentation import escape, fill
from .sections import SECTIONS, Code, Settings, call_text
from .tables import numeric_columns, reader_table, styled


def _html(text: str) -> None:
    """Display HTML, with its text (tags left out) as the text view."""
    from IPython.display import display

    display({"text/html": text, "text/plain": text_of(text)}, raw=True)


def _md(text: str) -> None:
    """Display Markdown, with the sentence itself as the text view."""
    from IPython.display import display

    display({"text/markdown": text, "text/plain": text_of(text)}, raw=True)


def text_of(markup: str) -> str:
    """What a reader reads of HTML or of the report's Markdown: tags out, references decoded.

    The ``text/plain`` view of the report's outputs (text views, notebook
    diffs), instead of ``<IPython.core.display.HTML object>``.

    >>> text_of('<h3>By race&#95;attended</h3><p>**12** &#60;b&#62;</p>')
    'By race_attended **12** <b>'
    """
    from html.parser import HTMLParser

    parts = []
    parser = HTMLParser(convert_charrefs=True)
    parser.handle_data = parts.append
    parser.handle_starttag = lambda tag, attrs: parts.append(" ") if tag in _BLOCKS else None
    parser.feed(markup)
    parser.close()
    return re.sub(r"[ \t]+", " ", "".join(parts)).strip()


_BLOCKS = {"p", "li", "h1", "h2", "h3", "div", "section", "span", "br", "tr", "td", "th"}


def _fill(t: Texts, key: str, **values) -> str:
    """The catalogue text ``key`` with ``values`` filled in, each text value escaped."""
    return fill(t(key), **values)


def say(t: Texts, key: str, **values) -> None:
    """Display the catalogue text ``key`` (Markdown) with ``values`` filled in and escaped."""
    _md(_fill(t, key, **values))


def _table(df: pd.DataFrame, spec, t: Texts, *, wide=(), digits: int | None = None) -> None:
    """Display ``df`` as a reader table (``reader_table(df, spec, t)``): words left, numbers right.

    ``wide``: header keys of the columns holding sentences (quotes); ``digits``:
    the decimals of its NPS-scale cells (default: from its own intervals).
    """
    from IPython.display import display

    table = reader_table(df, spec, t, digits=digits)
    wide = [t(f"headers.{key}") for key in wide]
    display(styled(table, numeric=numeric_columns(table, spec), wide=wide))


# what the reviewer's note on a section's calls starts with
CALLS_NOTE = (
    "# how the numbers of this section were computed: df is the survey as loaded above,\n"
    "# s its settings; run a line in a new cell to check a number by hand\n"
)


def calls(lines, *, note: str = CALLS_NOTE) -> None:
    """Show the code that computed a section (``sections.call_text``) to the notebook's reviewer.

    It goes into report.ipynb as Python (a code block in JupyterLab, the
    code itself in any text view), tagged ``remove-output``: the HTML
    report, and the PDF printed from it, leave it out.
    """
    from IPython.display import display

    lines = [line for line in lines or () if line]
    if not lines:
        return
    code = note + "\n".join(lines)
    # a fence longer than any run of backticks in the code (names come from the data)
    fence = "`" * max(3, 1 + max((len(r) for r in re.findall("`+", code)), default=0))
    display(
        {"text/plain": code, "text/markdown": f"{fence}python\n{code}\n{fence}"},
        raw=True,
        metadata={"tags": ["remove-output"]},
    )


def labels(s: Settings) -> dict:
    """Display names of drivers and themes in the report's language."""
    from ..themes import theme_labels
    from .sections import lexicon

    names = theme_labels(lexicon(s), language=s.report_language)
    # drivers whose columns are codes (Q7_1) are named by their question texts
    asked = s.extra.get("column_labels") or {}
    names.update({d: asked[d] for d in s.drivers if asked.get(d) and d not in names})
    return names


def column_label(column, t: Texts) -> str:
    """A data column as a reader names it: the catalogue's words, else the name with spaces.

    >>> column_label("race_attended", Texts("en")), column_label("tenure", Texts("en"))
    ('race attended', 'customer relationship')
    """
    return t.label("columns", column, default=str(column).replace("_", " ").strip())


def heading(name: str, t: Texts, *, suffix: str = "") -> None:
    """A section heading with the anchor the table of contents links to."""
    _html(f'<h2 id="{escape(name)}">{escape(t(f"sections.{name}") + suffix)}</h2>')


def contents(t: Texts, sections=SECTIONS) -> None:
    """The table of contents: a link to every section."""
    items = "".join(
        f'<li><a href="#{escape(n)}">{escape(t(f"sections.{n}"))}</a></li>' for n in sections
    )
    _html(
        f'<nav class="nps-contents" aria-label="{escape(t("sections.contents"))}">'
        f"<h2>{escape(t('sections.contents'))}</h2><ol>{items}</ol></nav>"
    )


def filter_text(row_filter, t: Texts) -> str:
    """The report's filter in the report's language.

    >>> filter_text({"wave": 7, "region": ["N", "S"]}, Texts("fi"))
    'rivit, joilla wave on 7 ja region on N tai S'
    """
    if not isinstance(row_filter, dict):
        return t("intro.filter_expression").format(expression=row_filter)
    parts = []
    for column, value in row_filter.items():
        values = value if isinstance(value, list | tuple | set) else [value]
        parts.append(
            t("intro.filter_part").format(
                column=column, values=t("intro.filter_or").join(map(str, values))
            )
        )
    return t("intro.filter").format(parts=t("meta.and").join(parts))


def title(name: str, df: pd.DataFrame, t: Texts, *, row_filter=None) -> None:
    """The report title and one line on what it covers."""
    source = df.attrs.get("source", "")
    if row_filter:
        source += ", " + filter_text(row_filter, t)
    _html(
        f'<h1 id="top">{escape(name)}</h1><p class="nps-subtitle">'
        + _fill(t, "intro.subtitle", n=t.number(len(df)), source=source)
        + "</p>"
    )


def findings(found: pd.DataFrame, t: Texts, *, note: str | None = None) -> None:
    """The findings box at the top: one bullet per finding."""
    items = "".join(
        f'<li class="nps-finding-{escape(k)}">{escape(x)}</li>'
        for k, x in zip(found["kind"], found["text"], strict=True)
    )
    extra = f'<p class="nps-note">{escape(note)}</p>' if note else ""
    _html(
        f'<section class="nps-findings" aria-labelledby="findings">'
        f'<h2 id="findings">{escape(t("sections.findings"))}</h2><ul>{items}</ul>{extra}</section>'
    )


def scope_note(df: pd.DataFrame, head, tr, t: Texts) -> str | None:
    """When the headline is the latest period, say what the detail sections are based on."""
    if head.period is None:
        return None
    from ..insights import period_label

    table = tr.table
    return t("scope.pooled").format(
        n=t.number(len(df)),
        first=period_label(t, table, 0),
        last=period_label(t, table, -1),
    )


def with_questions(s: Settings, df: pd.DataFrame) -> Settings:
    """``s`` carrying the survey's own question texts (``df.attrs["column_labels"]``)."""
    import dataclasses

    labels = {str(k): str(v) for k, v in (df.attrs.get("column_labels") or {}).items() if v}
    return dataclasses.replace(s, extra={**s.extra, "column_labels": labels})


def question(s: Settings, column) -> str | None:
    """The question a column holds the answers to, as the survey asked it (None: not known).

    Its text from the export (or SPSS label), else the column's own name when
    that is a question (Google Forms, SurveyMonkey name columns by their questions).
    """
    if not column:
        return None
    text = (s.extra.get("column_labels") or {}).get(column)
    if text:
        return text
    column = str(column)
    return column if len(column.split()) >= 4 else None


def column_name(s: Settings, t: Texts, column) -> str:
    """A segment or driver column as the reader should see it: its question, else its label."""
    text = (s.extra.get("column_labels") or {}).get(column)
    return text or column_label(column, t)


def how_to_read(s: Settings, t: Texts) -> None:
    asked = question(s, s.score) or t("intro.question")
    say(t, "intro.how_to_read", level=t.level(s.confidence_level), question=asked)


# --- headline and responses --------------------------------------------------


def headline_digits(head, tr) -> int:
    """The decimals of the headline's numbers: from its interval and the previous period's."""
    shown = [(head.interval.low, head.interval.high)]
    if head.period is not None:
        prev = tr.table.iloc[tr.previous]
        shown.append((prev["ci_low"], prev["ci_high"]))
    return point_digits(*shown)


def headline(head, tr, s: Settings, t: Texts) -> None:
    """The headline number, its band and interval, and the previous period beside it."""
    from ..insights import period_label

    calls(head.calls)
    row = head.summary.iloc[0]
    iv = head.interval
    where = period_label(t, tr.table, tr.latest) if head.period is not None else ""
    beside = ""
    digits = headline_digits(head, tr)
    if head.period is not None:
        prev = tr.table.iloc[tr.previous]
        beside = (
            f'<div class="nps-previous"><span class="nps-label">'
            f"{escape(period_label(t, tr.table, tr.previous))}</span>"
            f'<span class="nps-value">{escape(t.number(prev["nps"], digits))}</span></div>'
        )
    _html(
        '<div class="nps-headline"><div class="nps-current">'
        f'<span class="nps-label">{escape(t("headline.label"))} {escape(where)}</span>'
        f'<span class="nps-big">{escape(t.number(row["nps"], digits))}</span>'
        f'<span class="nps-band">{escape(t.label("bands", row["band"]))}</span></div>'
        f"{beside}</div>"
    )
    say(
        t,
        "headline.interval",
        level=t.level(s.confidence_level),
        low=t.number(iv.low, digits),
        high=t.number(iv.high, digits),
    )
    if head.period is not None:
        pooled = head.pooled.iloc[0]
        say(t, "headline.pooled", nps=t.number(pooled["nps"], digits), n=t.number(pooled["n"]))
    say(t, "headline.bands")


def responses(df: pd.DataFrame, head, s: Settings, t: Texts) -> None:
    """How many answered, of how many invited, from how many accounts; weights; corrections."""
    from ..scoring import response_rate
    from .inputs import invited_total

    row = head.pooled.iloc[0]
    lines = [_fill(t, "responses.answered", total=t.number(len(df)), answered=t.number(row["n"]))]
    if int(row["excluded_blank"]):
        lines.append(_fill(t, "responses.blank", k=t.number(row["excluded_blank"])))
    wave = s.wave if s.has(df, s.wave) else None
    invited = invited_total(df, s.invited, wave)
    if invited:
        rate = response_rate(invited, len(df))
        calls([
            "# the answer counts: the last nps.summarize call of the headline's note",
            f"invited = {call_text('report.invited_total', Code('df'), s.invited, wave)}",
            call_text("nps.response_rate", Code("invited"), Code("len(df)")),
        ])  # fmt: skip
        lines.append(_fill(t, "responses.invited", invited=t.number(invited), rate=t.pct(rate)))
    if s.has(df, s.account):
        lines.append(_fill(t, "responses.accounts", k=t.number(df[s.account].nunique())))
    if s.weights:
        lines.append(
            _fill(t, "responses.weighted", column=s.weights, n_eff=t.number(row["n_effective"]))
        )
    text = "\n".join(f"- {line}" for line in lines)
    if head.population:
        text += "\n\n" + _fill(t, "responses.fpc", population=t.number(head.population))
    if s.has(df, s.account):
        text += "\n\n" + t("responses.clusters")
    _md(text)
    extra = {"csat": 1, "ces": 1, "retention_rate": 1}
    shown = [
        _fill(t, "responses.extra_item", name=t(f"extras.{c}"), value=t.number(row[c], 1))
        for c in extra
        if c in head.pooled.columns and pd.notna(row[c])
    ]
    if shown:
        _md(_fill(t, "responses.extras", items="; ".join(shown)))


def answers(head, s: Settings, t: Texts, *, digits: int | None = None) -> pd.DataFrame:
    """The score distribution and the category shares of the headline's answers.

    ``digits``: the decimals of the NPS in the chart's title, the headline's
    (``headline_digits``); by default from the headline's interval.
    """
    if digits is None:
        digits = point_digits((head.interval.low, head.interval.high))
    row = head.summary.iloc[0]
    say(t, "answers.intro")
    from .counted import is_counted, score_counts

    if is_counted(head.rows):  # the answers per score value, counted where they live
        counts = score_counts(head.rows.source, s)
        scores, weights = counts["value"], counts["weight"]
    else:
        scores, weights = head.rows[s.score], s.weight_values(head.rows)
    ax, alt = figures.score_distribution(scores, row, t, weights=weights, digits=digits)
    figures.show(ax, alt)
    shares = pd.DataFrame(
        {
            "group": [t("categories.promoters_range"), t("categories.passives_range"),
                      t("categories.detractors_range")],
            "answers": [row["promoters"], row["passives"], row["detractors"]],
            "percent": [row["pct_promoters"], row["pct_passives"], row["pct_detractors"]],
        }
    )  # fmt: skip
    spec = [
        ("category", "text", "group"),
        ("answers", "int", "answers"),
        ("share", "pct", "percent"),
    ]
    if s.weights:
        spec[1] = ("answers_weighted", "num1", "answers")
    _table(shares, spec, t)
    return shares


# --- segments ----------------------------------------------------------------

SEGMENT_SPEC = [
    ("group", "text", "group"),
    ("answers", "int", "n"),
    ("nps", "nps", "nps"),
    ("interval", "interval", ("ci_low", "ci_high")),
    ("band", "band", "band"),
    ("vs_rest", "marked", ("significant", "difference")),
    ("vs_rest_interval", "interval", ("difference_low", "difference_high")),
    ("p_adjusted", "p", "p_adjusted"),
]


def segments(segs, s: Settings, t: Texts, *, scope: str | None = None) -> None:
    """One table per segment column with ▲/▼ marks and their legend."""
    calls(segs.calls)
    correction = t.label("corrections", s.correction) if s.correction else t("corrections.none")
    say(
        t,
        "segments.intro",
        correction=correction,
        level=t.level(s.confidence_level),
        alpha=t.pct(100 * (1 - s.confidence_level), 0),
        min_n=t.number(s.min_n),
    )
    if scope:
        _md(escape(scope))
    if not segs.tables:
        say(t, "segments.none")
        return
    # one set of decimals for every table of the section, from all their intervals
    pairs = [column for _, kind, column in SEGMENT_SPEC if kind == "interval"]
    digits = point_digits(*((tab[lo], tab[hi]) for tab in segs.tables.values() for lo, hi in pairs))
    for column, table in segs.tables.items():
        # escaped once, here: the heading is HTML, not Markdown
        _html(f"<h3>{escape(t('segments.by').format(column=column_name(s, t, column)))}</h3>")
        group = table["group"].replace({"(no answer)": t("segments.no_answer")})
        hidden = table["suppressed"].fillna(False).to_numpy(bool)  # the row counting them
        k = segs.comparisons[column].attrs.get("n_hidden", 0)
        group = group.mask(hidden, t("segments.hidden_row").format(k=t.number(k)))
        table = table.assign(group=group)
        _table(table, SEGMENT_SPEC, t, digits=digits)
    say(t, "segments.legend", correction=correction, alpha=t.pct(100 * (1 - s.confidence_level), 0))
    hidden = sum(c.attrs.get("n_hidden", 0) for c in segs.comparisons.values())
    if hidden:
        say(t, "segments.suppressed", k=t.number(hidden), min_n=t.number(s.min_n))


# --- trend and goal ----------------------------------------------------------

TREND_SPEC = [
    ("period", "text", "period"),
    ("answers", "int", "n"),
    ("nps", "nps", "nps"),
    ("interval", "interval", ("ci_low", "ci_high")),
    ("change", "signed", "change"),
    ("change_interval", "interval", ("change_low", "change_high")),
    ("p_change", "p", "change_p_value"),
    ("few_answers", "yesno", "suppressed"),
]


def trend_digits(table: pd.DataFrame) -> int:
    """The decimals of the trend section: from the intervals of its shown periods and changes."""
    from .._suppression import shown_rows

    rows = table.iloc[list(shown_rows(table))]
    return point_digits(
        (rows["ci_low"], rows["ci_high"]), (rows["change_low"], rows["change_high"])
    )


def trend(tr, progress, s: Settings, t: Texts, *, target=None) -> None:
    """The trend chart and table, the latest change, and the promoter goal.

    ``target`` (a ``compare_to_target`` result) draws the target as a line on
    the chart and adds a sentence on the latest NPS against it.
    """
    from ..insights import period_label
    from .deliverables import target_text

    goal_calls = progress.attrs.get("calls", ()) if progress is not None else ()
    calls([*tr.calls, *goal_calls])
    say(t, "trend.intro", level=t.level(s.confidence_level))
    if not tr.shown:
        period = tr.table["period"].iloc[0] if tr.table is not None and len(tr.table) else ""
        say(t, tr.reason, period=str(period), min_n=t.number(s.min_n))
        if target is not None:
            _md(escape(target_text(target, t)))
        return
    table = tr.table
    digits = trend_digits(table)  # the chart, the sentence and the table alike
    ax, alt = figures.trend(table, t, level=s.confidence_level, digits=digits)
    if target is not None:
        ax.axhline(target.target, color="#d7301f", linestyle="--", linewidth=1.2,
                   label=t("target.line").format(target=t.signed(target.target)))  # fmt: skip
        ax.legend(loc="best", frameon=False)
    figures.show(ax, alt)
    if target is not None:
        _md(escape(target_text(target, t)))
    last = table.iloc[tr.latest]  # suppressed periods have no change to tell
    say(
        t,
        "trend.latest",
        change=t.signed(last["change"], digits),
        previous=period_label(t, table, tr.previous),
        level=t.level(s.confidence_level),
        low=t.signed(last["change_low"], digits),
        high=t.signed(last["change_high"], digits),
        p=t.p_text(last["change_p_value"]),
    )
    shown = table.assign(period=[period_label(t, table, i) for i in range(len(table))])
    _table(shown, TREND_SPEC, t, digits=digits)
    if progress is None or not len(progress):
        return
    _html(f"<h3>{escape(t('goal.title'))}</h3>")
    tracked = progress[progress["actual"].notna()]  # suppressed periods have no share
    if not len(tracked):
        return
    g = tracked.iloc[-1]
    say(
        t,
        "goal.text",
        growth=t.pct(100 * s.promoter_growth, 0),
        actual=t.pct(g["actual"]),
        target=t.pct(g["target"]),
        verdict=t("goal.on_track" if g["on_track"] else "goal.behind"),
    )
    ax, alt = figures.goal(progress, t, growth=s.promoter_growth)
    figures.show(ax, alt)


# --- drivers, comments, follow-up ---------------------------------------------

DRIVER_SPEC = [
    ("attribute", "text", "driver"),
    ("share_explained", "pct", "share"),
    ("mean_rating", "num1", "mean"),
    ("rank", "int", "rank"),
    ("priority", "text", "quadrant"),
]


def drivers(quadrants, s: Settings, t: Texts, *, scope: str | None = None) -> None:
    """Driver importance, the quadrant chart and the table."""
    calls(quadrants.attrs.get("calls") if quadrants is not None else None)
    say(t, "drivers.intro", level=t.level(s.confidence_level))
    if scope:
        _md(escape(scope))
    if quadrants is None:
        say(t, "drivers.none")
        return
    names = labels(s)
    for make in (figures.driver_importance, figures.importance_performance):
        ax, alt = make(quadrants, t, names)
        figures.show(ax, alt)
    shown = quadrants.assign(
        driver=[names.get(d, str(d).replace("_", " ")) for d in quadrants["driver"]],
        quadrant=[t(f"quadrants.{q.replace(' ', '_')}") for q in quadrants["quadrant"]],
    )
    _table(shown, DRIVER_SPEC, t)


THEME_SPEC = [
    ("theme", "text", "theme"),
    ("mentions", "int", "mentions"),
    ("share_of_commenters", "pct", "share_of_commenters"),
    ("nps_mentioning", "nps", "nps_mentioning"),
    ("nps_rest", "nps", "nps_rest"),
    ("impact", "signed1", "impact"),
    # in tenths as the impact itself (a theme's part of the whole NPS, often under a point)
    ("impact_interval", "interval1", ("ci_low", "ci_high")),
]

SENTIMENT_SPEC = [("share_negative", "pct", "share_negative"),
                  ("share_positive", "pct", "share_positive")]  # fmt: skip
TERM_SPEC = [("side", "text", "side"), ("term", "text", "term"), ("detractors", "int", "detractors"),
             ("passives", "int", "passives"), ("promoters", "int", "promoters"),
             ("z", "num1", "z"), ("covered_by", "text", "themes")]  # fmt: skip

QUOTE_SPEC = [("theme", "text", "theme"), ("category", "text", "category"),
              ("score", "int", "score"), ("quote", "text", "quote")]  # fmt: skip


def comments(found, s: Settings, t: Texts, *, scope: str | None = None) -> None:
    """Theme impact chart and table, then one example quote per theme and category."""
    calls(found.calls if found is not None else None)
    say(t, "comments.intro")
    asked = question(s, s.comment) if found is not None and s.comment else None
    if asked:
        say(t, "intro.comment_question", question=asked)
    if scope:
        _md(escape(scope))
    if found is None:
        say(t, "comments.none")
        return
    names = labels(s)
    sample = getattr(found, "sample", None)
    # a counted report's sample (counted.comment_sample): the count is every comment's
    say(t, "comments.count", k=t.number(sample["comments_total"] if sample else found.commenters))
    if sample:
        from .counted import COMMENT_CAP

        say(t, "comments.sample", comments=t.number(sample["comments_total"]),
            cap=t.number(COMMENT_CAP), rows=t.number(sample["sample_rows"]),
            total=t.number(sample["rows_total"]), k=t.number(sample["sample_comments"]))  # fmt: skip
    _coverage_notes(found.impact, t)
    ax, alt = figures.theme_impact(found.impact, t, names)
    if ax is not None:  # no chart when no mentioned theme has an impact (the table says so)
        figures.show(ax, alt)
    impact = found.impact.assign(theme=found.impact["theme"].map(lambda x: names.get(x, x)))
    if "mentions" in impact:  # themes nobody mentions: one line, not rows of zeros
        unmentioned = impact["mentions"].eq(0)
        if unmentioned.any():
            say(t, "comments.unmentioned", themes=t.join(impact.loc[unmentioned, "theme"]))
        impact = impact[~unmentioned]
    felt = "share_negative" in impact.columns
    # the NPS columns in whole points: the table's one interval is the impact's (in tenths),
    # not an interval of the NPS shown beside it
    _table(impact, THEME_SPEC + (SENTIMENT_SPEC if felt else []), t, digits=0)
    if felt:
        sentiment_note(t)
    if found.terms is not None:
        terms(found.terms, t)
    if getattr(found, "suggested", None) is not None:
        suggested(found.suggested, t)
    if len(found.quotes):
        _html(f"<h3>{escape(t('comments.quotes'))}</h3>")
        q = found.quotes.assign(
            theme=found.quotes["theme"].map(lambda x: names.get(x, x)),
            category=found.quotes["category"].map(lambda c: t(f"categories.{c}")),
        )
        _table(q, QUOTE_SPEC, t, wide=["quote"])


def _coverage_notes(impact: pd.DataFrame, t: Texts) -> None:
    """How many comments no theme covers, and how many theme mentions the sentiment list read."""
    a = impact.attrs
    if a.get("commenters"):
        say(t, "comments.uncovered", share=t.pct(a["uncovered_share"], 0),
            k=t.number(a["uncovered"]), n=t.number(a["commenters"]))  # fmt: skip
    if a.get("sentiment_unread"):
        say(t, "comments.unread", k=t.number(a["sentiment_unread"]),
            n=t.number(a["sentiment_mentions"]),
            share=t.pct(100 * a["sentiment_unread"] / a["sentiment_mentions"], 0))  # fmt: skip


SUGGESTED_SPEC = [("theme", "text", "label"), ("mentions", "int", "comments"),
                  ("share_of_commenters", "pct", "share"),
                  ("suggested_terms", "text", "terms")]  # fmt: skip


def suggested(table: pd.DataFrame, t: Texts) -> None:
    """Themes drafted from the comments (suggest_themes), marked as suggestions."""
    _html(f"<h3>{escape(t('comments.suggested'))}</h3>")
    say(t, "comments.suggested_intro", share=t.pct(100 - table.attrs["uncovered"], 0))
    _table(table, SUGGESTED_SPEC, t, wide=["suggested_terms"])


def sentiment_note(t: Texts) -> None:
    """What the complaint / praise shares are, and how accurate the sentiment lexicon is."""
    from ..sentiment import lexicon_accuracy

    acc = lexicon_accuracy()
    say(
        t, "comments.sentiment",
        fi=t.pct(100 * acc["fi"]["holdout_accuracy"], 0), n_fi=t.number(acc["fi"]["holdout_n"]),
        en=t.pct(100 * acc["en"]["holdout_accuracy"], 0), n_en=t.number(acc["en"]["holdout_n"]),
        base=t.pct(100 * max(a["baseline_accuracy"] for a in acc.values()), 0),
    )  # fmt: skip


def terms(top: pd.DataFrame, t: Texts) -> None:
    """The words of detractors and of promoters, marking those no theme covers."""
    _html(f"<h3>{escape(t('comments.terms'))}</h3>")
    if top.empty:
        say(t, "comments.terms_none")
        return
    say(t, "comments.terms_intro")
    shown = top.assign(
        side=[t(f"comments.side_{side}") for side in top["side"]],
        themes=[x if x else t("comments.no_theme") for x in top["themes"]],
    )
    _table(shown, TERM_SPEC, t)


def followup(found, s: Settings, t: Texts) -> None:
    """How many to contact and thank (the lists themselves are exported separately)."""
    calls(found.calls if found is not None else None)
    say(t, "followup.intro", hours=t.number(s.followup_hours))
    if found is None:
        say(t, "followup.none")
        return
    counts = found.counts.assign(
        list=[
            t(f"followup.{k}").format(hours=t.number(s.followup_hours))
            for k in found.counts["list"]
        ]
    )
    _table(counts, [("list", "text", "list"), ("respondents", "int", "respondents")], t)


def load_warnings(df: pd.DataFrame, t: Texts) -> None:
    """What the loader warned about while reading the file (dates read either way, the
    score column it chose, a likely 1-10 scale), where the reader of the report sees it."""
    said = df.attrs.get("load_warnings") or []
    if said:
        from IPython.display import HTML, display

        say(t, "appendix.load_warnings", n=len(said))
        items = "<ul>" + "".join(f"<li>{escape(w)}</li>" for w in said) + "</ul>"
        # the notes ride in the output's metadata too: `render` repeats them in its closing lines
        from .inputs import LOAD_NOTES

        display(HTML(items), metadata={LOAD_NOTES: list(map(str, said))})


def methods(
    s: Settings,
    t: Texts,
    *,
    head=None,
    trend=None,
    segments=None,
    drivers=None,
    comments=None,
    accounts: bool | None = None,
) -> None:
    """The methods paragraph of the appendix: only the methods this report used.

    With the section results it names weighting, clustering by account and
    the finite-population correction only when the headline used them, and
    the segment test, trend, driver and theme methods only when those
    sections have numbers; called with the settings alone it names them all.
    """
    _md(methods_text(s, t, head=head, trend=trend, segments=segments, drivers=drivers,
                     comments=comments, accounts=accounts))  # fmt: skip


def methods_text(s: Settings, t: Texts, *, head=None, trend=None, segments=None, drivers=None,
                 comments=None, accounts: bool | None = None) -> str:  # fmt: skip
    """The methods paragraph (Markdown) for ``methods``.

    >>> text = methods_text(Settings(), Texts("en"), head=object(), accounts=False)
    >>> "cluster-robust" in text, "Segment" in text, text.endswith("formulas.")
    (False, False, True)
    """
    everything = head is None
    correction = t.label("corrections", s.correction) if s.correction else t("corrections.none")
    clustered = bool(s.account) if accounts is None else accounts
    population = getattr(head, "population", None)
    parts = [_fill(t, "appendix.methods", level=t.level(s.confidence_level))]
    if s.weights:
        parts.append(t("appendix.methods_weighted"))
    if clustered:
        parts.append(t("appendix.methods_clusters"))
    if everything or population:
        parts.append(t("appendix.methods_fpc"))
    sentences = ["".join(parts) + "."]
    if everything or (segments is not None and segments.tables):
        sentences.append(_fill(t, "appendix.methods_segments", correction=correction))
    if everything or (trend is not None and trend.shown):
        sentences.append(t("appendix.methods_trend"))
    if everything or drivers is not None:
        unit = t("appendix.methods_accounts" if clustered else "appendix.methods_respondents")
        sentences.append(_fill(t, "appendix.methods_drivers", unit=unit))
    if everything or comments is not None:
        sentences.append(t("appendix.methods_themes"))
    sample = getattr(comments, "sample", None)
    if sample:
        sentences.append(_fill(t, "appendix.methods_sample", rows=t.number(sample["sample_rows"]),
                               total=t.number(sample["rows_total"]),
                               k=t.number(sample["sample_comments"]),
                               comments=t.number(sample["comments_total"])))  # fmt: skip
    sentences.append(t("appendix.methods_end"))
    return " ".join(sentences)
