"""The reference table keeps the newest write of each key, whatever order writes arrive in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from streams.sequenced import SequencedView, newest_writes, sequenced


@dataclass
class Record:
    key: str
    value: Any


def apply(held: dict[str, Any], *records: Record) -> dict[str, Any]:
    for record in newest_writes(records, held):
        held[record.key] = record.value
    return held


def test_a_late_write_of_an_older_row_does_not_put_its_value_back() -> None:
    # The new owner re-applied rows 5 and 6; the old owner's write of row 5 lands last.
    held = apply({}, Record("option:7", sequenced(5, "a")), Record("option:7", sequenced(6, "b")))
    apply(held, Record("option:7", sequenced(5, "a")))
    assert SequencedView(held)["option:7"] == "b"


def test_older_writes_within_one_batch_lose_too() -> None:
    held = apply({}, Record("k", sequenced(9, "new")), Record("k", sequenced(3, "old")))
    assert SequencedView(held)["k"] == "new"


def test_the_same_write_again_and_newer_ones_apply() -> None:
    held = apply({}, Record("k", sequenced(4, "x")))
    apply(held, Record("k", sequenced(4, "x")), Record("k", sequenced(8, "y")))
    assert SequencedView(held)["k"] == "y"


def test_a_deletion_is_ordered_and_reads_as_absent() -> None:
    held = apply({}, Record("k", sequenced(2, "x")), Record("k", sequenced(3, None)))
    view = SequencedView(held)
    assert "k" not in view
    assert view.get("k", "default") == "default"
    assert list(view) == []
    with pytest.raises(KeyError):
        view["k"]
    apply(held, Record("k", sequenced(2, "x")))  # the echo of the write before it
    assert "k" not in view
    apply(held, Record("k", sequenced(4, "back")))  # a re-creation
    assert view["k"] == "back"
    assert len(view) == 1
