"""Write one small export in each survey platform's layout (tests/data/platforms/).

Run from the project root: ``python tests/data/platforms/make_platforms.py``.
The layouts follow each platform's help pages on its CSV/XLSX export (the
column names, header rows and date formats listed in
``nps_toolkit/data/_layouts.py``); the answers are made up.  Every file holds
the same ten answers to the recommend question, so every file's NPS is the
same hand-counted number:

    10 10 9 9 8 7 6 3 0 10  ->  5 promoters, 2 passives, 3 detractors of 10
    NPS = 100 * (5 - 3) / 10 = 20
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORES = [10, 10, 9, 9, 8, 7, 6, 3, 0, 10]
NPS = 20.0
QUESTION = "How likely are you to recommend Acme to a friend or colleague?"
WHY = "What is the main reason for your score?"
REGIONS = ["North", "South", "North", "East", "South", "North", "East", "South", "North", "East"]
WHYS = [
    "Great service",
    "Fast",
    "",
    "Friendly staff",
    "OK",
    "Slow delivery",
    "Price",
    "Rude",
    "Broken",
    "Love it",
]
# day and month both <= 12 everywhere: the order cannot be told from the values
US_STAMPS = [f"{m}/2/2025" for m in range(1, 11)]


def group(score: int) -> str:
    return "Promoter" if score >= 9 else "Passive" if score >= 7 else "Detractor"


def write_csv(name: str, rows: list[list], *, delimiter=",", encoding="utf-8") -> None:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    (HERE / name).write_bytes(buf.getvalue().encode(encoding))


def write_xlsx(name: str, rows: list[list]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for row in rows:
        ws.append(row)
    wb.properties.creator = "nps-toolkit tests"
    wb.save(HERE / name)


def qualtrics(choice_text: bool = False) -> list[list]:
    """Current Qualtrics export: tags, question texts, ImportId row."""
    meta = [
        ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"America/Denver"}'),
        ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"America/Denver"}'),
        ("Status", "Response Type", '{"ImportId":"status"}'),
        ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
        ("Progress", "Progress", '{"ImportId":"progress"}'),
        ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
        ("Finished", "Finished", '{"ImportId":"finished"}'),
        (
            "RecordedDate",
            "Recorded Date",
            '{"ImportId":"recordedDate","timeZone":"America/Denver"}',
        ),
        ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
        ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
        ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
        ("Q1", QUESTION, '{"ImportId":"QID1"}'),
        ("Q1_NPS_GROUP", f"{QUESTION} - Group", '{"ImportId":"QID1_NPS_GROUP"}'),
        ("Q2", WHY, '{"ImportId":"QID2_TEXT"}'),
        ("Q3_1", "How satisfied are you with... - Delivery", '{"ImportId":"QID3_1"}'),
        ("Q3_2", "How satisfied are you with... - Price", '{"ImportId":"QID3_2"}'),
        ("Q4", "Where are you located?", '{"ImportId":"QID4"}'),
    ]
    rows = [[m[0] for m in meta], [m[1] for m in meta], [m[2] for m in meta]]
    for i, score in enumerate(SCORES):
        start = dt.datetime(2025, 3, 1, 9, 0) + dt.timedelta(days=i)
        answer: object = score
        if choice_text and score in (0, 10):
            answer = "0 - Not at all likely" if score == 0 else "10 - Extremely likely"
        rows.append(
            [
                start.strftime("%Y-%m-%d %H:%M:%S"),
                (start + dt.timedelta(minutes=3)).strftime("%Y-%m-%d %H:%M:%S"),
                "IP Address",
                f"192.0.2.{i + 1}",
                100,
                180 + i,
                "True",
                (start + dt.timedelta(minutes=3)).strftime("%Y-%m-%d %H:%M:%S"),
                f"R_{i + 1:015d}",
                "anonymous",
                "EN",
                answer,
                group(score)
                if choice_text
                else {"Detractor": 1, "Passive": 2, "Promoter": 3}[group(score)],
                WHYS[i],
                1 + i % 5,
                1 + (i * 3) % 5,
                REGIONS[i],
            ]
        )
    return rows


def qualtrics_repeated() -> list[list]:
    """Two questions given the same export tag (Q3), as Qualtrics allows."""
    rows = qualtrics()
    for r in rows:
        r[15] = r[14] if r is not rows[2] else '{"ImportId":"QID5"}'
    rows[0][14] = rows[0][15] = "Q3"
    rows[1][15] = "How satisfied are you with the price?"
    return rows


def qualtrics_legacy() -> list[list]:
    head = ["V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8", "V9", "V10", "Q1", "Q2", "Q4"]
    texts = [
        "ResponseID",
        "ResponseSet",
        "Name",
        "ExternalDataReference",
        "EmailAddress",
        "IPAddress",
        "Status",
        "StartDate",
        "EndDate",
        "Finished",
        QUESTION,
        WHY,
        "Where are you located?",
    ]
    rows = [head, texts]
    for i, score in enumerate(SCORES):
        start = dt.datetime(2014, 5, 1, 9, 0) + dt.timedelta(days=i)
        rows.append(
            [
                f"R_{i + 1:015d}",
                "Default Response Set",
                "Anonymous",
                "",
                "",
                f"192.0.2.{i + 1}",
                0,
                start.strftime("%Y-%m-%d %H:%M:%S"),
                (start + dt.timedelta(minutes=3)).strftime("%Y-%m-%d %H:%M:%S"),
                1,
                score,
                WHYS[i],
                REGIONS[i],
            ]
        )
    return rows


def surveymonkey() -> list[list]:
    head = [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Custom Data 1",
        QUESTION,
        "Which products do you use?",
        "",
        "",
        WHY,
        "Where are you located?",
    ]
    sub = [
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "Response",
        "Product A",
        "Product B",
        "Other (please specify)",
        "Open-Ended Response",
        "Response",
    ]
    rows = [head, sub]
    for i, score in enumerate(SCORES):
        start = dt.datetime(2025, 1 + i, 2, 9, 15, 32)  # all ambiguous d/m
        end = start + dt.timedelta(minutes=4)
        rows.append(
            [
                114000000000 + i,
                400000001,
                start.strftime("%m/%d/%Y %I:%M:%S %p"),
                end.strftime("%m/%d/%Y %I:%M:%S %p"),
                f"192.0.2.{i + 1}",
                "",
                "",
                "",
                "",
                score,
                "Product A" if i % 2 else "",
                "Product B" if i % 3 else "",
                "",
                WHYS[i],
                REGIONS[i],
            ]
        )
    return rows


def google_forms() -> list[list]:
    rows = [["Timestamp", QUESTION, WHY, "Where are you located?"]]
    for i, score in enumerate(SCORES):
        rows.append([f"{US_STAMPS[i]} 9:{10 + i}:05", score, WHYS[i], REGIONS[i]])
    return rows


def microsoft_forms() -> list[list]:
    rows = [["ID", "Start time", "Completion time", "Email", "Name", QUESTION, WHY]]
    for i, score in enumerate(SCORES):
        start = dt.datetime(2025, 4, 1, 10, 0) + dt.timedelta(days=i)
        rows.append(
            [i + 1, start, start + dt.timedelta(minutes=2), "anonymous", "", score, WHYS[i]]
        )
    return rows


def typeform() -> list[list]:
    rows = [["#", QUESTION, WHY, "Start Date (UTC)", "Submit Date (UTC)", "Network ID"]]
    for i, score in enumerate(SCORES):
        start = dt.datetime(2025, 5, 1, 8, 0) + dt.timedelta(days=i)
        rows.append(
            [
                f"tok{i:08x}",
                score,
                WHYS[i],
                start.strftime("%Y-%m-%d %H:%M:%S"),
                (start + dt.timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S"),
                f"net{i:04d}",
            ]
        )
    return rows


def formbricks() -> list[list]:
    rows = [
        [
            "Response ID",
            "Timestamp",
            "Finished",
            "Survey ID",
            "Formbricks ID (internal)",
            "User ID",
            "Notes",
            "Tags",
            QUESTION,
            "What could we improve?",
        ]
    ]
    for i, score in enumerate(SCORES):
        stamp = dt.datetime(2025, 6, 1, 12, 0) + dt.timedelta(hours=i)
        rows.append(
            [
                f"clr{i:06d}",
                stamp.strftime("%Y-%m-%d %H:%M:%S"),
                "Yes",
                "srv001",
                f"fb{i:04d}",
                "",
                "",
                "",
                score,
                WHYS[i],
            ]
        )
    return rows


def kobo() -> list[list]:
    """KoBoToolbox CSV with labels as headers and the HXL hashtag row."""
    head = [
        "start",
        "end",
        "How likely are you to recommend this clinic? (0-10)",
        "Why?",
        "Region",
        "_id",
        "_uuid",
        "_submission_time",
        "_index",
    ]
    tags = ["#date+start", "#date+end", "#indicator+nps", "#description", "#adm1", "", "", "", ""]
    rows = [head, tags]
    for i, score in enumerate(SCORES):
        stamp = dt.datetime(2025, 7, 1, 10, 0) + dt.timedelta(days=i)
        rows.append(
            [
                stamp.isoformat() + ".000+03:00",
                stamp.isoformat() + ".000+03:00",
                score,
                WHYS[i],
                REGIONS[i],
                1000 + i,
                f"uuid-{i:04d}",
                stamp.isoformat(),
                i + 1,
            ]
        )
    return rows


def odk() -> list[list]:
    rows = [["SubmissionDate", "start", "end", "nps", "why", "meta-instanceID", "KEY"]]
    for i, score in enumerate(SCORES):
        stamp = dt.datetime(2025, 8, 1, 10, 0) + dt.timedelta(days=i)
        rows.append(
            [
                stamp.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "",
                "",
                score,
                WHYS[i],
                f"uuid:{i:04d}",
                f"uuid:{i:04d}",
            ]
        )
    return rows


def limesurvey() -> list[list]:
    rows = [
        [
            "id",
            "submitdate",
            "lastpage",
            "startlanguage",
            "seed",
            "startdate",
            "datestamp",
            f"NPS1. {QUESTION}",
            f"WHY. {WHY}",
        ]
    ]
    for i, score in enumerate(SCORES):
        stamp = dt.datetime(2025, 9, 1, 10, 0) + dt.timedelta(days=i)
        s = stamp.strftime("%Y-%m-%d %H:%M:%S")
        rows.append([i + 1, s, 2, "en", 12345 + i, s, s, score, WHYS[i]])
    return rows


def scale_1_to_5() -> list[list]:
    """A 'recommend' column answered on a 1-5 scale (25 answers): never read as 0-10."""
    return [["respondent_id", "recommend"]] + [[i + 1, 1 + i % 5] for i in range(25)]


def main() -> None:
    write_csv("qualtrics.csv", qualtrics())
    write_csv("qualtrics_choice_text.csv", qualtrics(choice_text=True))
    # Qualtrics' TSV download is UTF-16 with a BOM
    write_csv("qualtrics.tsv", qualtrics(), delimiter="\t", encoding="utf-16")
    write_csv("qualtrics_repeated_tags.csv", qualtrics_repeated())
    write_csv("qualtrics_legacy.csv", qualtrics_legacy())
    write_csv("surveymonkey.csv", surveymonkey())
    write_xlsx("surveymonkey.xlsx", surveymonkey())
    write_csv("google_forms.csv", google_forms())
    write_xlsx("microsoft_forms.xlsx", microsoft_forms())
    write_csv("typeform.csv", typeform())
    write_csv("formbricks.csv", formbricks())
    write_csv("kobotoolbox.csv", kobo(), delimiter=";")
    write_csv("odk_central.csv", odk())
    write_csv("limesurvey.csv", limesurvey())
    write_csv("scale_1_to_5.csv", scale_1_to_5())
    (HERE / "expected.json").write_text(json.dumps({"nps": NPS, "question": QUESTION}) + "\n")


if __name__ == "__main__":
    main()
