"""Spark Column helpers shared by ``backends`` and ``drivers`` (pyspark imported when called).

Column names reach Spark only through ``F.col`` with the name backquoted and
its backquotes doubled, never inside SQL text built from data.
"""

from __future__ import annotations


def column(name: str):
    """The column ``name`` (any characters: quotes, backquotes, dots) as a Spark Column."""
    from pyspark.sql import functions as F

    return F.col("`" + str(name).replace("`", "``") + "`")


def number(name: str):
    """The column ``name`` as DOUBLE, text that is not a number as NULL.

    ``try_cast``: Spark 4 runs in ANSI mode, where a plain cast of "ten" fails.
    """
    from pyspark.sql import functions as F

    return F.expr("try_cast(`" + str(name).replace("`", "``") + "` AS DOUBLE)")
