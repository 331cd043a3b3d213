"""The strict YAML reader, kept under its old name: see ``nps_toolkit._yaml``."""

from .._yaml import StrictLoader, load_strict, read_strict

__all__ = ["StrictLoader", "load_strict", "read_strict"]
