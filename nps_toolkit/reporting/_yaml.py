"""A strict YAML reader for ``surveys.yml``: plain values, lists and mappings only.

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


def _short(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


class StrictLoader(yaml.SafeLoader):
    """SafeLoader without tags, aliases, merge keys, timestamps or duplicate keys."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                f"alias *{event.anchor} is not allowed (write the value, or use 'defaults:')",
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
                    None, None, f"a key must be a plain value, got {key!r}", key_node.start_mark
                ) from None
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first at line {first})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


# dates stay text (``2025-01-31``): the loader and the filter read them, not YAML
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_strict(text: str, source: str):
    """Parse ``text``; ``ValueError`` naming ``source`` and the line for anything refused."""
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
        raise ValueError(f"{source}: not valid YAML: {exc}") from None
    except RecursionError:
        raise ValueError(f"{source}: lists or mappings nested too deeply") from None
