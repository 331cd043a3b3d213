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
