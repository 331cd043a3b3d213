"""Tests for nps_toolkit._redact and the privacy rules of reports, through the CLI.

The spellings below are the ones a review found passing ``redact`` unchanged
into the quotes of reports (HTML, PDF, slides, notebook).
"""

import time

import pytest

from nps_toolkit._redact import clip, luhn_ok, redact, visible
from nps_toolkit.themes import redact as public_redact


@pytest.mark.parametrize(
    "text, expected",
    [
        ("soita 040\u00a0123\u00a04567", "soita [phone]"),  # no-break spaces
        ("soita 050\u2013555\u20131234", "soita [phone]"),  # en dashes
        ("soita 040\u200b123\u200b4567", "soita [phone]"),  # zero-width spaces
        ("soita 040 - 123 4567", "soita [phone]"),
        ("soita +358\u00a050\u00a0555\u00a01234!", "soita [phone]!"),
        ("puh. 040 123 45 67", "puh. [phone]"),
        ("tunnus 131052 -308T", "tunnus [id]"),  # a space before the sign
        ("tunnus 131052- 308T", "tunnus [id]"),
        ("tunnus 131052\u2013308T", "tunnus [id]"),
        ("matti(at)firma.fi", "[email]"),
        ("matti @ firma.fi kiitos", "[email] kiitos"),
        ("matti\uff20firma.fi", "[email]"),  # full-width commercial at
        ("matti [at] firma [dot] fi", "[email]"),
        ("matti\u200b@firma.fi", "[email]"),
        ("matti at firma.fi kiitos", "[email] kiitos"),
        ("matti at firma dot fi", "[email]"),
        ("soita 040\n123 4567", "soita [phone]"),  # a quote is shown on one line
        # payment cards: the issuers' published test numbers (valid Luhn digits)
        ("kortti 4111 1111 1111 1111", "kortti [card]"),
        ("card 5555-5555-5555-4444.", "card [card]."),
        ("amex 378282246310005", "amex [card]"),
    ],
)
def test_redact_real_world_spellings(text, expected):
    assert redact(text) == expected
    assert public_redact(text) == expected  # the public name is the same function


@pytest.mark.parametrize(
    "text",
    [
        "kortti 4111 1111 1111 1112 (wrong check digit)",
        "Meeting 01.03.25 - 03.03.25, 2019 - 2023, auki 9.00 - 16.00.",
        "Tilaus 1234567890123 ja 4000 kpl, hinta 1 299,00 €.",
        "tunnus 131052 -308U (wrong check character)",
        "price 5 @ 10.00 each",
        "I was at home.Then left, we meet at 10.00.",
    ],
)
def test_redact_keeps_what_is_not_personal_data(text):
    assert redact(text) == text


def test_luhn_by_hand():
    # 79927398713: the Luhn example of ISO/IEC 7812 texts; doubling every second
    # digit from the right gives 7+18->9, 9+4... total 70, divisible by 10
    assert luhn_ok("79927398713") and not luhn_ok("79927398714")


def test_redact_and_clip_are_linear_on_huge_text():
    for text in ("a" * 2_000_000, "a@" * 1_000_000, "1" * 2_000_000, "x." * 1_000_000):
        start = time.perf_counter()
        assert redact(text) is not None
        assert time.perf_counter() - start < 10  # quadratic: hours
    start = time.perf_counter()
    cut = clip("mail matti@firma.fi " + "a" * 20_000_000, limit=500)
    assert time.perf_counter() - start < 0.5
    assert cut.startswith("mail [email] ") and cut.endswith("…") and len(cut) <= 501


def test_clip_never_shows_part_of_a_contact_detail():
    text = "x" * 95 + " soita 040 123 4567 nyt"
    for limit in range(95, 120):
        out = clip(text, limit=limit)
        assert "040" not in out and "4567" not in out and len(out) <= limit + 1, out


def test_visible_removes_controls_bidi_and_zero_width():
    assert visible("North\u202e htuoS") == "North htuoS"
    assert visible("a\x00b\x1b[31mc\x0bd\u200be\ufefff\u2066g") == "ab[31mcdefg"
    assert visible("Etelä\tItä") == "Etelä Itä"


# --- no contact details in any report file, through `nps-toolkit render` -------------

PHONES = ["040\u00a0123\u00a04567", "050\u2013555\u20131234", "040 - 765 4321", "+358401112233"]
EMAILS = ["matti(at)firma.fi", "liisa @ firma.fi", "pekka\uff20firma.fi", "anna.k@example.fi"]


def _survey(folder, n=60):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(21)
    df = pd.DataFrame(
        {
            "respondent_id": [f"{i:05d}" for i in range(n)],
            "recommend": rng.integers(0, 11, n),
            "email": [f"user{i}@firma.fi" for i in range(n)],
            "owner": [f"owner{i % 4}@firma.fi" for i in range(n)],  # 4 groups of 15
            "tel": [f"040 {1000000 + i % 5}" for i in range(n)],
            "customer_no": [f"C-{7000 + i}" for i in range(n)],
            "region": rng.choice(["North", "South", "East"], n),
            "responded_at": pd.date_range("2025-01-01", periods=n, freq="D").astype(str),
            "comment": [
                f"The price is too high, call me {PHONES[i % 4]} or mail {EMAILS[i % 4]}"
                for i in range(n)
            ],
        }
    )
    df.to_csv(folder / "s.csv", index=False)
    return df


def _zip_text(archive) -> str:
    """The XML of an Office file, and of the workbooks embedded in it (chart data)."""
    import io
    import zipfile

    parts = []
    with archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                parts.append(archive.read(name).decode("utf-8", "replace"))
            elif name.endswith(".xlsx"):
                parts.append(_zip_text(zipfile.ZipFile(io.BytesIO(archive.read(name)))))
    return " ".join(parts)


def _text_of(path):
    """Every text a reader can see in an output file, unescaped."""
    import html
    import json
    import shutil
    import subprocess
    import zipfile

    if path.suffix in (".xlsx", ".pptx"):
        raw = _zip_text(zipfile.ZipFile(path))
    elif path.suffix == ".pdf":
        if not shutil.which("pdftotext"):
            return ""
        raw = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    elif path.suffix == ".ipynb":
        raw = json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False)
        raw = raw.encode().decode("unicode_escape", "replace")
    else:
        raw = path.read_text(encoding="utf-8", errors="replace")
    return html.unescape(html.unescape(raw))


def _squeeze(text):
    import re

    from nps_toolkit._redact import fold

    return re.sub(r"[\s\-()#;&]", "", fold(text)).lower()


def test_no_report_file_holds_an_email_or_phone_from_the_data(tmp_path):
    import contextlib
    import io
    import json

    import yaml

    from nps_toolkit.cli import main

    df = _survey(tmp_path)
    base = {"data": "s.csv", "drivers": [], "wave": None, "min_n": 3}
    refused = {
        "Seg email": ({"segments": ["email"]}, "column 'email' is an id or contact column"),
        "Banner owner": ({"banners": ["owner"]}, "column 'owner' holds e-mail addresses"),
        "Seg tel": ({"segments": ["tel"]}, "column 'tel' holds e-mail addresses, phone"),
        "Wave owner": ({"wave": "owner"}, "key 'wave': column 'owner' holds e-mail"),
        "Labels id": (
            {"value_labels": {"respondent_id": {"00001": "x"}}},
            "key 'value_labels': column 'respondent_id' is an id or contact column",
        ),
        "Seg customer": ({"segments": ["customer_no"]}, "has a different value for 60 of"),
    }
    # no segments named: the template's default segments, one of which ('region') this
    # file holds as e-mail addresses
    df.assign(region=df["owner"]).to_csv(tmp_path / "defaults.csv", index=False)
    refused["Default region"] = (
        {"data": "defaults.csv"},
        "key 'segments': column 'region' holds e-mail addresses, phone numbers or identity "
        "codes (e.g. row 1); a report never shows groups of such a column (see README "
        "'Security and privacy'); the entry names no segments, so the report template's "
        "default is used",
    )
    surveys = [{"name": name, **base, **extra} for name, (extra, _) in refused.items()]
    surveys.append({"name": "Good", **base, "segments": ["region"], "banners": ["region"]})
    surveys = json.loads(json.dumps(surveys))  # no shared lists: no YAML aliases
    (tmp_path / "surveys.yml").write_text(yaml.safe_dump({"surveys": surveys}), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            [
                "render",
                "--no-progress",
                "--jobs",
                "2",
                "--config",
                str(tmp_path / "surveys.yml"),
                "--output",
                str(tmp_path / "out"),
            ]  # fmt: skip
        )
    stderr = err.getvalue()
    assert code == 1, stderr
    for name, (_, message) in refused.items():
        line = next(x for x in stderr.splitlines() if x.startswith(f"nps-toolkit render: {name}"))
        assert message in line, line
    good = tmp_path / "out" / "good"
    files = sorted(p for p in good.iterdir() if p.is_file())
    assert {p.name for p in files} >= {"report.html", "report.ipynb", "summary.csv",
                                       "summary.xlsx", "banner.xlsx", "report.pptx"}  # fmt: skip
    secrets = set(df["email"]) | set(df["owner"]) | set(df["tel"]) | set(PHONES) | set(EMAILS)
    secrets |= {"0401234567", "0505551234", "0407654321", "401112233", "liisa@", "@firma"}
    for path in files:
        text = _squeeze(_text_of(path))
        assert text, path
        leaked = [s for s in secrets if _squeeze(s) in text]
        assert not leaked, (path.name, leaked)
    # the quotes were there, redacted
    assert "[phone]" in _text_of(good / "report.html")


# --- characters that break or mislead, through `nps-toolkit render` --------------------

HOSTILE = {"\x1b[31mNorth": "[31mNorth", "So\x0buth": "South", "East\u202e": "East",
           "We\u200bst": "West"}  # fmt: skip


def test_control_bidi_and_zero_width_characters_never_reach_a_report(tmp_path):
    import contextlib
    import io
    import json

    import numpy as np
    import pandas as pd
    import yaml

    from nps_toolkit.cli import main

    n = 80
    rng = np.random.default_rng(5)
    values = list(HOSTILE)
    df = pd.DataFrame(
        {
            "respondent_id": [str(i) for i in range(n)],
            "recommend": rng.integers(0, 11, n),
            "region": [values[i % 4] for i in range(n)],
            "responded_at": "2025-03-01",
            "comment": ["Price too high \x1b[2J\u202e reversed"] * n,
        }
    )
    df.to_csv(tmp_path / "s.csv", index=False)
    twins = ["North", "North\u200b"]  # two groups that read the same
    pd.DataFrame({"recommend": [i % 11 for i in range(40)], "region": twins * 20}).to_csv(
        tmp_path / "twins.csv", index=False
    )
    name = "Evil \x1b]0;pwned\x07\x1b[2J name"
    base = {"drivers": [], "wave": None, "segments": ["region"], "banners": ["region"]}
    surveys = [
        {"name": name, "data": "s.csv", **base},
        {"name": "Twins", "data": "twins.csv", **base, "comment": None, "date": "recommend"},
    ]
    (tmp_path / "surveys.yml").write_text(
        yaml.safe_dump({"surveys": json.loads(json.dumps(surveys))}), encoding="utf-8"
    )
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            [
                "render",
                "--no-progress",
                "--jobs",
                "2",
                "--config",
                str(tmp_path / "surveys.yml"),
                "--output",
                str(tmp_path / "out"),
            ]  # fmt: skip
        )
    printed = out.getvalue() + err.getvalue()
    assert code == 1, printed  # the twins fail, the other renders
    assert "\x1b" not in printed and "\x07" not in printed  # spelled out on the terminal
    assert "Evil \\x1b]0;pwned\\x07\\x1b[2J name" in out.getvalue(), printed
    # look-alike groups are reported, with their invisible character spelled out
    assert "Twins failed" in err.getvalue() and "'North\\u200b'" in err.getvalue(), printed
    folder = next(p for p in (tmp_path / "out").iterdir() if p.name.startswith("evil"))
    files = [p for p in folder.iterdir() if p.suffix in (".html", ".csv", ".xlsx", ".pptx")]
    assert {p.name for p in files} >= {"report.html", "summary.xlsx", "banner.xlsx", "report.pptx"}
    for path in files:
        text = _text_of(path)
        for bad in ("\x1b", "\x0b", "\x07", "\u202e", "\u200b"):
            assert bad not in text, (path.name, repr(bad))
    html = _text_of(folder / "report.html")
    assert all(label in html for label in HOSTILE.values())  # shown as they read


# --- resources bounded, through `nps-toolkit render` -----------------------------------


def test_huge_comment_is_cut_and_too_many_groups_are_refused_before_the_work(tmp_path):
    import contextlib
    import html
    import io
    import json
    import re

    import numpy as np
    import pandas as pd
    import yaml

    from nps_toolkit._identifiers import MAX_GROUPS
    from nps_toolkit._redact import CLIP_LENGTH
    from nps_toolkit.cli import main

    rng = np.random.default_rng(6)
    n = 60
    df = pd.DataFrame(
        {
            "recommend": rng.integers(0, 11, n),
            "responded_at": "2025-03-01",
            "comment": ["price is too high"] * n,
        }
    )
    # 2 MB in one comment: the sentiment of it alone took minutes (20 MB: past 600 s)
    df.loc[0, "comment"] = "The price is too high, mail a@b.fi. " + "slow and costly " * 130_000
    df.loc[0, "recommend"] = 2
    df.to_csv(tmp_path / "big.csv", index=False)
    m = 2 * (MAX_GROUPS + 500)  # MAX_GROUPS + 500 shops, two answers each
    shops = pd.DataFrame({"recommend": rng.integers(0, 11, m), "responded_at": "2025-03-01"})
    shops["shop"] = [f"shop {i // 2}" for i in range(m)]
    shops.to_csv(tmp_path / "shops.csv", index=False)
    base = {"drivers": [], "wave": None, "segments": [], "timeout": 60}
    surveys = [
        {"name": "Big", "data": "big.csv", **base},
        {"name": "Shops", "data": "shops.csv", **base, "banners": ["shop"], "comment": None},
    ]
    (tmp_path / "surveys.yml").write_text(
        yaml.safe_dump({"surveys": json.loads(json.dumps(surveys))}), encoding="utf-8"
    )
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(
            [
                "render",
                "--no-progress",
                "--jobs",
                "2",
                "--config",
                str(tmp_path / "surveys.yml"),
                "--output",
                str(tmp_path / "out"),
            ]  # fmt: skip
        )
    assert code == 1, err.getvalue()
    line = next(x for x in err.getvalue().splitlines() if "Shops failed" in x)
    assert f"column 'shop' has 1,500 different values, more than the {MAX_GROUPS:,}" in line
    assert "Big failed" not in err.getvalue(), err.getvalue()
    page = html.unescape((tmp_path / "out" / "big" / "report.html").read_text(encoding="utf-8"))
    quotes = [q for q in re.findall(r">([^<>]*slow and costly[^<>]*)<", page)]
    assert quotes and all(len(q.strip()) <= CLIP_LENGTH + 1 for q in quotes), quotes[:1]
    assert "a@b.fi" not in page
    assert len(pd.read_csv(tmp_path / "big.csv")["comment"][0]) > 2_000_000  # data: whole


def test_look_alike_groups_are_refused_naming_both_values():
    import pandas as pd

    from nps_toolkit._identifiers import LookAlikeError, clean_group_values

    for twin in ("North\u200b", "\uff2eorth", "North\x00"):
        df = pd.DataFrame({"region": ["North", twin, "South"]})
        with pytest.raises(LookAlikeError, match=r"'North' \(row 1\) and '.*' \(row 2\)"):
            clean_group_values(df, ["region"], key="segments")


def test_check_and_summarize_spell_out_terminal_escapes(tmp_path, capsys):
    import pandas as pd

    from nps_toolkit.cli import main

    pd.DataFrame({"recommend": [9, 3, 7, 10] * 5, "region": ["\x1b[2JNorth", "South"] * 10}).to_csv(
        tmp_path / "s.csv", index=False
    )
    (tmp_path / "surveys.yml").write_text(
        'surveys:\n  - name: "Evil \\e]0;pwned\\a"\n    data: s.csv\n    segments: [region]\n'
        "    drivers: []\n    wave: null\n    comment: null\n",
        encoding="utf-8",
    )
    main(["check", "--config", str(tmp_path / "surveys.yml")])
    main(["summarize", str(tmp_path / "s.csv"), "--by", "region"])
    out = capsys.readouterr()
    printed = out.out + out.err
    assert "\x1b" not in printed and "\x07" not in printed, printed
    assert "Evil \\x1b]0;pwned\\x07" in printed and "\\x1b[2JNorth" in printed, printed
