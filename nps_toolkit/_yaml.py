"""The one YAML reader of the toolkit: plain values, lists and mappings only.

Every YAML file the toolkit reads (``surveys.yml``, ``columns:`` mappings and
load options, theme and sentiment lexicons, the report's text catalogues)
goes through ``load_strict``.

``yaml.safe_load`` still builds sets (``!!set``), bytes (``!!binary``),
timestamps and ordered pairs, follows aliases (``*name``, the
exponential "billion laughs" documents) and lets a repeated key silently
win.  A survey config needs none of that, and every extra type is one more
way for a value to reach the report notebook in a form nobody checked.
``StrictLoader`` refuses them with the line they are on.
"""

from __future__ import annotations

import yaml

_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"


EXCERPT = 40  # characters of a value an error message quotes at most


def _short(tag: str) -> str:
    tag = tag.replace("tag:yaml.org,2002:", "!!")
    return tag if len(tag) <= EXCERPT else tag[: EXCERPT - 3] + "..."


def excerpt(value, limit: int = EXCERPT) -> str:
    """``repr(value)`` cut to ``limit`` characters: errors never echo a whole file.

    >>> excerpt("x" * 100)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."
    >>> excerpt("short")
    "'short'"
    """
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class StrictLoader(yaml.SafeLoader):
    """SafeLoader without tags, aliases, merge keys, timestamps or duplicate keys."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                f"alias *{excerpt(event.anchor)[1:-1]} is not allowed (write the value, or use 'defaults:')",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_object(self, node, deep=False):
        if node.tag not in _PLAIN_TAGS:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"YAML tag {_short(node.tag)!r} is not allowed: only plain values "
                "(text, numbers, true/false, null), lists and mappings",
                node.start_mark,
            )
        return super().construct_object(node, deep=deep)

    def construct_yaml_int(self, node):
        try:
            value = super().construct_yaml_int(node)
        except ValueError:  # more digits than Python converts
            value = None
        if value is None or abs(value) >= 2**63:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"the number {_cut(node.value)} is out of range (a whole number of at most 18 "
                "digits)",
                node.start_mark,
            )
        return value

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                raise yaml.constructor.ConstructorError(
                    None, None, "merge keys (<<) are not allowed", key_node.start_mark
                )
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"a key must be a plain value, got {excerpt(key)}",
                    key_node.start_mark,
                ) from None
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {excerpt(key)} (first at line {first})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


StrictLoader.add_constructor("tag:yaml.org,2002:int", StrictLoader.construct_yaml_int)


def _cut(text: str) -> str:
    return text if len(text) <= 20 else text[:17] + "..."


# dates stay text (``2025-01-31``): the loader and the filter read them, not YAML
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_strict(text: str, source: str):
    """Parse ``text``; ``ValueError`` naming ``source`` and the line for anything refused.

    >>> load_strict("a: [1, x]", "f.yml")
    {'a': [1, 'x']}
    >>> load_strict("a: &x [1]\\nb: *x", "f.yml")
    Traceback (most recent call last):
    ...
    ValueError: f.yml, line 2: alias *x is not allowed (write the value, or use 'defaults:')
    """
    try:
        return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}, line {mark.line + 1}" if mark is not None else source
        problem = exc.problem or exc.context or "not valid YAML"
        if exc.context and exc.problem and not isinstance(exc, yaml.constructor.ConstructorError):
            problem = f"{exc.context}: {exc.problem}"
        raise ValueError(f"{where}: {problem}") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{source}: not valid YAML ({type(exc).__name__})") from None
    except RecursionError:
        raise ValueError(f"{source}: lists or mappings nested too deeply") from None


def read_strict(path, source: str | None = None):
    """Read a UTF-8 YAML file with ``load_strict``; errors name ``source`` (default: the path)."""
    from pathlib import Path

    source = str(path) if source is None else source
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(
            f"{source}: not UTF-8 text (line {line}, byte {exc.start + 1}); save it as UTF-8"
        ) from None
    return load_strict(text, source)
