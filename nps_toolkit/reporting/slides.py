"""The report as an editable PowerPoint deck (``report.pptx``).

``write_slides`` takes the tables a report has computed (the same ``tables``
dict the template hands to ``write_tables``) and writes one slide per
finding: title, key findings, headline and shares, trend, segments, drivers
and the importance-performance quadrant, themes with a quote each, and the
follow-up counts.  Charts are native PowerPoint charts whose data is
embedded, so an analyst can restyle and edit them; every slide title states
what the slide shows, and every footer names the base and the survey.

Text from the data (group labels, theme names, quotes) goes in as plain text
runs, never as fields or markup; chart labels are also defused, because the
chart's embedded workbook would otherwise run a label that starts with "="
as a formula.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData, XyChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_MARKER_STYLE,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.text import PP_ALIGN
from pptx.util import Inches, Pt

from .._decimals import point_digits
from .._export import defuse
from .._i18n import LANGUAGES, Texts
from .._redact import visible

CATEGORY_COLORS = {"detractors": "d7301f", "passives": "bdbdbd", "promoters": "1a9850"}
QUADRANT_COLORS = {
    "fix first": "d7301f",
    "keep up": "1a9850",
    "lower priority": "969696",
    "possible overkill": "4575b4",
}
ACCENT = "4575b4"
SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
MAX_QUOTES = 4


@dataclass
class _Slide:
    title: str
    build: Callable = field(repr=False)  # build(slide) adds the body
    base: str | None = None  # footer base when it differs from the headline's


class _Words:
    """The deck's texts (``slides.*`` in the report's catalogue) and number formats."""

    def __init__(self, language: str):
        self.t = Texts(language if language in LANGUAGES else "en")

    def __getitem__(self, key: str) -> str:
        return self.t(f"slides.{key}")

    def signed(self, x, digits=0) -> str:
        return self.t.signed(x, digits)

    def number(self, x, digits=0) -> str:
        return self.t.number(x, digits)

    def pct(self, x, digits=0) -> str:
        return self.t.pct(x, digits)

    def level(self, confidence_level) -> str:
        return self.t.level(confidence_level)


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour)


def _label(value, labels) -> str:
    text = str(value)
    return visible(str(labels.get(text, text.replace("_", " "))))


def _chart_label(value) -> str:
    """A category or series name for a chart: plain text, defused for its workbook."""
    return defuse(visible(str(value)))


# --------------------------------------------------------------------------
# building blocks
# --------------------------------------------------------------------------


def _text_box(slide, text_lines, left, top, width, height, *, size=16, bold=False, colour=None):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate([text_lines] if isinstance(text_lines, str) else text_lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = visible(str(line))  # a plain text run: no fields, markup or controls
        run.font.size = Pt(size)
        run.font.bold = bold
        if colour:
            run.font.color.rgb = _rgb(colour)
    return box


def _set_title(slide, title: str):
    shape = slide.shapes.title
    shape.text_frame.clear()
    run = shape.text_frame.paragraphs[0].add_run()
    title = visible(title)
    run.text = title[:1].upper() + title[1:]  # a sentence: "Region: ...", "Asiakkuus: ..."
    run.font.size = Pt(28)
    run.font.bold = True
    shape.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    shape.left, shape.top = Inches(0.5), Inches(0.3)
    shape.width, shape.height = SLIDE_WIDTH - Inches(1.0), Inches(1.2)
    shape.text_frame.word_wrap = True


def _footer(slide, text: str):
    _text_box(
        slide,
        text,
        Inches(0.5),
        SLIDE_HEIGHT - Inches(0.55),
        SLIDE_WIDTH - Inches(1.0),
        Inches(0.4),
        size=11,
        colour="595959",
    )


def _add_chart(slide, kind, data, *, left=None, top=None, width=None, height=None):
    left = Inches(0.6) if left is None else left
    top = Inches(1.6) if top is None else top
    width = SLIDE_WIDTH - Inches(1.2) if width is None else width
    height = Inches(5.0) if height is None else height
    chart = slide.shapes.add_chart(kind, left, top, width, height, data).chart
    chart.font.size = Pt(12)
    return chart


def _colour_series(series, hex_colour):
    fill = series.format.fill
    fill.solid()
    fill.fore_color.rgb = _rgb(hex_colour)


def _bar_chart(slide, categories, values, series_name, *, colours=None, number_format="0.0", **box):
    data = CategoryChartData(number_format=number_format)
    data.categories = [_chart_label(c) for c in categories]
    data.add_series(_chart_label(series_name), [float(v) for v in values])
    chart = _add_chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, data, **box)
    chart.has_legend = False
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.number_format = number_format
    plot.data_labels.number_format_is_linked = False
    chart.category_axis.reverse_order = True  # first category on top, as in the table
    chart.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW  # clear of negative bars
    series = plot.series[0]
    _colour_series(series, ACCENT)
    if colours is not None:
        for point, colour in zip(series.points, colours, strict=True):
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = _rgb(colour)
    return chart


# --------------------------------------------------------------------------
# the slides
# --------------------------------------------------------------------------


def _headline_slide(row, texts, level) -> _Slide:
    # the report's decimals (point_digits): whole points unless the interval is narrow
    digits = point_digits((row.get("ci_low"), row.get("ci_high")))
    title = texts["headline"].format(
        nps=texts.signed(row["nps"], digits),
        band=texts.t.label("bands", row.get("band", "")),
        promoters=texts.pct(row["pct_promoters"]),
        detractors=texts.pct(row["pct_detractors"]),
    )

    def build(slide):
        _text_box(
            slide,
            texts.signed(row["nps"], digits),
            Inches(0.6),
            Inches(1.8),
            Inches(3.6),
            Inches(1.6),
            size=72,
            bold=True,
            colour=ACCENT,
        )
        if pd.notna(row.get("ci_low")) and pd.notna(row.get("ci_high")):
            interval = texts["interval"].format(
                level=texts.level(level),
                low=texts.signed(row["ci_low"], digits),
                high=texts.signed(row["ci_high"], digits),
            )
            _text_box(slide, interval, Inches(0.6), Inches(3.5), Inches(3.6), Inches(1.0), size=16)
        data = CategoryChartData(number_format="0.0")
        data.categories = [texts["all_answers"]]
        names = [texts[k] for k in ("detractors", "passives", "promoters")]
        for name, key in zip(names, ("detractors", "passives", "promoters"), strict=True):
            data.add_series(name, [float(row[f"pct_{key}"])])
        chart = _add_chart(
            slide, XL_CHART_TYPE.BAR_STACKED_100, data, left=Inches(4.6), width=Inches(8.1)
        )
        for series, key in zip(chart.plots[0].series, CATEGORY_COLORS, strict=True):
            _colour_series(series, CATEGORY_COLORS[key])
        plot = chart.plots[0]
        plot.has_data_labels = True
        plot.data_labels.number_format = '0"%"'
        plot.data_labels.number_format_is_linked = False
        plot.gap_width = 40
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False

    return _Slide(title, build)


def _period_name(p, texts) -> str:
    if isinstance(p, int | np.integer) or (isinstance(p, float) and float(p).is_integer()):
        return texts.t("periods.wave").format(wave=int(p))
    return str(p)


def _trend_slide(trend, texts, level, target) -> _Slide | None:
    if trend is not None:
        trend = trend[trend["nps"].notna()]  # suppressed periods show nothing
    if trend is None or len(trend) < 2:
        return None
    first, last = trend.iloc[0], trend.iloc[-1]
    delta = last["nps"] - first["nps"]
    p0, p1 = _period_name(first["period"], texts), _period_name(last["period"], texts)
    digits = (
        point_digits((trend["ci_low"], trend["ci_high"]))
        if {"ci_low", "ci_high"} <= set(trend.columns)
        else 0
    )
    step = 0.5 * 10.0**-digits  # a change that shows at these decimals
    key = "trend_up" if delta >= step else "trend_down" if delta <= -step else "trend_flat"
    title = texts[key].format(
        delta=texts.number(abs(delta), digits),
        first=texts.signed(first["nps"], digits),
        last=texts.signed(last["nps"], digits),
        p0=p0,
        p1=p1,
    )
    lines = []
    if "change" in trend.columns and pd.notna(last.get("change")):
        significant = last["change_p_value"] < 1 - level
        lines.append(
            texts["latest"].format(
                change=texts.signed(last["change"], 1),
                level=texts.level(level),
                low=texts.signed(last["change_low"], 1),
                high=texts.signed(last["change_high"], 1),
                p=texts.t.p_text(last["change_p_value"]),
                verdict=texts["real"] if significant else texts["chance"],
            )
        )
    if target is not None:
        gap = last["nps"] - target
        lines.append(
            texts["on_target"].format(target=texts.signed(target))
            if abs(gap) < 0.05
            else texts["target"].format(
                target=texts.signed(target),
                gap=texts.number(abs(gap), 1),
                side=texts["above"] if gap > 0 else texts["below"],
            )
        )
    base = int(trend["n"].sum())

    def build(slide):
        data = CategoryChartData(number_format="0.0")
        data.categories = [_chart_label(_period_name(p, texts)) for p in trend["period"]]
        data.add_series(texts["series_nps"], trend["nps"].astype(float).tolist())
        data.add_series(texts["series_low"], trend["ci_low"].astype(float).tolist())
        data.add_series(texts["series_high"], trend["ci_high"].astype(float).tolist())
        if target is not None:
            data.add_series(texts["series_target"], [float(target)] * len(trend))
        chart = _add_chart(slide, XL_CHART_TYPE.LINE_MARKERS, data, height=Inches(4.4))
        series = chart.plots[0].series
        for s, colour, width in zip(
            series, (ACCENT, "9ecae1", "9ecae1", "d7301f"), (2.5, 1, 1, 1.5), strict=False
        ):
            s.format.line.color.rgb = _rgb(colour)
            s.format.line.width = Pt(width)
            s.smooth = False
        for s in list(series)[1:]:
            s.marker.style = XL_MARKER_STYLE.NONE
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        if lines:
            _text_box(
                slide,
                lines,
                Inches(0.6),
                Inches(6.05),
                SLIDE_WIDTH - Inches(1.2),
                Inches(0.8),
                size=14,
            )

    return _Slide(title, build, base=texts["base"].format(n=texts.number(base)))


def _segment_slides(segments, texts, level, labels, min_n) -> list[_Slide]:
    if segments is None or segments.empty:
        return []
    out = []
    for segment, part in segments.groupby("segment", sort=False):
        shown = part[~part["suppressed"].astype(bool)] if "suppressed" in part else part
        shown = shown[shown["nps"].notna()]
        if shown.empty:
            continue
        sig = (
            shown[
                shown.get("significant", pd.Series(False, index=shown.index))
                .fillna(False)
                .astype(bool)
            ]
            if "significant" in shown
            else shown.iloc[0:0]
        )
        name = labels.get(str(segment)) or texts.t.label("columns", segment, str(segment))
        if len(sig):
            top = sig.loc[sig["difference"].abs().idxmax()]
            key = "segment_above" if top["difference"] > 0 else "segment_below"
            title = texts[key].format(
                segment=name,
                group=_label(top["group"], labels),
                gap=texts.number(
                    abs(top["difference"]),
                    point_digits((top.get("difference_low"), top.get("difference_high"))),
                ),
            )
        else:
            title = texts["segment_none"].format(segment=name)
        hidden = int(len(part) - len(shown))

        def build(slide, shown=shown, hidden=hidden):
            colours = None
            if "significant" in shown:
                colours = [
                    ("1a9850" if d > 0 else "d7301f") if bool(s) else ACCENT
                    for d, s in zip(
                        shown["difference"], shown["significant"].fillna(False), strict=True
                    )
                ]
            _bar_chart(
                slide,
                [_label(g, labels) for g in shown["group"]],
                shown["nps"],
                texts["series_nps"],
                colours=colours,
                height=Inches(4.5),
            )
            if hidden:
                _text_box(
                    slide,
                    texts["suppressed"].format(m=min_n),
                    Inches(0.6),
                    Inches(6.2),
                    Inches(10),
                    Inches(0.5),
                    size=12,
                )

        base = texts["base"].format(n=texts.number(part["n"].sum()))
        out.append(_Slide(title, build, base=base))
    return out


def _driver_slides(drivers, texts, labels) -> list[_Slide]:
    if drivers is None or drivers.empty:
        return []
    d = drivers.sort_values("share", ascending=False)
    top = d.iloc[0]
    title = texts["drivers"].format(
        driver=_label(top["driver"], labels).capitalize(), share=texts.pct(top["share"])
    )

    def bars(slide):
        _bar_chart(
            slide, [_label(x, labels) for x in d["driver"]], d["share"], texts["driver_series"]
        )

    fix = d[d["quadrant"] == "fix first"] if "quadrant" in d else d.iloc[0:0]
    q_title = (
        texts["quadrant_fix"].format(names=", ".join(_label(x, labels) for x in fix["driver"]))
        if len(fix)
        else texts["quadrant_none"]
    )

    def quadrant(slide):
        # One series of drivers, each point coloured by its quadrant, then the
        # two split lines.  (One series per quadrant would give a legend for
        # free, but LibreOffice drops some series of such a chart on import.)
        data = XyChartData(number_format="0.0")
        points = data.add_series(_chart_label(texts["series_drivers"]))
        for r in d.itertuples():
            points.add_data_point(float(r.mean), float(r.share))
        split_imp, split_perf = d.attrs.get(
            "thresholds", (float(d["share"].mean()), float(d["mean"].mean()))
        )
        x_lo, x_hi = float(d["mean"].min()), float(d["mean"].max())
        pad = 0.05 * (x_hi - x_lo or 1)
        horizontal = data.add_series(_chart_label(texts["split_importance"]))
        horizontal.add_data_point(x_lo - pad, float(split_imp))
        horizontal.add_data_point(x_hi + pad, float(split_imp))
        vertical = data.add_series(_chart_label(texts["split_performance"]))
        vertical.add_data_point(float(split_perf), 0.0)
        vertical.add_data_point(float(split_perf), float(d["share"].max()) * 1.05)
        chart = _add_chart(slide, XL_CHART_TYPE.XY_SCATTER, data, width=Inches(9.0))
        series = list(chart.plots[0].series)
        series[0].marker.style = XL_MARKER_STYLE.CIRCLE
        series[0].marker.size = 12
        for point, r in zip(series[0].points, d.itertuples(), strict=True):
            colour = _rgb(QUADRANT_COLORS.get(str(r.quadrant), ACCENT))
            point.marker.style = XL_MARKER_STYLE.CIRCLE
            point.marker.size = 12
            point.marker.format.fill.solid()
            point.marker.format.fill.fore_color.rgb = colour
            point.marker.format.line.color.rgb = colour
            label = point.data_label
            label.position = XL_LABEL_POSITION.RIGHT
            label.text_frame.text = _label(r.driver, labels)  # plain text run
        for line in series[1:]:
            line.marker.style = XL_MARKER_STYLE.NONE
            line.format.line.color.rgb = _rgb("969696")
            line.format.line.width = Pt(1.25)
        present = [q for q in QUADRANT_COLORS if q in set(d["quadrant"].astype(str))]
        legend = _text_box(
            slide,
            [f"\u25cf {texts.t.label('quadrants', q.replace(' ', '_'), q)}" for q in present],
            Inches(9.9),
            Inches(2.0),
            Inches(3.0),
            Inches(2.5),
            size=14,
        )
        for paragraph, q in zip(legend.text_frame.paragraphs, present, strict=True):
            paragraph.runs[0].font.color.rgb = _rgb(QUADRANT_COLORS[q])
        chart.value_axis.has_title = True
        chart.value_axis.axis_title.text_frame.text = texts["importance"]
        chart.category_axis.has_title = True
        chart.category_axis.axis_title.text_frame.text = texts["performance"]
        chart.category_axis.minimum_scale = round(x_lo - pad, 1)
        chart.category_axis.maximum_scale = round(x_hi + pad, 1)
        chart.has_legend = False

    base = None
    if "n" in d:
        base = texts["base"].format(n=texts.number(d["n"].max()))
    return [_Slide(title, bars, base=base), _Slide(q_title, quadrant, base=base)]


def _theme_slide(themes, quotes, texts, labels) -> _Slide | None:
    if themes is None or themes.empty:
        return None
    t = themes[themes["impact"].notna()]
    if "below_min_n" in t:
        t = t[~t["below_min_n"].astype(bool)]  # themes too few mention stay off the slide
    if t.empty:
        return None
    t = t.sort_values("impact", ascending=False)
    up, down = t.iloc[0], t.iloc[-1]
    has_up, has_down = up["impact"] > 0, down["impact"] < 0
    fmt = {
        "up": _label(up["theme"], labels).capitalize(),
        "up_v": texts.signed(up["impact"], 1),
        "down": _label(down["theme"], labels)
        if has_up
        else _label(down["theme"], labels).capitalize(),
        "down_v": texts.signed(down["impact"], 1),
    }
    key = "themes_both" if has_up and has_down else "themes_up" if has_up else "themes_down"
    title = texts[key].format(**fmt)
    quote_lines = []
    if quotes is not None and not quotes.empty:
        from .._redact import clip

        wanted = t.reindex(t["impact"].abs().sort_values(ascending=False).index)["theme"]
        for theme in wanted:
            q = quotes[quotes["theme"] == theme]["quote"].dropna()
            if len(q):
                # theme_quotes has redacted them; clipping again costs nothing
                quote_lines.append(
                    f"{_label(theme, labels).capitalize()}: \u201c{clip(str(q.iloc[0]))}\u201d"
                )
            if len(quote_lines) == MAX_QUOTES:
                break

    def build(slide):
        colours = ["1a9850" if v > 0 else "d7301f" for v in t["impact"]]
        width = Inches(6.6) if quote_lines else None
        _bar_chart(
            slide,
            [_label(x, labels) for x in t["theme"]],
            t["impact"],
            texts["theme_series"],
            colours=colours,
            width=width,
        )
        if quote_lines:
            _text_box(
                slide, quote_lines, Inches(7.5), Inches(1.7), Inches(5.3), Inches(5.0), size=14
            )

    return _Slide(title, build)


def _followup_slide(followup, texts, hours) -> _Slide | None:
    if followup is None or followup.empty:
        return None
    rows = followup.reset_index(drop=True)
    # list ids ("to_contact", "overdue", ...) read in the report's language
    names = [texts.t.label("followup", x).format(hours=texts.number(hours)) for x in rows["list"]]
    # the title is a sentence of its own in each language (a Finnish count takes its own
    # case): the first list is the detractors to contact, the second those overdue
    n0 = texts.number(int(rows.loc[0, "respondents"]))
    if len(rows) > 1:
        n1 = texts.number(int(rows.loc[1, "respondents"]))
        title = texts["followup"].format(n0=n0, n1=n1, hours=texts.number(hours))
    else:
        title = texts["followup_one"].format(n0=n0)

    def build(slide):
        shape = slide.shapes.add_table(
            len(rows) + 1, 2, Inches(0.6), Inches(1.8), Inches(8.0), Inches(0.5) * (len(rows) + 1)
        )
        table = shape.table
        table.columns[0].width, table.columns[1].width = Inches(6.0), Inches(2.0)
        for c, head in enumerate((texts["list"], texts["respondents"])):
            table.cell(0, c).text = head
        for r, (rec, name) in enumerate(zip(rows.itertuples(), names, strict=True), start=1):
            table.cell(r, 0).text = name
            table.cell(r, 1).text = texts.number(rec.respondents)
            table.cell(r, 1).text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT

    return _Slide(title, build)


def _findings_lines(findings) -> list[str] | None:
    if findings is None:
        return None
    if isinstance(findings, pd.DataFrame):
        return [str(x) for x in findings["text"]]
    return [str(x) for x in findings]


# --------------------------------------------------------------------------
# the deck
# --------------------------------------------------------------------------


def write_slides(
    tables: dict,
    path,
    *,
    survey_name: str,
    findings=None,
    target: float | None = None,
    confidence_level: float = 0.95,
    language: str = "en",
    subtitle: str | None = None,
    labels: dict | None = None,
    min_n: int = 5,
    weighted: bool | None = None,
    followup_hours: float = 48,
) -> Path:
    """Write the report's slides as ``report.pptx`` (python-pptx, native charts).

    Parameters
    ----------
    tables : the report's computed tables, by name (the template's
        ``tables``): ``"overall"`` (one-row ``summarize``; required),
        ``"trend"`` (``nps_trend``), ``"segments"`` (per-segment NPS with
        ``segment``, ``group``, ``n``, ``nps``, ``difference``,
        ``significant``, ``suppressed``), ``"drivers"``
        (``importance_performance``), ``"themes"`` (``theme_impact``),
        ``"quotes"`` (``theme_quotes``, already redacted) and ``"followup"``
        (``list``, ``respondents``).  A missing table leaves its slide out.
    path : the ``.pptx`` file to write.
    survey_name : on the title slide and in every footer.
    findings : the key findings, a list of sentences or a DataFrame with a
        ``text`` column (``nps.findings``); default the titles of the other
        slides, which each state one finding.
    target : an NPS goal or benchmark: drawn as a line on the trend chart,
        with one sentence on how far the latest NPS is from it.
    confidence_level : the level of the intervals in the tables.
    language : the report's language (``"en"`` or ``"fi"``): the slides'
        texts are the ``slides`` entries of its catalogue
        (``nps_toolkit/locales``), numbers in its format.
    subtitle : second line of the title slide.
    labels : display names of drivers, themes, segments ``{id: label}``;
        default the id with spaces for underscores.
    min_n : the report's minimum group size (named where groups are hidden).
    weighted : whether the answers are weighted; default: the overall table
        has an ``n_effective`` column.  The footer then gives the effective n.
    followup_hours : the contact promise, named in the follow-up list labels.

    Returns
    -------
    The path written.
    """
    if "overall" not in tables and "headline" not in tables:
        raise ValueError(
            "write_slides needs tables['headline'] or tables['overall'] (a one-row summarize result)"
        )
    texts = _Words(language)
    labels = dict(labels or {})
    # the headline's answers (the latest round of a tracker), else all of them
    headline = tables.get("headline", tables.get("overall"))
    row = headline.iloc[0]
    weighted = ("n_effective" in headline.columns) if weighted is None else weighted
    if weighted and pd.notna(row.get("n_effective")):
        base = texts["base_weighted"].format(
            n=texts.number(row["n"]), n_eff=texts.number(row["n_effective"])
        )
    else:
        base = texts["base"].format(n=texts.number(row["n"]))
    level = float(confidence_level)

    body = [_headline_slide(row, texts, level)]
    trend = _trend_slide(tables.get("trend"), texts, level, target)
    body += [trend] if trend else []
    body += _segment_slides(tables.get("segments"), texts, level, labels, min_n)
    body += _driver_slides(tables.get("drivers"), texts, labels)
    themes = _theme_slide(tables.get("themes"), tables.get("quotes"), texts, labels)
    body += [themes] if themes else []
    follow = _followup_slide(tables.get("followup"), texts, followup_hours)
    body += [follow] if follow else []

    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    title_slide = prs.slides.add_slide(prs.slide_layouts[0])
    head = title_slide.shapes.title
    survey_name = visible(str(survey_name))  # no control or bidi character on a slide
    head.text_frame.text = survey_name
    head.left, head.top = Inches(0.8), Inches(2.2)
    head.width, head.height = SLIDE_WIDTH - Inches(1.6), Inches(1.6)
    sub = title_slide.placeholders[1]
    sub.text_frame.text = subtitle or texts["subtitle"]
    sub.left, sub.top = Inches(0.8), Inches(4.0)
    sub.width, sub.height = SLIDE_WIDTH - Inches(1.6), Inches(1.2)
    _footer(title_slide, f"{base} \u00b7 {survey_name}")

    lines = _findings_lines(findings) or [s.title for s in body]
    key = prs.slides.add_slide(prs.slide_layouts[5])
    _set_title(key, texts["findings"])
    box = _text_box(
        key, lines, Inches(0.6), Inches(1.6), SLIDE_WIDTH - Inches(1.2), Inches(5.2), size=18
    )
    for p in box.text_frame.paragraphs:
        p.space_after = Pt(10)
    _footer(key, f"{base} \u00b7 {survey_name}")

    for spec in body:
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        _set_title(slide, spec.title)
        spec.build(slide)
        _footer(slide, f"{spec.base or base} \u00b7 {survey_name}")
    _set_properties(prs, survey_name, texts)
    path = Path(path)
    prs.save(path)
    return path


def _set_properties(prs, survey_name: str, texts) -> None:
    """The file's own properties: ours, not python-pptx's template's (its author, 2013)."""
    import datetime as dt

    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props = prs.core_properties
    props.author = props.last_modified_by = "nps-toolkit"
    props.title = survey_name
    props.subject = texts["subtitle"]
    props.keywords = props.comments = props.category = ""
    props.created = props.modified = now
    props.revision = 1
