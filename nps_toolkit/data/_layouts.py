"""Survey platforms' export layouts: which rows are the header, what the columns are called.

Each platform writes its exports in a documented shape.  ``detect`` looks
at the first rows of a table (as text, before anything is parsed) and
returns a ``Layout``: the platform, how many rows the header takes, the
column names to use, the question text of each column and the platform's
own columns that carry a canonical meaning (respondent id, answer time).
Detection goes by the platform's fixed column names and marker rows only;
a table that matches none is ``None`` (a plain one-row header), never a
guess.

Layouts (from each platform's help pages on its CSV/XLSX export):

``qualtrics``
    Row 1 export tags (``StartDate``, ``ResponseId``, ``Q1``, ``Q7_1``), row 2
    the question texts, row 3 ``{"ImportId":"QID1"}`` import ids.  Choice-text
    and numeric-value exports share the layout; side-by-side and matrix
    questions may repeat an export tag.  Dates are ISO.
``qualtrics-legacy``
    Row 1 ``V1``, ``V2``, ... for the metadata and question ids, row 2
    ``ResponseID``, ``ResponseSet``, ... and the question texts.
``surveymonkey``
    Row 1 ``Respondent ID``, ``Collector ID``, ``Start Date`` ... and the
    questions (blank over the 2nd and later option of a question), row 2
    ``Response``, ``Open-Ended Response`` or the option text.  One column is
    named "question - option".  Dates month-first (``%m/%d/%Y %I:%M:%S %p``).
``kobotoolbox``
    One header row of question names or labels (``start``, ``end``, ...,
    ``_id``, ``_uuid``, ``_submission_time``), optionally followed by the
    HXL row of ``#hashtags``.
``odk``
    ODK Central / Briefcase: ``SubmissionDate``, ``meta-instanceID``, ``KEY``.
``google-forms``
    ``Timestamp`` first, then the question texts as column names.  Its dates
    follow the locale of the sheet it was downloaded from (``2021/03/15 10:12:33
    AM GMT+2`` from Forms itself, ``3/15/2021`` from a US sheet, ``15/03/2021``
    from a UK one), so their order is not fixed: ambiguous ones are warned about.
``microsoft-forms``
    ``ID``, ``Start time``, ``Completion time``, ``Email``, ``Name``, then
    the question texts; dates are Excel dates (no order to guess).
``typeform``
    ``#`` (the response token) first, question texts, then ``Start Date (UTC)``,
    ``Submit Date (UTC)``, ``Network ID``.
``formbricks``
    ``Response ID``, ``Timestamp``, ``Finished``, ``Survey ID``, ``Formbricks ID
    (internal)``, ``User ID``, ..., then the question headlines.
``limesurvey``
    ``id``, ``submitdate``, ``lastpage``, ``startlanguage``, ... then question
    codes or texts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_IMPORT_ID = re.compile(r'^\{\s*"ImportId"\s*:')
_LEGACY_V = re.compile(r"^V\d+$")
_HXL_TAG = re.compile(r"^#[a-z][a-z0-9_]*(?:\s*\+[a-z][a-z0-9_]*)*$")  # #date+start
_SM_SUB = ("Response", "Open-Ended Response", "")
_TIMESTAMP_NAMES = ("Timestamp", "Aikaleima", "Tidsstämpel", "Zeitstempel", "Horodateur")
MONTH_FIRST = "month-first"


@dataclass
class Layout:
    """A recognised export layout (see the module docstring)."""

    name: str
    header_rows: int = 1
    names: list = field(default_factory=list)  # column names, in file order
    texts: list = field(default_factory=list)  # question text of each column, in file order
    # platform column -> canonical name; where several give one canonical name, the
    # first that holds any value is taken and the others fill its blank rows
    canonical: dict = field(default_factory=dict)
    date_format: str | None = None  # strftime codes of the answer time, when fixed
    date_order: str | None = None  # MONTH_FIRST: ambiguous slash dates are month-first
    status: str | None = None  # column telling preview / unfinished answers apart

    def labels(self, names: list) -> dict:
        """{column name: question text} for ``names`` (the unique names, in file order)."""
        texts = _pad(self.texts, names)[: len(names)]
        return {
            n: t
            for n, t, raw in zip(names, texts, _pad(self.names, names), strict=True)
            if t and t != raw
        }


def _text(v) -> str:
    return "" if v is None else str(v).strip()


def detect(records: list) -> Layout | None:
    """The layout of a table whose first rows are ``records`` (lists of cells), or None.

    >>> rows = [["StartDate", "ResponseId", "Q1"],
    ...         ["Start Date", "Response ID", "How likely are you to recommend us?"],
    ...         ['{"ImportId":"startDate"}', '{"ImportId":"_recordId"}', '{"ImportId":"QID1"}']]
    >>> layout = detect(rows)
    >>> layout.name, layout.header_rows, layout.labels(layout.names)["Q1"]
    ('qualtrics', 3, 'How likely are you to recommend us?')
    """
    if not records:
        return None
    head = [_text(v) for v in records[0]]
    second = [_text(v) for v in records[1]] if len(records) > 1 else []
    third = [_text(v) for v in records[2]] if len(records) > 2 else []
    names = set(head)
    if third and any(_IMPORT_ID.match(v) for v in third):
        return Layout(
            "qualtrics",
            3,
            head,
            _pad(second, head),
            canonical={"ResponseId": "respondent_id", "RecordedDate": "responded_at"},
            status="Status",
        )
    if {"V1", "V2"} <= names and "ResponseID" in second:
        cols = [
            s if _LEGACY_V.match(h) and s else h
            for h, s in zip(head, _pad(second, head)[: len(head)], strict=True)
        ]
        return Layout(
            "qualtrics-legacy",
            2,
            cols,
            _pad(second, head),
            canonical={"ResponseID": "respondent_id", "EndDate": "responded_at"},
            status="Status",
        )
    if "Respondent ID" in names and ({"Collector ID", "Start Date"} & names):
        if second and any(v in ("Response", "Open-Ended Response") for v in second):
            cols, texts = _fill_forward(head, _pad(second, head))
            return Layout(
                "surveymonkey",
                2,
                cols,
                texts,
                canonical={"Respondent ID": "respondent_id", "End Date": "responded_at"},
                date_order=MONTH_FIRST,
            )
    tags = [v for v in second if v]
    if len(tags) >= 2 and all(_HXL_TAG.match(v) for v in tags):
        return Layout("kobotoolbox", 2, head, canonical=_kobo(names))
    if {"_uuid", "_submission_time"} <= names:
        return Layout("kobotoolbox", 1, head, canonical=_kobo(names))
    if {"SubmissionDate", "KEY"} <= names or "meta-instanceID" in names:
        return Layout("odk", 1, head, canonical=_device_time("SubmissionDate"))
    if head and head[0] in _TIMESTAMP_NAMES and "Response ID" not in names:
        canonical = {head[0]: "responded_at"}
        return Layout("google-forms", 1, head, canonical=canonical)
    if head[:3] == ["ID", "Start time", "Completion time"]:
        return Layout(
            "microsoft-forms",
            1,
            head,
            canonical={"ID": "respondent_id", "Completion time": "responded_at"},
        )
    if "Submit Date (UTC)" in names or (head and head[0] == "#" and "Network ID" in names):
        canonical = {"#": "respondent_id", "Submit Date (UTC)": "responded_at"}
        return Layout("typeform", 1, head, canonical=canonical)
    if "Formbricks ID (internal)" in names or {"Response ID", "Survey ID", "Finished"} <= names:
        canonical = {"Response ID": "respondent_id", "Timestamp": "responded_at"}
        return Layout("formbricks", 1, head, canonical=canonical)
    if {"id", "submitdate", "lastpage", "startlanguage"} <= names:
        canonical = {"id": "respondent_id", "submitdate": "responded_at"}
        return Layout("limesurvey", 1, head, canonical=canonical)
    return None


def _pad(row: list, like: list) -> list:
    return list(row) + [""] * (len(like) - len(row))


def _fill_forward(head: list, sub: list) -> tuple[list, list]:
    """SurveyMonkey's two rows as one name per column, and each column's question."""
    names, texts, parent = [], [], ""
    for top, below in zip(head, sub[: len(head)], strict=True):
        parent = top or parent
        names.append(parent if below in _SM_SUB else f"{parent} - {below}")
        texts.append(parent)
    return names, texts


def _kobo(names: set) -> dict:
    return _device_time("_submission_time") if "_submission_time" in names else {}


def _device_time(server: str) -> dict:
    """KoBo's and ODK's answer time: the form's ``end`` where it has one, else the server's.

    ``end`` is the device's clock when the interview ended, with its UTC offset
    (the respondent's time); ``_submission_time`` / ``SubmissionDate`` is when the
    server received it, in UTC, which for a device that was offline may be days
    later.  Both are listed, ``end`` first: a row whose ``end`` is blank (a form
    version that did not record it) takes the server's time, and a file with no
    ``end`` column the server's throughout (the loader copies only columns it has).
    """
    return {"end": "responded_at", server: "responded_at"}


def dedupe(names) -> tuple[list[str], dict[str, list[str]]]:
    """Column names made unique (``name``, ``name.2``, ``name.3``), and the repeated ones.

    Blank names become ``Unnamed: i`` (the column's 0-based position).

    >>> dedupe(["Q1", "Q2", "Q1", "", "Q1"])
    (['Q1', 'Q2', 'Q1.2', 'Unnamed: 3', 'Q1.3'], {'Q1': ['Q1', 'Q1.2', 'Q1.3']})
    """
    out, repeated, taken = [], {}, set()
    count: dict[str, int] = {}
    for i, raw in enumerate(names):
        name = _text(raw) or f"Unnamed: {i}"
        count[name] = count.get(name, 0) + 1
        new = name if count[name] == 1 else f"{name}.{count[name]}"
        while new in taken:  # a file column already called "Q1.2"
            count[name] += 1
            new = f"{name}.{count[name]}"
        taken.add(new)
        out.append(new)
        if count[name] > 1:
            repeated.setdefault(name, [name]).append(new)
    return out, repeated


def resolve(records: list, header_rows: int | None = None, source: str = "<data>") -> Layout:
    """The layout of a table: detected, or given by ``header_rows`` (rows of header).

    ``header_rows`` wins over detection: its first row names the columns and
    the rows below it (joined) are the question texts.  With neither, the
    plain layout: one header row (``name`` ``None``).
    """
    found = detect(records)
    if header_rows is None or (found is not None and found.header_rows == header_rows):
        if found is not None:
            return found
        head = [_text(v) for v in records[0]] if records else []
        return Layout(None, 1, head)
    if header_rows >= len(records):
        from ._common import Problem, SurveyDataError

        reason = (
            f"header_rows={header_rows!r} leaves no data rows: the file has "
            f"{len(records)} non-empty row(s) in all"
        )
        raise SurveyDataError([Problem(source, None, None, None, reason)])
    head = [_text(v) for v in records[0]]
    texts = [
        " ".join(
            t for t in (_text(r[j]) if j < len(r) else "" for r in records[1:header_rows]) if t
        )
        for j in range(len(head))
    ]
    return Layout(f"header_rows={header_rows}", header_rows, head, texts)
