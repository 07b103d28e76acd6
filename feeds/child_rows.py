"""The rows a child entity keeps by their own key: titles per store view, prices per store
view or website, that name only their owner (a custom option, an option's value, a
downloadable link).

Such a row is kept under its own primary key with the owner it names, and read only for
the entity's own id: a row moved to another owner (an update of its owner column) reaches
both entities, and leaves the old one as it joins the new. Ids and integer columns are
checked when a row is folded (a ``MalformedRow`` naming the table, column and value): a
value that failed only when the product is built would fail every later build of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from feeds.change import MalformedRow, RowChange

__all__ = ["fold_keyed", "newest_by_scope", "row_id", "row_int"]


def row_id(row: Mapping[str, Any], column: str, table: str) -> str:
    """An id column of a row, as text; a ``MalformedRow`` naming it when it is missing or
    not an integer."""
    value = row.get(column)
    if value is None:
        raise MalformedRow(
            f"{table} row without {column}: {row!r}",
            hint=f"the connector must capture {table} with every column (binlog_row_image=FULL)",
        )
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise MalformedRow(f"{table} row's {column} is {value!r}, not an id")
    try:
        return str(int(value))
    except ValueError:
        raise MalformedRow(f"{table} row's {column} is {value!r}, not an id") from None


def row_int(row: Mapping[str, Any], column: str, table: str) -> int | None:
    """An integer column as an int (None when NULL)."""
    value = row.get(column)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise MalformedRow(
        f"{table} row's {column} is {value!r}, not an integer",
        hint="the column's type may have changed; check the table's schema",
    )


def fold_keyed(
    rows: Mapping[str, dict[str, Any]],
    change: RowChange,
    key_column: str,
    held: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """``rows`` (primary key → what is held of the row) with ``change`` folded in: the old
    image's key dropped, the new image's key set to ``held(row)``."""
    folded = dict(rows)
    if change.before is not None:
        folded.pop(row_id(change.before, key_column, change.table), None)
    if change.after is not None:
        folded[row_id(change.after, key_column, change.table)] = held(change.after)
    return folded


def newest_by_scope(
    rows: Mapping[str, dict[str, Any]],
    owner: str,
    scope: str,
    value: Callable[[dict[str, Any]], Any],
) -> dict[str, Any]:
    """``row[scope]`` → ``value(row)`` of the rows held for ``owner``; of two rows for one
    scope (a moment between a row's delete and its replacement's insert, read in another
    order; or a table without a unique key there), the newer row's (the higher key)."""
    found: dict[str, Any] = {}
    for key in sorted(rows, key=int):
        row = rows[key]
        if row["owner"] == owner:
            found[row[scope]] = value(row)
    return found
