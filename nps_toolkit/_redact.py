"""Removing personal data from free text: ``redact`` and ``clip`` (cut, then redacted).

Private: ``themes.redact`` is the public name; reports, slides, the follow-up
export and the config check use these functions directly.

The text is first *folded* character by character into a same-length copy
(no-break and thin spaces to a space, dashes and minus signs to ``-``,
zero-width characters to a space, full-width forms such as ``＠`` to ASCII),
the patterns are matched on the fold, and the matched spans are replaced in
the original text: everything that is not personal data stays exactly as
written.  Every pattern is bounded or anchored by a look-behind, so a
20-megabyte comment costs linear time, not quadratic.
"""

from __future__ import annotations

import math
import re

import pandas as pd

# --- folding -----------------------------------------------------------------

_FOLD = {ord(c): " " for c in "\u00a0\u2007\u2009\u200a\u202f\u205f\u3000"}  # spaces
_FOLD.update({ord(c): " " for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad"})  # zero-width
# line breaks: a report shows a quote on one line, so "040\n1234567" reads as a number
_FOLD.update({ord(c): " " for c in "\n\r\x0b\x0c\x85\u2028\u2029"})
_FOLD.update({ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"})
_FOLD.update({ord(c): "@" for c in "\ufe6b"})  # small commercial at
_FOLD.update({cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)})  # full-width ASCII
_FOLD.update({ord("\u3002"): "."})


def fold(text: str) -> str:
    """``text`` with look-alike spaces, dashes and full-width forms made ASCII, same length.

    >>> fold("040\\u00a0123\\u2013\\u200b4567 matti\\uff20firma.fi")
    '040 123- 4567 matti@firma.fi'
    """
    return text.translate(_FOLD)


# --- patterns (matched on the folded text) -------------------------------------

_AT = (
    r"(?:[ \t]*@[ \t]*|[ \t]*[(\[{<][ \t]*(?:at|a|ät)[ \t]*[)\]}>][ \t]*"
    # "matti at firma.fi": only before a lower-case top-level domain ("at home.Then" stays)
    r"|[ \t]+(?:at|ät)[ \t]+(?=[\w\-]+(?:\.|[ \t]+dot[ \t]+)(?-i:[a-z]{2,6})\b))"
)
_DOT = r"(?:\.|[ \t]*[(\[{<][ \t]*(?:dot|piste)[ \t]*[)\]}>][ \t]*|[ \t]+dot[ \t]+)"
# \w is any Unicode letter or digit: jääskeläinen@esimerkki.fi, müller@firma.de;
# the look-behind makes a long run of letters cost one attempt, not one per letter
_EMAIL = re.compile(
    rf"(?<![\w.%+\-])[\w.%+\-]++{_AT}[\w\-]++(?:{_DOT}[\w\-]++)*{_DOT}[^\W\d_]{{2,}}+",
    re.I,
)
# Finnish personal identity code (henkilötunnus): DDMMYY, century sign, NNN, check;
# people put a space before or after the sign ("131052 -308T")
_HETU = re.compile(
    r"(?<![\w-])(\d{2})(\d{2})(\d{2}) ?([-+A-FU-Y]) ?(\d{3})([0-9A-Y])(?![\w-])", re.I
)
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
# IBAN (a private person's bank account is personal data): country, check
# digits, then groups of four; replaced only when the ISO 13616 mod-97 check holds
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b", re.I)
# payment card numbers: 13-19 digits (issuers' first digits 2-6), in groups of
# spaces or dashes; replaced only when the Luhn check digit holds
_CARD = re.compile(r"(?<![\w+\-.,/])[2-6]\d{3}(?:[ \-]?\d){9,15}(?![\w/]|[.,]\d)")
# Finnish numbers written with a slash after the area code: 040/1234567, 09/123 4567
_PHONE_SLASH = re.compile(r"(?<![\w/.,])0\d{1,3} ?/ ?\d(?:[ \-]?\d){4,8}(?![\w/]|[.,]\d)")
# a run of digits with phone-like separators (up to three: "040 - 123 4567");
# judged by _phone_or_keep
_PHONE = re.compile(
    r"(?<![\w+/.,])(?:\+[ \t]?|\(\+?)?\d(?:[ \t.\-()]{0,3}\d){6,16}(?![\w/]|[.,]\d)"
)
_NANP = re.compile(r"\d{3}[-. ]\d{3}[-. ]\d{4}")
_DATE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
_TIME = re.compile(r"\d{1,2}[.:]\d{2}")
_TIME_RANGE = re.compile(r"\d{1,2}[.:]\d{2}\s*-\s*\d{1,2}[.:]\d{2}")
_SPACED_DASH = re.compile(r"\s+-\s*|\s*-\s+")


def _hetu_or_keep(m: re.Match) -> str | None:
    dd, mm, yy, _, nnn, check = m.groups()
    if not (1 <= int(dd) <= 31 and 1 <= int(mm) <= 12):
        return None
    if _HETU_CHECK[int(dd + mm + yy + nnn) % 31] != check.upper():
        return None
    return "[id]"


def _iban_or_keep(m: re.Match) -> str | None:
    s = m.group(0).replace(" ", "").upper()  # fi21 ... is an IBAN too
    digits = "".join(str(int(c, 36)) for c in s[4:] + s[:4])
    return "[iban]" if 15 <= len(s) <= 34 and int(digits) % 97 == 1 else None


def luhn_ok(digits: str) -> bool:
    """Whether a string of digits ends in a valid Luhn check digit (ISO/IEC 7812).

    >>> luhn_ok("4111111111111111"), luhn_ok("4111111111111112")
    (True, False)
    """
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _card_or_keep(m: re.Match) -> str | None:
    digits = re.sub(r"\D", "", m.group(0))
    return "[card]" if 13 <= len(digits) <= 19 and luhn_ok(digits) else None


def _phone_or_keep(m: re.Match) -> str | None:
    s = m.group(0)
    digits = re.sub(r"\D", "", s)
    if not 7 <= len(digits) <= 15 or _DATE.fullmatch(s) or _TIME_RANGE.fullmatch(s):
        return None
    parts = _SPACED_DASH.split(s)
    if len(parts) > 1 and any(_DATE.fullmatch(p) or _TIME.fullmatch(p) for p in parts):
        return None  # a range of dates or times: "01.03.25 - 03.03.25"
    if s[0] in "+(" or digits[0] == "0" or _NANP.fullmatch(s):
        return "[phone]"
    # Finnish international form without the plus: 358 40 1234567 (the country
    # code, then the 8 or 9 digits of a number without its leading 0)
    if digits.startswith("358") and 11 <= len(digits) <= 12 and digits[3] != "0":
        return "[phone]"
    return None  # e.g. an order number or a run of years: not a phone number


# in this order: an e-mail's digits are not a phone, an IBAN's not a card ...
_RULES = (
    (_EMAIL, lambda m: "[email]"),
    (_HETU, _hetu_or_keep),
    (_IBAN, _iban_or_keep),
    (_CARD, _card_or_keep),
    (_PHONE_SLASH, lambda m: "[phone]"),
    (_PHONE, _phone_or_keep),
)


# Every pattern needs a digit or a form of "at": most comments have neither, and
# skip the six patterns (a third of the time of a report's comment analyses)
_MAYBE = re.compile(r"[\d@\uff20\ufe6b]|[(\[{<][ \t]*(?:at|a|ät)\b|\b(?:at|ät)\b", re.I)


def _spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, placeholder)`` of the personal data in ``text``, in order, disjoint."""
    if not _MAYBE.search(text):
        return []
    work = fold(text)
    found = []
    for pattern, judge in _RULES:
        hits = [(m.start(), m.end(), judge(m)) for m in pattern.finditer(work)]
        hits = [h for h in hits if h[2] is not None]
        if hits:  # later patterns see a neutral filler of the same length, as after a sub
            parts, pos = [], 0
            for start, end, _ in hits:
                parts += [work[pos:start], "#" * (end - start)]
                pos = end
            work = "".join(parts) + work[pos:]
        found.extend(hits)
    return sorted(found)


def _apply(text: str, spans, stop: int | None = None) -> str:
    out, pos = [], 0
    stop = len(text) if stop is None else stop
    for start, end, placeholder in spans:
        if end > stop:  # across the cut: the text stops where it starts
            stop = min(stop, start)
            break
        out.append(text[pos:start])
        out.append(placeholder)
        pos = end
    if pos < stop:
        out.append(text[pos:stop])
    return "".join(out)


def _check_text(text):
    if isinstance(text, str):
        return True
    if text is None or text is pd.NA or (isinstance(text, float) and math.isnan(text)):
        return False
    raise TypeError(f"redact expects text, got {type(text).__name__}: {text!r}")


def redact(text):
    """Replace e-mail addresses, phone numbers, identity codes, IBANs and card numbers.

    E-mail addresses with any letters (``jääskeläinen@esimerkki.fi``) and as
    people disguise them (``matti(at)firma.fi``, ``matti @ firma.fi``, a
    full-width ``＠``).  Phone numbers: international (``+358 40 123 4567``,
    and Finnish ones without the plus, ``358401234567``), Finnish national
    (``040-1234567``, ``040/1234567``, ``09 1234 5678``, ``040 - 123 4567``)
    and North American (``(555) 123-4567``), with any spaces, dashes or
    invisible characters between the digits (a no-break space, an en dash,
    a zero-width space).  Finnish personal identity codes (``DDMMYYCNNNX``,
    every century sign of the 2023 reform, a space before or after the
    sign), IBANs and payment card numbers (13-19 digits) are replaced only
    when their check character, check digits or Luhn digit is valid.
    Ordinary numbers (scores such as "9/10", years, amounts, dates) stay.
    NaN / None are returned unchanged; a Series is redacted element-wise.

    >>> redact("Mail anna.k@example.fi or call +358 40 123 4567, id 131052-308T. 9/10 in 2023!")
    'Mail [email] or call [phone], id [id]. 9/10 in 2023!'
    >>> redact("matti(at)firma.fi, 050\\u2013555\\u20131234, kortti 4111 1111 1111 1111")
    '[email], [phone], kortti [card]'
    """
    if isinstance(text, pd.Series):
        return text.map(redact, na_action="ignore")
    if not _check_text(text):
        return text
    return _apply(text, _spans(text))


CLIP_LENGTH = 500  # characters of a comment shown in a quote or a table cell
ANALYSIS_LENGTH = 5_000  # characters of a comment that a report's theme and word analyses read
_CLIP_MARGIN = 300  # read this far past the cut: no contact detail is longer (e-mail: 254)


def clip(text, limit: int = CLIP_LENGTH):
    """``text`` redacted and cut to at most ``limit`` characters (then "…").

    Only the first ``limit`` characters (and enough after them to see a whole
    e-mail address or number across the cut) are read, so a 20-megabyte
    comment costs what a short one does; a contact detail across the cut is
    never shown in part.

    >>> clip("soita 040 123 4567 " + "a" * 600, limit=20)
    'soita [phone] a…'
    >>> clip("short", limit=12)
    'short'
    """
    if isinstance(text, pd.Series):
        return text.map(lambda t: clip(t, limit), na_action="ignore")
    if not _check_text(text):
        return text
    if len(text) <= limit:
        return redact(text)
    window = text[: limit + _CLIP_MARGIN]
    return _apply(window, _spans(window), stop=limit).rstrip() + "…"


# Characters that have no business in a label or a quote: C0/C1 controls
# (ESC starts terminal escapes; NUL, VT and the like break workbooks), bidi
# embeddings, overrides and isolates (U+202E shows text reversed), and
# zero-width characters and the BOM (they make look-alike labels).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
    "\ufff9-\ufffb]"
)


def strip_invisible(text: str) -> str:
    """``text`` without control (but tab and line breaks), bidi and zero-width characters.

    >>> strip_invisible("a\\x00b\\u202ec\\nd") == "abc\\nd"
    True
    """
    return _INVISIBLE.sub("", text)


def visible(text):
    """``text`` without control, bidi-override and zero-width characters; tabs and line
    breaks become spaces.  Non-text is returned as it is.

    >>> visible("North\\u202e htuoS\\x1b[31m\\u200b\\tx")
    'North htuoS[31m x'
    """
    if not isinstance(text, str):
        return text
    return _INVISIBLE.sub("", text.replace("\t", " ").replace("\r", " ").replace("\n", " "))
