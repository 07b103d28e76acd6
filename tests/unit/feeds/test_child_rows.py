"""Rows kept by their own key for an owner (feeds/child_rows.py): a moved row leaves its old
owner, the newer of two rows for one scope counts, and bad ids or integers are named."""

from __future__ import annotations

from typing import Any

import pytest

from feeds.change import MalformedRow
from feeds.child_rows import fold_keyed, newest_by_scope, row_id, row_int
from tests.unit.feeds.test_products import change

TABLE = "downloadable_link_title"


def _held(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "owner": row_id(row, "link_id", TABLE), "store_id": str(row["store_id"])}


def test_a_row_moved_to_another_owner_leaves_the_first_and_the_newer_row_counts() -> None:
    first = {"title_id": 1, "link_id": 7, "store_id": 0, "title": "Old"}
    rows = fold_keyed({}, change(TABLE, "c", after=first), "title_id", _held)
    rows = fold_keyed(rows, change(TABLE, "c", after={**first, "title_id": 3}), "title_id", _held)
    title = {"title_id": 2, "link_id": 8, "store_id": 0, "title": "Moved"}
    rows = fold_keyed(rows, change(TABLE, "c", after=title), "title_id", _held)
    moved = change(TABLE, "u", before=title, after={**title, "link_id": 7, "store_id": 1})
    rows = fold_keyed(rows, moved, "title_id", _held)
    assert sorted(rows) == ["1", "2", "3"]
    assert newest_by_scope(rows, "7", "store_id", lambda r: r["title_id"]) == {"0": 3, "1": 2}
    assert newest_by_scope(rows, "8", "store_id", lambda r: r["title"]) == {}
    gone = fold_keyed(rows, change(TABLE, "d", before=first), "title_id", _held)
    assert sorted(gone) == ["2", "3"]


def test_bad_ids_and_integers_are_malformed_rows_naming_table_and_column() -> None:
    assert (row_id({"link_id": "12"}, "link_id", TABLE), row_int({}, "n", TABLE)) == ("12", None)
    with pytest.raises(MalformedRow, match=f"{TABLE} row without link_id"):
        row_id({"link_id": None}, "link_id", TABLE)
    for bad in (True, 1.5, "ten"):
        with pytest.raises(MalformedRow, match="not an id"):
            row_id({"link_id": bad}, "link_id", TABLE)
    with pytest.raises(MalformedRow, match="sort_order is '3', not an integer"):
        row_int({"sort_order": "3"}, "sort_order", TABLE)
