"""Write the lemma index files ``lexicons/lemmas/<lang>.xz`` from the installed simplemma.

Run by hand after upgrading simplemma (a test fails when the shipped files no
longer match its dictionaries)::

    .venv/bin/python -m nps_toolkit._build_lemma_index          # fi and en
    .venv/bin/python -m nps_toolkit._build_lemma_index fi

Every entry of simplemma's dictionary is written, then read back and compared
entry by entry, so the index gives exactly simplemma's look-ups.
"""

from __future__ import annotations

import lzma
import sys
import time
from importlib import metadata
from pathlib import Path

from ._lemmas import INDEX_DIR, LemmaIndex, source_sha256, write_index

LANGUAGES = ("fi", "en")  # the languages of the default theme lexicon


def build(lang: str, folder: Path) -> Path:
    from simplemma.strategies import DefaultDictionaryFactory

    start = time.perf_counter()
    entries = dict(DefaultDictionaryFactory().get_dictionary(lang).items())
    path = folder / f"{lang}.xz"
    write_index(
        entries,
        path,
        lang=lang,
        source_sha256=source_sha256(lang),
        simplemma=metadata.version("simplemma"),
    )
    index = LemmaIndex(lzma.decompress(path.read_bytes()))
    if len(index) != len(entries) or dict(index.entries()) != entries:
        raise SystemExit(f"{lang}: the index read back differs from simplemma's dictionary")
    print(
        f"{lang}: {len(entries):,} entries, {path.stat().st_size / 1e6:.2f} MB, "
        f"{time.perf_counter() - start:.0f} s"
    )
    return path


def main(argv=None) -> None:
    langs = (argv if argv is not None else sys.argv[1:]) or LANGUAGES
    folder = Path(__file__).parent / INDEX_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for lang in langs:
        build(lang, folder)


if __name__ == "__main__":
    main()
