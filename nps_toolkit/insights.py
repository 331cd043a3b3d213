"""Key findings: the short list of sentences a reader needs, each made from a computed number.

``findings`` reads the toolkit's own results (``summarize``, ``nps_trend``,
``compare_segments``, ``importance_performance``, ``theme_impact``,
``followup_list``) and says what they show, in English or Finnish.  It
computes no statistic of its own: every number in a sentence is a number of
those results, and every claim ("higher than the rest", "within the margin")
is the test those results already made.  Each sentence shows its points with
the decimals its intervals call for (``_decimals.point_digits``): whole points
for an ordinary survey, tenths when an interval is narrower than 2 points.
"""

from __future__ import annotations

import pandas as pd

from ._decimals import point_digits
from ._i18n import Texts
from ._suppression import shown_rows

KINDS = (
    "headline",
    "change",
    "shares",
    "segments",
    "driver",
    "strengths",
    "improvements",
    "followup",
)
MAX_ITEMS = 3  # segments and themes named in one sentence, largest first


def findings(
    headline,
    *,
    interval=None,
    trend=None,
    segments=None,
    drivers=None,
    themes=None,
    followup=None,
    confidence_level=None,
    correction="holm",
    followup_hours=None,
    language="en",
    labels=None,
) -> pd.DataFrame:
    """The report's key findings as sentences, one row per finding.

    Parameters
    ----------
    headline : one-row ``summarize`` result (or its row) of the answers the
        headline is about: the latest wave or period of a tracker.
    interval : ``NPSInterval`` of the headline (e.g. cluster-robust); when
        omitted the headline row's ``ci_low``/``ci_high`` are used.
    trend : ``nps_trend`` result; with two or more periods the headline is
        named after its last period, the previous period stands beside it and
        the last change is a finding.
    segments : ``compare_segments`` results: one frame, or a list of frames
        (one per segment column).
    drivers : ``importance_performance`` result.
    themes : ``theme_impact`` result.
    followup : ``followup_list`` result (the detractors to contact).
    confidence_level : of the intervals named; default the results' own level.
    correction : name of the multiple-testing correction of ``segments``
        (default: the one recorded in their attrs).
    followup_hours : the contact promise; default ``followup``'s ``within_hours``.
    language : "en" or "fi".
    labels : display names of drivers and themes ``{id: label}``; default the
        theme lexicon's labels in ``language``.

    Returns
    -------
    DataFrame with ``kind`` (one of ``KINDS``, in that order, a kind absent
    when its input is) and ``text``.  The text is plain (not escaped).

    Examples
    --------
    >>> import nps_toolkit as nps
    >>> row = nps.summarize(pd.DataFrame({"recommend": [10] * 6 + [8] * 2 + [3] * 2}))
    >>> findings(row, confidence_level=0.95)["text"].tolist()[1]
    'Promoters 60.0 %, passives 20.0 %, detractors 20.0 % of 10 answers.'
    """
    t = Texts(language)
    row = headline.iloc[0] if isinstance(headline, pd.DataFrame) else headline
    if confidence_level is None:
        confidence_level = getattr(interval, "confidence_level", None) or 0.95
    if labels is None:
        from .themes import theme_labels

        labels = theme_labels(language=language)
    out = [("headline", _headline(t, row, interval, trend, confidence_level))]
    if trend is not None and len(shown_rows(trend)) >= 2:
        out.append(("change", _change(t, trend, confidence_level)))
    out.append(("shares", _shares(t, row)))
    if segments is not None:
        out.append(("segments", _segments(t, segments, confidence_level, correction)))
    if drivers is not None and len(drivers):
        out.append(("driver", _driver(t, drivers, labels)))
    if themes is not None and len(themes):
        out.append(("strengths", _themes(t, themes, labels, positive=True)))
        out.append(("improvements", _themes(t, themes, labels, positive=False)))
    if followup is not None:
        hours = followup_hours if followup_hours is not None else followup.attrs.get("within_hours")
        out.append(("followup", _followup(t, followup, hours)))
    return pd.DataFrame(out, columns=["kind", "text"])


def period_label(t: Texts, trend: pd.DataFrame, i: int) -> str:
    """Row ``i`` of a trend in words: "wave 7" (a wave trend) or the period ("2025Q4")."""
    period = trend["period"].iloc[i]
    if trend.attrs.get("wave"):
        return t("periods.wave").format(wave=period)
    return t("periods.period").format(period=period)


def _headline(t, row, interval, trend, level) -> str:
    low, high = (
        (interval.low, interval.high) if interval is not None else (row["ci_low"], row["ci_high"])
    )
    shown = shown_rows(trend) if trend is not None else []
    intervals = [(low, high)]
    if len(shown) >= 2 and {"ci_low", "ci_high"} <= set(trend.columns):
        before = trend.iloc[shown[-2]]  # the previous period's number is in the sentence too
        intervals.append((before["ci_low"], before["ci_high"]))
    digits = point_digits(*intervals)
    values = dict(
        nps=t.number(row["nps"], digits),
        band=t.label("bands", row["band"]),
        level=t.level(level),
        low=t.number(low, digits),
        high=t.number(high, digits),
    )
    if len(shown) < 2:
        return t("findings.headline").format(**values)
    return t("findings.headline_period").format(
        period=period_label(t, trend, shown[-1]),
        previous_period=period_label(t, trend, shown[-2]),
        previous=t.number(trend["nps"].iloc[shown[-2]], digits),
        **values,
    )


def _change(t, trend, level) -> str:
    shown = shown_rows(trend)  # the latest change between periods that are shown
    last = trend.iloc[shown[-1]]
    significant = pd.notna(last["change_p_value"]) and last["change_p_value"] < 1 - level
    verdict = "findings.change_real" if significant else "findings.change_margin"
    digits = point_digits((last["change_low"], last["change_high"]))
    return t("findings.change").format(
        previous_period=period_label(t, trend, shown[-2]),
        change=t.signed(last["change"], digits),
        level=t.level(level),
        low=t.signed(last["change_low"], digits),
        high=t.signed(last["change_high"], digits),
        verdict=t(verdict).format(p=t.p_text(last["change_p_value"])),
    )


def _shares(t, row) -> str:
    return t("findings.shares").format(
        promoters=t.pct(row["pct_promoters"]),
        passives=t.pct(row["pct_passives"]),
        detractors=t.pct(row["pct_detractors"]),
        n=t.number(row["n"]),
    )


def _segment_keys(frame: pd.DataFrame) -> list:
    # compare_segments puts the segment columns first, before "n"
    return list(frame.columns[: frame.columns.get_loc("n")])


def _segments(t, segments, level, correction) -> str:
    frames = [segments] if isinstance(segments, pd.DataFrame) else list(segments)
    if correction is None and frames:
        correction = frames[0].attrs.get("correction")
    rows = []
    for frame in frames:
        keys = _segment_keys(frame)
        sig = frame[frame["significant"].fillna(False).astype(bool) & ~frame["suppressed"]]
        for _, r in sig.iterrows():
            group = ", ".join(str(r[k]) for k in keys)
            column = ", ".join(t.label("columns", k, str(k).replace("_", " ")) for k in keys)
            interval = (r.get("ci_low"), r.get("ci_high"))  # of the difference
            rows.append((abs(r["difference"]), group, column, r["difference"], interval))
    name = t.label("corrections", correction) if correction else t("corrections.none")
    if not rows:
        return t("findings.segments_none").format(correction=name)
    rows.sort(key=lambda x: -x[0])
    # the differences named share the decimals of their intervals
    digits = point_digits(*(interval for *_, interval in rows[:MAX_ITEMS]))
    items = [
        t("findings.segment_item").format(
            group=group,
            column=column,
            points=t.number(abs(diff), digits),
            direction=t("findings.higher" if diff > 0 else "findings.lower"),
        )
        for _, group, column, diff, _ in rows[:MAX_ITEMS]
    ]
    more = len(rows) - MAX_ITEMS
    text = t.join(items) + (t("findings.more").format(k=more) if more > 0 else "")
    return t("findings.segments").format(items=text, correction=name, level=t.level(level))


def _driver(t, drivers, labels) -> str:
    fix = drivers[drivers["quadrant"] == "fix first"].sort_values("share", ascending=False)

    def name(d):
        return labels.get(d, str(d).replace("_", " "))

    if len(fix):
        d = fix.iloc[0]
        return t("findings.driver").format(
            driver=name(d["driver"]), share=t.pct(d["share"], 0), mean=t.number(d["mean"], 1)
        )
    thresholds = drivers.attrs.get("thresholds")
    t_imp = thresholds[0] if isinstance(thresholds, tuple) else drivers["share"].mean()
    important = drivers[drivers["share"] >= t_imp].sort_values("mean")
    d = important.iloc[0]
    return t("findings.driver_none").format(driver=name(d["driver"]), mean=t.number(d["mean"], 1))


def _themes(t, themes, labels, *, positive: bool) -> str:
    ok = themes[~themes["below_min_n"].astype(bool)] if "below_min_n" in themes else themes
    if {"ci_low", "ci_high"} <= set(ok.columns):
        # only themes whose interval excludes zero: a claim the bootstrap supports
        keep = ok["ci_low"] > 0 if positive else ok["ci_high"] < 0
    else:
        keep = ok["impact"] > 0 if positive else ok["impact"] < 0
    if "share_negative" in ok.columns:
        # with sentiment: a strength is mostly praised, an improvement area mostly
        # a complaint, or complained about by at least half of its mentioners
        neg, pos = ok["share_negative"].fillna(0), ok["share_positive"].fillna(0)
        keep = (keep & (pos > neg)) if positive else ((keep & (neg >= pos)) | (neg >= 50))
        keep &= ok["impact"].notna()
    picked = ok[keep].sort_values("impact", ascending=not positive).head(MAX_ITEMS)
    kind = "strengths" if positive else "improvements"
    # every theme finding says how much of the comments no theme covers
    share = themes.attrs.get("uncovered_share")
    rest = (
        ""
        if share is None or share != share
        else t("findings.uncovered").format(share=t.pct(share, 0))
    )
    if picked.empty:
        return t(f"findings.{kind}_none") + rest
    share = "share_positive" if positive else "share_negative"
    items = [
        t("findings.theme_item" + (f"_{share}" if share in picked else "")).format(
            theme=labels.get(r["theme"], r["theme"]),
            mentions=t.number(r["mentions"]),
            impact=t.signed(r["impact"], 1),
            share=t.pct(r[share], 0) if share in picked else "",
        )
        for _, r in picked.iterrows()
    ]
    return t(f"findings.{kind}").format(items=t.join(items)) + rest


def _followup(t, followup, hours) -> str:
    n = len(followup)
    if n == 0:
        return t("findings.followup_none")
    overdue = int(followup["overdue"].fillna(False).astype(bool).sum())
    return t("findings.followup").format(
        n=t.number(n), overdue=t.number(overdue), hours=t.number(hours)
    )
