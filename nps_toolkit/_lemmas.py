"""Lemmatisation for the text modules: simplemma's rules over a lemma index that opens fast.

Every lemma comes from simplemma (``DefaultStrategy``: dictionary look-up,
then its clitic, hyphen, rule, prefix, affix and morpheme strategies), so the
results are simplemma's own.  Only where its dictionary comes from differs.
simplemma keeps a language's dictionary as one compressed front-coded stream
that it decodes entry by entry before the first word can be looked up: for
Finnish, 3.5 million entries and 1.5-3 s (several seconds on a busy machine),
paid in every new process, that is in every report kernel.  Here the same
entries are stored, for the languages of the default theme lexicon (Finnish
and English), in ``lexicons/lemmas/<lang>.xz``: sorted, front-coded in blocks
of ``BLOCK`` entries whose first entry is written out in full, with a table of
block offsets.  Opening one is a single decompression (about 0.1 s for
Finnish) and a look-up a binary search over the block heads plus a short scan,
so only the words a text contains are ever decoded.  This reader is
hand-written because simplemma has no format that opens without a full pass;
``_build_lemma_index.py`` writes the files from simplemma's installed
dictionaries.

Each file records the SHA-256 of the simplemma dictionary it was built from.
When the installed simplemma's dictionary differs (another version), or for
any other language, simplemma's own dictionary is used: slower to open, the
same results.

Functions (each cached per token):

``lemmatize(token, lang)``
    ``simplemma.lemmatize(token, lang)``.
``lemma(token, lang)``
    the lemma in lower case.
``get_lemma(token, lang)``
    simplemma's lemma, or None when none of its strategies recognises the
    token (its language-detection test).
``is_known(token, lang)``
    ``simplemma.is_known(token, lang)``: the token is a dictionary entry.
"""

from __future__ import annotations

import hashlib
import json
import lzma
import sys
from collections.abc import Iterator, Mapping
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from pathlib import Path

__all__ = [
    "lemmatize",
    "lemma",
    "get_lemma",
    "is_known",
    "backend",
    "LemmaIndex",
    "write_index",
    "index_languages",
]

MAGIC = b"NPSLEMMA1\n"
BLOCK = 64  # entries per block: a look-up decodes at most this many
_SAME = 254  # trim byte of an entry whose lemma is the previous entry's
INDEX_DIR = "lexicons/lemmas"


# ---------------------------------------------------------------------------
# the index file
# ---------------------------------------------------------------------------
#
# Layout (all of it one xz stream):
#   MAGIC, one line of JSON (lang, count, blocks, block, source_sha256,
#   simplemma), per block the uint16 little-endian length in bytes of the
#   block before it (0 for the first), the records.
# A record is: one byte, the length of the prefix shared with the previous
# key in its block (0 for a block's first key); the rest of the key (UTF-8);
# a tab; one byte, how many bytes to cut off the end of the key (_SAME: the
# lemma is the previous entry's), the text to append to give the lemma; a
# newline.  Keys and lemmas hold no tab or newline (checked when writing); the
# two length bytes are read by position.


def _shared(a: bytes, b: bytes) -> int:
    n = min(len(a), len(b), 255)
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def write_index(entries: Mapping[str, str], path, *, lang: str, **header) -> dict:
    """Write ``entries`` (token -> lemma) as a lemma index file; returns its header."""
    items = sorted((k.encode(), v.encode()) for k, v in entries.items())
    offsets, out = [], bytearray()
    prev = prev_value = b""
    for i, (key, value) in enumerate(items):
        if b"\t" in key or b"\n" in key or b"\t" in value or b"\n" in value:
            raise ValueError(f"{lang}: entry {key!r} -> {value!r} holds a tab or a newline")
        if i % BLOCK == 0:
            offsets.append(len(out))
            shared, prev_value = 0, None
        else:
            shared = _shared(prev, key)
        if value == prev_value:
            tail = bytes([_SAME])
        else:
            keep = _shared(key, value)
            if len(key) - keep >= _SAME:
                raise ValueError(f"{lang}: entry {key!r} is longer than {_SAME - 1} bytes")
            tail = bytes([len(key) - keep]) + value[keep:]
        out += bytes([shared]) + key[shared:] + b"\t" + tail + b"\n"
        prev, prev_value = key, value
    head = {"lang": lang, "count": len(items), "blocks": len(offsets), "block": BLOCK, **header}
    sizes = [b - a for a, b in zip([0, *offsets], offsets, strict=False)]
    if max(sizes, default=0) > 0xFFFF:
        raise ValueError(f"{lang}: a block of {BLOCK} entries is longer than 64 KiB")
    table = b"".join(size.to_bytes(2, "little") for size in sizes)
    blob = MAGIC + json.dumps(head, sort_keys=True).encode() + b"\n" + table + bytes(out)
    Path(path).write_bytes(lzma.compress(blob, preset=9 | lzma.PRESET_EXTREME))
    return head


class LemmaIndex(Mapping):
    """Read-only ``token -> lemma`` mapping over one decompressed index file."""

    def __init__(self, blob: bytes):
        if not blob.startswith(MAGIC):
            raise ValueError("not a lemma index file")
        end = blob.index(b"\n", len(MAGIC))
        self.header = json.loads(blob[len(MAGIC) : end])
        n = self.header["blocks"]
        sizes = memoryview(blob)[end + 1 : end + 1 + 2 * n].cast("H").tolist()
        if sys.byteorder != "little":
            sizes = [((s & 0xFF) << 8) | (s >> 8) for s in sizes]
        self._offsets = list(accumulate(sizes))
        self._data = blob[end + 1 + 2 * n :]
        self._count = self.header["count"]

    def _head(self, block: int) -> bytes:
        start = self._offsets[block] + 1
        return self._data[start : self._data.index(b"\t", start)]

    def _lookup(self, target: bytes) -> bytes | None:
        lo, hi = 0, len(self._offsets)
        while lo < hi:  # the last block whose first key <= target
            mid = (lo + hi) // 2
            if self._head(mid) <= target:
                lo = mid + 1
            else:
                hi = mid
        if lo == 0:
            return None
        data, pos, prev = self._data, self._offsets[lo - 1], b""
        end = self._offsets[lo] if lo < len(self._offsets) else len(data)
        own = None  # (key, tab, newline) of the last entry with its own lemma
        while pos < end:
            tab = data.index(b"\t", pos + 1)
            key = prev[: data[pos]] + data[pos + 1 : tab]
            nl = data.index(b"\n", tab + 2)
            if data[tab + 1] != _SAME:
                own = key, tab, nl
            if key >= target:
                if key != target:
                    return None
                key, tab, nl = own
                return key[: len(key) - data[tab + 1]] + data[tab + 2 : nl]
            prev, pos = key, nl + 1
        return None

    def get(self, key, default=None):
        value = self._lookup(key.encode()) if isinstance(key, str) else None
        return default if value is None else value.decode()

    def __getitem__(self, key):
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key) -> bool:
        return self.get(key) is not None

    def __iter__(self) -> Iterator[str]:
        for key, _ in self.entries():
            yield key

    def entries(self) -> Iterator[tuple[str, str]]:
        """Every (token, lemma) in order, decoded in one pass."""
        data, pos, prev, value = self._data, 0, b"", b""
        while pos < len(data):
            tab = data.index(b"\t", pos + 1)
            key = prev[: data[pos]] + data[pos + 1 : tab]
            nl = data.index(b"\n", tab + 2)
            if data[tab + 1] != _SAME:
                value = key[: len(key) - data[tab + 1]] + data[tab + 2 : nl]
            yield key.decode(), value.decode()
            prev, pos = key, nl + 1

    def __len__(self) -> int:
        return self._count


def _simplemma_source(lang: str) -> Path | None:
    """The installed simplemma's dictionary file for ``lang`` (None if not found)."""
    try:
        from simplemma.strategies.dictionaries.dictionary_factory import DATA_FOLDER
    except ImportError:
        return None
    path = Path(DATA_FOLDER) / f"{lang}.plzma"
    return path if path.is_file() else None


def source_sha256(lang: str) -> str | None:
    """SHA-256 of the installed simplemma dictionary file for ``lang``."""
    path = _simplemma_source(lang)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path else None


def index_languages() -> tuple[str, ...]:
    """Languages with a shipped index file."""
    folder = resources.files("nps_toolkit").joinpath(INDEX_DIR)
    if not folder.is_dir():
        return ()
    return tuple(sorted(p.name[: -len(".xz")] for p in folder.iterdir() if p.name.endswith(".xz")))


def _open_index(lang: str) -> LemmaIndex | None:
    """The shipped index for ``lang`` if it was built from the installed simplemma's data."""
    if lang not in index_languages():
        return None
    path = resources.files("nps_toolkit").joinpath(f"{INDEX_DIR}/{lang}.xz")
    index = LemmaIndex(lzma.decompress(path.read_bytes()))
    if index.header.get("source_sha256") != source_sha256(lang):
        return None  # another simplemma version: its own dictionary gives its results
    return index


class _Dictionaries:
    """simplemma ``DictionaryFactory``: the shipped index where valid, else simplemma's."""

    def __init__(self):
        self._open = {}

    def get_dictionary(self, lang: str):
        found = self._open.get(lang)
        if found is None:
            found = _open_index(lang)
            if found is None:
                from simplemma.strategies import DEFAULT_DICTIONARY_FACTORY

                found = DEFAULT_DICTIONARY_FACTORY.get_dictionary(lang)
            self._open[lang] = found
        return found


_DICTIONARIES = _Dictionaries()


def backend(lang: str) -> str:
    """ "index" when ``lang`` is looked up in the shipped index, else "simplemma"."""
    return "index" if isinstance(_DICTIONARIES.get_dictionary(lang), LemmaIndex) else "simplemma"


# ---------------------------------------------------------------------------
# simplemma over those dictionaries
# ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _simplemma():
    """(Lemmatizer, DefaultStrategy, DictionaryLookupStrategy, normalize) over _DICTIONARIES."""
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy, DictionaryLookupStrategy
    from simplemma.utils import normalize_token

    strategy = DefaultStrategy(dictionary_factory=_DICTIONARIES)
    return (
        Lemmatizer(lemmatization_strategy=strategy, cache_max_size=0),
        strategy,
        DictionaryLookupStrategy(_DICTIONARIES),
        normalize_token,
    )


@lru_cache(maxsize=2**18)
def lemmatize(token: str, lang: str) -> str:
    """``simplemma.lemmatize(token, lang)`` (the token itself when nothing is found)."""
    return _simplemma()[0].lemmatize(token, lang)


@lru_cache(maxsize=2**18)
def lemma(token: str, lang: str) -> str:
    """The lemma of ``token`` in lower case.

    >>> lemma("viestinnässä", "fi"), lemma("Explained", "en")
    ('viestintä', 'explain')
    """
    return lemmatize(token, lang).lower()


@lru_cache(maxsize=2**18)
def get_lemma(token: str, lang: str) -> str | None:
    """simplemma's lemma of ``token``, or None when it does not recognise the token."""
    return _simplemma()[1].get_lemma(token, lang)


@lru_cache(maxsize=2**18)
def is_known(token: str, lang: str) -> bool:
    """``simplemma.is_known(token, lang)``: is the token in ``lang``'s dictionary?

    >>> is_known("palvelussa", "fi"), is_known("asiakaspalvelussa", "fi")
    (True, False)
    """
    _, _, lookup, normalize = _simplemma()
    return lookup.get_lemma(normalize(token), lang) is not None


def clear_caches() -> None:
    """Forget every cached look-up (the open dictionaries stay open)."""
    for fn in (lemmatize, lemma, get_lemma, is_known):
        fn.cache_clear()
