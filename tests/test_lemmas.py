"""The lemma index: the file format, and equality with simplemma's own look-ups."""

from __future__ import annotations

import lzma

import numpy as np
import pytest

from nps_toolkit import _lemmas

SEED_SAMPLE = 20261201


def small_entries() -> dict:
    """Enough entries for several blocks; runs of one lemma; a key that is a prefix of another."""
    entries = {}
    for i in range(3 * _lemmas.BLOCK + 7):
        stem = f"sana{i:03d}"
        entries[stem] = stem
        entries[stem + "ssa"] = stem  # same lemma as the entry before it
        entries[stem + "lla"] = stem
    entries["öljy"] = "öljy"
    entries["öljyssä"] = "öljy"
    entries["aa"] = "a"
    entries["longer-than-its-lemma"] = "x"
    return entries


def read_back(path) -> _lemmas.LemmaIndex:
    return _lemmas.LemmaIndex(lzma.decompress(path.read_bytes()))


def test_index_file_round_trip(tmp_path):
    entries = small_entries()
    head = _lemmas.write_index(entries, tmp_path / "xx.xz", lang="xx", source_sha256="abc")
    assert head["count"] == len(entries) and head["blocks"] > 3
    index = read_back(tmp_path / "xx.xz")
    assert index.header["source_sha256"] == "abc"
    assert len(index) == len(entries)
    assert dict(index.entries()) == entries
    assert list(index) == sorted(entries, key=str.encode)
    # every key by look-up (block heads, middles, ends), and its value
    for key, value in entries.items():
        assert index.get(key) == value, key
        assert index[key] == value and key in index
    # keys that are not there: before the first, between, after the last, prefixes
    for missing in ("", "a", "sana", "sana000s", "sana0001", "sana999", "zzz", "öljyt", "ö"):
        assert index.get(missing) is None, missing
        assert missing not in index
    with pytest.raises(KeyError):
        index["sana"]
    assert index.get(3) is None


def test_index_rejects_what_it_cannot_store(tmp_path):
    with pytest.raises(ValueError, match="tab or a newline"):
        _lemmas.write_index({"a\tb": "a"}, tmp_path / "x.xz", lang="xx")
    with pytest.raises(ValueError, match="longer than"):
        _lemmas.write_index({"k" * 300: "x"}, tmp_path / "x.xz", lang="xx")
    (tmp_path / "bad.xz").write_bytes(lzma.compress(b"something else"))
    with pytest.raises(ValueError, match="not a lemma index"):
        read_back(tmp_path / "bad.xz")


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_shipped_index_is_built_from_the_installed_simplemma(lang):
    assert lang in _lemmas.index_languages()
    assert _lemmas.backend(lang) == "index", (
        f"lexicons/lemmas/{lang}.xz was built from another simplemma dictionary; "
        "rebuild it: python -m nps_toolkit._build_lemma_index"
    )


def sample_words(lang: str, k: int) -> list[str]:
    """Dictionary keys drawn at random, and spellings simplemma does not know."""
    index = _lemmas._DICTIONARIES.get_dictionary(lang)
    rng = np.random.default_rng(SEED_SAMPLE)
    picked = set(rng.choice(len(index), size=k, replace=False).tolist())
    keys = [key for i, key in enumerate(index) if i in picked]
    unknown = [w + "ksemme" for w in keys[: k // 4]] + [
        w[:-1] for w in keys[: k // 4] if len(w) > 3
    ]
    return keys + unknown + [w.capitalize() for w in keys[: k // 10]]


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_lemmas_equal_simplemma(lang):
    import simplemma
    from simplemma.strategies import DefaultStrategy

    words = sample_words(lang, 2000)
    strategy = DefaultStrategy(low_memory=True)
    _lemmas.clear_caches()
    for w in words:
        assert _lemmas.lemmatize(w, lang) == simplemma.lemmatize(w, lang, low_memory=True), w
        assert _lemmas.is_known(w, lang) == simplemma.is_known(w, lang, low_memory=True), w
        assert _lemmas.get_lemma(w, lang) == strategy.get_lemma(w, lang), w


def test_other_languages_use_simplemma():
    import simplemma

    assert _lemmas.backend("sv") == "simplemma"
    assert _lemmas.lemmatize("bilarna", "sv") == simplemma.lemmatize("bilarna", "sv")
