"""Report texts in Finnish and English: one catalogue per language, numbers and dates by Babel.

The catalogues are package data (``nps_toolkit/locales/<code>.yml``): nested
mappings of text, addressed by dotted keys (``"findings.headline"``).  Texts
are ``str.format`` templates; ``Texts`` formats numbers and dates through
Babel in the catalogue's locale.  Escaping is the caller's: the report
escapes every value from the data before it fills a text in.

Private: used by ``findings``, ``reporting`` and ``suggest`` (a theme label); none owns the texts.
"""

from __future__ import annotations

import datetime as _dt
from functools import cache
from importlib import resources

import pandas as pd

LANGUAGES = ("en", "fi")


def _flatten(mapping: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


@cache
def catalogue(language: str) -> dict:
    """The flat ``{dotted key: text}`` catalogue of ``language`` ("en" or "fi")."""
    from ._yaml import load_strict

    if language not in LANGUAGES:
        raise ValueError(f"report language must be one of {list(LANGUAGES)}, got {language!r}")
    path = resources.files("nps_toolkit") / "locales" / f"{language}.yml"
    # the toolkit's one strict reader: a catalogue is plain data, never code
    return _flatten(load_strict(path.read_text(encoding="utf-8"), f"locales/{language}.yml"))


def _missing(x) -> bool:
    try:
        return x is None or bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


class Texts:
    """The texts and number formats of one language.

    >>> t = Texts("fi")
    >>> t.number(1234.5, 1), t.signed(-6.2), t.pct(64.94), t.date("2025-03-01")
    ('1\\xa0234,5', '-6', '64,9\\xa0%', '1.3.2025')
    >>> en = Texts("en")
    >>> en("findings.shares").format(promoters=en.pct(60), passives=en.pct(20),
    ...                              detractors=en.pct(20), n=en.number(1000))
    'Promoters 60.0 %, passives 20.0 %, detractors 20.0 % of 1,000 answers.'
    """

    def __init__(self, language: str = "en"):
        self.language = language
        self.texts = catalogue(language)
        self.locale = self.texts["meta.locale"]

    def __repr__(self) -> str:
        return f"Texts({self.language!r})"

    # --- look-up -------------------------------------------------------------

    def __call__(self, key: str) -> str:
        """The raw text of ``key``; a missing key is an error naming it and the language."""
        try:
            return self.texts[key]
        except KeyError:
            raise KeyError(f"no text {key!r} in the {self.language!r} catalogue") from None

    def get(self, key: str, default=None):
        return self.texts.get(key, default)

    def label(self, group: str, name, default=None) -> str:
        """``group.name`` when the catalogue has it, else ``default`` (or the name itself)."""
        text = self.texts.get(f"{group}.{name}")
        if text is not None:
            return text
        return str(name) if default is None else default

    # --- numbers and dates ---------------------------------------------------

    def number(self, x, digits: int = 0) -> str:
        """A number with ``digits`` decimals, grouped thousands; missing as "–"."""
        from babel.numbers import format_decimal

        if _missing(x):
            return "\u2013"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(float(x), pattern, locale=self.locale)

    def signed(self, x, digits: int = 0) -> str:
        """A difference: always with its sign (+6, -3); zero after rounding as 0."""
        from babel.numbers import format_decimal

        if _missing(x):
            return "\u2013"
        if round(float(x), digits) == 0:
            return self.number(0, digits)
        body = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(float(x), f"+{body};-{body}", locale=self.locale)

    def pct(self, x, digits: int = 1) -> str:
        """A share already in percent (64.9 -> "64.9 %", Finnish "64,9 %")."""
        if _missing(x):
            return "\u2013"
        return self.number(x, digits) + self("meta.percent_suffix")

    def level(self, confidence_level: float) -> str:
        """A confidence level as a reader sees it (0.95 -> "95 %")."""
        return self.pct(
            100 * confidence_level, 0 if round(100 * confidence_level, 6) % 1 == 0 else 1
        )

    def p(self, p) -> str:
        """A p-value: three decimals, or "< 0.001"."""
        if _missing(p):
            return "\u2013"
        if p < 0.001:
            return "< " + self.number(0.001, 3)
        return self.number(p, 3)

    def p_text(self, p) -> str:
        """A p-value in a sentence: "p = 0.012", or "p < 0.001" (never "p = < 0.001").

        >>> Texts("en").p_text(0.0123), Texts("fi").p_text(0.00001)
        ('p = 0.012', 'p < 0,001')
        """
        if _missing(p):
            return "p = \u2013"
        if p < 0.001:
            return "p " + self.p(p)
        return "p = " + self.p(p)

    def date(self, value) -> str:
        """A date in the locale's medium form (English "Mar 1, 2025", Finnish "1.3.2025")."""
        from babel.dates import format_date

        if _missing(value):
            return "\u2013"
        d = pd.Timestamp(value)
        return format_date(_dt.date(d.year, d.month, d.day), "medium", locale=self.locale)

    def join(self, items) -> str:
        """Items as a list in words: "a, b and c"."""
        items = [str(i) for i in items]
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + self("meta.and") + items[-1]
