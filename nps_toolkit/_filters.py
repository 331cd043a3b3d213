"""Row filters: a small expression language, parsed and checked before use.

A filter selects the rows a report or a follow-up list is about.  It is
either a mapping ``{column: value or [values]}`` (rows where every column
holds one of its values) or an expression such as::

    wave == 7 and region in ["North", "South"]
    not (tenure == 'at-risk') or `support channel` != null
    responded_at >= "2025-01-01" and recommend <= 6

The language holds column names (bare identifiers, or any text between
backquotes), literals (numbers, strings in single or double quotes,
``true``/``false``/``True``/``False``, ``null``/``None``, lists of those),
the comparisons ``== != < <= > >= in not in``, ``and or not`` and
parentheses.  Nothing else is accepted: no ``@`` names, attributes,
calls, subscripts, arithmetic or lambdas.  A filter comes from an
untrusted file, so it is never handed to ``DataFrame.query``/``eval``
(which resolve ``@name`` and calls in the caller's namespace): it is parsed
here into a small tree and evaluated by building the boolean mask from
pandas Series operations.

The parser is hand-written (recursive descent over a regex tokenizer):
Python's ``ast`` would accept far more than this language and has no
backquoted names, and pandas' own expression parser is the namespace-
resolving evaluator this module replaces.  Errors name where the filter
came from (``where``), the offending part and its position.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass

import pandas as pd

__all__ = ["Filter", "FilterError", "closest", "parse_filter"]


class FilterError(ValueError):
    """A filter that cannot be parsed or evaluated; the message says where and why."""


def closest(name: str, names) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``names``, else the list of names."""
    names = [str(n) for n in names]
    match = difflib.get_close_matches(str(name), names, n=1, cutoff=0.6)
    if match:
        return f"; did you mean {match[0]!r}?"
    shown = names[:20] + (["..."] if len(names) > 20 else [])
    return f"; columns are {shown}"


# --- the tree ------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    name: str
    pos: int


@dataclass(frozen=True)
class _Const:
    value: object  # str, int, float, bool, None, or a tuple of those (a list literal)
    pos: int


@dataclass(frozen=True)
class _Compare:
    op: str  # == != < <= > >= in "not in"
    left: object
    right: object
    pos: int


@dataclass(frozen=True)
class _BoolOp:
    op: str  # and / or
    items: tuple


@dataclass(frozen=True)
class _Not:
    item: object
    pos: int


# --- tokens --------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<backquoted>`[^`]+`)
  | (?P<name>[^\W\d]\w*)
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
    """,
    re.VERBOSE,
)
_WORDS = {"and", "or", "not", "in"}
_CONSTANTS = {"true": True, "True": True, "false": False, "False": False, "null": None}
_CONSTANTS["None"] = None
_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=", "in", "not in")
# what people write out of habit from pandas or Python, and what to write instead
_HINTS = {
    "&": "write 'and'",
    "|": "write 'or'",
    "~": "write 'not'",
    "@": "variables (@name) are not allowed; write the value itself",
    "=": "compare with '=='",
    ".": "attributes and methods are not allowed",
    "+": "arithmetic is not allowed",
    "-": "arithmetic is not allowed",
    "*": "arithmetic is not allowed",
    "/": "arithmetic is not allowed",
    "%": "arithmetic is not allowed",
    "{": "write a list as [a, b]",
    "'": "a string that is not closed",
    '"': "a string that is not closed",
}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"'}


def _unescape(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), body)


def _tokenize(text: str, where: str) -> list[tuple[str, object, int]]:
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            char = text[pos]
            hint = _HINTS.get(char, "not part of the filter language")
            raise FilterError(f"{where}: {char!r} at position {pos + 1} ({hint}): {text!r}")
        kind, raw = m.lastgroup, m.group()
        if kind == "number":
            value = float(raw) if any(c in raw for c in ".eE") else int(raw)
            tokens.append(("const", value, pos))
        elif kind == "string":
            tokens.append(("const", _unescape(raw[1:-1]), pos))
        elif kind == "backquoted":
            tokens.append(("column", raw[1:-1], pos))
        elif kind == "name":
            if raw in _WORDS:
                tokens.append(("word", raw, pos))
            elif raw in _CONSTANTS:
                tokens.append(("const", _CONSTANTS[raw], pos))
            else:
                tokens.append(("column", raw, pos))
        elif kind == "op":
            tokens.append(("op", raw, pos))
        pos = m.end()
    tokens.append(("end", None, len(text)))
    return tokens


# --- the parser ----------------------------------------------------------------

MAX_LENGTH = 10_000  # characters
MAX_DEPTH = 50  # nesting; far beyond any real filter, far inside Python's recursion limit


class _Parser:
    """``expr := or; or := and ('or' and)*; and := not ('and' not)*;
    not := 'not' not | cmp; cmp := atom (op atom)*; atom := column | literal | list | (expr)``"""

    def __init__(self, text: str, where: str):
        self.text, self.where = text, where
        self.tokens = _tokenize(text, where)
        self.i = self.depth = 0

    def peek(self, offset=0):
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def next(self):
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def fail(self, message: str, pos: int):
        part = self.text[pos : pos + 20] or "the end"
        raise FilterError(
            f"{self.where}: {message} at position {pos + 1} ({part!r}): {self.text!r}"
        )

    def is_(self, kind, value=None, offset=0):
        tok = self.peek(offset)
        return tok[0] == kind and (value is None or tok[1] == value)

    def parse(self):
        if self.is_("end"):
            self.fail("empty filter", 0)
        node = self.or_()
        if not self.is_("end"):
            kind, value, pos = self.peek()
            if kind == "op" and value == "(":
                self.fail("calls are not allowed", pos)
            if kind == "op" and value == "[":
                self.fail("subscripts are not allowed", pos)
            self.fail("unexpected text", pos)
        return node

    def or_(self):
        items = [self.and_()]
        while self.is_("word", "or"):
            self.next()
            items.append(self.and_())
        return items[0] if len(items) == 1 else _BoolOp("or", tuple(items))

    def and_(self):
        items = [self.not_()]
        while self.is_("word", "and"):
            self.next()
            items.append(self.not_())
        return items[0] if len(items) == 1 else _BoolOp("and", tuple(items))

    def deeper(self, pos):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"more than {MAX_DEPTH} nested parentheses or 'not's", pos)

    def not_(self):
        if self.is_("word", "not"):
            _, _, pos = self.next()
            self.deeper(pos)
            node = _Not(self.not_(), pos)
            self.depth -= 1
            return node
        return self.comparison()

    def comparison_op(self):
        if self.is_("op") and self.peek()[1] in _COMPARISONS:
            return self.next()[1]
        if self.is_("word", "in"):
            self.next()
            return "in"
        if self.is_("word", "not") and self.is_("word", "in", offset=1):
            self.next(), self.next()
            return "not in"
        return None

    def comparison(self):
        left = self.atom()
        pairs = []
        while True:
            pos = self.peek()[2]
            op = self.comparison_op()
            if op is None:
                break
            right = self.atom()
            pairs.append(_Compare(op, left, right, pos))
            left = right
        if not pairs:
            return left
        # a < b < c means a < b and b < c, as in Python and pandas
        return pairs[0] if len(pairs) == 1 else _BoolOp("and", tuple(pairs))

    def atom(self):
        kind, value, pos = self.next()
        if kind == "column":
            if self.is_("op", "("):
                self.fail("calls are not allowed", self.peek()[2])
            return _Column(value, pos)
        if kind == "const":
            return _Const(value, pos)
        if kind == "op" and value == "(":
            self.deeper(pos)
            node = self.or_()
            if not self.is_("op", ")"):
                self.fail("expected ')'", self.peek()[2])
            self.next()
            self.depth -= 1
            return node
        if kind == "op" and value == "[":
            return self.list_(pos)
        if kind == "end":
            self.fail("the filter ends too early", pos)
        self.fail(f"unexpected {value!r}", pos)

    def list_(self, start):
        values = []
        while not self.is_("op", "]"):
            kind, value, pos = self.next()
            if kind != "const" or isinstance(value, tuple):
                self.fail("a list holds only numbers, strings, booleans and null", pos)
            values.append(value)
            if self.is_("op", ","):
                self.next()
            elif not self.is_("op", "]"):
                self.fail("expected ',' or ']' in the list", self.peek()[2])
        self.next()
        return _Const(tuple(values), start)


# --- the dict form -------------------------------------------------------------

_SCALARS = (str, int, float, bool, type(None))


def _from_mapping(mapping: dict, where: str):
    if not mapping:
        raise FilterError(f"{where}: an empty mapping selects nothing; leave the filter out")
    items = []
    for column, value in mapping.items():
        if not isinstance(column, str) or not column:
            raise FilterError(f"{where}: filter column {column!r} must be a column name")
        values = list(value) if isinstance(value, list | tuple) else [value]
        bad = [v for v in values if not isinstance(v, _SCALARS)]
        if bad or not values:
            raise FilterError(
                f"{where}: filter column {column!r}: values must be numbers, strings, "
                f"booleans or null (or a non-empty list of them), got {value!r}"
            )
        items.append(_Compare("in", _Column(column, 0), _Const(tuple(values), 0), 0))
    return items[0] if len(items) == 1 else _BoolOp("and", tuple(items))


# --- checking and evaluating ---------------------------------------------------


def _columns(node) -> list[str]:
    if isinstance(node, _Column):
        return [node.name]
    if isinstance(node, _Compare):
        return _columns(node.left) + _columns(node.right)
    if isinstance(node, _BoolOp):
        return [c for item in node.items for c in _columns(item)]
    if isinstance(node, _Not):
        return _columns(node.item)
    return []


def _is_bool(node) -> bool:
    return isinstance(node, _Compare | _BoolOp | _Not)


@dataclass(frozen=True)
class Filter:
    """A parsed filter: ``columns`` it reads, ``mask(df)`` the rows it keeps."""

    source: object  # the text or mapping it was parsed from
    tree: object
    where: str = "filter"

    @property
    def columns(self) -> list[str]:
        """The columns the filter reads, in order of first use."""
        return list(dict.fromkeys(_columns(self.tree)))

    def check_columns(self, columns) -> None:
        """Raise ``FilterError`` naming the closest column for one not in ``columns``."""
        columns = list(columns)
        for name in self.columns:
            if name not in columns:
                raise FilterError(
                    f"{self.where}: column {name!r} is not in the data{closest(name, columns)}"
                )

    def mask(self, df: pd.DataFrame) -> pd.Series:
        """Boolean Series over ``df.index``: True for the rows the filter keeps."""
        self.check_columns(df.columns)
        out = self._eval(self.tree, df)
        if not isinstance(out, pd.Series):
            if isinstance(out, bool):
                return pd.Series(out, index=df.index)
            raise FilterError(f"{self.where}: {self.source!r} is not a condition")
        return self._as_condition(out, self.tree, df)

    # each node gives a Series (a column or a condition) or a constant
    def _eval(self, node, df):
        if isinstance(node, _Column):
            return df[node.name]
        if isinstance(node, _Const):
            return node.value
        if isinstance(node, _Not):
            return ~self._as_condition(self._eval(node.item, df), node.item, df)
        if isinstance(node, _BoolOp):
            parts = [self._as_condition(self._eval(n, df), n, df) for n in node.items]
            out = parts[0]
            for part in parts[1:]:
                out = (out & part) if node.op == "and" else (out | part)
            return out
        return self._compare(node, df)

    def _as_condition(self, value, node, df) -> pd.Series:
        if isinstance(value, bool):
            return pd.Series(value, index=df.index)
        if isinstance(value, pd.Series) and (_is_bool(node) or pd.api.types.is_bool_dtype(value)):
            return value.fillna(False).astype(bool)
        what = f"column {node.name!r}" if isinstance(node, _Column) else repr(value)
        raise FilterError(
            f"{self.where}: {what} is not a condition (true/false); compare it, "
            f"e.g. `{getattr(node, 'name', 'x')}` == ...: {self.source!r}"
        )

    def _compare(self, node: _Compare, df) -> pd.Series:
        left, right = self._eval(node.left, df), self._eval(node.right, df)
        if _is_bool(node.left) or _is_bool(node.right):
            raise FilterError(
                f"{self.where}: a condition cannot be compared; use parentheses "
                f"and 'and'/'or': {self.source!r}"
            )
        op = node.op
        if op in ("in", "not in"):
            if not isinstance(left, pd.Series) or not isinstance(right, tuple):
                raise FilterError(
                    f"{self.where}: '{op}' needs a column on the left and a list "
                    f"[a, b, ...] on the right: {self.source!r}"
                )
            values = [self._coerce(v, left, node) for v in right]
            keep = left.isin([v for v in values if v is not None])
            if any(v is None for v in values):
                keep = keep | left.isna()
            return ~keep if op == "not in" else keep
        if isinstance(left, tuple) or isinstance(right, tuple):
            raise FilterError(f"{self.where}: a list goes with 'in' or 'not in': {self.source!r}")
        if not isinstance(left, pd.Series) and not isinstance(right, pd.Series):
            raise FilterError(
                f"{self.where}: {left!r} {op} {right!r} compares two constants: {self.source!r}"
            )
        if not isinstance(left, pd.Series):  # constant on the left: flip the comparison
            left, right = right, left
            op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
        if not isinstance(right, pd.Series):
            right = self._coerce(right, left, node)
            if right is None:
                if op not in ("==", "!="):
                    raise FilterError(f"{self.where}: null can only be compared with == or !=")
                return left.isna() if op == "==" else left.notna()
        try:
            result = {
                "==": left.__eq__,
                "!=": left.__ne__,
                "<": left.__lt__,
                "<=": left.__le__,
                ">": left.__gt__,
                ">=": left.__ge__,
            }[op](right)
        except (TypeError, ValueError) as exc:
            raise FilterError(
                f"{self.where}: cannot compare column {left.name!r} ({left.dtype}) with "
                f"{op} {right!r}: {exc}"
            ) from None
        if op != "!=":
            result = result & left.notna()
        return result.fillna(False).astype(bool)

    def _coerce(self, value, column: pd.Series, node):
        """The literal as the column's kind of value; a clear error when it cannot be."""
        if value is None:
            return None
        if isinstance(value, float) and not math.isfinite(value):
            raise FilterError(f"{self.where}: {value!r} is not a finite number")
        dtype = column.dtype
        if pd.api.types.is_datetime64_any_dtype(dtype):
            if isinstance(value, bool) or not isinstance(value, str | int):
                raise FilterError(
                    f"{self.where}: column {column.name!r} holds dates; compare it with "
                    f'a date such as "2025-01-31", got {value!r}'
                )
            try:
                stamp = pd.Timestamp(str(value))
            except (TypeError, ValueError):
                raise FilterError(
                    f"{self.where}: {value!r} is not a date (column {column.name!r}); "
                    'write it as "2025-01-31"'
                ) from None
            tz = getattr(dtype, "tz", None)
            if tz is not None and stamp.tzinfo is None:
                stamp = stamp.tz_localize(tz)
            return stamp
        numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        if numeric and (isinstance(value, str) or isinstance(value, bool)):
            raise FilterError(
                f"{self.where}: column {column.name!r} holds numbers, but the filter "
                f"compares it with {value!r}"
            )
        text = pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)
        if text and not isinstance(value, str):
            sample = column.dropna()
            if len(sample) and all(isinstance(v, str) for v in sample.iloc[:100]):
                raise FilterError(
                    f"{self.where}: column {column.name!r} holds text, but the filter "
                    f"compares it with {value!r}; quote it: {str(value)!r}"
                )
        return value


def _check_tree(node, text: str, where: str, condition: bool = True) -> None:
    """Structural rules, checked at parse time so that a config fails on load."""

    def fail(message):
        raise FilterError(f"{where}: {message}: {text!r}")

    if isinstance(node, _BoolOp):
        for item in node.items:
            _check_tree(item, text, where)
    elif isinstance(node, _Not):
        _check_tree(node.item, text, where)
    elif isinstance(node, _Compare):
        left, right = node.left, node.right
        if _is_bool(left) or _is_bool(right):
            fail("a condition cannot be compared; use parentheses and 'and'/'or'")
        lists = [isinstance(n, _Const) and isinstance(n.value, tuple) for n in (left, right)]
        if node.op in ("in", "not in"):
            if not isinstance(left, _Column) or not lists[1]:
                fail(f"'{node.op}' needs a column on the left and a list [a, b, ...] on the right")
        elif any(lists):
            fail("a list goes with 'in' or 'not in'")
        elif isinstance(left, _Const) and isinstance(right, _Const):
            fail(f"{left.value!r} {node.op} {right.value!r} compares two constants")
    elif isinstance(node, _Const) and condition and not isinstance(node.value, bool):
        fail(f"{node.value!r} is not a condition")


def parse_filter(row_filter, *, where: str = "filter") -> Filter | None:
    """Parse a filter string or ``{column: value or [values]}`` mapping; None for no filter.

    ``where`` starts every error message (e.g. the config entry and key).

    >>> df = pd.DataFrame({"wave": [6, 7, 7], "region": ["N", "S", "N"]})
    >>> f = parse_filter("wave == 7 and region in ['N', 'E']")
    >>> f.columns, f.mask(df).tolist()
    (['wave', 'region'], [False, False, True])
    >>> parse_filter({"wave": [6, 7], "region": "N"}).mask(df).tolist()
    [True, False, True]
    >>> parse_filter("wave > 0 and @os.system('id') == 0")
    Traceback (most recent call last):
    ...
    nps_toolkit._filters.FilterError: filter: '@' at position 14 (variables (@name) are not \
allowed; write the value itself): "wave > 0 and @os.system('id') == 0"
    """
    if row_filter is None:
        return None
    if isinstance(row_filter, Filter):
        return row_filter
    if isinstance(row_filter, dict):
        if not row_filter:
            return None
        return Filter(row_filter, _from_mapping(row_filter, where), where)
    if isinstance(row_filter, str):
        if not row_filter.strip():
            return None
        if len(row_filter) > MAX_LENGTH:
            raise FilterError(f"{where}: a filter of {len(row_filter):,} characters is too long")
        tree = _Parser(row_filter, where).parse()
        _check_tree(tree, row_filter, where)
        return Filter(row_filter, tree, where)
    raise FilterError(
        f'{where}: a filter is an expression such as "wave == 7" or a mapping '
        f"{{column: value or [values]}}, got {row_filter!r}"
    )
